"""Words for the states stored with agendas, minutes and action items, in the page's language."""
from flask_babel import lazy_gettext as _l, lazy_pgettext as _pl

AGENDA_STATUS_LABELS = {"draft": _l("Draft"), "published": _l("Published")}
MINUTES_STATUS_LABELS = {
    "draft": _l("Draft"),
    "review": _l("Sent for corrections"),
    "approved": _l("Approved"),
    "published": _l("Published"),
}
AUDIENCE_LABELS = {
    "group": _l("The working group"),
    "network": _l("The whole network"),
    "public": _l("Everyone (public)"),
}
ACTION_STATUS_LABELS = {
    "open": _pl("action item", "Open"),
    "in_progress": _l("In progress"),
    "done": _l("Done"),
    "dropped": _l("Dropped"),
}
AGENDA_ITEM_STATUS_LABELS = {"accepted": _l("On the agenda"), "proposed": _l("Proposed"),
                             "declined": _l("Declined")}


def register(app) -> None:
    app.add_template_global(AGENDA_STATUS_LABELS, "agenda_status_labels")
    app.add_template_global(MINUTES_STATUS_LABELS, "minutes_status_labels")
    app.add_template_global(AUDIENCE_LABELS, "audience_labels")
    app.add_template_global(ACTION_STATUS_LABELS, "action_status_labels")
    app.add_template_global(AGENDA_ITEM_STATUS_LABELS, "agenda_item_status_labels")
