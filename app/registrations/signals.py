"""What the registrations tell the packages built on them (the minutes keep who proposed
agenda items through a registration or invitation link). They subscribe; registrations never
import them."""
from blinker import Namespace

_signals = Namespace()

personal_data_deleted = _signals.signal("personal-data-deleted", doc="""
    The personal data of one person (`email`) or of everyone (`email` None: the retention
    purge) of an event is deleted. Sender: the event's id. Receivers forget what they keep
    about them.""")

personal_data_requested = _signals.signal("personal-data-requested", doc="""
    An organizer exports everything stored about `email` in a network (DSGVO Art. 15).
    Sender: the network's id. Each receiver returns a dict of its own sections.""")

invitation_extras = _signals.signal("invitation-extras", doc="""
    An invitation (or its reminder) is written. Sender: the Event; `start`: the date's
    original start. Each receiver returns text for the invitation, or "" (the minutes: the
    date's published agenda).""")
