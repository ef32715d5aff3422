"""Words for the codes stored with events, in the page's language."""
from flask_babel import lazy_gettext as _l

KIND_LABELS = {
    "network_meeting": _l("Network meeting"),
    "working_group_meeting": _l("Working group meeting"),
    "training": _l("Training"),
    "exchange": _l("Exchange"),
    "public_event": _l("Public event"),
    "other": _l("Other"),
}
VISIBILITY_LABELS = {
    "public": _l("Public"),
    "members": _l("Network members only"),
    "invited": _l("Invited only"),
}
STATUS_LABELS = {
    "draft": _l("Draft"),
    "published": _l("Published"),
    "cancelled": _l("Cancelled"),
}
# Languages spoken at events in the networks; each shown in its own name too.
LANGUAGE_LABELS = {
    "de": _l("German"), "en": _l("English"), "ar": _l("Arabic"), "fa": _l("Persian (Farsi/Dari)"),
    "uk": _l("Ukrainian"), "ru": _l("Russian"), "tr": _l("Turkish"), "ku": _l("Kurdish"),
    "ti": _l("Tigrinya"), "so": _l("Somali"), "fr": _l("French"), "es": _l("Spanish"),
    "pl": _l("Polish"), "ro": _l("Romanian"), "vi": _l("Vietnamese"), "sq": _l("Albanian"),
    "dgs": _l("German Sign Language"),
}


def kind_label(kind) -> str:
    """A built-in kind in the page's language; a network's own kind by its name."""
    return str(KIND_LABELS[kind.code]) if kind.code in KIND_LABELS else kind.name


def register(app) -> None:
    app.add_template_global(kind_label)
    app.add_template_global(LANGUAGE_LABELS, "language_labels")
    app.add_template_global(VISIBILITY_LABELS, "visibility_labels")
    app.add_template_global(STATUS_LABELS, "status_labels")
