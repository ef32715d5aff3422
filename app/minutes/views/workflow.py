"""Sending, approving and publishing the minutes (organizers), and reading them: the page,
its print layout and the PDF (whoever `service.can_read_minutes` lets in; 404 for others,
so that unpublished minutes do not even show that they exist)."""
from flask import Response, abort, flash, render_template, request, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user

from ...core.extensions import db
from ...core.params import db_int
from ...core.rendering import see_other
from ...core.security import public
from .. import document, service, workflow as steps
from ..models import Meeting
from ..service import MinutesError
from . import bp, editable_meeting, meeting_context


def _page(meeting: Meeting, errors: dict | None = None, error: str | None = None, status: int = 200,
          form: dict | None = None):
    choices = steps.approval_choices(meeting)
    group_list = steps.recipients(meeting, "group")
    network_list = steps.recipients(meeting, "network") if meeting.minutes_status in ("approved", "published") \
        else []
    return render_template(
        "minutes/workflow.html", history=steps.history(meeting), next_step=steps.next_step_text(meeting),
        possible={step for step, sources in steps.STEP_FROM.items() if meeting.minutes_status in sources},
        step_labels=steps.STEP_LABELS, approval_choices=choices, audiences=steps.audiences(meeting),
        recipient_lists={"group": group_list, "network": network_list, "public": network_list},
        source_labels=steps.SOURCE_LABELS, errors=errors or {}, error=error, form=form or {},
        **meeting_context(meeting)), status


@bp.get("/meetings/<int:meeting_id>/status")
def workflow(meeting_id: int):
    return _page(editable_meeting(meeting_id))


@bp.post("/meetings/<int:meeting_id>/status/<step>")
def transition(meeting_id: int, step: str):
    meeting = editable_meeting(meeting_id)
    if step not in steps.STEP_FROM:
        abort(404)
    sent = 0
    try:
        if step == "review":
            sent = steps.send_for_review(meeting, current_user)
        elif step == "draft":
            steps.back_to_draft(meeting)
        elif step == "approve":
            steps.approve(meeting, request.form.get("approved_in", type=db_int))
        elif step == "unapprove":
            steps.undo_approval(meeting)
        elif step == "publish":
            sent = steps.publish(meeting, request.form.get("audience", ""), bool(request.form.get("send_mail")))
        else:
            steps.withdraw(meeting)
    except MinutesError as problem:
        db.session.rollback()
        if problem.field:  # bad input: 422, the message beside the field
            return _page(meeting, errors={problem.field: str(problem)}, status=422, form=request.form)
        return _page(meeting, error=str(problem), status=409)  # the state does not allow this step
    db.session.commit()
    message = _("Done: %(step)s.", step=steps.STEP_LABELS[step])
    if sent:
        message += " " + ngettext("%(num)d mail is on its way.", "%(num)d mails are on their way.", sent)
    flash(message, "success")
    return see_other(url_for("minutes.workflow", meeting_id=meeting.id))


# --- Reading ---------------------------------------------------------------------------

def _readable(meeting_id: int) -> Meeting:
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or not service.can_read_minutes(current_user, meeting):
        abort(404)
    return meeting


def _names_for(meeting: Meeting) -> bool | None:
    """Editors always see who was there; others as document.build decides."""
    return True if service.can_edit(current_user, meeting) else None


@bp.get("/minutes/<int:meeting_id>")
@public
def show(meeting_id: int):
    meeting = _readable(meeting_id)
    doc = document.build(meeting, names=_names_for(meeting))
    return render_template("minutes/show.html", can_edit=service.can_edit(current_user, meeting),
                           **document.template_context(doc))


@bp.get("/minutes/<int:meeting_id>.pdf")
@public
def pdf(meeting_id: int):
    meeting = _readable(meeting_id)
    data = document.as_pdf(document.build(meeting, names=_names_for(meeting)))
    return Response(data, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{document.pdf_filename(meeting)}"',
        "Cache-Control": "private, no-cache"})
