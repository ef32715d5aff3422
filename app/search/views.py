"""The public search page: /search?q=… answers a plain GET (the form works without
JavaScript); htmx asks for the results fragment as someone types."""
from flask import Blueprint, request

from ..core.extensions import limiter
from ..core.rendering import render, wants_fragment
from ..core.security import public
from . import service

bp = Blueprint("search", __name__)


@bp.get("/search")
@public
# Typing asks once per pause (300 ms): generous for people, a brake on scripts.
@limiter.limit("60 per minute")
def search():
    return render("search/search.html", "search/_results.html",
                  results=service.search(request.args.get("q")), oob=wants_fragment())
