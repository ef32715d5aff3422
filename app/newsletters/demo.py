"""The demo's newsletters (see app/demo.py)."""


def load_demo_newsletters() -> None:
    """Idempotent, as the whole demo."""
