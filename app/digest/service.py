"""The weekly digest's logic, shared by the pages, the worker's periodic job and the CLI."""


def send_due_digests() -> None:
    """The worker's periodic job: send each network's digest when its day and hour have come."""
