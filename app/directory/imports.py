"""CSV import and export of a network's organizations and contact people."""
from .views import bp
