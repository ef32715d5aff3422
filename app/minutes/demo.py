"""Demo minutes (called by `flask demo`): the past meetings of the three Magdeburg working
groups with approved, published minutes, numbered decisions, attendance and action items
(some done, some still open), the last one's minutes waiting for approval, and the next
meeting opened, so its agenda already carries the open action items over. People are fictional.

Idempotent: a working group that has meetings already is left alone. Does not commit.
"""
from datetime import timedelta

from sqlalchemy import select

from ..auth.models import User
from ..core.extensions import db
from ..core.types import utcnow
from ..directory.models import Network
from ..events import recurrence
from ..events.models import Event
from . import service
from .models import ActionItem, AgendaItem, AttendanceEntry, Decision, Meeting, NotesRevision

# What each group talks about, meeting after meeting: (agenda item, notes, decision or None,
# action item (what, due in days) or None).
TOPICS = {
    "Sprache": [
        ("Berichte aus den Integrationskursen",
         "Die VHS meldet volle Kurse bis zum Sommer; **Wartezeit** für Alphabetisierungskurse rund 4 Monate.\n"
         "- Kinderbetreuung während der Kurse bleibt der häufigste Abbruchgrund.\n"
         "- Das BAMF-Regionalbüro bittet um Meldung freier Plätze bis Monatsende.",
         None, ("Freie Kursplätze an das BAMF-Regionalbüro melden", 14)),
        ("Kinderbetreuung während der Sprachkurse",
         "Die Caritas stellt ihr Modell mit ehrenamtlicher Betreuung vor. Zwei Träger möchten es übernehmen; "
         "offen ist die Versicherung der Ehrenamtlichen.",
         "Die AG empfiehlt dem Netzwerk, kursbegleitende Kinderbetreuung als Schwerpunktthema 2027 aufzunehmen.",
         ("Versicherungsfrage für ehrenamtliche Kinderbetreuung klären", 30)),
        ("Berufssprachkurse: Bericht der Unter-AG",
         "Die Unter-AG hat die Angebote der Träger zusammengestellt. Für Pflegeberufe fehlen B2-Kurse am "
         "Abend. Das Jobcenter prüft eine Förderung.",
         None, ("Übersicht der Berufssprachkurse auf der Netzwerkseite veröffentlichen", 21)),
        ("Sprachcafés in den Stadtteilen",
         "Neue Sprachcafés in Neu Olvenstedt und Stadtfeld Ost. Bedarf an Ehrenamtlichen für Dienstagabend.",
         "Die AG Sprache unterstützt die Sprachcafés mit einem gemeinsamen Flyer in fünf Sprachen.",
         ("Flyer Sprachcafés übersetzen lassen (Arabisch, Dari, Ukrainisch, Russisch, Englisch)", 28)),
    ],
    "Arbeit und Ausbildung": [
        ("Anerkennung ausländischer Berufsabschlüsse",
         "Die IHK berichtet über lange Bearbeitungszeiten bei Gesundheitsberufen. Das IQ-Netzwerk bietet "
         "eine gemeinsame Sprechstunde an.",
         "Die AG lädt das IQ-Netzwerk zur nächsten Sitzung ein, um die Sprechstunde vorzustellen.",
         ("Termin für die gemeinsame Anerkennungssprechstunde abstimmen", 21)),
        ("Ausbildungsmesse im Frühjahr",
         "Die Handwerkskammer plant wieder einen Stand für Geflüchtete mit Sprachmittlung. Gesucht werden "
         "Dolmetschende für Arabisch und Dari.",
         None, ("Dolmetschende für die Ausbildungsmesse anfragen", 45)),
        ("Jobcenter: Job-Turbo und Berufssprachkurse",
         "Das Jobcenter stellt die aktuellen Zahlen vor. Die Teilnahme an Berufssprachkursen neben der "
         "Arbeit ist schwierig; Abendkurse werden gewünscht.",
         "Die AG bittet die Träger, bis zum Sommer ein Abendkursangebot zu prüfen.",
         None),
    ],
    "Interkultur & Soziales": [
        ("Interkulturelle Woche: Rückblick",
         "Über 40 Veranstaltungen, gut besucht. Kritik: das gedruckte Programm kam zu spät. "
         "Wunsch nach einem gemeinsamen Online-Kalender.",
         "Das Programm der Interkulturellen Woche wird künftig in Treffpunkt gesammelt.",
         ("Ideenwerkstatt für die nächste Interkulturelle Woche vorbereiten", 40)),
        ("Begegnungsorte im Stadtteil",
         "Das Einewelthaus öffnet freitags für offene Begegnung. Die Stadtteilarbeit Neustadt sucht Räume "
         "für ein Elterncafé.",
         None, ("Raumliste der Träger für Begegnungsangebote zusammenstellen", 30)),
        ("Fest der Kulturen",
         "Termin steht, Bühne und Technik sind angefragt. Kulturvereine können sich mit Ständen melden.",
         "Die AG richtet das Fest der Kulturen gemeinsam mit dem Einewelthaus aus.",
         ("Anmeldungen der Kulturvereine für das Fest sammeln", 35)),
    ],
}
PAST_MEETINGS = 5
WRITER = "koordination@magdeburg.example"  # the demo coordinator writes the minutes


def load_demo_minutes() -> int:
    """Add the demo minutes; returns how many meetings were made."""
    network = db.session.scalar(select(Network).where(Network.slug == "magdeburg"))
    if network is None:
        return 0
    made = 0
    for group in network.working_groups:
        if group.name not in TOPICS:
            continue
        event = db.session.scalar(select(Event).where(Event.working_group_id == group.id,
                                                      Event.repeat.is_not(None)).order_by(Event.id))
        if event is None or db.session.scalar(select(Meeting.id).where(Meeting.working_group_id == group.id)):
            continue
        made += _group_meetings(event, TOPICS[group.name])
    return made


def _group_meetings(event: Event, topics) -> int:
    now = utcnow()
    dates = [o for o in recurrence.expand(event, event.changes, event.starts_at, now + timedelta(days=120))
             if not o.cancelled]
    past = [o for o in dates if o.ends_at < now][-PAST_MEETINGS:]
    upcoming = [o for o in dates if o.starts_at > now][:1]
    people = [p for organization in event.working_group.organizations for p in organization.contacts]
    writer = db.session.scalar(select(User).where(User.email == WRITER))
    meetings = []
    for n, occurrence in enumerate(past):
        meeting = service.open_meeting(event, occurrence.original_start)
        meetings.append(meeting)
        _fill(meeting, topics[n % len(topics)], n, people, writer)
        following = past[n + 1] if n + 1 < len(past) else (upcoming[0] if upcoming else None)
        meeting.next_meeting_at = following.starts_at if following else None
        if n + 1 < len(past):  # approved at the next meeting, then published to the group
            meeting.minutes_status = "published"
            meeting.review_sent_at = occurrence.ends_at + timedelta(days=3)
            meeting.approved_at = past[n + 1].starts_at
            meeting.published_at = past[n + 1].ends_at
            # One set of minutes for everyone (on a public event), the others for members.
            public = n == 0 and event.visibility == "public"
            meeting.audience = "public" if public else ("network" if n % 2 else "group")
        else:  # the last one: sent for corrections, to be approved at the next meeting
            meeting.minutes_status = "review"
            meeting.review_sent_at = occurrence.ends_at + timedelta(days=2)
        meeting.agenda_status = "published"
        meeting.agenda_published_at = occurrence.starts_at - timedelta(days=7)
    db.session.flush()
    for earlier, later in zip(meetings, meetings[1:]):
        if earlier.minutes_status == "published":
            earlier.approved_in_id = later.id
    # Older action items were done; the last two meetings' ones are still open.
    for meeting in meetings[:-2]:
        for action in db.session.scalars(select(ActionItem).where(ActionItem.meeting_id == meeting.id)):
            action.status, action.done_at = "done", meeting.occurrence_start + timedelta(days=20)
    for occurrence in upcoming:
        meeting = service.open_meeting(event, occurrence.original_start)
        meeting.items.append(AgendaItem(position=len(meeting.items), title=topics[-1][0], planned_minutes=30,
                                        description="Fortsetzung aus der letzten Sitzung."))
        meeting.items.append(AgendaItem(position=len(meeting.items), title="Verschiedenes", planned_minutes=10))
        meeting.agenda_status = "published"
        meeting.agenda_published_at = now
        meetings.append(meeting)
    db.session.flush()
    for meeting in meetings:
        service.reindex(meeting)
    return len(meetings)


def _fill(meeting: Meeting, topic, n: int, people, writer) -> None:
    """One past meeting's agenda with notes (in two saved versions), a decision, an action
    item and the attendance list."""
    title, notes, decision, action = topic
    start = meeting.occurrence_start
    carry = meeting.items[0]
    carry.planned_minutes = 15
    carry.notes = "Die offenen Aufgaben wurden durchgesehen; erledigte sind abgehakt."
    item = AgendaItem(position=len(meeting.items), title=title, planned_minutes=45, notes=notes,
                      presenter_organization=people[n % len(people)].organization if people else None)
    other = AgendaItem(position=len(meeting.items) + 1, title="Verschiedenes", planned_minutes=10,
                       notes="Nächste Sitzung wie geplant.")
    meeting.items += [item, other]
    db.session.flush()
    for agenda_item in meeting.items:
        if not agenda_item.notes:
            continue
        first_draft = agenda_item.notes.split("\n")[0]
        versions = [first_draft, agenda_item.notes] if first_draft != agenda_item.notes else [agenda_item.notes]
        for number, text in enumerate(versions, start=1):
            db.session.add(NotesRevision(agenda_item_id=agenda_item.id, number=number, text=text, author=writer,
                                         created_at=start + timedelta(hours=1, minutes=number * 20)))
        agenda_item.notes_revision = len(versions)
    if decision:
        year = service.local_day(meeting).year
        scope = service.scope_of(meeting)
        number = (db.session.scalar(select(Decision.number).where(Decision.scope == scope, Decision.year == year)
                                    .order_by(Decision.number.desc()).limit(1)) or 0) + 1
        db.session.add(Decision(meeting_id=meeting.id, agenda_item_id=item.id, scope=scope, year=year,
                                number=number, text=decision))
    if action:
        what, due_in = action
        owner = people[(n + 1) % len(people)] if people else None
        db.session.add(ActionItem(
            meeting_id=meeting.id, agenda_item_id=item.id, network_id=meeting.network_id,
            working_group_id=meeting.working_group_id, title=what, owner_person=owner,
            owner_organization=owner.organization if owner else None, owner_email=owner.email if owner else "",
            due_on=(recurrence.to_local(start, meeting.event.timezone) + timedelta(days=due_in)).date()))
    for k, person in enumerate(people):
        db.session.add(AttendanceEntry(meeting_id=meeting.id, person_id=person.id, name=person.name,
                                       organization_id=person.organization_id,
                                       organization_name=person.organization.name, present=(k + n) % 4 != 0))
