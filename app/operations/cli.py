"""`flask --app app doctor` and `flask --app app backup FILE` (for administrators, in English)."""
from pathlib import Path

import click

from ..core.extensions import db
from . import backup, service


@click.command("doctor")
def doctor_command() -> None:
    """Check database, migrations, Redis and outbox, one line each; exit 1 if one fails."""
    checks = service.run_checks()
    width = max(len(check.name) for check in checks)
    for check in checks:
        # The administrator sees the whole error, which /readyz keeps to its class name.
        click.echo(f"{'ok' if check.ok else 'FAIL':<4}  {check.name:<{width}}  {check.error or check.detail}")
    if not service.all_ok(checks):
        raise SystemExit(1)


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
def backup_command(file: Path, force: bool) -> None:
    """Copy the database to FILE while the app runs (SQLite); print pg_dump's command (PostgreSQL)."""
    engine = db.engine
    if engine.dialect.name == "postgresql":
        dump, restore = backup.pg_dump_command(engine, file)
        click.echo("PostgreSQL is backed up with its own tool, as the database's owner:\n"
                   f"    {dump}\nand restored with\n    {restore}", err=True)
        raise SystemExit(1)
    if engine.dialect.name != "sqlite":
        raise click.ClickException(f"no backup for {engine.dialect.name}")
    try:
        made = backup.backup_sqlite(backup.sqlite_file(engine), file, replace=force)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"backup: {made.source} -> {made.target} ({made.size:,} bytes, checked)")
