"""What the minutes add to pages of the packages below them: the event page (the date's
published agenda, the link to its minutes), the event's manage page (its meetings) and a
working group's page (its open action items). Those pages call these template globals, so
events and the directory never import the minutes."""
from flask import render_template, url_for
from flask_login import current_user
from markupsafe import Markup

from .. import records, service
from ..agenda import public_agenda
from . import bp


@bp.app_template_global()
def event_page_minutes(event, occurrence, organizer: bool) -> Markup:
    """One date's published agenda (to whoever may see it) and its minutes, when readable."""
    meeting = service.meeting_for(event, occurrence.original_start)
    minutes_url = None
    if meeting is not None and service.can_read_minutes(current_user, meeting):
        minutes_url = url_for("minutes.show", meeting_id=meeting.id)
    return Markup(render_template("minutes/_event_page.html", event=event, occurrence=occurrence,
                                  agenda=public_agenda(meeting, occurrence, organizer),
                                  minutes_url=minutes_url))


@bp.app_template_global()
def event_meetings(event) -> Markup:
    """The "Agenda and minutes" card of the event's manage page."""
    return Markup(render_template("minutes/_event_meetings.html", event=event,
                                  meetings=service.meetings_of_event(event)))


@bp.app_template_global()
def group_action_items(group, can_manage: bool) -> Markup:
    """The open action items of a working group, on the group's page."""
    return Markup(render_template(
        "minutes/_group_actions.html", group=group, network=group.network, can_manage=can_manage,
        open_actions=records.group_open_actions(current_user, group), owner_label=records.owner_label,
        today=records.network_today(group.network)))
