"""Demo events: a year of believable meetings around today (see shared/DOMAIN.md).

Dates are planned relative to the current date (about six months back and six months
ahead), so the demo always looks alive. Titles and descriptions are German data, as an
organizer in Sachsen-Anhalt would type them; people and some venues are fictional.

Idempotent: an event whose title already exists in its network is left alone, so a
second run adds nothing, and a run weeks later adds no second set of series; only a
title that names a year (the network meeting, the Intercultural Week) may be new then.
"""
import io
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from urllib.parse import quote_plus

from sqlalchemy import select

from ..core.extensions import db
from ..directory import service as directory
from ..directory.models import Network, WorkingGroup
from . import pictures, recurrence, service
from .models import Event

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


@dataclass
class Plan:
    """One demo event as the organizer would enter it: local wall-clock times."""

    network: str
    title: str
    kind: str
    start: datetime
    end: datetime
    description: str
    group: str | None = None
    organization: str | None = None
    contact: str | None = None
    all_day: bool = False
    repeat: str | None = None
    repeat_interval: int = 1
    repeat_until: date | None = None
    venue_name: str = ""
    venue_address: str = ""
    venue_room: str = ""
    accessibility: str = ""
    online_url: str = ""
    languages: str = "de"
    visibility: str = "public"
    status: str = "published"
    cancel_reason: str = ""
    tags: list[str] = field(default_factory=list)
    # (local start the rule gives, action, reason, new local start, new local end)
    changes: list[tuple] = field(default_factory=list)
    # The organizers' translations: {"ar": {"title": …, "description": …}, …}
    translations: dict = field(default_factory=dict)
    # What the event's picture shows: a drawing made from the title (no photos in the repository).
    picture: str = ""


# --- Dates relative to today ------------------------------------------------------

def on_or_after(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    return on_or_after(date(year, month, 1), weekday) + timedelta(weeks=n - 1)


def month_shift(day: date, months: int) -> tuple[int, int]:
    index = day.year * 12 + day.month - 1 + months
    return index // 12, index % 12 + 1


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute))


def outside_holidays(day: date, weekday: int) -> date:
    """Nobody meets between Christmas and New Year: such a day moves to the same weekday after."""
    if (day.month, day.day) >= (12, 22) or (day.month, day.day) <= (1, 4):
        return on_or_after(date(day.year + (day.month == 12), 1, 5), weekday)
    return day


def nearest_year(today: date, month: int, day: int) -> int:
    """The year in which month/day lies closest to today (within about six months)."""
    return min((today.year - 1, today.year, today.year + 1),
               key=lambda year: abs((date(year, month, day) - today).days))


def map_link(address: str) -> str:
    return f"https://www.openstreetmap.org/search?query={quote_plus(address)}" if address else ""


# --- Venues -------------------------------------------------------------------------

RATHAUS_MD = dict(venue_name="Altes Rathaus Magdeburg", venue_address="Alter Markt 6, 39104 Magdeburg",
                  accessibility="Stufenloser Eingang an der Rückseite (Jakobstraße), Aufzug zu allen Sälen, "
                                "barrierefreies WC im Erdgeschoss. Induktionsschleife im Saal.")
VHS_MD = dict(venue_name="Volkshochschule Magdeburg", venue_address="Leibnizstraße 23, 39104 Magdeburg",
              accessibility="Aufzug vorhanden, barrierefreies WC im Erdgeschoss.")
JOBCENTER_MD = dict(venue_name="Jobcenter Landeshauptstadt Magdeburg",
                    venue_address="Otto-von-Guericke-Straße 12, 39104 Magdeburg",
                    accessibility="Barrierefreier Zugang über den Haupteingang, Aufzug.")
EINEWELTHAUS = dict(venue_name="Einewelthaus Magdeburg", venue_address="Schellingstraße 3-4, 39104 Magdeburg",
                    accessibility="Erdgeschoss, stufenloser Zugang über den Hof. Kinderbetreuung auf Anfrage.")
STADTBIBLIOTHEK = dict(venue_name="Stadtbibliothek Magdeburg", venue_address="Breiter Weg 109, 39104 Magdeburg",
                       accessibility="Barrierefrei, Aufzug, barrierefreies WC. Gebärdensprachdolmetschung auf "
                                     "Anfrage bis eine Woche vorher.")
KREISHAUS_SAW = dict(venue_name="Kreishaus Altmarkkreis Salzwedel",
                     venue_address="Karl-Marx-Straße 32, 29410 Salzwedel",
                     accessibility="Rampe am Seiteneingang, Aufzug, barrierefreies WC.")
KVHS_SAW = dict(venue_name="Kreisvolkshochschule Altmarkkreis Salzwedel",
                venue_address="Brückenstraße 5, 29410 Salzwedel",
                accessibility="Unterrichtsräume im 1. Obergeschoss, Treppenlift vorhanden.")
STADTSEE = dict(venue_name="Begegnungszentrum Stadtsee", venue_address="Adolph-Menzel-Straße 5, 39576 Stendal",
                venue_room="Café-Raum im Erdgeschoss",
                accessibility="Stufenloser Zugang, barrierefreies WC, Spielecke für Kinder.")
KREISHAUS_SDL = dict(venue_name="Kreishaus Landkreis Stendal", venue_address="Hospitalstraße 1-2, 39576 Stendal",
                     accessibility="Aufzug im Hauptgebäude, barrierefreies WC im Erdgeschoss.")


def plans(today: date) -> list[Plan]:
    """The demo's events, planned around `today` (a local date)."""
    def near(days: int, weekday: int) -> date:
        """The first such weekday `days` from today, outside the holidays."""
        return outside_holidays(on_or_after(today + timedelta(days=days), weekday), weekday)

    back = month_shift(today, -6)
    until = today + timedelta(days=183)
    ikw_year = nearest_year(today, 9, 25)
    ikw_start = on_or_after(date(ikw_year, 9, 20), SUN)
    meeting_year = nearest_year(today, 10, 10)
    meeting_day = nth_weekday(meeting_year, 10, WED, 2)

    sprache_start = nth_weekday(*back, TUE, 2)
    sprache = _monthly(sprache_start, 2, TUE, until)
    arbeit_start = nth_weekday(*back, WED, 1)
    interkultur_start = nth_weekday(*back, THU, 3)
    cafe_start = on_or_after(today - timedelta(days=182), THU)
    cafe_cancelled = near(14, THU)
    cafe_moved = near((cafe_cancelled - today).days + 21, THU)
    gardelegen_start = on_or_after(today - timedelta(days=175), TUE)
    training_day = near(26, FRI)
    halle_day = near(50, WED)

    return [
        # --- Magdeburg: the three working groups, monthly -------------------------
        Plan("magdeburg", "Arbeitsgruppe Sprache", "working_group_meeting",
             at(sprache_start, 14), at(sprache_start, 16), group="Sprache",
             organization="Volkshochschule Magdeburg", contact="Petra Neumann",
             repeat="monthly", repeat_until=until, venue_room="Raum 2.14", tags=["Sprache"], **VHS_MD,
             description=(
                 "Monatliches Treffen der AG Sprache, jeden **zweiten Dienstag im Monat**.\n\n"
                 "Regelmäßige Themen:\n\n"
                 "- Kursplätze in Integrations- und Berufssprachkursen: Wartezeiten und freie Plätze\n"
                 "- Kinderbetreuung während der Kurse\n"
                 "- Berichte aus der Unter-AG Berufssprachkurse\n\n"
                 "Die Tagesordnung kommt eine Woche vorher per E-Mail. Gäste sind willkommen."),
             changes=[(at(d, 14), "skipped", "Sommerpause", None, None) for d in sprache if d.month == 8]
             + _holiday_breaks(sprache, TUE, 14)),
        Plan("magdeburg", "Arbeitsgruppe Arbeit und Ausbildung", "working_group_meeting",
             at(arbeit_start, 10), at(arbeit_start, 12), group="Arbeit und Ausbildung",
             organization="Jobcenter Landeshauptstadt Magdeburg", contact="Sabine Krüger",
             repeat="monthly", repeat_until=until, venue_room="Beratungsraum 1.05",
             online_url="https://meet.magdeburg.example/ag-arbeit-und-ausbildung",
             tags=["Arbeitsmarkt", "Ausbildung"], **JOBCENTER_MD,
             changes=_holiday_breaks(_monthly(arbeit_start, 1, WED, until), WED, 10),
             description=(
                 "Treffen der AG Arbeit und Ausbildung, jeden **ersten Mittwoch im Monat**, "
                 "vor Ort oder per Video.\n\n"
                 "Wir arbeiten an der Prozesskette *Vom Sprachkurs in Ausbildung und Arbeit* mit Jobcenter, "
                 "Agentur für Arbeit, Kammern und Bildungsträgern.")),
        Plan("magdeburg", "Arbeitsgruppe Interkultur & Soziales", "working_group_meeting",
             at(interkultur_start, 16), at(interkultur_start, 18), group="Interkultur & Soziales",
             organization="Arbeitsgemeinschaft Migration Sachsen-Anhalt (AGSA)", contact="Nadine Lorenz",
             repeat="monthly", repeat_until=until, venue_room="Seminarraum", tags=["Interkultur"],
             languages="de,en", **EINEWELTHAUS,
             changes=_holiday_breaks(_monthly(interkultur_start, 3, THU, until), THU, 16),
             description=(
                 "Monatliches Treffen der AG Interkultur & Soziales, jeden **dritten Donnerstag im Monat**.\n\n"
                 "Schwerpunkte: Migrant*innenorganisationen stärken, Beratungsangebote im Stadtteil, "
                 "Vorbereitung der Interkulturellen Woche.")),
        # --- Magdeburg: the yearly network meeting in the city hall ---------------
        Plan("magdeburg", f"Netzwerktreffen {meeting_year}", "network_meeting",
             at(meeting_day, 9, 30), at(meeting_day, 15), organization=
             "Landeshauptstadt Magdeburg – Koordinierungsstelle Integration", contact="Lena Brandt",
             venue_room="Adelheidfoyer", tags=["Netzwerk"], **RATHAUS_MD,
             description=(
                 "Das jährliche **AG-übergreifende Netzwerktreffen** des Netzwerks für Integrations- und "
                 "Ausländerarbeit. Im vergangenen Jahr kamen 125 Menschen aus 65 Organisationen.\n\n"
                 "## Programm\n\n"
                 "- 09:30 Ankommen und Kaffee\n"
                 "- 10:00 Begrüßung durch die Beigeordnete für Soziales\n"
                 "- 10:30 Berichte aus den drei Arbeitsgruppen\n"
                 "- 12:00 Mittagspause und Markt der Möglichkeiten\n"
                 "- 13:00 Workshops: Sprache, Arbeit, Zusammenleben im Stadtteil\n"
                 "- 14:30 Ergebnisse und Ausblick\n\n"
                 "Bitte melden Sie sich bis zwei Wochen vorher bei der Koordinierungsstelle an.")),
        # --- Magdeburg: public events ---------------------------------------------
        Plan("magdeburg", "Einbürgerungsfeier der Landeshauptstadt Magdeburg", "public_event",
             at(near(21, FRI), 16),
             at(near(21, FRI), 18),
             organization="Landeshauptstadt Magdeburg – Koordinierungsstelle Integration", contact="Lena Brandt",
             venue_room="Hansesaal", languages="de,en,ar,uk", tags=["Einbürgerung"], **RATHAUS_MD,
             picture="Zeichnung: bunte Kreise, die sich überschneiden, auf warmem Grund",
             description=(
                 "Feierliche Übergabe der Einbürgerungsurkunden durch die Oberbürgermeisterin, "
                 "mit Musik und Empfang.\n\n"
                 "Neu Eingebürgerte erhalten eine persönliche Einladung und dürfen **zwei Gäste** "
                 "mitbringen. Die Feier wird ins Englische, Arabische und Ukrainische übersetzt."),
             translations={
                 "ar": {"title": "حفل التجنيس في مدينة ماغدبورغ",
                        "description": "تسلّم عمدة المدينة شهادات التجنيس في حفل رسمي، مع موسيقى واستقبال.\n\n"
                                       "يتلقى المجنَّسون الجدد دعوة شخصية، ويمكن لكل منهم إحضار **ضيفين**. "
                                       "تُترجم الفعالية إلى الإنجليزية والعربية والأوكرانية."},
                 "uk": {"title": "Урочисте вручення громадянства в Магдебурзі",
                        "description": "Обербургомістерка урочисто вручає свідоцтва про громадянство, "
                                       "з музикою та прийомом.\n\n"
                                       "Нові громадяни отримують особисте запрошення і можуть взяти з собою "
                                       "**двох гостей**. Свято перекладають англійською, арабською та українською."},
             }),
        Plan("magdeburg", "Bürgerdialog: Gut ankommen in Magdeburg", "public_event",
             at(near(38, TUE), 18),
             at(near(38, TUE), 20),
             organization="Landeshauptstadt Magdeburg – Koordinierungsstelle Integration", contact="Lena Brandt",
             venue_room="Veranstaltungssaal, 2. Etage", languages="de,ar,uk", tags=["Beteiligung"],
             **STADTBIBLIOTHEK,
             description=(
                 "Wohnen, Arbeit, Schule, Nachbarschaft: Was hilft beim Ankommen in Magdeburg, "
                 "und was fehlt noch? Sagen Sie es der Stadt direkt.\n\n"
                 "Es wird ins Arabische und Ukrainische gedolmetscht. Der Eintritt ist frei, "
                 "eine Anmeldung ist nicht nötig."),
             translations={
                 "ar": {"title": "حوار مع المواطنين: بداية جيدة في ماغدبورغ",
                        "description": "السكن والعمل والمدرسة والجيران: ما الذي يساعد على الاستقرار في ماغدبورغ، "
                                       "وما الذي ما زال ينقص؟ قولوا ذلك للمدينة مباشرة.\n\n"
                                       "تتوفر ترجمة فورية إلى العربية والأوكرانية. الدخول مجاني، "
                                       "ولا حاجة إلى التسجيل."},
                 "uk": {"title": "Діалог із громадянами: добрий початок у Магдебурзі",
                        "description": "Житло, робота, школа, сусіди: що допомагає освоїтися в Магдебурзі, "
                                       "а чого ще бракує? Скажіть про це місту напряму.\n\n"
                                       "Буде усний переклад арабською та українською. Вхід вільний, "
                                       "реєстрація не потрібна."},
                 "fa": {"title": "گفت‌وگو با شهروندان: شروعی خوب در ماگدبورگ",
                        "description": "مسکن، کار، مدرسه، همسایگی: چه چیزی به جاافتادن در ماگدبورگ کمک می‌کند "
                                       "و چه چیزی هنوز کم است؟ این را مستقیم به شهر بگویید.\n\n"
                                       "ترجمهٔ شفاهی به عربی و اوکراینی وجود دارد. ورود رایگان است "
                                       "و ثبت‌نام لازم نیست."},
             }),
        Plan("magdeburg", f"Ideenwerkstatt Interkulturelle Woche {today.year if today.month < 10 else today.year + 1}",
             "public_event", at(near(10, SAT), 10),
             at(near(10, SAT), 14), group="Unter-AG Interkulturelle Woche",
             organization="Einewelthaus Magdeburg", languages="de,en,ar",
             venue_room="Großer Saal", tags=["Interkulturelle Woche", "Beteiligung"], **EINEWELTHAUS,
             picture="Zeichnung: viele farbige Kreise, die zusammen ein Muster ergeben",
             description=(
                 "Sie möchten bei der Interkulturellen Woche mitmachen – mit einem Konzert, einem Kochabend, "
                 "einer Lesung oder einem offenen Treffen? In der **Ideenwerkstatt** planen wir das "
                 "Programm gemeinsam.\n\n"
                 "Für Vereine, Initiativen, Migrant*innenorganisationen und alle, die Lust haben. "
                 "Mit Mittagsimbiss.")),
        Plan("magdeburg", f"Interkulturelle Woche {ikw_year} in Magdeburg", "public_event",
             at(ikw_start, 0), at(ikw_start + timedelta(days=8), 0), all_day=True,
             group="Unter-AG Interkulturelle Woche", organization=
             "Landeshauptstadt Magdeburg – Koordinierungsstelle Integration", contact="Lena Brandt",
             venue_name="Verschiedene Orte in Magdeburg", languages="de,en,ar,uk,fa",
             tags=["Interkulturelle Woche"], picture="Zeichnung: bunte Kreise in vielen Farben auf hellem Grund",
             description=(
                 "Die bundesweite Interkulturelle Woche in Magdeburg: über **40 Veranstaltungen** von "
                 "Vereinen, Initiativen, Migrant*innenorganisationen, Kirchen und Beratungsstellen – "
                 "Begegnung, Workshops, Kunst, Musik und Beratung.\n\n"
                 "Das vollständige Programm erscheint im Sommer hier und im gedruckten Heft.")),
        Plan("magdeburg", "Infoabend: Ausbildung in der Pflege", "public_event",
             at(near(8, WED), 17),
             at(near(8, WED), 19), group="Arbeit und Ausbildung",
             organization="Agentur für Arbeit Magdeburg", contact="Thomas Wendt",
             venue_name="Agentur für Arbeit Magdeburg", venue_address="Lübecker Straße 4, 39124 Magdeburg",
             venue_room="BiZ, Raum 014", accessibility="Barrierefrei, Aufzug vorhanden.",
             languages="de,ar", tags=["Arbeitsmarkt", "Ausbildung"], status="cancelled",
             cancel_reason="Die Referentin ist erkrankt. Ein neuer Termin folgt.",
             description="Wege in die Pflegeausbildung für Neuzugewanderte: Voraussetzungen, Sprachniveau, "
                         "Förderung und Erfahrungsberichte von Auszubildenden."),
        Plan("magdeburg", "Fachtag Berufssprachkurse", "training",
             at(near(90, THU), 9),
             at(near(90, THU), 13), group="Unter-AG Berufssprachkurse",
             organization="Volkshochschule Magdeburg", contact="Petra Neumann", venue_room="Aula",
             tags=["Sprache", "Arbeitsmarkt"], status="draft", **VHS_MD,
             description="Entwurf – Programm in Arbeit. Zielgruppe: Kursträger, Jobcenter, Arbeitgeber."),
        # --- State-wide exchange of education coordinators, hosted by other cities -
        Plan("magdeburg", "Landesweiter KoKo-Austausch in Halle (Saale)", "exchange",
             at(halle_day, 10), at(halle_day + timedelta(days=1), 13),
             organization="Landeshauptstadt Magdeburg – Koordinierungsstelle Integration", contact="Lena Brandt",
             venue_name="Stadthaus Halle", venue_address="Marktplatz 2, 06108 Halle (Saale)",
             venue_room="Festsaal", accessibility="Aufzug über den Eingang Marktplatz, barrierefreies WC.",
             tags=["Bildung"],
             description=(
                 "Zweitägiger Austausch der **Bildungskoordinator:innen für Neuzugewanderte** aus acht "
                 "Kommunen in Sachsen-Anhalt. Gastgeberin ist diesmal die Stadt Halle (Saale).\n\n"
                 "- Tag 1: Berichte aus den Kommunen, Schulplatzvergabe für Seiteneinsteiger\n"
                 "- Tag 2: Übergang Schule – Beruf, Verabredungen für das nächste Treffen\n\n"
                 "Für Bildungskoordinator:innen; Anmeldung über die Koordinierungsstelle.")),
        Plan("magdeburg", "Landesweiter KoKo-Austausch in Dessau-Roßlau", "exchange",
             at(near(-130, WED), 10),
             at(near(-130, WED), 15, 30),
             organization="Landeshauptstadt Magdeburg – Koordinierungsstelle Integration", contact="Lena Brandt",
             venue_name="Rathaus Dessau", venue_address="Zerbster Straße 4, 06844 Dessau-Roßlau",
             venue_room="Ratssaal", accessibility="Aufzug im Innenhof.", tags=["Bildung"],
             description="Austausch der Bildungskoordinator:innen aus acht Kommunen; Gastgeberin war "
                         "die Stadt Dessau-Roßlau. Das nächste Treffen findet in Halle (Saale) statt."),
        # --- Altmarkkreis Salzwedel: volunteers ------------------------------------
        Plan("altmarkkreis-salzwedel", "Trainerqualifizierung für Integrationslotsen", "training",
             at(training_day, 9), at(training_day + timedelta(days=1), 15), group="Integrationslotsen",
             organization="Integrationslotsen Salzwedel", contact="Martina Voss", venue_room="Raum 104",
             tags=["Ehrenamt", "Weiterbildung"], **KVHS_SAW,
             description=(
                 "Zweitägige **Trainerqualifizierung**: Erfahrene Integrationslotsinnen und -lotsen lernen, "
                 "neue Ehrenamtliche selbst zu schulen.\n\n"
                 "- Freitag 9–17 Uhr: Rolle und Grenzen im Ehrenamt, Methoden für Gruppen\n"
                 "- Samstag 9–15 Uhr: Übungen, eigene Schulungseinheit planen\n\n"
                 "Verpflegung und Fahrtkosten werden übernommen. Höchstens 16 Plätze.")),
        Plan("altmarkkreis-salzwedel", "Weiterbildung: Anerkennung ausländischer Berufsabschlüsse", "training",
             at(near(17, WED), 17),
             at(near(17, WED), 19, 30), group="Integrationslotsen",
             organization="Altmarkkreis Salzwedel – Koordinierungsstelle für Integration", contact="Insa Lüders",
             venue_room="Sitzungssaal", tags=["Ehrenamt", "Weiterbildung", "Anerkennung"], **KREISHAUS_SAW,
             description=(
                 "Wie läuft die Anerkennung eines ausländischen Berufs- oder Studienabschlusses, wer berät, "
                 "was kostet sie? Für Integrationslotsen, die Menschen zur Beratung begleiten.\n\n"
                 "Referentin: Anerkennungsberatung der Caritas.")),
        Plan("altmarkkreis-salzwedel", "Weiterbildung: Kultursensible Kommunikation", "training",
             at(near(-75, WED), 17),
             at(near(-75, WED), 19, 30), group="Integrationslotsen",
             organization="Integrationslotsen Salzwedel", contact="Martina Voss", venue_room="Raum 104",
             tags=["Ehrenamt", "Weiterbildung"], **KVHS_SAW,
             description="Missverständnisse erkennen, einfache Sprache, Arbeit mit Dolmetschenden."),
        Plan("altmarkkreis-salzwedel", "Runder Tisch Ehrenamt und Behörden", "network_meeting",
             at(near(45, MON), 17),
             at(near(45, MON), 19),
             organization="Altmarkkreis Salzwedel – Koordinierungsstelle für Integration", contact="Insa Lüders",
             venue_room="Sitzungssaal", tags=["Ehrenamt"], **KREISHAUS_SAW,
             description=(
                 "Der jährliche **Runde Tisch** von Ehrenamtlichen, Ausländerbehörde, Jobcenter und "
                 "Beratungsstellen: Was läuft gut, wo hakt es? Die Ergebnisse gehen an den Kreistag.")),
        Plan("altmarkkreis-salzwedel", "Ehrenamtscafé Gardelegen", "other",
             at(gardelegen_start, 10), at(gardelegen_start, 12), repeat="weekly", repeat_interval=2,
             repeat_until=until, organization="Evangelischer Kirchenkreis Salzwedel – Ehrenamtscafé",
             venue_name="Gemeindehaus St. Marien", venue_address="Holzmarkt 2, 39638 Gardelegen",
             accessibility="Ebenerdig, barrierefreies WC.", languages="de,ar,ru", tags=["Ehrenamt"],
             changes=_holiday_breaks(_weekly(gardelegen_start, until)[::2], TUE, 10),
             description="Alle zwei Wochen dienstags: Kaffee, Gespräche, Hilfe bei Briefen und Formularen."),
        # --- Landkreis Stendal ------------------------------------------------------
        Plan("landkreis-stendal", "Ehrenamtscafé Stendal", "other",
             at(cafe_start, 15), at(cafe_start, 17), repeat="weekly", repeat_until=until,
             organization="Migrationsberatung Stendal", languages="de,ar,uk,ru", tags=["Ehrenamt", "Begegnung"],
             **STADTSEE,
             description=(
                 "Jeden **Donnerstag von 15 bis 17 Uhr**: Kaffee und Kuchen, Deutsch üben, Hilfe bei Briefen "
                 "und Anträgen, Spiele für Kinder.\n\n"
                 "Ehrenamtliche sprechen Arabisch, Ukrainisch und Russisch. Einfach vorbeikommen!"),
             changes=[
                 (at(cafe_cancelled, 15), "cancelled", "Entfällt wegen einer Fortbildung des Café-Teams.",
                  None, None),
                 (at(cafe_moved, 15), "moved",
                  "Der Raum ist an diesem Donnerstag belegt: ausnahmsweise Freitagvormittag.",
                  at(cafe_moved + timedelta(days=1), 10), at(cafe_moved + timedelta(days=1), 12)),
             ] + _holiday_breaks(_weekly(cafe_start, until), THU, 15)),
        Plan("landkreis-stendal", "Arbeitstisch: Prozesskette Berufsanerkennung", "working_group_meeting",
             at(near(-80, TUE), 9),
             at(near(-80, TUE), 12),
             group="Arbeitstisch Integration in den Ausbildungs- und Arbeitsmarkt",
             organization="Landkreis Stendal – Koordinierungsstelle Integration", contact="Jan Wernecke",
             venue_room="Sitzungssaal 2", visibility="members", tags=["Arbeitsmarkt", "Anerkennung"],
             **KREISHAUS_SDL,
             description="Sitzung der 22 Partner des Arbeitstisches: Entwurf der Prozesskette von der "
                         "Erstberatung bis zum Anerkennungsbescheid."),
        Plan("landkreis-stendal", "Arbeitstisch: Prozesskette Ausbildungseinstieg", "working_group_meeting",
             at(near(40, TUE), 9),
             at(near(40, TUE), 12),
             group="Arbeitstisch Integration in den Ausbildungs- und Arbeitsmarkt",
             organization="Landkreis Stendal – Koordinierungsstelle Integration", contact="Jan Wernecke",
             venue_room="Sitzungssaal 2", visibility="members", tags=["Arbeitsmarkt", "Ausbildung"],
             **KREISHAUS_SDL,
             description=(
                 "Nur für die Mitglieder des Arbeitstisches.\n\n"
                 "- Abstimmung der Prozesskette *Berufsanerkennung*\n"
                 "- Neue Prozesskette: vom Berufssprachkurs in die Ausbildung\n"
                 "- Termine für das zweite Halbjahr")),
    ]


def _holiday_breaks(days: list[date], weekday: int, hour: int) -> list[tuple]:
    return [(at(day, hour), "skipped", "Weihnachtspause", None, None)
            for day in days if outside_holidays(day, weekday) != day]


def _weekly(first: date, until: date) -> list[date]:
    return [first + timedelta(weeks=w) for w in range((until - first).days // 7 + 1)]


def _monthly(first: date, n: int, weekday: int, until: date) -> list[date]:
    days, year, month = [], first.year, first.month
    while True:
        day = nth_weekday(year, month, weekday, n)
        if day > until:
            return days
        days.append(day)
        year, month = month_shift(date(year, month, 1), 1)


def _drawing(title: str) -> bytes:
    """Overlapping translucent circles, the same for the same title: a picture to show how
    pictures look, made in a few milliseconds."""
    from PIL import Image, ImageDraw

    chance = random.Random(title)
    image = Image.new("RGB", (1280, 720), chance.choice([(250, 236, 214), (226, 239, 241), (236, 231, 244)]))
    draw = ImageDraw.Draw(image, "RGBA")  # each circle blends with what is under it
    palette = [(11, 92, 107), (229, 142, 58), (196, 69, 44), (106, 76, 147), (63, 107, 46), (224, 160, 58)]
    for _ in range(12):
        x, y, r = chance.randrange(100, 1180), chance.randrange(80, 640), chance.randrange(50, 200)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(*chance.choice(palette), 120))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


# --- Creating ---------------------------------------------------------------------

def load_demo_events(today: date | None = None) -> int:
    """Create the demo events that are missing; returns how many were added. Does not commit."""
    networks = {n.slug: n for n in db.session.scalars(
        select(Network).where(Network.slug.in_(("magdeburg", "altmarkkreis-salzwedel", "landkreis-stendal"))))}
    if not networks:
        return 0
    if today is None:
        today = datetime.now(recurrence.zone(networks["magdeburg"].timezone if "magdeburg" in networks
                                             else "Europe/Berlin")).date()
    existing = set(db.session.execute(
        select(Event.network_id, Event.title).where(Event.network_id.in_([n.id for n in networks.values()]))).all())
    groups = {(g.network_id, g.name): g for g in db.session.scalars(
        select(WorkingGroup).where(WorkingGroup.network_id.in_([n.id for n in networks.values()])))}
    kinds = {n.id: {k.code: k for k in service.kinds(n)} for n in networks.values()}
    added = 0
    for plan in plans(today):
        network = networks.get(plan.network)
        if network is None or (network.id, plan.title) in existing:
            continue
        tz = network.timezone
        organization = directory.find_organization(plan.organization) if plan.organization else None
        contact = next((p for p in organization.contacts if p.name == plan.contact), None) \
            if organization is not None and plan.contact else None
        group = groups.get((network.id, plan.group)) if plan.group else None
        event = Event(network_id=network.id, kind_id=kinds[network.id][plan.kind].id, timezone=tz)
        service.save(
            event, title=plan.title, description=plan.description,
            working_group_id=group.id if group else None,
            organization_id=organization.id if organization else None,
            contact_person_id=contact.id if contact else None,
            starts_at=recurrence.to_utc(plan.start, tz), ends_at=recurrence.to_utc(plan.end, tz),
            all_day=plan.all_day, repeat=plan.repeat, repeat_interval=plan.repeat_interval,
            repeat_until=plan.repeat_until, venue_name=plan.venue_name, venue_address=plan.venue_address,
            venue_room=plan.venue_room, accessibility=plan.accessibility, map_url=map_link(plan.venue_address),
            online_url=plan.online_url, languages=plan.languages, visibility=plan.visibility,
            status=plan.status, cancel_reason=plan.cancel_reason, translations=plan.translations)
        service.set_tags(event, plan.tags)
        if plan.picture:
            pictures.set_picture(event, plan.picture, data=_drawing(plan.title))
        for wall, action, reason, new_start, new_end in plan.changes:
            service.change_occurrence(
                event, recurrence.to_utc(wall, tz), action, reason=reason,
                starts_at=recurrence.to_utc(new_start, tz) if new_start else None,
                ends_at=recurrence.to_utc(new_end, tz) if new_end else None)
        existing.add((network.id, plan.title))
        added += 1
    db.session.flush()
    return added
