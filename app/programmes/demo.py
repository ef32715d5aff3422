"""Demo programme (called by `flask demo`): the Magdeburg network's Intercultural Week in the
coming September, published, with 47 entries from the network's organizations (one of them
later withdrawn by its organizer) and a few submissions still waiting for review.

Everything goes the real way: each entry is submitted through `service.start` and approved by
the demo coordinator, so its event exists as any approved one would. The hundred or so mails
this causes are taken out of the outbox again, so that they do not bury the dev mailbox (the
registrations demo, likewise, registers without mail). Titles and texts are German data (a few
English, one Ukrainian, one Arabic, as organizers would write them); people are fictional, the
venues real or believable.

Idempotent: when the network has a campaign for that year, nothing is added. Does not commit.
"""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import click
from babel.dates import format_date
from sqlalchemy import delete, func, select

from ..auth.models import User
from ..core.extensions import db
from ..core.types import utcnow
from ..core.urls import url_context
from ..directory.models import Network
from ..events import recurrence
from ..events.demo import SUN, on_or_after
from ..mail.models import OutboxMail
from . import review, service
from .models import Campaign, Submission

COORDINATOR = "koordination@magdeburg.example"


@dataclass(frozen=True)
class Venue:
    name: str
    address: str
    district: str
    accessibility: str
    step_free: bool = True


V = Venue
RATHAUS = V("Altes Rathaus Magdeburg", "Alter Markt 6, 39104 Magdeburg", "Altstadt",
            "Stufenloser Eingang an der Rückseite (Jakobstraße), Aufzug, barrierefreies WC.")
ALTER_MARKT = V("Treffpunkt: Magdeburger Reiter am Alten Markt", "Alter Markt, 39104 Magdeburg", "Altstadt",
                "Rundgang auf ebenen Wegen, etwa 2 km, mit Pausen.")
EINEWELTHAUS = V("Einewelthaus Magdeburg", "Schellingstraße 3-4, 39104 Magdeburg", "Altstadt",
                 "Erdgeschoss, stufenloser Zugang über den Hof.")
BIBLIOTHEK = V("Stadtbibliothek Magdeburg", "Breiter Weg 109, 39104 Magdeburg", "Altstadt",
               "Aufzug, barrierefreies WC. Gebärdensprachdolmetschung auf Anfrage.")
VHS = V("Volkshochschule Magdeburg", "Leibnizstraße 23, 39104 Magdeburg", "Altstadt",
        "Aufzug vorhanden, barrierefreies WC im Erdgeschoss.")
WELCOME = V("Welcome-Servicecenter Magdeburg", "Breiter Weg 1, 39104 Magdeburg", "Altstadt",
            "Barrierefreier Zugang, Beratungsräume im Erdgeschoss.")
JOBCENTER = V("Jobcenter Landeshauptstadt Magdeburg", "Otto-von-Guericke-Straße 12, 39104 Magdeburg", "Altstadt",
              "Barrierefreier Zugang über den Haupteingang, Aufzug.")
IB = V("Jugendmigrationsdienst im IB", "Hegelstraße 19, 39104 Magdeburg", "Altstadt",
       "Eine Stufe am Eingang; eine mobile Rampe bringen wir auf Klingeln.", step_free=False)
SPRACHINSTITUT = V("Sprachinstitut Elbe", "Hasselbachplatz 2, 39104 Magdeburg", "Altstadt",
                   "Zweites Obergeschoss, mit Aufzug.")
INLINGUA = V("inlingua Sprachschule Magdeburg", "Ernst-Reuter-Allee 1, 39104 Magdeburg", "Altstadt",
             "Aufzug im Hauseingang, barrierefreies WC.")
IHK = V("Industrie- und Handelskammer Magdeburg", "Alter Markt 8, 39104 Magdeburg", "Altstadt",
        "Stufenloser Zugang, Aufzug zum Veranstaltungssaal.")
JOHANNISKIRCHE = V("Johanniskirche", "Johannisbergstraße 1, 39104 Magdeburg", "Altstadt",
                   "Stufenloser Zugang über den Nordeingang.")
PETRIFOERDER = V("Petriförder an der Elbe", "Petriförder 1, 39104 Magdeburg", "Altstadt",
                 "Ebene Promenade, barrierefreies WC im Hotel gegenüber.")
VOLKSBAD = V("Volksbad Buckau", "Karl-Schmidt-Straße 56, 39104 Magdeburg", "Buckau",
             "Saal im Erdgeschoss, stufenlos über die Rampe am Hofeingang.")
LITERATURHAUS = V("Literaturhaus Magdeburg", "Thiemstraße 7, 39104 Magdeburg", "Buckau",
                  "Lesesaal im ersten Stock, ohne Aufzug.", step_free=False)
BILDUNGSWERK = V("Bildungswerk Wirtschaft Elbe", "Schönebecker Straße 82, 39104 Magdeburg", "Buckau",
                 "Schulungsräume im Erdgeschoss, barrierefreies WC.")
CARITAS = V("Caritas-Beratungszentrum Sudenburg", "Langer Weg 28, 39112 Magdeburg", "Sudenburg",
            "Beratungsräume im Erdgeschoss, stufenlos.")
LEIPZIGER = V("Gemeinschaftshaus Leipziger Straße", "Leipziger Straße 43, 39112 Magdeburg", "Leipziger Straße",
              "Stufenloser Zugang, Küche und Saal im Erdgeschoss.")
STADTFELD_OST = V("Stadtteiltreff Stadtfeld Ost", "Goethestraße 44, 39108 Magdeburg", "Stadtfeld Ost",
                  "Zwei Stufen am Eingang; eine mobile Rampe gibt es auf Nachfrage.", step_free=False)
SPORTPLATZ = V("Sportplatz Stadtfeld West", "Große Diesdorfer Straße 220, 39110 Magdeburg", "Stadtfeld West",
               "Ebener Zugang, befestigter Zuschauerbereich, barrierefreies WC im Vereinsheim.")
MORITZHOF = V("Moritzhof", "Moritzplatz 1, 39124 Magdeburg", "Neue Neustadt",
              "Kinosaal stufenlos erreichbar, barrierefreies WC im Hof.")
AGENTUR = V("Agentur für Arbeit, Berufsinformationszentrum", "Lübecker Straße 4, 39124 Magdeburg", "Neue Neustadt",
            "Barrierefrei, Aufzug vorhanden.")
NEUSTAEDTER_FELD = V("Nachbarschaftstreff Neustädter Feld", "Pablo-Picasso-Straße 17, 39128 Magdeburg",
                     "Neustädter Feld", "Ebenerdig, barrierefreies WC.")
KANNENSTIEG = V("Stadtteiltreff Kannenstieg", "Johannes-R.-Becher-Straße 40, 39128 Magdeburg", "Kannenstieg",
                "Treffpunkt im ersten Obergeschoss, leider ohne Aufzug.", step_free=False)
KANNENSTIEG_WIESE = V("Wiese am Stadtteiltreff Kannenstieg", "Johannes-R.-Becher-Straße, 39128 Magdeburg",
                      "Kannenstieg", "Ebene Wiese mit befestigtem Weg, Toilettenwagen mit barrierefreier Kabine.")
OLVENSTEDT = V("Bürgerhaus Olvenstedt", "Olvenstedter Scheid 20, 39130 Magdeburg", "Olvenstedt",
               "Rampe am Haupteingang, barrierefreies WC.")
REFORM = V("DRK-Begegnungszentrum Reform", "Hugo-Junkers-Allee 1, 39120 Magdeburg", "Reform",
           "Stufenloser Zugang, Kursraum im Erdgeschoss.")
CRACAU = V("Bürgerhaus Cracau", "Zerbster Straße 8, 39114 Magdeburg", "Cracau",
           "Saal im Erdgeschoss, stufenlos.")
ROTEHORN = V("Rotehornpark, Wiese am Adolf-Mittag-See", "Heinrich-Heine-Platz, 39114 Magdeburg", "Werder",
             "Befestigte Wege bis zur Wiese, barrierefreies WC im Foyer der Stadthalle.")
HOCHSCHULE = V("Hochschule Magdeburg-Stendal, Haus 1", "Breitscheidstraße 2, 39114 Magdeburg", "Herrenkrug",
               "Stufenloser Zugang, Aufzug.")
UNIVERSITAET = V("Otto-von-Guericke-Universität, Campus", "Universitätsplatz 2, 39106 Magdeburg", "Alte Neustadt",
                 "Stufenloser Zugang, Aufzüge in allen Gebäuden.")
HANDWERKSKAMMER = V("Handwerkskammer Magdeburg", "Gareisstraße 10, 39106 Magdeburg", "Alte Neustadt",
                    "Aufzug, barrierefreies WC im Erdgeschoss.")
HANDYLADEN = V("Handyladen Sudenburg", "Halberstädter Straße 100, 39112 Magdeburg", "Sudenburg", "")

# Who submits: (organization as typed, contact person, e-mail, phone). Contacts from the
# directory where it has them, else fictional; two are not members of the network.
ORGANIZERS = {
    "stadt": ("Landeshauptstadt Magdeburg – Koordinierungsstelle Integration", "Lena Brandt",
              "lena.brandt@magdeburg.example", "0391 540-1001"),
    "abh": ("Ausländerbehörde Magdeburg", "Jonas Albrecht", "j.albrecht@magdeburg.example", "0391 540-2000"),
    "jobcenter": ("Jobcenter Landeshauptstadt Magdeburg", "Sabine Krüger", "s.krueger@jobcenter-md.example",
                  "0391 5522-100"),
    "agentur": ("Agentur für Arbeit Magdeburg", "Thomas Wendt", "t.wendt@arbeitsagentur-md.example", ""),
    "caritas": ("Caritasverband für das Bistum Magdeburg", "Miriam Hoffmann", "m.hoffmann@caritas-md.example",
                "0391 6053-0"),
    "diakonie": ("Diakonie Mitteldeutschland – Migrationsberatung", "Tobias Seidel", "t.seidel@diakonie-md.example",
                 ""),
    "agsa": ("Arbeitsgemeinschaft Migration Sachsen-Anhalt (AGSA)", "Nadine Lorenz", "n.lorenz@agsa.example",
             "0391 537 12 79"),
    "fachstelle": ("Fachstelle Interkulturelle Öffnung Sachsen-Anhalt", "Anja Reuter",
                   "a.reuter@fachstelle-ikoe.example", ""),
    "vhs": ("Volkshochschule Magdeburg", "Petra Neumann", "p.neumann@vhs-md.example", ""),
    "inlingua": ("inlingua Sprachschule Magdeburg", "Laura Mitchell", "l.mitchell@inlingua-md.example", ""),
    "elbe": ("Sprachinstitut Elbe", "Karim Haddad", "k.haddad@sprachinstitut-elbe.example", ""),
    "ib": ("Internationaler Bund – Jugendmigrationsdienst", "Ali Demir", "a.demir@ib-md.example", ""),
    "drk": ("Deutsches Rotes Kreuz Magdeburg", "Claudia Weber", "c.weber@drk-md.example", ""),
    "awo": ("Arbeiterwohlfahrt Magdeburg", "Monika Schulze", "m.schulze@awo-md.example", ""),
    "ewh": ("Einewelthaus Magdeburg", "Katrin Lehmann", "k.lehmann@einewelthaus.example", ""),
    "akv": ("Migrantenorganisation Afrikanischer Kulturverein", "Grace Mensah", "g.mensah@akv.example", ""),
    "syrien": ("Syrischer Familienverein Magdeburg", "Rania Al-Khatib", "r.alkhatib@sfv-md.example", ""),
    "vietnam": ("Vietnamesischer Verein Elbe", "Thi Lan Nguyen", "lan.nguyen@vve.example", ""),
    "ukraine": ("Ukrainische Gemeinde Magdeburg", "Olena Kovalenko", "o.kovalenko@ukr-md.example", ""),
    "ihk": ("Industrie- und Handelskammer Magdeburg", "Stefan Baumann", "s.baumann@ihk-md.example", ""),
    "hwk": ("Handwerkskammer Magdeburg", "Frank Richter", "f.richter@hwk-md.example", ""),
    "ovgu": ("Otto-von-Guericke-Universität – International Office", "Emily Carter", "e.carter@ovgu.example", ""),
    "hs": ("Hochschule Magdeburg-Stendal – Welcome Centre", "Daniel Okafor", "d.okafor@h2-md.example", ""),
    "polizei": ("Polizeirevier Magdeburg – Kontaktbereich", "Marco Schmidt", "kontaktbereich@polizei-md.example", ""),
    "freiwillig": ("Freiwilligenagentur Magdeburg", "Heike Sommer", "h.sommer@freiwillig-md.example", ""),
    "bibliothek": ("Stadtbibliothek Magdeburg", "Julia Franke", "j.franke@stadtbibliothek-md.example", ""),
    "bildungswerk": ("Bildungswerk Wirtschaft Elbe", "Ralf Köhler", "r.koehler@bwe.example", ""),
    "welcome": ("Welcome-Servicecenter Magdeburg", "Sara Petrović", "s.petrovic@welcome-md.example", ""),
    "chor": ("Chor Vielklang Magdeburg e. V.", "Birgit Hahn", "b.hahn@vielklang.example", ""),
    "slam": ("Slam-Kollektiv Magdeburg", "Noah Berger", "noah@slam-md.example", ""),
    "handy": ("Handyladen Sudenburg", "Erkan Yıldız", "info@handyladen-sudenburg.example", ""),
}


@dataclass(frozen=True)
class Offer:
    """One entry as its organizer would type it. `day` counts from the opening Sunday (0)."""

    organizer: str
    title: str
    category: str
    day: int
    start: str  # local "HH:MM"
    end: str
    venue: Venue
    languages: str
    description: str
    target_groups: str = "everyone"
    fee: str = ""  # empty: free
    capacity: int | None = None  # given: registration required
    text_language: str = "de"


O = Offer  # noqa: E741 -- one letter keeps the 54-row table below readable
FEE = "3 €, ermäßigt 1 €"

# Day 0 is the opening Sunday, day 7 the closing Sunday.
APPROVED = [
    # --- Sunday: the opening ----------------------------------------------------
    O("ewh", "Internationales Frühstück zum Auftakt", "food", 0, "10:00", "12:00", EINEWELTHAUS,
      "de,ar,fa,uk,en",
      "Wir beginnen die Woche gemeinsam am langen Tisch: Alle bringen etwas mit, was bei ihnen zu Hause "
      "zum Frühstück gehört – Fladenbrot, Syrniki, Brötchen, Oliven, Marmelade.\n\n"
      "Tee und Kaffee stellen wir. Kinder sind herzlich willkommen."),
    O("stadt", "Feierliche Eröffnung: Neue Räume", "encounter", 0, "14:00", "16:00", RATHAUS,
      "de,en,ar,uk,dgs",
      "Die Oberbürgermeisterin eröffnet die Interkulturelle Woche im Alten Rathaus.\n\n"
      "- Grußworte und Vorstellung des Programms\n"
      "- Musik vom Kinderchor der Ukrainischen Gemeinde\n"
      "- Empfang im Foyer\n\n"
      "Mit Gebärdensprachdolmetschung und Übersetzung ins Englische, Arabische und Ukrainische."),
    O("freiwillig", "Picknick der Kulturen im Rotehornpark", "food", 0, "15:00", "18:00", ROTEHORN,
      "de,ar,ru,uk,en",
      "Decke mitbringen, Essen teilen, Nachbarn kennenlernen. Für Spiele, Musik und Getränke sorgen "
      "Ehrenamtliche der Freiwilligenagentur. Bei Regen im Foyer der Stadthalle.",
      target_groups="everyone,families"),
    O("akv", "Trommelworkshop für Groß und Klein", "workshop", 0, "15:00", "17:00", VOLKSBAD, "de,en,fr",
      "Djembe und Sabar: Musiker des Afrikanischen Kulturvereins zeigen Grundrhythmen aus Westafrika. "
      "Trommeln sind vorhanden, Vorkenntnisse braucht es keine.",
      target_groups="families,children", fee="5 €, ermäßigt 2 €", capacity=20),
    O("ukraine", "Konzert: Lieder aus der Ukraine", "art", 0, "17:00", "18:30", JOHANNISKIRCHE, "de,uk",
      "Der Chor der Ukrainischen Gemeinde singt Volkslieder und geistliche Musik aus der Ukraine. "
      "Zwischen den Liedern erzählen die Sängerinnen, was die Lieder ihnen bedeuten.\n\n"
      "Eintritt frei, Spenden für die Chorarbeit sind willkommen."),
    # --- Monday -------------------------------------------------------------------
    O("caritas", "Anerkennungsberatung: Wie wird mein Berufsabschluss anerkannt?", "counselling", 1, "10:00",
      "13:00", CARITAS, "de,ar,fa,ru",
      "Einzelberatung zur Anerkennung ausländischer Berufs- und Studienabschlüsse: Welche Stelle ist "
      "zuständig, welche Unterlagen brauche ich, was kostet es?\n\n"
      "Bitte bringen Sie Ihre Zeugnisse mit (Kopien genügen). Termine zu je 30 Minuten.",
      target_groups="adults,newcomers", capacity=12),
    O("welcome", "Welcome Day: First Steps in Magdeburg", "counselling", 1, "14:00", "17:00", WELCOME,
      "en,de,ar,uk",
      "New in Magdeburg? Registering your address, health insurance, a bank account, childcare, "
      "language courses: our team answers your questions and helps with the forms.\n\n"
      "No appointment needed, just drop in.",
      target_groups="newcomers", text_language="en"),
    O("ib", "Bewerbungstraining für junge Zugewanderte", "workshop", 1, "14:00", "16:30", IB, "de,ar,fa,ti",
      "Lebenslauf, Anschreiben, Vorstellungsgespräch: Wir üben gemeinsam und schauen uns eure Unterlagen an. "
      "Für junge Menschen von 16 bis 27 Jahren. Bringt gern euren Lebenslauf mit (auf Papier oder am Handy).",
      target_groups="youth", capacity=15),
    O("awo", "Internationales Seniorencafé", "encounter", 1, "14:30", "16:30", STADTFELD_OST, "de,ru",
      "Kaffee, Kuchen und Gespräche über das Älterwerden in einem neuen Land. Mit kleinen Geschichten "
      "aus der Nachbarschaft und einem Spaziergang für alle, die mögen.",
      target_groups="seniors"),
    O("vhs", "Schnupperstunde Deutsch für Neuangekommene", "workshop", 1, "17:00", "18:30", VHS, "de,en,ar,uk",
      "Erste Sätze für den Alltag – beim Einkaufen, beim Arzt, im Bus. Danach beraten wir zu "
      "Integrations- und Berufssprachkursen der Volkshochschule.",
      target_groups="newcomers,adults"),
    O("bibliothek", "Lesung: Ankommen in Worten", "art", 1, "19:00", "20:30", BIBLIOTHEK, "de,ar",
      "Drei Autorinnen und Autoren, die in Magdeburg ein neues Zuhause gefunden haben, lesen aus ihren "
      "Texten – auf Deutsch und Arabisch. Moderation: Julia Franke.",
      target_groups="adults", fee=FEE),
    # --- Tuesday ------------------------------------------------------------------
    O("bibliothek", "Bilderbuchkino in vielen Sprachen", "art", 2, "10:00", "11:00", BIBLIOTHEK, "de,ar,uk,tr,fa",
      "Ein Bilderbuch auf der großen Leinwand, vorgelesen auf Deutsch, Arabisch, Ukrainisch, Türkisch "
      "und Persisch. Für Kinder von 3 bis 7 Jahren mit ihren Eltern, auch Kita-Gruppen sind willkommen.",
      target_groups="children,families"),
    O("abh", "Offene Sprechstunde Aufenthaltsrecht", "counselling", 2, "10:00", "13:00", WELCOME,
      "de,en,ar,uk,ru",
      "Mitarbeitende der Ausländerbehörde beantworten allgemeine Fragen zu Aufenthaltstiteln, "
      "Verlängerung, Familiennachzug und Einbürgerung. Keine Bearbeitung von Anträgen vor Ort.",
      target_groups="newcomers,adults"),
    O("hwk", "Ausbildung im Handwerk: Infostunde für Zugewanderte", "talk", 2, "15:00", "17:00", HANDWERKSKAMMER,
      "de,ar,fa",
      "Welche Handwerksberufe gibt es, wie läuft eine Ausbildung ab, welches Deutschniveau braucht es? "
      "Mit zwei Auszubildenden, die selbst vor wenigen Jahren nach Magdeburg gekommen sind.",
      target_groups="youth,newcomers"),
    O("vietnam", "Kalligrafie-Workshop: Schriftkunst aus Vietnam", "workshop", 2, "16:00", "18:00", NEUSTAEDTER_FELD,
      "de,vi",
      "Thư pháp, die vietnamesische Kalligrafie, schreibt Wünsche und Sprichwörter mit Pinsel und Tusche. "
      "Sie schreiben Ihr eigenes Blatt und nehmen es mit nach Hause. Material ist vorhanden.",
      fee=FEE, capacity=12),
    O("syrien", "Syrischer Kochabend: Mezze zum Mitmachen", "workshop", 2, "17:00", "20:00", LEIPZIGER, "de,ar",
      "Hummus, Tabouleh, Muhammara: Wir kochen zusammen kleine Gerichte aus Syrien und essen danach "
      "gemeinsam. Vegetarisch, Zutaten inklusive.",
      fee="8 € für die Zutaten", capacity=16),
    O("ovgu", "International Get-Together on Campus", "encounter", 2, "18:00", "20:00", UNIVERSITAET, "en,de",
      "Students, staff and neighbours from all over the world meet on campus: games, music and food "
      "from our international student groups. Bring a friend!",
      target_groups="youth,adults", text_language="en"),
    # --- Wednesday ------------------------------------------------------------------
    O("jobcenter", "Sprechstunde: Arbeit finden, Abschluss anerkennen lassen", "counselling", 3, "10:00", "12:00",
      JOBCENTER, "de,ar,uk,ru,fa",
      "Das Team Migration des Jobcenters berät ohne Termin zu Arbeitssuche, Berufssprachkursen und "
      "Förderung der Anerkennung. Dolmetschende sind vor Ort.",
      target_groups="adults,newcomers"),
    O("hs", "Living in Magdeburg: Q&A for International Staff and Students", "talk", 3, "12:00", "13:30",
      HOCHSCHULE, "en",
      "Housing, residence permits, family, leisure: colleagues who came to Magdeburg themselves share "
      "what helped them, and the Welcome Centre answers your questions. Lunch snacks provided.",
      target_groups="professionals,adults", text_language="en"),
    O("elbe", "Sprachcafé: Deutsch üben bei Kaffee und Kuchen", "encounter", 3, "16:00", "17:30", SPRACHINSTITUT,
      "de,en,ar",
      "Ungezwungen Deutsch sprechen mit Lehrkräften und Ehrenamtlichen, an Tischen nach Niveau. "
      "Für alle, die Deutsch lernen – ob A1 oder C1.",
      target_groups="newcomers"),
    O("drk", "Erste Hilfe am Kind – mehrsprachig", "workshop", 3, "16:00", "19:00", REFORM, "de,ar,ru",
      "Was tun bei Fieber, Verbrennungen oder wenn ein Kind etwas verschluckt hat? Ein Kurs für Eltern "
      "und Großeltern mit Übungen an der Puppe; die Ausbilderinnen sprechen Arabisch und Russisch.",
      target_groups="families,adults", fee="10 €, ermäßigt 5 €", capacity=14),
    O("polizei", "Sicher im Stadtteil: Ihre Kontaktbeamten stellen sich vor", "talk", 3, "17:00", "18:30",
      KANNENSTIEG, "de,ar,ru",
      "Wer ist bei der Polizei für den Kannenstieg zuständig, wie erreiche ich sie, was tun bei "
      "Betrug am Telefon? Ein offenes Gespräch mit Übersetzung."),
    O("ewh", "Ausstellungseröffnung: Neue Räume – Fotografien aus der Nachbarschaft", "art", 3, "18:00", "20:00",
      EINEWELTHAUS, "de,en",
      "Zwölf Magdeburgerinnen und Magdeburger zeigen, welche Orte für sie zu einem Zuhause geworden "
      "sind – Fotos und kurze Texte. Die Ausstellung ist bis Ende Oktober zu sehen."),
    # --- Thursday -----------------------------------------------------------------
    O("agsa", "Fachgespräch: Migrantenorganisationen stärken", "talk", 4, "10:00", "13:00", EINEWELTHAUS, "de",
      "Wie kommen Migrantenorganisationen an Räume, Fördermittel und in die Gremien der Stadt? "
      "Ein Gespräch mit Vereinen, Verwaltung und Stadtrat.",
      target_groups="professionals", capacity=40),
    O("diakonie", "Migrationsberatung vor Ort: Offene Sprechstunde in Olvenstedt", "counselling", 4, "10:00",
      "13:00", OLVENSTEDT, "de,ar,fa,ru,ku",
      "Hilfe bei Briefen von Ämtern, bei Anträgen und Fragen zu Sprachkurs, Wohnung und Arbeit. "
      "Ohne Anmeldung, vertraulich und kostenlos.",
      target_groups="newcomers,adults"),
    O("fachstelle", "Workshop: Interkulturelle Öffnung in Verwaltung und Vereinen", "workshop", 4, "14:00",
      "17:00", RATHAUS, "de",
      "Für Mitarbeitende und Ehrenamtliche: Wie erreichen wir alle Menschen der Stadt? Praxisbeispiele, "
      "Übungen zu einfacher Sprache und ein Blick auf die eigenen Formulare.",
      target_groups="professionals", capacity=25),
    O("ewh", "Buna: Eritreische Kaffeezeremonie", "food", 4, "15:00", "17:00", EINEWELTHAUS, "de,ti",
      "Die Bohnen werden geröstet, gemahlen und dreimal aufgebrüht – dazu Popcorn und Gespräche. "
      "Eritreische Frauen aus Magdeburg laden ein und erzählen von ihrer Heimat."),
    O("ukraine", "Український вечір: пісні та вареники", "encounter", 4, "18:00", "20:00", CRACAU, "uk,de",
      "Запрошуємо всіх на вечір української культури: народні пісні, розмови та вареники власного "
      "приготування. Ми перекладаємо німецькою.",
      text_language="uk"),
    O("inlingua", "Language Speed Dating", "encounter", 4, "18:30", "20:00", INLINGUA, "en,de,es,fr",
      "Seven minutes per language, then switch partners: practise German, English, Spanish or French "
      "with native speakers in a relaxed atmosphere. Drinks included.",
      target_groups="adults,youth", fee="2 €", text_language="en"),
    # --- Friday -------------------------------------------------------------------
    O("agentur", "Berufsorientierung für Frauen mit Migrationsgeschichte", "counselling", 5, "10:00", "12:00",
      AGENTUR, "de,ar,fa,ku",
      "Welche Berufe passen zu mir, wie finde ich eine Teilzeitausbildung, wer betreut die Kinder? "
      "Beraterinnen der Agentur für Arbeit nehmen sich Zeit. Kinderbetreuung vor Ort.",
      target_groups="women", capacity=20),
    O("ihk", "Jobbörse international: Unternehmen suchen Fachkräfte", "other", 5, "10:00", "14:00", IHK,
      "de,en,ar,uk",
      "Zwanzig Magdeburger Unternehmen aus Logistik, Pflege, Gastronomie und Industrie stellen sich vor. "
      "Bringen Sie Ihren Lebenslauf mit – Gespräche sind direkt möglich.",
      target_groups="adults,newcomers"),
    O("bildungswerk", "Infotag Teilqualifizierung: Schritt für Schritt zum Berufsabschluss", "talk", 5, "13:00",
      "16:00", BILDUNGSWERK, "de,ar,uk",
      "Wer schon arbeitet, aber keinen Berufsabschluss hat, kann ihn in Teilen nachholen. "
      "Wir erklären Wege, Förderung und Prüfungen.",
      target_groups="adults"),
    O("caritas", "Frauencafé: Zeit für uns", "encounter", 5, "15:00", "17:00", OLVENSTEDT, "de,ar,fa,ku,ti",
      "Ein Nachmittag nur für Frauen: Tee, Handarbeit, Gespräche. Kinder bis 6 Jahre können mitkommen, "
      "Ehrenamtliche spielen mit ihnen im Nebenraum.",
      target_groups="women"),
    O("awo", "Kunstwerkstatt für Kinder: Meine Stadt, meine Farben", "art", 5, "15:00", "17:00", VOLKSBAD,
      "de,ar,uk",
      "Kinderprogramm: Wir malen und kleben unser Magdeburg – große Bilder für die Ausstellung im "
      "Einewelthaus. Für Kinder von 6 bis 12 Jahren, Malkittel sind vorhanden.",
      target_groups="children", capacity=15),
    O("akv", "Filmabend: „Timbuktu“ mit Gespräch", "art", 5, "19:00", "21:30", MORITZHOF, "fr,de",
      "Der preisgekrönte Film von Abderrahmane Sissako (Originalfassung mit deutschen Untertiteln). "
      "Danach sprechen wir mit Gästen aus Mali über ihren Alltag in Magdeburg.",
      target_groups="adults", fee="5 €, ermäßigt 3 €"),
    # --- Saturday -----------------------------------------------------------------
    O("ib", "Fußballturnier „Anstoß für Vielfalt“", "sports", 6, "10:00", "16:00", SPORTPLATZ, "de,ar,fa,ti,en",
      "Gemischte Teams aus Jugendclubs, Vereinen und Unterkünften spielen um den Vielfalt-Pokal. "
      "Anmeldung als Team mit sechs Spielerinnen und Spielern; Zuschauende ohne Anmeldung.",
      target_groups="youth", capacity=96),
    O("drk", "Lauftreff an der Elbe", "sports", 6, "10:00", "11:30", PETRIFOERDER, "de,en",
      "Fünf Kilometer in gemütlichem Tempo an der Elbe entlang, danach Wasser und Obst. "
      "Für alle, die gern laufen – ob jung oder alt."),
    O("stadt", "Stadtrundgang: Magdeburg, eine Stadt der Zugewanderten", "other", 6, "11:00", "13:00",
      ALTER_MARKT, "de,en",
      "Von den Hugenotten bis zu den Vertragsarbeitern aus Vietnam und Mosambik: ein Rundgang zu Orten, "
      "an denen Zugewanderte die Stadt geprägt haben.",
      capacity=25),
    O("vhs", "Kochworkshop: Persische Küche", "workshop", 6, "11:00", "14:00", VHS, "de,fa",
      "Ghormeh Sabzi und Safranreis: In der Lehrküche der Volkshochschule kochen wir mit Shirin Rahimi "
      "ein persisches Mittagessen.",
      target_groups="adults", fee="12 €, ermäßigt 8 €", capacity=12),
    O("syrien", "Tanzworkshop: Dabke und kurdische Kreistänze", "sports", 6, "14:00", "16:00", LEIPZIGER,
      "de,ar,ku",
      "Hand in Hand im Kreis: Wir lernen einfache Schritte der Dabke und kurdischer Reigentänze. "
      "Bequeme Schuhe genügen."),
    O("freiwillig", "Nachbarschaftsfest im Kannenstieg", "encounter", 6, "14:00", "18:00", KANNENSTIEG_WIESE,
      "de,ar,ru,ti",
      "Kuchenbasar, Hüpfburg, Musik und Infostände der Vereine aus dem Stadtteil. Wer einen Stand "
      "machen möchte, meldet sich bei der Freiwilligenagentur.",
      target_groups="everyone,families"),
    O("vietnam", "Mondfest für Kinder: Laternen basteln und Geschichten", "encounter", 6, "15:00", "18:00",
      NEUSTAEDTER_FELD, "de,vi",
      "Zum vietnamesischen Mondfest (Tết Trung Thu) basteln wir Sternlaternen, hören die Geschichte "
      "von Chú Cuội und essen Mondkuchen. Zum Schluss ziehen wir mit den Laternen ums Haus.",
      target_groups="children,families"),
    O("ovgu", "Internationales Kochen auf dem Campus", "food", 6, "17:00", "20:00", UNIVERSITAET, "de,en",
      "Studierende aus zwölf Ländern kochen ihre Lieblingsgerichte, alle essen mit. "
      "Ein kleiner Beitrag deckt die Zutaten.",
      target_groups="youth,adults", fee="4 €", capacity=30),
    O("syrien", "أمسية حكايات من سوريا", "art", 6, "18:00", "20:00", LEIPZIGER, "ar,de",
      "أمسية للعائلات مع حكايات وموسيقى من سوريا. الترجمة إلى الألمانية متوفرة. الدخول مجاني.",
      target_groups="families", text_language="ar"),
    # --- Sunday: the close ----------------------------------------------------------
    O("elbe", "Literaturfrühstück: Gedichte in vielen Sprachen", "art", 7, "11:00", "12:30", LITERATURHAUS,
      "de,ar,fa,tr",
      "Bei Kaffee und Croissants lesen Teilnehmende unserer Kurse Gedichte in ihren Sprachen, "
      "jeweils mit deutscher Übersetzung.",
      target_groups="adults", fee=FEE),
    O("akv", "Tanzworkshop: Afrobeats für alle", "sports", 7, "11:00", "12:30", VOLKSBAD, "de,en,fr",
      "Zu Musik aus Ghana, Nigeria und dem Senegal lernen wir einfache Schritte – zum Mitmachen für "
      "alle Generationen, auch ohne Tanzerfahrung."),
    O("ewh", "Abschlussfest: Neue Räume feiern", "encounter", 7, "14:00", "18:00", PETRIFOERDER,
      "de,en,ar,uk,fa,tr,ku,dgs",
      "Zum Schluss feiern wir an der Elbe: Bühne mit Musik und Tanz der Vereine, Essen aus vielen "
      "Küchen, Spiele für Kinder. Die Bühnenansagen werden in Gebärdensprache übersetzt."),
]
# Approved, published, then taken back by its organizer (stays in the programme, marked cancelled).
WITHDRAWN = "Lauftreff an der Elbe"

# Waiting for review. The first two meet at the same place at the same time (the queue warns).
SUBMITTED = [
    O("chor", "Offenes Singen: Lieder der Welt", "art", 3, "17:00", "19:00", MORITZHOF, "de,en",
      "Wir singen einfache Lieder aus vielen Ländern, Texte zum Mitlesen gibt es auf Leinwand. "
      "Keine Vorkenntnisse nötig."),
    O("ib", "Theaterworkshop für Jugendliche: Mein neuer Raum", "workshop", 3, "18:00", "20:00", MORITZHOF,
      "de,ar,fa",
      "Mit Übungen aus dem Improvisationstheater spielen wir Szenen über Ankommen und Zuhause sein.",
      target_groups="youth", capacity=16),
    O("abh", "Informationsabend Einbürgerung", "talk", 4, "17:30", "19:00", RATHAUS, "de,en,ar",
      "Voraussetzungen, Unterlagen, Einbürgerungstest: Die Einbürgerungsbehörde erklärt den Weg zur "
      "deutschen Staatsangehörigkeit und beantwortet Fragen.",
      target_groups="adults"),
    O("caritas", "Yoga für Frauen", "sports", 6, "10:00", "11:30", OLVENSTEDT, "de,ar,fa",
      "Sanftes Yoga zum Kennenlernen, mit einer Trainerin. Bitte eine Decke oder Matte mitbringen.",
      target_groups="women", capacity=15),
]
CHANGES_REQUESTED = (
    O("ewh", "Kochkurs: Eritreische Küche", "workshop", 5, "17:00", "20:00", EINEWELTHAUS, "de,ti",
      "Wir backen Injera und kochen Zigni und Shiro."),
    "Danke für das schöne Angebot! Bitte ergänzen Sie noch, ob ein Beitrag für die Zutaten anfällt "
    "und für wie viele Personen die Küche reicht – dann nehmen wir es gern ins Programm.",
)
# Saved with the place and times still missing: a draft its organizer can finish.
DRAFT = O("slam", "Mehrsprachiger Poetry Slam", "art", 0, "", "", V("", "", "", "", step_free=False), "de,en,ar",
          "Junge Dichterinnen und Dichter treten in ihren Sprachen gegeneinander an. "
          "Ort und Zeit stimmen wir noch mit dem Jugendclub ab.")
DECLINED = (
    O("handy", "Infostand: Günstige Handyverträge für Neuankömmlinge", "other", 2, "10:00", "14:00", HANDYLADEN,
      "de,tr,ar", "Wir beraten zu Handyverträgen und Prepaid-Karten, mit Sonderangeboten zur Woche."),
    "Die Interkulturelle Woche ist ein gemeinnütziges Programm; Verkaufsangebote können wir leider "
    "nicht aufnehmen. Gern weisen wir Sie auf die Gewerbeschau im Frühjahr hin.",
)


def campaign_dates(today: date) -> tuple[int, date, date]:
    """The coming September's week: the nationwide Intercultural Week starts on the Sunday
    between 20 and 26 September and ends the Sunday after."""
    year = today.year if today.month < 9 else today.year + 1
    first = on_or_after(date(year, 9, 20), SUN)
    return year, first, first + timedelta(days=7)


def load_demo_programmes(today: date | None = None) -> Campaign | None:
    """Add the demo campaign unless the network has one for that year; returns it."""
    network = db.session.scalar(select(Network).where(Network.slug == "magdeburg"))
    coordinator = db.session.scalar(select(User).where(User.email == COORDINATOR))
    if network is None or coordinator is None:
        return None
    if today is None:
        today = recurrence.to_local(utcnow(), network.timezone).date()
    year, first, last = campaign_dates(today)
    campaign = db.session.scalar(select(Campaign).where(Campaign.network_id == network.id, Campaign.year == year))
    if campaign is None:
        db.session.flush()
        mails_before = db.session.scalar(select(func.max(OutboxMail.id))) or 0
        with url_context():  # the mails carry absolute status links
            campaign = _campaign(network, coordinator, year, first, last, today)
        db.session.flush()
        # The confirmations and approvals went to made-up organizers: not into the dev mailbox.
        db.session.execute(delete(OutboxMail).where(OutboxMail.id > mails_before))
    _summary(campaign)
    return campaign


def _campaign(network: Network, coordinator: User, year: int, first: date, last: date, today: date) -> Campaign:
    def day(value: date) -> str:  # the intro is German text, whatever the server's locale
        return format_date(value, "d. MMMM", locale="de")

    campaign = service.create_campaign(
        network, title=f"Interkulturelle Woche {year}", year=year, motto="Neue Räume", starts_on=first,
        ends_on=last, submissions_from=today - timedelta(days=30), submissions_until=date(year, 8, 15),
        contact_email=COORDINATOR,
        intro=(f"Unter dem Motto **„Neue Räume“** laden vom {day(first)} bis {day(last)} {year} "
               "Vereine, Initiativen, Migrantenorganisationen, Beratungsstellen, Bildungsträger und die "
               "Landeshauptstadt zur Interkulturellen Woche ein: zu Begegnung, Workshops, Kunst, Musik, "
               "Sport und Beratung in allen Stadtteilen.\n\n"
               "Fast alle Veranstaltungen sind kostenlos. Wo eine Anmeldung nötig ist, steht es dabei.\n\n"
               "Die Interkulturelle Woche ist eine bundesweite Initiative der Kirchen, Gewerkschaften, "
               "Wohlfahrtsverbände, Kommunen und Migrantenorganisationen: "
               "[interkulturellewoche.de](https://www.interkulturellewoche.de)"))
    db.session.flush()
    categories = {c.code: c.id for c in campaign.categories}

    def submit(offer: Offer, **fields) -> Submission:
        submission = service.start(campaign, **(_fields(offer, campaign, categories, first) | fields))
        db.session.flush()
        return submission

    approved = [submit(offer) for offer in APPROVED]
    for submission in approved:
        review.approve(submission, coordinator)
    db.session.flush()
    review.publish(campaign)
    db.session.flush()
    service.withdraw(next(s for s in approved if s.title == WITHDRAWN))

    for offer in SUBMITTED:
        submit(offer)
    offer, message = CHANGES_REQUESTED
    review.request_changes(submit(offer), coordinator, message)
    offer, reason = DECLINED
    review.decline(submit(offer), coordinator, reason)
    submit(DRAFT)
    return campaign


def _fields(offer: Offer, campaign: Campaign, categories: dict[str, int], first: date) -> dict:
    organization, contact, email, phone = ORGANIZERS[offer.organizer]
    day = first + timedelta(days=offer.day)
    tz = campaign.network.timezone

    def moment(hh_mm: str) -> datetime | None:
        return recurrence.to_utc(datetime.combine(day, time.fromisoformat(hh_mm)), tz) if hh_mm else None

    venue = offer.venue
    return dict(
        title=offer.title, description=offer.description, text_language=offer.text_language,
        category_id=categories[offer.category], starts_at=moment(offer.start), ends_at=moment(offer.end),
        venue_name=venue.name, venue_address=venue.address, district=venue.district,
        accessibility=venue.accessibility, step_free=venue.step_free,
        languages=offer.languages, target_groups=offer.target_groups, is_free=not offer.fee, fee=offer.fee,
        registration_required=offer.capacity is not None, capacity=offer.capacity,
        organization_name=organization, contact_name=contact, contact_email=email, contact_phone=phone)


def _summary(campaign: Campaign) -> None:
    counts = service.status_counts(campaign)
    organizations = db.session.scalar(
        select(func.count(func.distinct(Submission.organization_name)))
        .where(Submission.campaign_id == campaign.id, Submission.status == "approved"))
    click.echo(f"Programme “{campaign.title}” (/programmes/{campaign.slug}): {counts.get('approved', 0)} events "
               f"from {organizations} organizations; {counts.get('submitted', 0)} submissions waiting for review, "
               f"{counts.get('changes_requested', 0)} sent back for changes, {counts.get('draft', 0)} draft, "
               f"{counts.get('declined', 0)} declined.")
