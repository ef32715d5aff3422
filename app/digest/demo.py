"""The demo's digest (see app/demo.py)."""


def load_demo_digest() -> None:
    """Idempotent, as the whole demo."""
