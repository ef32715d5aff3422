"""Participants propose agenda items through their personal link (a registration's or an
invitation's, no account): the box on their page and what happens when they send it. The
registrations package knows nothing of it; its pages call `agenda_proposals`."""
from dataclasses import dataclass
from datetime import datetime

from flask import render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import StringField, TextAreaField

from ...core.extensions import db, limiter
from ...core.rendering import see_other
from ...core.security import public
from ...events.models import Event
from ...registrations import service as registrations
from ...registrations.models import ACTIVE_STATUSES
from .. import agenda
from ..service import MinutesError
from . import bp

IP_LIMIT = "10 per minute;100 per hour"
PROPOSAL_LIMIT = "5 per hour;20 per day"  # per personal link


class ProposalForm(FlaskForm):
    title = StringField(_l("Title of the item"))
    description = TextAreaField(_l("What is it about?"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title.flags.required = True  # checked by minutes/agenda.py


@dataclass
class Proposer:
    """Who proposes through a personal link, for which date, and whether they may."""
    event: Event
    occurrence_start: datetime
    name: str
    email: str
    allowed: bool
    page_url: str

    @property
    def occurrence(self):
        return registrations.occurrence_of(self.event, self.occurrence_start)


def _box(event, occurrence, email: str, allowed: bool, form=None, message: str = "") -> dict | None:
    """The "propose an agenda item" box: the form while the date takes proposals and the
    person may propose, and what they proposed before; None when there is nothing to show."""
    start = occurrence.original_start if occurrence is not None else None
    earlier = agenda.proposals_by(event, start, email) if start is not None else []
    can = allowed and agenda.takes_proposals(event, occurrence)
    if not can and not earlier and form is None:
        return None
    return {"open": can, "earlier": earlier, "form": form or ProposalForm(formdata=None),
            "done": request.args.get("done") == "proposed", "message": message}


@bp.app_template_global()
def agenda_proposals(event, occurrence, email: str, allowed: bool, action: str) -> Markup:
    """The box on a participant's page; `action` is where its form posts."""
    box = _box(event, occurrence, email, allowed)
    if box is None:
        return Markup("")
    return Markup(render_template("minutes/_agenda_propose.html", proposal=box, proposal_action=action))


def _by_registration(token: str) -> Proposer | None:
    registration = registrations.by_token(token)
    if registration is None:
        return None
    return Proposer(registration.event, registration.occurrence_start, registration.name, registration.email,
                    registration.status in ACTIVE_STATUSES, url_for("registrations.manage", token=token))


def _by_invitation(token: str) -> Proposer | None:
    invitation = registrations.invitation_by_token(token)
    if invitation is None or invitation.event.status == "draft":
        return None
    # Who said no proposes nothing; who registered through the invitation still may.
    return Proposer(invitation.event, invitation.occurrence_start, invitation.name, invitation.email,
                    invitation.answer != "no", url_for("registrations.invitation", token=token))


def _propose(proposer: Proposer | None, action: str):
    if proposer is None:
        return render_template("registrations/link_invalid.html"), 404
    occurrence = proposer.occurrence
    form = ProposalForm()
    if not proposer.allowed or not agenda.takes_proposals(proposer.event, occurrence):
        box = _box(proposer.event, occurrence, proposer.email, False, form,
                   message=_("This date takes no proposals (any more)."))
        return _page(proposer, box, action), 422
    try:
        agenda.propose(proposer.event, occurrence.original_start, form.title.data or "",
                       form.description.data or "", proposer.name, proposer.email)
    except MinutesError as error:
        db.session.rollback()
        target = form.description if error.field == "description" else form.title
        target.errors = [*target.errors, str(error)]
        return _page(proposer, _box(proposer.event, occurrence, proposer.email, True, form), action), 422
    db.session.commit()
    return see_other(f"{proposer.page_url}?done=proposed#proposals")


def _page(proposer: Proposer, box: dict, action: str) -> str:
    """The form again, with the problem next to its field and nothing typed lost."""
    return render_template("minutes/proposal.html", event=proposer.event, occurrence=proposer.occurrence,
                           proposal=box, proposal_action=action, back_url=proposer.page_url)


def _token_key() -> str:
    return f"proposals:{(request.view_args or {}).get('token', '')[:100]}"


def _succeeded(response) -> bool:
    return response.status_code < 400


@bp.post("/r/<token>/proposals")
@public
@limiter.limit(IP_LIMIT)
@limiter.limit(PROPOSAL_LIMIT, key_func=_token_key, deduct_when=_succeeded)
def propose_by_registration(token: str):
    return _propose(_by_registration(token), url_for("minutes.propose_by_registration", token=token))


@bp.post("/i/<token>/proposals")
@public
@limiter.limit(IP_LIMIT)
@limiter.limit(PROPOSAL_LIMIT, key_func=_token_key, deduct_when=_succeeded)
def propose_by_invitation(token: str):
    return _propose(_by_invitation(token), url_for("minutes.propose_by_invitation", token=token))
