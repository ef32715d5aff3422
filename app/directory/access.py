"""Who may do what in a network: administrators everything, a network's coordinators the
network, group leads their groups and those groups' sub-groups. The rules live with the
network; `user` is the logged-in account (auth.models.User)."""
from sqlalchemy import or_, select

from ..auth.models import group_leads, network_coordinators
from ..core.extensions import db
from .models import Network, WorkingGroup


def can_manage_network(user, network) -> bool:
    return user.is_admin or network in user.coordinated_networks


def can_view_network(user, network) -> bool:
    return can_manage_network(user, network) or any(
        group.network_id == network.id for group in user.led_groups
    )


def can_manage_group(user, group) -> bool:
    if can_manage_network(user, group.network):
        return True
    led = set(user.led_groups)
    return group in led or any(ancestor in led for ancestor in group.ancestors())


def can_manage_event(user, event) -> bool:
    """Coordinators (and admins) manage every event of their network; group leads the events
    of the groups they lead and of those groups' sub-groups. Works for unsaved events too."""
    network = db.session.get(Network, event.network_id)
    if network is not None and can_manage_network(user, network):
        return True
    if not event.working_group_id:
        return False
    group = db.session.get(WorkingGroup, event.working_group_id)
    return group is not None and group.network_id == event.network_id and can_manage_group(user, group)


def visible_networks_query(user):
    """The networks a user may open: all for admins, else coordinated or led ones."""
    query = select(Network).order_by(Network.name)
    if user.is_admin:
        return query
    coordinated = select(network_coordinators.c.network_id).where(network_coordinators.c.user_id == user.id)
    led = (
        select(WorkingGroup.network_id)
        .join(group_leads, group_leads.c.working_group_id == WorkingGroup.id)
        .where(group_leads.c.user_id == user.id)
    )
    return query.where(or_(Network.id.in_(coordinated), Network.id.in_(led)))
