"""The demo's digest (see app/demo.py): Magdeburg sends it on Mondays at 8:00 to eleven
subscribers in six languages (a few only for some groups or kinds, one still to confirm), with
an intro waiting for the coming one, and three past digests in the archive. The past ones are
built by the real code (service.plan and service.record) at 8:00 on the Mondays before today,
without mails. People are fictional, addresses end in .example.

Idempotent: nothing happens when Magdeburg has its digest settings already. Does not commit.
"""
from datetime import datetime, time, timedelta

from sqlalchemy import select

from ..core.extensions import db
from ..core.formatting import to_local
from ..core.types import utcnow
from ..directory.models import Network, WorkingGroup
from ..events import recurrence
from ..events import service as events
from . import service
from .models import Digest, DigestSetting

# (e-mail, language, wants the newsletter, groups by name, kinds by code, confirmed)
SUBSCRIBERS = [
    ("m.schulze@posteo.example", "de", True, [], [], True),
    ("amal.haddad@mail.example", "ar", False, [], [], True),
    ("yusuf.kaya@mail.example", "tr", True, ["Arbeit und Ausbildung"], [], True),
    ("o.bondarenko@mail.example", "uk", False, ["Sprache"], [], True),
    ("iryna.melnyk@mail.example", "uk", True, [], [], True),
    ("farid.ahmadi@mail.example", "fa", False, [], ["public_event", "training"], True),
    ("s.karimi@mail.example", "fa", False, [], [], True),
    ("j.oduya@mail.example", "en", True, [], [], True),
    ("info@kulturverein.example", "de", True, ["Interkultur & Soziales"], [], True),
    ("ehrenamt@freiwillig-md.example", "de", False, [], [], True),
    ("neu.hier@mail.example", "ar", False, [], [], False),  # has not confirmed yet
]
INTROS = [
    "Liebe Netzwerkpartner:innen, in den nächsten zwei Wochen treffen sich alle drei Arbeitsgruppen. "
    "Kommen Sie gern vorbei – auch ohne Anmeldung.",
    "",
    "Ein Hinweis in eigener Sache: Die Koordinierungsstelle ist **zwischen den Feiertagen** nur "
    "eingeschränkt erreichbar.",
]
COMING_INTRO = ("Herzlich willkommen allen, die neu dabei sind! Unten finden Sie, was in den nächsten "
                "zwei Wochen in Magdeburg los ist.")


def load_demo_digest() -> None:
    network = db.session.scalar(select(Network).where(Network.slug == "magdeburg"))
    if network is None or db.session.get(DigestSetting, network.id) is not None:
        return
    db.session.add(DigestSetting(network_id=network.id, enabled=True, weekday=0, hour=8, draft_intro=COMING_INTRO))
    groups = {group.name: group.id for group in db.session.scalars(
        select(WorkingGroup).where(WorkingGroup.network_id == network.id))}
    kinds = {k.code: k.id for k in events.kinds(network)}
    long_ago = utcnow() - timedelta(days=60)
    for email, language, newsletter, group_names, kind_codes, confirmed in SUBSCRIBERS:
        service.add_subscriber(network, email, language, wants_newsletter=newsletter,
                               group_ids=[groups[name] for name in group_names if name in groups],
                               kind_ids=[kinds[code] for code in kind_codes if code in kinds],
                               created_at=utcnow() - timedelta(days=2) if not confirmed else long_ago,
                               confirmed_at=long_ago if confirmed else None)
    db.session.flush()
    today = to_local(utcnow(), network.timezone).date()
    this_monday = today - timedelta(days=today.weekday())
    for weeks_ago, intro in zip((3, 2, 1), INTROS):
        monday = this_monday - timedelta(weeks=weeks_ago)
        sent_at = recurrence.to_utc(datetime.combine(monday, time(8)), network.timezone)
        digest = Digest(network_id=network.id, week=service.week_key(sent_at, network.timezone), sent_at=sent_at)
        service.record(service.plan(network, sent_at, intro), digest)
        if digest.recipient_count:  # a week with nothing coming stays out of the archive, as in real life
            db.session.add(digest)
            db.session.flush()
