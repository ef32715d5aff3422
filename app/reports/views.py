"""The report pages of a network (coordinators; group leads for their groups)."""
from flask import Blueprint

bp = Blueprint("reports", __name__)
