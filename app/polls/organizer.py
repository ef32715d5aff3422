"""The organizer's pages of date polls: create, invite, results, decide."""
from flask import Blueprint

bp = Blueprint("poll_admin", __name__)
