"""The coordinator's review: the queue of a campaign's submissions by status, with overlaps of
time and place; approve, ask for changes, decline (one row at a time with htmx, several
complete ones at once as a plain form); one submission's page with its history; the
coordinator's edit. The logic is in programmes.review."""
from dataclasses import dataclass

from flask import abort, flash, render_template, request, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user
from sqlalchemy import select, text
from sqlalchemy.orm import selectinload

from ...core.extensions import db
from ...core.params import allows_upload, db_int
from ...events.picture_views import sources, variant_response
from ...events.pictures import MAX_UPLOAD
from ...core.rendering import render, see_other, wants_fragment
from .. import review, service
from ..labels import REQUIRED_FIELD_LABELS
from ..models import MAX_MESSAGE, SUBMISSION_STATUSES, Campaign, ReviewStep, Submission
from ..service import ProgrammeError
from ..submission_form import submission_form
from . import bp, managed_campaign, managed_submission

# The queue's tabs: each status, and everything.
TABS = ("submitted", "changes_requested", "approved", "declined", "draft", "withdrawn", "all")


@dataclass
class Problem:
    """An action refused: for which submission and action, next to which field, what was typed."""

    submission_id: int
    action: str
    field: str
    message: str
    text: str = ""


def _tab(value: str | None) -> str:
    return value if value in TABS else "submitted"


def _by_time(submission: Submission) -> tuple:
    """Start time order; undated drafts last."""
    return (submission.starts_at is None, submission.starts_at or submission.created_at,
            submission.title.casefold(), submission.id)


def _submissions(campaign: Campaign) -> list[Submission]:
    """All of the campaign's submissions in time order; one query."""
    rows = db.session.scalars(select(Submission).where(Submission.campaign_id == campaign.id)).all()
    return sorted(rows, key=_by_time)


def _counts(campaign: Campaign) -> dict[str, int]:
    counts = service.status_counts(campaign)
    return {**{status: counts.get(status, 0) for status in SUBMISSION_STATUSES}, "all": sum(counts.values())}


def _missing(submission: Submission) -> list[str]:
    return [str(REQUIRED_FIELD_LABELS[name]) for name in service.missing_fields(submission)]


def _selectable(submission: Submission) -> bool:
    """Offered for approving several at once: complete and waiting for review."""
    return submission.status == "submitted" and not service.missing_fields(submission)


def _context(campaign: Campaign, everything: list[Submission], **context) -> dict:
    """What the queue's rows and the submission page share. The overlaps are looked for among
    all the campaign's submissions, whichever tab is shown."""
    return {"campaign": campaign, "network": campaign.network, "tz": campaign.network.timezone,
            "categories": {c.id: c for c in campaign.categories}, "overlaps": review.overlaps(campaign, everything),
            "missing": _missing, "selectable": _selectable, "actions_from": review.ACTIONS_FROM,
            "max_message": MAX_MESSAGE, "problem": None, "done": "", "tab": None, **context}


def _queue_context(campaign: Campaign, tab: str, **context) -> dict:
    everything = _submissions(campaign)
    rows = everything if tab == "all" else [s for s in everything if s.status == tab]
    return _context(campaign, everything, rows=rows, tab=tab, tabs=TABS, counts=_counts(campaign),
                    bulk=any(_selectable(s) for s in rows), **context)


@bp.get("/campaigns/<int:campaign_id>/submissions")
def queue(campaign_id: int):
    campaign = managed_campaign(campaign_id)
    return render("programmes/review.html", "programmes/_review.html",
                  **_queue_context(campaign, _tab(request.args.get("status"))))


# --- Approve, ask for changes, decline -------------------------------------------------

def _message() -> str:
    typed = request.form.get("message", "")
    if len(typed) > MAX_MESSAGE:
        raise ProgrammeError(_("This can have at most %(max)d characters; this has %(length)d.",
                               max=MAX_MESSAGE, length=len(typed)), "message")
    return typed


def _lock(submission: Submission) -> None:
    """One decision at a time per submission, on what is committed now: two clicks at the same
    moment would otherwise both find it waiting and both make an event (the same row lock as
    registrations.service.lock_event: FOR UPDATE on PostgreSQL, SQLite's write lock)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.refresh(submission, with_for_update=True)
    else:
        db.session.execute(text("UPDATE submissions SET id = id WHERE id = :id"), {"id": submission.id})
        db.session.refresh(submission)


def _check_seen(submission: Submission, seen: str | None) -> None:
    """The row carries the version it showed: a submission changed since (by its organizer,
    or by another click) is not decided on unseen."""
    if seen and seen != submission.updated_at.isoformat():
        raise ProgrammeError(_("This submission was changed meanwhile. Please look at it again."))


def _decide(submission: Submission, action: str, message: str) -> str:
    """Run one action; the confirmation to show."""
    title = submission.title
    if action == "approve":
        review.approve(submission, current_user, message)
        return _("“%(title)s” is approved.", title=title)
    if action == "changes":
        review.request_changes(submission, current_user, message)
        return _("Changes requested for “%(title)s”: the organizer gets your message by e-mail.", title=title)
    review.decline(submission, current_user, message)
    return _("“%(title)s” is declined: the organizer gets your reason by e-mail.", title=title)


def _act(submission_id: int, action: str):
    submission = managed_submission(submission_id)
    campaign = submission.campaign
    from_page = request.form.get("back") == "submission"
    tab = _tab(request.form.get("status"))
    try:
        _lock(submission)
        _check_seen(submission, request.form.get("seen"))
        done = _decide(submission, action, _message())
    except ProgrammeError as error:
        db.session.rollback()
        problem = Problem(submission.id, action, error.field, str(error), request.form.get("message", ""))
        if from_page:
            return _submission_page(submission, problem=problem, status=422)
        context = _queue_context(campaign, tab, problem=problem)
        if wants_fragment():
            return render_template("programmes/_review_row.html", s=submission, **context), 422
        return render_template("programmes/review.html", **context), 422
    db.session.commit()
    if wants_fragment() and not from_page:
        return render_template("programmes/_review_row.html", s=submission, oob=True,
                               **_queue_context(campaign, tab, done=done))
    flash(done, "success")
    if from_page:
        return see_other(url_for("programmes.submission", submission_id=submission.id))
    return see_other(url_for("programmes.queue", campaign_id=campaign.id, status=tab,
                             _anchor=f"submission-{submission.id}"))


@bp.post("/submissions/<int:submission_id>/approve")
def approve(submission_id: int):
    return _act(submission_id, "approve")


@bp.post("/submissions/<int:submission_id>/changes")
def request_changes(submission_id: int):
    return _act(submission_id, "changes")


@bp.post("/submissions/<int:submission_id>/decline")
def decline(submission_id: int):
    return _act(submission_id, "decline")


@bp.post("/campaigns/<int:campaign_id>/submissions/approve")
def approve_selected(campaign_id: int):
    """Approve the ticked submissions; each that cannot be is named with the reason, the
    others are approved all the same."""
    campaign = managed_campaign(campaign_id)
    tab = _tab(request.form.get("status"))
    ids = set(request.form.getlist("ids", type=db_int))
    chosen = db.session.scalars(select(Submission).where(Submission.campaign_id == campaign.id,
                                                         Submission.id.in_(ids))).all() if ids else []
    approved, refused = 0, []
    for submission in sorted(chosen, key=_by_time):
        try:
            _lock(submission)
            _check_seen(submission, request.form.get(f"seen-{submission.id}"))
            review.approve(submission, current_user)
            approved += 1
        except ProgrammeError as error:  # refused before anything changed: the others go on
            refused.append((submission.title, str(error)))
    db.session.commit()
    if not ids:
        flash(_("Please tick the submissions to approve."), "error")
    if approved:
        flash(ngettext("%(num)d submission approved.", "%(num)d submissions approved.", approved), "success")
    for title, reason in refused:
        flash(_("Not approved: “%(title)s”: %(reason)s", title=title, reason=reason), "error")
    return see_other(url_for("programmes.queue", campaign_id=campaign.id, status=tab))


# --- One submission -------------------------------------------------------------------

def _history(submission: Submission) -> list[ReviewStep]:
    return db.session.scalars(select(ReviewStep).options(selectinload(ReviewStep.user))
                              .where(ReviewStep.submission_id == submission.id)
                              .order_by(ReviewStep.at, ReviewStep.id)).all()


def _submission_page(submission: Submission, problem: Problem | None = None, status: int = 200):
    campaign = submission.campaign
    return render_template("programmes/submission.html", s=submission, history=_history(submission),
                           **_context(campaign, _submissions(campaign), problem=problem)), status


@bp.get("/submissions/<int:submission_id>")
def submission(submission_id: int):
    return _submission_page(managed_submission(submission_id))


@bp.get("/submissions/<int:submission_id>/picture/<digest>-<int:width>.webp")
def submission_picture(submission_id: int, digest: str, width: int):
    """The entry's picture, for the coordination to see before it goes public with the event."""
    if managed_submission(submission_id).picture_hash != digest:
        abort(404)
    return variant_response(digest, width, shared=False)


@bp.app_template_global()
def submission_picture_sources(submission: Submission) -> dict | None:
    if submission.picture is None:
        return None
    return sources(submission.picture, submission.picture_alt, "programmes.submission_picture",
                   submission_id=submission.id)


@bp.route("/submissions/<int:submission_id>/edit", methods=["GET", "POST"])
@allows_upload(MAX_UPLOAD)  # the entry's picture
def edit_submission(submission_id: int):
    """The coordination's own correction; an approved entry's event follows."""
    submission = managed_submission(submission_id)
    campaign = submission.campaign
    form = submission_form(campaign, request.form if request.method == "POST" else None, submission)
    if request.method == "POST" and form.validate():
        try:
            review.edit_by_coordinator(submission, current_user, **form.submission_fields(campaign))
        except ProgrammeError as error:
            db.session.rollback()
            form.add_error(error)
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return see_other(url_for("programmes.submission", submission_id=submission.id))
    return render_template("programmes/submission_edit.html", s=submission, form=form, campaign=campaign,
                           network=campaign.network), 422 if form.first_error() else 200
