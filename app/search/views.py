"""The public search page: /search?q=… answers a plain GET (the form works without
JavaScript); htmx asks for the results fragment as someone types."""
from flask import Blueprint, request

from ..core.extensions import limiter
from ..core.rendering import render, wants_fragment
from ..core.security import public
from ..events.public import group_by_day
from . import service

bp = Blueprint("search", __name__)


@bp.get("/search")
@public
# Typing asks once per pause (300 ms): generous for people, a brake on scripts.
@limiter.limit("60 per minute")
def search():
    results = service.search(request.args.get("q"))
    # Under a heading per day, as in the upcoming list: the cards show times, not dates.
    return render("search/search.html", "search/_results.html", results=results, oob=wants_fragment(),
                  upcoming_days=group_by_day(results.upcoming), past_days=group_by_day(results.past))
