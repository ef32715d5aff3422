"""Demo registrations (called by `flask demo`): upcoming Magdeburg events that take
registrations: a public one with places left, a full one with a waiting list, a nearly full
one, and one by invitation only with invitations in every state. People are fictional.

Idempotent: an event that has registration settings already is left alone. Does not commit.
"""
from datetime import timedelta

from sqlalchemy import select

from ..core.extensions import db
from ..core.types import utcnow
from ..core.urls import url_context
from ..directory.models import Network
from ..events import recurrence
from ..events.models import Event
from . import admin_service as admin, invitations, service

FIRST = ["Amira", "Jonas", "Olena", "Mehmet", "Sophie", "Tran", "Fatima", "Lukas", "Grace", "Dmytro", "Leonie",
         "Yusuf", "Hanna", "Ali", "Marie", "Samir", "Katarina", "Paul", "Nour", "Elif", "Ben", "Aylin", "Tomasz",
         "Lea", "Kwame", "Mira", "Omid", "Greta", "Hassan", "Ida"]
LAST = ["Haddad", "Becker", "Kovalenko", "Yilmaz", "Schulz", "Nguyen", "Rahimi", "Wagner", "Mensah", "Bondarenko",
        "Fischer", "Aziz", "Krüger", "Demir", "Hoffmann", "Khalil", "Nowak", "Richter", "Saleh", "Kaya", "Wolf",
        "Arslan", "Zielinski", "Braun", "Owusu", "Lange", "Karimi", "Vogel", "Jaber", "Koch"]
ORGANIZATIONS = ["Volkshochschule Magdeburg", "Caritasverband für das Bistum Magdeburg", "Jobcenter Landeshauptstadt "
                 "Magdeburg", "Ukrainische Gemeinde Magdeburg", "", "Freiwilligenagentur Magdeburg",
                 "Internationaler Bund – Jugendmigrationsdienst", ""]
PRIVACY = ("Wir speichern Name, E-Mail, Organisation und Ihre Antworten nur für diese Veranstaltung "
           "(Teilnehmendenliste, Information bei Änderungen) und löschen sie 30 Tage nach dem Ende.")


def _person(n: int) -> tuple[str, str, str]:
    first, last = FIRST[n % len(FIRST)], LAST[(n * 7) % len(LAST)]
    email = f"{first}.{last}{n}@demo.example".lower().replace("ü", "ue")
    return f"{first} {last}", email, ORGANIZATIONS[n % len(ORGANIZATIONS)]


def _next_start(event: Event):
    found = recurrence.following(event, event.changes, utcnow(), 1)
    return found[0].original_start if found else None


def _setup(event: Event, **settings) -> None:
    admin.save_settings(event, is_open=True, waiting_list=True, needs_approval=False, ask_organization=True,
                        retention_days=30, reminder_days=2, privacy_note=PRIVACY, **settings)
    db.session.flush()


def _fill(event: Event, start, first: int, count: int, answers=None) -> None:
    for n in range(first, first + count):
        name, email, organization = _person(n)
        service.register(event, start, name, email, None, organization, answers(n) if answers else {}, notify=False)


def load_demo_registrations() -> int:
    """Returns how many events were set up."""
    with url_context():
        return _load()


def _load() -> int:
    network = db.session.scalar(select(Network).where(Network.slug == "magdeburg"))
    if network is None:
        return 0
    by_title = {e.title: e for e in db.session.scalars(select(Event).where(Event.network_id == network.id))}
    done = 0

    public = by_title.get("Bürgerdialog: Gut ankommen in Magdeburg")
    if public is not None and public.registration_settings is None and (start := _next_start(public)):
        _setup(public, capacity=60)
        question = admin.save_question(public, None, kind="single", label="Ich brauche eine Übersetzung in:",
                                       options="keine\nArabisch\nUkrainisch\nEnglisch", required=False)
        admin.save_question(public, None, kind="text", label="Barrierefreiheit: Was brauchen Sie?", options="",
                            required=False)
        db.session.flush()
        _fill(public, start, 0, 14, answers=lambda n: {str(question.id): ["keine", "Arabisch", "Ukrainisch"][n % 3]})
        done += 1

    full = by_title.get("Infoabend: Ausbildung in der Pflege")
    if full is not None and full.registration_settings is None and (start := _next_start(full)):
        _setup(full, capacity=20)
        _fill(full, start, 20, 23)  # 20 places taken, 3 on the waiting list
        done += 1

    nearly = by_title.get("Fachtag Berufssprachkurse")
    if nearly is not None and nearly.registration_settings is None and (start := _next_start(nearly)):
        _setup(nearly, capacity=30)
        _fill(nearly, start, 50, 28)  # two places left, then the waiting list
        done += 1

    invited = next((e for title in [t for t in by_title if t.startswith("Netzwerktreffen")] + ["Arbeitsgruppe Sprache"]
                    if (e := by_title.get(title)) is not None and _next_start(e) is not None), None)
    if invited is not None and invited.registration_settings is None:
        start = _next_start(invited)
        invited.visibility = "invited"  # only the invited register, through their links
        _setup(invited, capacity=125)
        invitees = [invitations.Invitee(*_person(n)[:2]) for n in range(80, 92)]
        invitations.invite(invited, start, invitees)
        db.session.flush()
        rows = invitations.invitations(invited, start)
        for index, row in enumerate(rows):
            answer = ["yes", "yes", "yes", "yes", "no", "maybe", None, None][index % 8]
            if answer is None:
                continue
            row.answer, row.answered_at = answer, utcnow() - timedelta(days=1)
            if answer == "yes":
                service.register(invited, start, row.name, row.email, None, "", {}, invitation=row, notify=False)
        done += 1
    return done
