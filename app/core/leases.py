"""Work a background job takes with a lease (the stored booklet, the stored PDFs): rows with a
`lease_until` column that one process at a time may work on.

The claim is the outbox's: FOR UPDATE SKIP LOCKED on PostgreSQL, and on both databases a
conditional UPDATE on the lease, so two workers never take the same row at once. A worker
that dies holds the row only until its lease runs out; then another takes it. It stores its
result only while it still holds the lease (`held`), in one UPDATE.
"""
from sqlalchemy import inspect, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from .extensions import db


def insert_or_ignore(table):
    """INSERT … ON CONFLICT DO NOTHING on either database (many requests, one row)."""
    return (postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert)(table) \
        .on_conflict_do_nothing()


def free(table, now):
    return or_(table.c.lease_until.is_(None), table.c.lease_until < now)


def held(table, row_id: int, lease_until):
    """The row, while the lease written at the claim is still this process's."""
    return (table.c.id == row_id, table.c.lease_until == lease_until)


def take(table, row_id: int, now, lease) -> bool:
    """Lease the row to this process if nobody holds it (conditional: see the module's docstring)."""
    return db.session.execute(update(table).where(table.c.id == row_id, free(table, now))
                              .values(lease_until=now + lease)).rowcount == 1


def claim_next(table, columns, where, now, lease):
    """The first row (by id) matching `where` that nobody holds, leased to this process and
    committed; None when there is none (or another worker took it first)."""
    query = select(*columns).where(*where, free(table, now)).order_by(table.c.id).limit(1)
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    try:
        row = db.session.execute(query).first()
        taken = row is not None and take(table, row.id, now, lease)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return row if taken else None


def set_once(attribute, row_id, value) -> bool:
    """Set a model's column on one row (by primary key) if it is still empty; True when this
    call did. The claim of a job that must happen once (a purge, a reminder, a sending): of two
    processes at once one changes the row, and on PostgreSQL the other waits for its commit and
    then finds nothing left to change. Objects in the session are not updated."""
    model = attribute.class_
    (key,) = inspect(model).primary_key
    return db.session.execute(update(model).where(key == row_id, attribute.is_(None)).values({attribute.key: value})
                              .execution_options(synchronize_session=False)).rowcount == 1
