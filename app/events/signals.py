"""What the events package tells the packages built on it (registrations, minutes, feeds).
They subscribe; events never imports them."""
from blinker import Namespace

_signals = Namespace()

event_rescheduled = _signals.signal("event-rescheduled", doc="""
    Sent by `service.save` when the start, end or rule of a saved event changed, before the
    commit. Sender: the Event; `before`: the old values of the schedule fields. Receivers keep
    their own records in step (the minutes: a single event's meeting moves along).""")

event_changed = _signals.signal("event-changed", doc="""
    Announced (`service.announce`) once an organizer's change of time, place or status is
    complete, before the commit; SEQUENCE has risen. Sender: the Event; `dates`: None when the
    whole event changed (a single event, or every date of a series), else the original starts
    (UTC) of the dates of a series that changed. Receivers tell whom it concerns (the
    registrations: a mail with the calendar update to the people of those dates).""")
