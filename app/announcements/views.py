"""The announcements pages."""
from flask import Blueprint

bp = Blueprint("announcements", __name__)
