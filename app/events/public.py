"""Public pages of events: the upcoming list, the event page, print view, archive."""
from .views import bp  # noqa: F401
