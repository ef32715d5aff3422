"""Organizer pages of events: plan, change, publish and cancel; calendars of a network."""
from flask import Blueprint

bp = Blueprint("events", __name__)

from . import public  # noqa: E402,F401  (registers the public pages on bp)
