"""Campaigns and submissions: shared by the organizer pages, the submission form, the demo and
the tests. Review (approve, ask for changes, decline) and the events it makes are in review.py.

A submission is saved whatever is missing, as long as there is an e-mail address to send the
status link to: with required fields missing it stays a draft the submitter can finish;
complete, it waits for review. Nothing a submitter typed is dropped.
"""
import hmac
import secrets
from datetime import date, datetime

from flask import current_app, url_for
from flask_babel import force_locale, gettext as _, ngettext
from sqlalchemy import func, select

from ..core.extensions import db
from ..core.tokens import hash_token, keyed_token, plausible_token
from ..core.types import utcnow
from ..directory import service as directory
from ..directory.models import Network
from ..events import pictures, recurrence
from ..events.service import slug_of
from ..mail.outbox import enqueue
from .labels import REQUIRED_FIELD_LABELS, SUBMISSION_STATUS_LABELS
from .models import BUILTIN_CATEGORIES, Campaign, Category, ReviewStep, Submission

pictures.REFERENCES.append(Submission.picture_hash)  # a picture stays while an entry brings it

SALT_BYTES = 32
# The fields a submission needs before it can be reviewed; named like the form's fields.
REQUIRED_FIELDS = tuple(REQUIRED_FIELD_LABELS)
# Fields of a submission the form (and the coordinator's edit) may set.
SUBMISSION_FIELDS = (
    "title", "description", "text_language", "category_id", "starts_at", "ends_at", "venue_name",
    "venue_address", "district", "accessibility", "step_free", "languages", "target_groups", "is_free",
    "fee", "registration_required", "capacity", "organization_name", "contact_name", "contact_email",
    "contact_phone", "translations", "picture_hash", "picture_alt",
)


class ProgrammeError(ValueError):
    """A problem the user can fix; `field` names the form field it belongs to."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


# --- Campaigns ----------------------------------------------------------------------

def new_submission_key() -> str:
    return secrets.token_urlsafe(24)  # 192 bits


def unique_slug(network: Network, title: str, year: int) -> str:
    base = slug_of(f"{network.slug} {title} {year}" if str(year) not in title else f"{network.slug} {title}")[:70]
    slug, number = base, 1
    while db.session.scalar(select(Campaign.id).where(Campaign.slug == slug)) is not None:
        number += 1
        slug = f"{base}-{number}"
    return slug


def create_campaign(network: Network, *, title: str, year: int, starts_on: date, ends_on: date,
                    submissions_from: date, submissions_until: date, motto: str = "", intro: str = "",
                    contact_email: str = "") -> Campaign:
    """A new (unpublished) campaign with the built-in categories."""
    campaign = Campaign(network_id=network.id, network=network, status="draft",
                        submission_key=new_submission_key())
    update_campaign(campaign, title=title, year=year, starts_on=starts_on, ends_on=ends_on,
                    submissions_from=submissions_from, submissions_until=submissions_until, motto=motto,
                    intro=intro, contact_email=contact_email)
    campaign.slug = unique_slug(network, campaign.title, year)
    for position, code in enumerate(BUILTIN_CATEGORIES):
        campaign.categories.append(Category(code=code, name=code, position=position))
    db.session.add(campaign)
    return campaign


def update_campaign(campaign: Campaign, **fields) -> Campaign:
    for name, value in fields.items():
        setattr(campaign, name, value.strip() if isinstance(value, str) else value)
    campaign.title = " ".join(campaign.title.split())
    if campaign.ends_on < campaign.starts_on:
        raise ProgrammeError(_("The last day must not be before the first."), "ends_on")
    if campaign.submissions_until < campaign.submissions_from:
        raise ProgrammeError(_("Submissions must close after they open."), "submissions_until")
    return campaign


def renew_submission_key(campaign: Campaign) -> None:
    """A new submission link; the old one stops working at once."""
    campaign.submission_key = new_submission_key()


def by_submission_key(slug: str, key: str) -> Campaign | None:
    if not plausible_token(key):
        return None
    campaign = db.session.scalar(select(Campaign).where(Campaign.slug == slug[:80]))
    if campaign is None or not hmac.compare_digest(campaign.submission_key, key):
        return None
    return campaign


def local_today(campaign: Campaign, now: datetime | None = None) -> date:
    return recurrence.to_local(now or utcnow(), campaign.network.timezone).date()


def accepting_submissions(campaign: Campaign, now: datetime | None = None) -> bool:
    """Within the submission period (both days count whole, in the network's zone)."""
    return campaign.submissions_from <= local_today(campaign, now) <= campaign.submissions_until


def campaigns_of(network: Network) -> list[Campaign]:
    return db.session.scalars(select(Campaign).where(Campaign.network_id == network.id)
                              .order_by(Campaign.year.desc(), Campaign.id.desc())).all()


def status_counts(campaign: Campaign) -> dict[str, int]:
    return dict(db.session.execute(
        select(Submission.status, func.count()).where(Submission.campaign_id == campaign.id)
        .group_by(Submission.status)).all())


# --- Categories ---------------------------------------------------------------------

def add_category(campaign: Campaign, name: str) -> Category:
    name = " ".join(name.split())
    if not name:
        raise ProgrammeError(_("Please enter a name."), "name")
    if any(c.name.lower() == name.lower() for c in campaign.categories if c.code is None):
        raise ProgrammeError(_("This programme has a category of this name already."), "name")
    category = Category(name=name, position=len(campaign.categories))
    campaign.categories.append(category)
    return category


def rename_category(category: Category, name: str) -> None:
    """A built-in category renamed becomes the coordinator's own (no longer translated)."""
    name = " ".join(name.split())
    if not name:
        raise ProgrammeError(_("Please enter a name."), "name")
    if any(c.id != category.id and c.name.lower() == name.lower() for c in category.campaign.categories):
        raise ProgrammeError(_("This programme has a category of this name already."), "name")
    category.code, category.name = None, name


def remove_category(category: Category) -> None:
    """Only an unused category can go: the submissions in it would lose it."""
    used = db.session.scalar(select(func.count()).select_from(Submission).where(Submission.category_id == category.id))
    if used:
        raise ProgrammeError(ngettext("%(num)d submission is in this category. Move it first.",
                                      "%(num)d submissions are in this category. Move them first.", used), "name")
    db.session.delete(category)


# --- The submitter's link ---------------------------------------------------------

def _token(salt: str) -> str:
    return keyed_token(f"submission:{salt}")


def renew_token(submission: Submission) -> str:
    """A new status link (the old one stops working); returns its token."""
    submission.token_salt = secrets.token_hex(SALT_BYTES)
    token = _token(submission.token_salt)
    submission.token_hash = hash_token(token)
    return token


def token_of(submission: Submission) -> str:
    return _token(submission.token_salt)


def by_token(token: str | None) -> Submission | None:
    """The submission a status link belongs to; None for anything forged, guessed or too long."""
    if not plausible_token(token):
        return None
    return db.session.scalar(select(Submission).where(Submission.token_hash == hash_token(token)))


def status_url(submission: Submission) -> str:
    base = current_app.config.get("BASE_URL")
    path = url_for("programmes.status", token=token_of(submission))
    return base + path if base else url_for("programmes.status", token=token_of(submission), _external=True)


# --- Submitting ---------------------------------------------------------------------

def missing_fields(submission: Submission) -> list[str]:
    """The required fields still empty (form field names, see REQUIRED_FIELD_LABELS)."""
    missing = [name for name in ("title", "category_id", "venue_name", "organization_name", "contact_name")
               if not getattr(submission, name)]
    if submission.starts_at is None:
        missing += ["start_date", "start_time"]
    if submission.ends_at is None:
        missing.append("end_time")
    return [name for name in REQUIRED_FIELDS if name in missing]


def can_submitter_edit(submission: Submission, now: datetime | None = None) -> bool:
    """Until the deadline, unless declined or withdrawn; when the coordination asked for changes,
    also after it."""
    if submission.status == "changes_requested":
        return True
    return submission.status in ("draft", "submitted", "approved") and \
        local_today(submission.campaign, now) <= submission.campaign.submissions_until


def match_organization(submission: Submission) -> None:
    """Link the directory's member organization of the typed name, when the network has one."""
    member = directory.member_by_name(submission.campaign.network_id, submission.organization_name)
    submission.organization_id = member.id if member is not None else None


def _check(submission: Submission) -> None:
    campaign = submission.campaign
    if submission.category_id and submission.category_id not in {c.id for c in campaign.categories}:
        raise ProgrammeError(_("Please choose one of the categories."), "category_id")
    if submission.starts_at and submission.ends_at and submission.ends_at <= submission.starts_at:
        raise ProgrammeError(_("The end must be after the start."), "end_time")


def _record(submission: Submission, action: str, message: str = "", user=None) -> None:
    submission.history.append(ReviewStep(action=action, message=message, user_id=user.id if user else None,
                                         at=utcnow()))


def start(campaign: Campaign, **fields) -> Submission:
    """A new submission from the shared link; a draft or, when complete, waiting for review.
    The confirmation mail with the status link goes out with the caller's commit."""
    submission = Submission(campaign=campaign, campaign_id=campaign.id, status="draft")
    renew_token(submission)
    db.session.add(submission)
    _apply(submission, fields)
    _advance(submission, first=True)
    mail_received(submission)
    return submission


def edit_by_submitter(submission: Submission, **fields) -> None:
    """The submitter's change through the status link. A change to an event under review or
    already approved goes (back) to review; the approved event stays as it was until then."""
    if not can_submitter_edit(submission):
        raise ProgrammeError(_("This submission can no longer be changed. Please write to the coordination."))
    _apply(submission, fields)
    _advance(submission, first=False)
    mail_received(submission)


def _apply(submission: Submission, fields: dict) -> None:
    old_picture = submission.picture_hash
    for name, value in fields.items():
        if name not in SUBMISSION_FIELDS:
            raise KeyError(name)
        setattr(submission, name, value.strip() if isinstance(value, str) else value)
    if old_picture not in (None, submission.picture_hash):
        pictures.discard_unused(old_picture)
    _check(submission)
    match_organization(submission)


def _advance(submission: Submission, first: bool) -> None:
    if missing_fields(submission):
        if submission.status in ("draft", "changes_requested"):
            _record(submission, "saved_draft")
            return
        # A submitted or approved entry cannot lose required fields by an edit.
        raise ProgrammeError(_("Please fill in every required field."), missing_fields(submission)[0])
    before = submission.status
    submission.status = "submitted"
    submission.submitted_at = utcnow()
    _record(submission, "submitted" if before == "draft" else "resubmitted")


def withdraw(submission: Submission) -> None:
    """The submitter takes the event back; an approved one is cancelled in the programme."""
    from . import review

    if submission.status in ("declined", "withdrawn"):
        raise ProgrammeError(_("This submission can no longer be changed. Please write to the coordination."))
    submission.status = "withdrawn"
    _record(submission, "withdrawn")
    # Stored with the event and shown to every reader: in the installation's language.
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        review.cancel_event(submission, _("Withdrawn by the organizer."))


# --- Mail to the submitter --------------------------------------------------------

def mail_language(submission: Submission) -> str:
    """Mails go out in the submission's text language when the site speaks it, else the default."""
    languages = current_app.config["LANGUAGES"]
    return submission.text_language if submission.text_language in languages \
        else current_app.config["BABEL_DEFAULT_LOCALE"]


def mail_submitter(submission: Submission, subject: str, lines: list[str]) -> None:
    """A mail to the contact address with the status link and whom to ask (outbox)."""
    if not submission.contact_email:
        return
    campaign = submission.campaign
    body = "\n\n".join(lines + [
        _("See the status and change your entry until %(day)s:", day=campaign.submissions_until.strftime("%d.%m.%Y"))
        + "\n" + status_url(submission),
        _("Keep this link to yourself: whoever has it can change your entry."),
    ] + ([_("Questions? Write to %(email)s.", email=campaign.contact_email)] if campaign.contact_email else []))
    enqueue(submission.contact_email, subject, body, network_id=campaign.network_id)


def mail_received(submission: Submission) -> None:
    with force_locale(mail_language(submission)):
        title = submission.title or _("(no title yet)")
        campaign = submission.campaign
        if submission.status == "draft":
            missing = ", ".join(str(REQUIRED_FIELD_LABELS[name]) for name in missing_fields(submission))
            subject = _("Saved as a draft: %(title)s", title=title)
            lines = [_("Your entry for “%(campaign)s” is saved as a draft. It is not yet sent for review: "
                       "these fields are still missing: %(missing)s.", campaign=campaign.title, missing=missing)]
        else:
            subject = _("Received: %(title)s", title=title)
            lines = [_("Thank you! Your entry for “%(campaign)s” has arrived and waits for review. "
                       "You will hear from us by e-mail.", campaign=campaign.title)]
        mail_submitter(submission, f"{campaign.title}: {subject}", lines)


def status_label(submission: Submission) -> str:
    return str(SUBMISSION_STATUS_LABELS[submission.status])
