"""`flask --app app purge`: delete expired personal data of registrations, keep counts; and the
jobs of the outbox worker's hourly round."""
import click
from flask.cli import with_appcontext

from ..core.extensions import db


@click.command("purge")
@with_appcontext
def purge_command():
    """Delete the personal data of registrations and invitations whose retention period has
    passed (event end + retention days); anonymous counts remain. The outbox worker runs this too."""
    from .privacy import purge_expired

    result = purge_expired()
    db.session.commit()
    click.echo(f"purged {result.events} event(s): {result.registrations} registration(s), "
               f"{result.invitations} invitation(s) deleted; anonymous counts kept")


def register_periodic_jobs() -> None:
    """The outbox worker runs the purge and the reminders in its hourly round; both decide
    themselves what is due, so running them more often than daily changes nothing."""
    from ..mail import outbox
    from .notifications import reminder_job
    from .privacy import purge_job

    outbox.register_periodic(purge_job)
    outbox.register_periodic(reminder_job)
