"""(being written)"""
from . import bp, editable_meeting  # noqa: F401
