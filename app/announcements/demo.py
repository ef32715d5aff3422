"""The demo's announcements (see app/demo.py)."""


def load_demo_announcements() -> None:
    """Idempotent, as the whole demo."""
