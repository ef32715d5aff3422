"""Words for the codes stored with campaigns and submissions, in the page's language."""
from flask_babel import lazy_gettext as _l, lazy_pgettext

CATEGORY_LABELS = {
    "encounter": _l("Encounter"),
    "workshop": _l("Workshop"),
    "art": _l("Art and culture"),
    "talk": _l("Talk and discussion"),
    "counselling": _l("Counselling"),
    "sports": _l("Sports"),
    "food": _l("Food"),
    "other": lazy_pgettext("programme category", "Other"),
}
TARGET_GROUP_LABELS = {
    "everyone": _l("Everyone"),
    "families": _l("Families"),
    "children": _l("Children"),
    "youth": _l("Young people"),
    "adults": _l("Adults"),
    "seniors": _l("Older people"),
    "women": _l("Women"),
    "newcomers": _l("People new in Germany"),
    "professionals": _l("Staff and volunteers"),
}
SUBMISSION_STATUS_LABELS = {
    "draft": lazy_pgettext("submission status", "Draft, not complete yet"),
    "submitted": lazy_pgettext("submission status", "Waiting for review"),
    "changes_requested": lazy_pgettext("submission status", "Changes requested"),
    "approved": lazy_pgettext("submission status", "Approved"),
    "declined": lazy_pgettext("submission status", "Declined"),
    "withdrawn": lazy_pgettext("submission status", "Withdrawn"),
}
CAMPAIGN_STATUS_LABELS = {
    "draft": lazy_pgettext("programme status", "Not published"),
    "published": lazy_pgettext("programme status", "Published"),
}
# What each step in a submission's history is called.
REVIEW_ACTION_LABELS = {
    "saved_draft": _l("Saved as a draft"),
    "submitted": _l("Submitted"),
    "resubmitted": _l("Changed and submitted again"),
    "changes_requested": _l("Changes requested"),
    "approved": lazy_pgettext("submission status", "Approved"),
    "declined": lazy_pgettext("submission status", "Declined"),
    "withdrawn": lazy_pgettext("submission status", "Withdrawn"),
    "edited": _l("Edited by the coordination"),
}
# Names of the fields a submission needs before it can be reviewed (see service.missing_fields).
REQUIRED_FIELD_LABELS = {
    "title": _l("Title"),
    "category_id": _l("Category"),
    "start_date": _l("Date"),
    "start_time": _l("Start time"),
    "end_time": _l("End time"),
    "venue_name": _l("Venue"),
    "organization_name": _l("Organization"),
    "contact_name": _l("Contact person"),
}


def category_label(category) -> str:
    """A built-in category in the page's language; a category the coordinator named by its name."""
    if category is None:
        return ""
    return str(CATEGORY_LABELS[category.code]) if category.code in CATEGORY_LABELS else category.name


def register(app) -> None:
    app.add_template_global(category_label)
    app.add_template_global(TARGET_GROUP_LABELS, "target_group_labels")
    app.add_template_global(SUBMISSION_STATUS_LABELS, "submission_status_labels")
    app.add_template_global(CAMPAIGN_STATUS_LABELS, "campaign_status_labels")
    app.add_template_global(REVIEW_ACTION_LABELS, "review_action_labels")
