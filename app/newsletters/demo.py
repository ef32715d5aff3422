"""The demo's newsletters (see app/demo.py): two past issues of Magdeburg's "Newsletter Integration"
and a draft of the next, dated relative to today as the demo's events are."""
from datetime import date, datetime, timedelta

from sqlalchemy import select

from ..announcements import service as announcements
from ..core.extensions import db
from ..core.types import utcnow
from ..digest import service as digest
from ..directory import service as directory
from ..directory.models import Network
from ..events.models import Event
from ..events.recurrence import to_local, to_utc
from . import service
from .models import Newsletter

# (days before today it was published, or None for the draft; its blocks' texts)
ISSUES = [
    (240, {
        "editorial": (
            "Liebe Netzwerkpartnerinnen und Netzwerkpartner,\n\n"
            "das vergangene Jahr war ein Jahr voller Begegnungen: Netzwerktreffen, Sitzungen unserer drei "
            "Arbeitsgruppen, Weiterbildungen und eine lebendige Interkulturelle Woche. Die Zahlen dazu finden "
            "Sie im Rückblick – hinter jeder Zahl stehen Menschen, die sich für ein gutes Miteinander in "
            "Magdeburg einsetzen.\n\nIn dieser Ausgabe stellen wir Ihnen zwei Partner vor und laden Sie zu den "
            "nächsten Terminen ein. Wir freuen uns auf Sie!\n\nIhre Koordinierungsstelle Integration"),
        "portraits": [
            ("Volkshochschule Magdeburg",
             "Die Volkshochschule ist seit vielen Jahren ein verlässlicher Partner im Netzwerk. Im Fachbereich "
             "**Deutsch als Fremdsprache** bietet sie Integrationskurse, Berufssprachkurse und Alphabetisierungs"
             "kurse an – vormittags, abends und als Online-Kurs.\n\n- Einstufung ohne Termin: dienstags 9–12 Uhr\n"
             "- Kinderbetreuung in ausgewählten Kursen"),
            ("Migrantenorganisation Afrikanischer Kulturverein",
             "Der Verein bringt seit 2015 Menschen aus vielen afrikanischen Ländern und Magdeburgerinnen und "
             "Magdeburger zusammen: mit Kulturabenden, Hausaufgabenhilfe und Begleitung bei Behördengängen. "
             "Neue Mitglieder und Ehrenamtliche sind herzlich willkommen."),
        ],
        "counselling": (
            "Beratung für Zugewanderte",
            "- **Migrationsberatung für Erwachsene** (Caritas, Diakonie): Aufenthalt, Arbeit, Familie\n"
            "- **Jugendmigrationsdienst** (Internationaler Bund): für junge Menschen bis 27 Jahre\n"
            "- **Anerkennungsberatung** (Caritas): ausländische Berufs- und Studienabschlüsse\n\n"
            "Termine nach Vereinbarung, auf Wunsch mit Sprachmittlung."),
        "look_back": "last_year",
    }),
    (120, {
        "editorial": (
            "Liebe Leserinnen und Leser,\n\n"
            "der Sommer ist da – und mit ihm die Planung der Interkulturellen Woche. Die Unter-AG "
            "Interkulturelle Woche sammelt schon jetzt Ideen für Begegnungen, Workshops und Feste; melden Sie "
            "Ihre Veranstaltung gern über das Programm an.\n\nAußerdem: zwei Partner im Porträt und ein Blick "
            "auf die vergangenen Monate."),
        "portraits": [
            ("Caritasverband für das Bistum Magdeburg",
             "Die Caritas berät Zugewanderte in allen Lebenslagen. Ein Schwerpunkt ist die "
             "**Anerkennungsberatung**: Wer einen Berufs- oder Studienabschluss aus dem Ausland mitbringt, "
             "erfährt hier, welche Stelle zuständig ist und welche Unterlagen gebraucht werden."),
            ("Freiwilligenagentur Magdeburg",
             "Die Freiwilligenagentur vermittelt Ehrenamtliche – zum Beispiel als Sprachpatinnen, "
             "Integrationslotsen oder Helfende im Ehrenamtscafé – und begleitet sie mit Schulungen und "
             "Austauschtreffen."),
        ],
        "counselling": None,
        "look_back": "before",
    }),
    (None, {
        "editorial": (
            "Liebe Netzwerkpartnerinnen und Netzwerkpartner,\n\n"
            "ein ereignisreiches Halbjahr liegt hinter uns. Vielen Dank allen, die die Interkulturelle Woche "
            "mitgestaltet haben!"),
        "portraits": [],
        "counselling": None,
        "look_back": "before",
    }),
]


def _numbered(network: Network, day: date, published: list[Newsletter]) -> str:
    number = 1 + sum(1 for issue in published if to_local(issue.published_at, network.timezone).year == day.year)
    return f"Newsletter Integration {number}/{day.year}"


def _public_events(network: Network, start: datetime, end: datetime, limit: int = 4) -> list[int]:
    return list(db.session.scalars(select(Event.id).where(
        Event.network_id == network.id, Event.status == "published", Event.visibility == "public",
        Event.starts_at >= start, Event.starts_at < end).order_by(Event.starts_at).limit(limit)))


def load_demo_newsletters(today: date | None = None) -> None:
    """Idempotent, as the whole demo."""
    network = db.session.scalar(select(Network).where(Network.slug == "magdeburg"))
    if network is None or db.session.scalar(select(Newsletter.id).where(Newsletter.network_id == network.id)):
        return
    tz = network.timezone
    today = today or to_local(utcnow(), tz).date()
    published: list[Newsletter] = []
    previous = today - timedelta(days=365)
    for days_ago, texts in ISSUES:
        day = today - timedelta(days=days_ago) if days_ago is not None else today
        moment = to_utc(datetime.combine(day, datetime.min.time()) + timedelta(hours=10), tz)
        title = (_numbered(network, day, published) if days_ago is not None
                 else _numbered(network, today + timedelta(days=30), published))
        newsletter = service.create(network, title)
        newsletter.created_at = moment - timedelta(days=7)
        service.add_block(newsletter, "editorial", text=texts["editorial"])
        shown = announcements.recent(network, moment - timedelta(days=60), moment)[:2]
        if shown:
            service.add_block(newsletter, "announcements", item_ids=[a.id for a in shown])
        for name, text in texts["portraits"]:
            organization = directory.find_organization(name)
            if organization is not None:
                service.add_block(newsletter, "portrait", organization_id=organization.id, text=text)
        if texts["counselling"]:
            heading, text = texts["counselling"]
            service.add_block(newsletter, "counselling", title=heading, text=text)
        if texts["look_back"] == "last_year":
            start, end = date(day.year - 1, 1, 1), date(day.year - 1, 12, 31)
            service.add_block(newsletter, "look_back", title=f"Rückblick auf das Jahr {day.year - 1}",
                              period_start=start, period_end=end)
        else:
            service.add_block(newsletter, "look_back", period_start=previous, period_end=day - timedelta(days=1))
        coming = _public_events(network, moment, moment + timedelta(days=120))
        if coming:
            service.add_block(newsletter, "coming", title="Termine zum Vormerken", item_ids=coming)
        if days_ago is not None:
            service.publish(newsletter, at=moment)
            newsletter.sent_at = moment + timedelta(hours=1)
            newsletter.sent_count = len(digest.newsletter_recipients(network))
            published.append(newsletter)
        previous = day
    db.session.flush()
