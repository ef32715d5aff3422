"""The digest pages."""
from flask import Blueprint

bp = Blueprint("digest", __name__)
