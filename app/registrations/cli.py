"""`flask --app app purge`: delete expired personal data of registrations, keep counts."""
import click
from flask.cli import with_appcontext

from ..core.extensions import db


@click.command("purge")
@with_appcontext
def purge_command():
    """Delete the personal data of registrations and invitations whose retention period has
    passed (event end + retention days); anonymous counts remain. The outbox worker runs this too."""
    from .admin_service import purge_expired

    result = purge_expired()
    db.session.commit()
    click.echo(f"purged {result.events} event(s): {result.registrations} registration(s), "
               f"{result.invitations} invitation(s) deleted; anonymous counts kept")
