"""The organizers' way in without an account: the shared submission form, and the private status
link each submitter gets by mail to see the review, finish a draft, change or withdraw the entry.

Abuse: every POST of the form is rate-limited per IP and per e-mail address; a honeypot field
stands in for a CAPTCHA; every field has a length limit. A wrong submission key answers like any
unknown address, and every wrong status link gets the same "link not valid" page, whatever was
wrong with it. Pages behind a key or token are kept out of search engines and referrers.
"""
from flask import abort, make_response, render_template, request, url_for
from flask_babel import format_date, gettext as _
from flask_limiter.util import get_remote_address

from ...core.extensions import db, limiter
from ...core.params import allows_upload
from ...events.pictures import MAX_UPLOAD
from ...core.rendering import see_other, wants_fragment
from ...core.security import public
from ...registrations.forms import HONEYPOT
from ...registrations.service import normalize_email
from .. import service
from ..labels import REQUIRED_FIELD_LABELS
from ..models import Campaign, Submission
from ..submission_form import submission_form
from . import bp

IP_LIMIT = "10 per minute;60 per hour"
EMAIL_LIMIT = "10 per hour"


def _email_key() -> str:
    """Rate-limit key of the address in the form (the IP when there is none)."""
    email = normalize_email(request.form.get("contact_email", ""))[:254]
    return f"submission:{email}" if email else get_remote_address()


def _succeeded(response) -> bool:
    # Only entries that were saved (and so mailed) count against the address: someone fixing
    # a typo in the form is not held back.
    return response.status_code < 400


def _period_message(campaign: Campaign) -> str:
    """Why the form takes no entries now ("" while it does)."""
    if service.accepting_submissions(campaign):
        return ""
    if service.local_today(campaign) < campaign.submissions_from:
        return _("Submissions open on %(day)s.", day=format_date(campaign.submissions_from, "full"))
    return _("Submissions are closed; the last day was %(day)s. Please write to the coordination if you still "
             "want to take part.",
             day=format_date(campaign.submissions_until, "full"))


def _closed_message(campaign: Campaign) -> str:
    if campaign.contact_email:
        return _("This entry can no longer be changed here. Please write to the coordination: %(email)s.",
                 email=campaign.contact_email)
    return _("This entry can no longer be changed here. Please write to the coordination.")


def _form_page(page: str, status: int = 200, **context):
    """The page, or for htmx the form alone (it answers itself: 422 with the messages)."""
    template = "programmes/_submission_form.html" if wants_fragment() else page
    return render_template(template, **context), status


# --- The shared form ------------------------------------------------------------------

@bp.route("/programmes/<slug>/submit/<token>", methods=["GET", "POST"])
@public
@allows_upload(MAX_UPLOAD)  # the entry's picture
@limiter.limit(IP_LIMIT, methods=["POST"])
@limiter.limit(EMAIL_LIMIT, key_func=_email_key, methods=["POST"], deduct_when=_succeeded)
def submit(slug: str, token: str):
    campaign = service.by_submission_key(slug, token)
    if campaign is None:
        abort(404)
    action = url_for("programmes.submit", slug=slug, token=token)
    context = {"campaign": campaign, "action": action, "honeypot": True, "closed": _period_message(campaign)}
    if request.method == "GET":
        sent = request.args.get("sent") == "1"
        form = None if context["closed"] or sent else submission_form(campaign)
        return _form_page("programmes/submit.html", form=form, sent=sent, **context)
    if request.form.get(HONEYPOT):
        # A bot filled the field people never see: it gets a success, and nothing is saved or mailed.
        return see_other(url_for("programmes.submit", slug=slug, token=token, sent=1))
    form = submission_form(campaign, formdata=request.form)
    if context["closed"]:  # the form stays, with what was typed, so that nothing is lost
        return _form_page("programmes/submit.html", 422, form=form, **context)
    if form.validate():
        try:
            submission = service.start(campaign, **form.submission_fields(campaign))
        except service.ProgrammeError as error:
            db.session.rollback()
            form.add_error(error)
        else:
            db.session.commit()  # before the redirect: the status page finds it
            return see_other(url_for("programmes.status", token=service.token_of(submission), sent=1))
    return _form_page("programmes/submit.html", 422, form=form, **context)


# --- The private status link ------------------------------------------------------------

def _submission(token: str) -> Submission:
    submission = service.by_token(token)
    if submission is None:
        # The same page for a forged, guessed, revoked, too long or non-ASCII link.
        abort(make_response(render_template("registrations/link_invalid.html"), 404))
    return submission


def _status_page(submission: Submission, token: str, status: int = 200, message: str = ""):
    return render_template(
        "programmes/status.html", submission=submission, campaign=submission.campaign, token=token,
        missing=[REQUIRED_FIELD_LABELS[name] for name in service.missing_fields(submission)],
        can_edit=service.can_submitter_edit(submission),
        done=request.args.get("done", ""), sent=request.args.get("sent") == "1", message=message), status


@bp.get("/s/<token>")
@public
def status(token: str):
    return _status_page(_submission(token), token)


@bp.route("/s/<token>/edit", methods=["GET", "POST"])
@public
@allows_upload(MAX_UPLOAD)
@limiter.limit(IP_LIMIT, methods=["POST"])
def edit_entry(token: str):
    submission = _submission(token)
    campaign = submission.campaign
    context = {"submission": submission, "campaign": campaign, "token": token, "honeypot": False,
               "action": url_for("programmes.edit_entry", token=token),
               "closed": "" if service.can_submitter_edit(submission) else _closed_message(campaign)}
    if request.method == "GET":
        form = None if context["closed"] else submission_form(campaign, submission=submission)
        return _form_page("programmes/status_edit.html", form=form, **context)
    form = submission_form(campaign, formdata=request.form, submission=submission)
    if context["closed"]:  # e.g. the deadline passed while typing: what was typed stays
        return _form_page("programmes/status_edit.html", 422, form=form, **context)
    if form.validate():
        try:
            service.edit_by_submitter(submission, **form.submission_fields(campaign))
        except service.ProgrammeError as error:
            db.session.rollback()
            form.add_error(error)
        else:
            db.session.commit()
            return see_other(url_for("programmes.status", token=token, done="saved"))
    return _form_page("programmes/status_edit.html", 422, form=form, **context)


@bp.post("/s/<token>/withdraw")
@public
@limiter.limit(IP_LIMIT)
def withdraw(token: str):
    submission = _submission(token)
    if not request.form.get("confirm"):
        return _status_page(submission, token, 422, _("Please tick the box to confirm that you withdraw the entry."))
    try:
        service.withdraw(submission)
    except service.ProgrammeError as error:
        db.session.rollback()
        return _status_page(submission, token, 422, str(error))
    db.session.commit()
    return see_other(url_for("programmes.status", token=token, done="withdrawn"))
