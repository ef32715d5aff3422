"""The newsletters pages."""
from flask import Blueprint

bp = Blueprint("newsletters", __name__)
