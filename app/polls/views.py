"""The participant's pages of a date poll, without an account: the personal link, the open
link, and the holds feed."""
from flask import Blueprint

bp = Blueprint("polls", __name__)
