"""The programmes blueprint: one module per part of the work on a campaign.

    campaigns  the coordinator's campaign pages: settings, categories, partners, link, publishing, export
    review     the review queue: approve, ask for changes, decline, overlaps, edit
    submit     the organizers' way in without an account: the shared form and the private status link
    public     the programme page with its filters, the embed, the PDF booklet, partner logos
"""
from flask import Blueprint, abort
from flask_login import current_user

from ...core.extensions import db
from ...core.security import require
from ...directory import access
from ..models import Campaign, Submission

bp = Blueprint("programmes", __name__)


def managed_campaign(campaign_id: int) -> Campaign:
    """The campaign, for a coordinator of its network; 404 / 403 otherwise."""
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        abort(404)
    require(access.can_manage_network(current_user, campaign.network))
    return campaign


def managed_submission(submission_id: int) -> Submission:
    submission = db.session.get(Submission, submission_id)
    if submission is None:
        abort(404)
    require(access.can_manage_network(current_user, submission.campaign.network))
    return submission


from . import campaigns, public, review, submit  # noqa: E402,F401  (each adds its routes to bp)
