import click
from flask.cli import AppGroup

from ..core.extensions import db
from . import service

users_cli = AppGroup("users", help="Manage organizer accounts.")


@users_cli.command("create")
@click.argument("email")
@click.option("--password", help="Asked for when not given.")
@click.option("--name", default="", help="Display name (default: the e-mail address).")
@click.option("--admin", is_flag=True, help="Administrator of the whole installation.")
def create(email: str, password: str | None, name: str, admin: bool):
    """Create an organizer account."""
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = service.create_user(email, name, password, is_admin=admin)
    except service.AccountError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Created {'administrator' if admin else 'organizer'} {user.email}")
