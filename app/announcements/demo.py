"""The demo's announcements (see app/demo.py): a week of "Aktuelle Informationen" of the
Magdeburg network, dated from today, so that the public page shows some now, one waits for
next week and one has ended. Idempotent: nothing is added when the network has any. Does not commit."""
from datetime import datetime, time, timedelta

from sqlalchemy import exists, select

from ..auth.models import User
from ..core.extensions import db
from ..core.formatting import to_local
from ..core.types import utcnow
from ..directory.models import Network
from ..events.recurrence import to_utc
from . import service
from .models import Announcement

# (title, Markdown text, first day from today, days shown or None, with the flyer as PDF)
ANNOUNCEMENTS = [
    ("Migrationsberatung: neue Sprechzeiten ab dieser Woche",
     "Die Migrationsberatung für Erwachsene (MBE) im Beratungszentrum Alter Markt berät ab sofort\n\n"
     "- **dienstags** von 9 bis 12 Uhr ohne Termin,\n- **donnerstags** von 13 bis 17 Uhr mit Termin.\n\n"
     "Beratung auf Deutsch, Arabisch und Russisch; für weitere Sprachen bitte vorher anrufen: 0391 540-2000.",
     -2, 28, False),
    ("Sprachcafé zieht in die Stadtbibliothek um",
     "Das Sprachcafé der AG Sprache trifft sich ab dem nächsten Mittwoch nicht mehr im Einewelthaus, sondern "
     "in der **Stadtbibliothek, Breiter Weg 109, Raum 2.04** (barrierefrei über den Aufzug). Zeit wie gewohnt: "
     "16 bis 18 Uhr. Neue Gäste sind herzlich willkommen, Anmeldung ist nicht nötig.",
     -1, 21, False),
    ("Interkulturelle Woche: Beiträge bis Ende Juni einreichen",
     "Für das Programm der Interkulturellen Woche im September suchen wir wieder Veranstaltungen: Begegnungen, "
     "Workshops, Lesungen, Kunst und Beratung. Reichen Sie Ihren Beitrag über das Formular auf der "
     "Programmseite ein; die Koordinierungsstelle hilft gern bei Raumsuche und Öffentlichkeitsarbeit.\n\n"
     "Das Merkblatt mit allen Fristen hängt als PDF an.",
     -4, 45, True),
    ("Förderaufruf „Demokratie leben!“: Anträge für Mikroprojekte",
     "Vereine und Initiativen können bis zu 1.500 € für kleine Projekte des Zusammenlebens beantragen, zum "
     "Beispiel ein Nachbarschaftsfest oder einen Elternabend mit Sprachmittlung. Beratung zum Antrag gibt die "
     "Partnerschaft für Demokratie; eine Kurzinformation gibt es beim nächsten Netzwerktreffen.",
     -6, None, False),
    ("Neue Plätze in Integrationskursen ab dem nächsten Monat",
     "Die Volkshochschule und zwei weitere Träger starten im kommenden Monat zusätzliche Integrationskurse, "
     "darunter ein **Abendkurs** und ein Kurs mit Kinderbetreuung. Interessierte wenden sich mit ihrem "
     "Berechtigungsschein an die Kursträger oder an die Migrationsberatung.",
     7, 30, False),
    ("Rückblick: Netzwerktreffen im Rathausfoyer",
     "Vielen Dank an die 125 Teilnehmenden aus 65 Organisationen! Das Protokoll mit den Ergebnissen der "
     "Arbeitsgruppen ist an alle Mitglieder verschickt worden.",
     -30, 14, False),
]

FLYER = """<!doctype html><html lang="de"><head><meta charset="utf-8"><title>Interkulturelle Woche – Merkblatt</title>
<style>@page { size: A4; margin: 2cm } body { font-family: sans-serif } h1 { font-size: 18pt }</style></head>
<body><h1>Interkulturelle Woche – Merkblatt für Veranstaltende</h1>
<ul><li>Beiträge einreichen: bis 30. Juni über die Programmseite</li>
<li>Rückmeldung der Koordinierungsstelle: bis Mitte Juli</li>
<li>Druck des Programmhefts: Anfang August</li></ul>
<p>Koordinierungsstelle Integration, Alter Markt 6, 39104 Magdeburg</p></body></html>"""


def _flyer() -> bytes:
    from weasyprint import HTML

    return HTML(string=FLYER).write_pdf()


def load_demo_announcements() -> None:
    network = db.session.scalar(select(Network).where(Network.slug == "magdeburg"))
    if network is None or db.session.scalar(select(exists().where(Announcement.network_id == network.id))):
        return
    author = db.session.scalar(select(User).where(User.email == "koordination@magdeburg.example"))
    today = to_local(utcnow(), network.timezone).date()

    def midnight(days: int) -> datetime:
        return to_utc(datetime.combine(today + timedelta(days=days), time()), network.timezone)

    for title, text, first, days, with_flyer in ANNOUNCEMENTS:
        upload = service.Upload(_flyer(), True, "Merkblatt Interkulturelle Woche.pdf") if with_flyer else None
        announcement = Announcement(network_id=network.id, created_by_id=author.id if author else None,
                                    created_at=min(midnight(first), utcnow()))
        service.save(announcement, upload=upload, title=title, text=text, text_language="de",
                     shows_from=midnight(first), shows_until=midnight(first + days) if days else None,
                     picture_alt="")
