"""`flask demo`: believable data after the seeds (see shared/DOMAIN.md); people are fictional.

Idempotent: running it again changes nothing that is already there.
"""
import click
from flask.cli import with_appcontext
from sqlalchemy import select

from .announcements.demo import load_demo_announcements
from .auth import service as accounts
from .auth.models import User
from .core.extensions import db
from .directory import service as directory
from .digest.demo import load_demo_digest
from .directory.models import Network, Organization, WorkingGroup
from .events.demo import load_demo_events
from .minutes.demo import load_demo_minutes
from .newsletters.demo import load_demo_newsletters
from .polls.demo import load_demo_polls
from .programmes.demo import load_demo_programmes
from .registrations.demo import load_demo_registrations
from .reports.demo import load_demo_report_history
from .events.models import Event

DEMO_PASSWORD = "treffpunkt-demo"

# (name, kind, street, postcode, city, website, [(person, role, email, phone)])
MAGDEBURG_ORGANIZATIONS = [
    ("Landeshauptstadt Magdeburg – Koordinierungsstelle Integration", "authority", "Alter Markt 6", "39104", "Magdeburg", "https://www.magdeburg.de",
     [("Lena Brandt", "Integrationskoordinatorin", "lena.brandt@magdeburg.example", "0391 540-1001")]),
    ("Ausländerbehörde Magdeburg", "authority", "Breiter Weg 222", "39104", "Magdeburg", "",
     [("Jonas Albrecht", "Leitung", "j.albrecht@magdeburg.example", "0391 540-2000")]),
    ("Jobcenter Landeshauptstadt Magdeburg", "job_center", "Otto-von-Guericke-Straße 12", "39104", "Magdeburg", "",
     [("Sabine Krüger", "Teamleitung Migration", "s.krueger@jobcenter-md.example", "0391 5522-100")]),
    ("Agentur für Arbeit Magdeburg", "job_center", "Lübecker Straße 4", "39124", "Magdeburg", "",
     [("Thomas Wendt", "Beauftragter für Chancengleichheit", "t.wendt@arbeitsagentur-md.example", "")]),
    ("Caritasverband für das Bistum Magdeburg", "welfare", "Langer Weg 28", "39112", "Magdeburg", "",
     [("Miriam Hoffmann", "Anerkennungsberatung", "m.hoffmann@caritas-md.example", "0391 6053-0")]),
    ("Diakonie Mitteldeutschland – Migrationsberatung", "welfare", "Leibnizstraße 4", "39104", "Magdeburg", "", []),
    ("Arbeitsgemeinschaft Migration Sachsen-Anhalt (AGSA)", "association", "Schellingstraße 3-4", "39104", "Magdeburg", "",
     [("Nadine Lorenz", "Sprecherin AG Interkultur & Soziales", "n.lorenz@agsa.example", "0391 537 12 79")]),
    ("Fachstelle Interkulturelle Öffnung Sachsen-Anhalt", "education", "Schellingstraße 3-4", "39104", "Magdeburg", "", []),
    ("Volkshochschule Magdeburg", "education", "Leibnizstraße 23", "39104", "Magdeburg", "",
     [("Petra Neumann", "Fachbereich Deutsch als Fremdsprache", "p.neumann@vhs-md.example", "")]),
    ("inlingua Sprachschule Magdeburg", "language_school", "Ernst-Reuter-Allee 1", "39104", "Magdeburg", "", []),
    ("Sprachinstitut Elbe", "language_school", "Hasselbachplatz 2", "39104", "Magdeburg", "", []),
    ("Internationaler Bund – Jugendmigrationsdienst", "welfare", "Hegelstraße 19", "39104", "Magdeburg", "",
     [("Ali Demir", "Berater", "a.demir@ib-md.example", "")]),
    ("Deutsches Rotes Kreuz Magdeburg", "welfare", "Hugo-Junkers-Allee 1", "39120", "Magdeburg", "", []),
    ("Arbeiterwohlfahrt Magdeburg", "welfare", "Goethestraße 44", "39108", "Magdeburg", "", []),
    ("Einewelthaus Magdeburg", "association", "Schellingstraße 3-4", "39104", "Magdeburg", "", []),
    ("Migrantenorganisation Afrikanischer Kulturverein", "migrant_organization", "", "", "Magdeburg", "",
     [("Grace Mensah", "Vorsitzende", "g.mensah@akv.example", "")]),
    ("Syrischer Familienverein Magdeburg", "migrant_organization", "", "", "Magdeburg", "", []),
    ("Vietnamesischer Verein Elbe", "migrant_organization", "", "", "Magdeburg", "", []),
    ("Ukrainische Gemeinde Magdeburg", "migrant_organization", "", "", "Magdeburg", "",
     [("Olena Kovalenko", "Ansprechpartnerin", "o.kovalenko@ukr-md.example", "")]),
    ("Industrie- und Handelskammer Magdeburg", "chamber", "Alter Markt 8", "39104", "Magdeburg", "", []),
    ("Handwerkskammer Magdeburg", "chamber", "Gareisstraße 10", "39106", "Magdeburg", "",
     [("Frank Richter", "Ausbildungsberatung", "f.richter@hwk-md.example", "")]),
    ("Otto-von-Guericke-Universität – International Office", "university", "Universitätsplatz 2", "39106", "Magdeburg", "", []),
    ("Hochschule Magdeburg-Stendal – Welcome Centre", "university", "Breitscheidstraße 2", "39114", "Magdeburg", "", []),
    ("Polizeirevier Magdeburg – Kontaktbereich", "authority", "", "", "Magdeburg", "", []),
    ("Freiwilligenagentur Magdeburg", "association", "Einsteinstraße 9", "39104", "Magdeburg", "",
     [("Heike Sommer", "Ehrenamtskoordination", "h.sommer@freiwillig-md.example", "")]),
    ("Stadtbibliothek Magdeburg", "authority", "Breiter Weg 109", "39104", "Magdeburg", "", []),
    ("Bildungswerk Wirtschaft Elbe", "education", "", "", "Magdeburg", "", []),
    ("Welcome-Servicecenter Magdeburg", "authority", "Breiter Weg 1", "39104", "Magdeburg", "", []),
]

MAGDEBURG_GROUPS = [
    ("Arbeit und Ausbildung", None, ["Jobcenter Landeshauptstadt Magdeburg", "Agentur für Arbeit Magdeburg",
                                     "Industrie- und Handelskammer Magdeburg", "Handwerkskammer Magdeburg",
                                     "Bildungswerk Wirtschaft Elbe"]),
    ("Sprache", None, ["Volkshochschule Magdeburg", "inlingua Sprachschule Magdeburg", "Sprachinstitut Elbe",
                       "Stadtbibliothek Magdeburg"]),
    ("Interkultur & Soziales", None, ["Arbeitsgemeinschaft Migration Sachsen-Anhalt (AGSA)", "Einewelthaus Magdeburg",
                                      "Migrantenorganisation Afrikanischer Kulturverein",
                                      "Ukrainische Gemeinde Magdeburg", "Caritasverband für das Bistum Magdeburg"]),
    ("Unter-AG Interkulturelle Woche", "Interkultur & Soziales", ["Einewelthaus Magdeburg", "Freiwilligenagentur Magdeburg"]),
    ("Unter-AG Berufssprachkurse", "Sprache", ["Volkshochschule Magdeburg", "Jobcenter Landeshauptstadt Magdeburg"]),
]

SALZWEDEL_ORGANIZATIONS = [
    ("Altmarkkreis Salzwedel – Koordinierungsstelle für Integration", "authority", "Karl-Marx-Straße 32", "29410", "Salzwedel", "",
     [("Insa Lüders", "Integrationskoordinatorin", "i.lueders@altmarkkreis.example", "03901 840-0")]),
    ("Jobcenter Altmarkkreis Salzwedel", "job_center", "", "29410", "Salzwedel", "", []),
    ("Kreisvolkshochschule Altmarkkreis Salzwedel", "education", "", "29410", "Salzwedel", "", []),
    ("Integrationslotsen Salzwedel", "association", "", "29410", "Salzwedel", "",
     [("Martina Voss", "Sprecherin der Lotsen", "m.voss@lotsen-saw.example", "")]),
    ("Evangelischer Kirchenkreis Salzwedel – Ehrenamtscafé", "welfare", "", "29410", "Salzwedel", "", []),
    ("Gymnasium Gardelegen – Schulsozialarbeit", "education", "", "39638", "Gardelegen", "", []),
    ("Deutsches Rotes Kreuz Kreisverband Altmark West", "welfare", "", "29410", "Salzwedel", "", []),
    ("Netzwerk Partnerschaft für Demokratie Altmark", "association", "", "", "Salzwedel", "", []),
]

STENDAL_ORGANIZATIONS = [
    ("Landkreis Stendal – Koordinierungsstelle Integration", "authority", "Hospitalstraße 1-2", "39576", "Stendal", "",
     [("Jan Wernecke", "Integrationskoordinator", "j.wernecke@landkreis-stendal.example", "03931 60-6")]),
    ("Agentur für Arbeit Stendal", "job_center", "", "39576", "Stendal", "",
     [("Olaf Lindner", "Bereichsleiter", "o.lindner@arbeitsagentur-sdl.example", "")]),
    ("Jobcenter Stendal", "job_center", "", "39576", "Stendal", "", []),
    ("inlingua Sprachschule Stendal", "language_school", "", "39576", "Stendal", "", []),
    ("Auslandsgesellschaft Sachsen-Anhalt", "association", "", "", "Magdeburg", "", []),
    ("Migrationsberatung Stendal", "welfare", "", "39576", "Stendal", "", []),
    ("Handwerkskammer Magdeburg", "chamber", "Gareisstraße 10", "39106", "Magdeburg", "", []),
    ("Industrie- und Handelskammer Magdeburg", "chamber", "Alter Markt 8", "39104", "Magdeburg", "", []),
    ("Hochschule Magdeburg-Stendal – Welcome Centre", "university", "Breitscheidstraße 2", "39114", "Magdeburg", "", []),
    ("Bildungszentrum Altmark", "education", "", "39576", "Stendal", "", []),
]

# (e-mail, name, admin, coordinated network slugs, led groups as (network slug, group name))
ACCOUNTS = [
    ("admin@treffpunkt.example", "Admin Treffpunkt", True, [], []),
    ("koordination@magdeburg.example", "Lena Brandt", False, ["magdeburg"], []),
    ("ag-sprache@magdeburg.example", "Petra Neumann", False, [], [("magdeburg", "Sprache")]),
    ("integration@altmarkkreis.example", "Insa Lüders", False, ["altmarkkreis-salzwedel"], []),
    ("integration@landkreis-stendal.example", "Jan Wernecke", False, ["landkreis-stendal"], []),
]


def _network(slug, name, description):
    network = db.session.scalar(select(Network).where(Network.slug == slug))
    return network or directory.create_network(name, slug, description)


def _organizations(network, rows):
    by_name = {}
    for name, kind, street, postcode, city, website, contacts in rows:
        organization = directory.find_organization(name)
        if organization is None:
            organization = directory.create_organization(
                network, name, kind=kind, street=street, postcode=postcode, city=city, website=website)
            for person, role, email, phone in contacts:
                directory.save_person(organization, None, name=person, role=role, email=email, phone=phone)
        else:
            directory.add_member(network, organization)
        by_name[name] = organization
    return by_name


def _group(network, name, parent=None, kind="working_group", description=""):
    group = db.session.scalar(
        select(WorkingGroup).where(WorkingGroup.network_id == network.id, WorkingGroup.name == name))
    if group is None:
        group = directory.save_group(network, None, name, kind, parent.id if parent else None, description)
        db.session.flush()
    return group


def load_demo() -> None:
    magdeburg = _network(
        "magdeburg", "Netzwerk für Integrations- und Ausländerarbeit der Landeshauptstadt Magdeburg",
        "Kommunikations- und Kooperationsplattform von rund 65 Organisationen aus Verwaltung, Bildung, "
        "Beratung, Spracherwerb, Arbeit und Zivilgesellschaft, in drei Arbeitsgruppen.")
    salzwedel = _network(
        "altmarkkreis-salzwedel", "Netzwerk Integration Altmarkkreis Salzwedel",
        "Rund 50 Institutionen, Integrationslotsen und Ehrenamtscafés im ländlichen Raum.")
    stendal = _network(
        "landkreis-stendal", "Integrationsnetzwerk Landkreis Stendal",
        "Netzwerk des Landkreises mit dem Arbeitstisch zur Integration in Ausbildung und Arbeit.")
    # The coordinations' public contact (example addresses, as everywhere in the demo).
    for network, office, email, phone in (
            (magdeburg, "Landeshauptstadt Magdeburg – Koordinierungsstelle Integration", "integration@magdeburg.example",
             "0391 540-0000"),
            (salzwedel, "Altmarkkreis Salzwedel – Integrationskoordination", "integration@altmarkkreis.example", ""),
            (stendal, "Landkreis Stendal – Integrationskoordination", "integration@landkreis-stendal.example", "")):
        network.contact_name = network.contact_name or office
        network.contact_email = network.contact_email or email
        network.contact_phone = network.contact_phone or phone
    db.session.flush()

    md_orgs = _organizations(magdeburg, MAGDEBURG_ORGANIZATIONS)
    groups = {}
    for name, parent_name, members in MAGDEBURG_GROUPS:
        group = _group(magdeburg, name, groups.get(parent_name))
        groups[name] = group
        for org_name in members:
            if md_orgs[org_name] not in group.organizations:
                group.organizations.append(md_orgs[org_name])

    _organizations(salzwedel, SALZWEDEL_ORGANIZATIONS)
    _group(salzwedel, "Integrationslotsen", description="Austausch und Weiterbildung der ehrenamtlichen Lotsen.")
    _group(salzwedel, "Arbeitskreis Schule und Integration")

    sdl_orgs = _organizations(stendal, STENDAL_ORGANIZATIONS)
    table = _group(stendal, "Arbeitstisch Integration in den Ausbildungs- und Arbeitsmarkt", kind="working_table",
                   description="Expertenrunde, die Prozessketten zu Ausbildung und Arbeit erarbeitet.")
    for organization in sdl_orgs.values():
        if organization not in table.organizations:
            table.organizations.append(organization)

    for email, name, admin, coordinated, led in ACCOUNTS:
        user = accounts.find_user(email) or accounts.create_user(email, name, DEMO_PASSWORD, is_admin=admin)
        db.session.flush()
        for slug in coordinated:
            network = db.session.scalar(select(Network).where(Network.slug == slug))
            if network not in user.coordinated_networks:
                user.coordinated_networks.append(network)
        for slug, group_name in led:
            group = db.session.scalar(
                select(WorkingGroup).join(Network).where(Network.slug == slug, WorkingGroup.name == group_name))
            if group not in user.led_groups:
                user.led_groups.append(group)
    load_demo_events()
    db.session.flush()
    load_demo_registrations()
    db.session.flush()
    load_demo_report_history()
    load_demo_minutes()
    load_demo_programmes()
    load_demo_polls()
    load_demo_announcements()
    load_demo_digest()
    load_demo_newsletters()
    db.session.commit()


@click.command("demo")
@with_appcontext
def demo_command():
    """Load the demo networks, organizations, groups, accounts and events (idempotent)."""
    load_demo()
    click.echo(f"Demo data ready: {db.session.query(Organization).count()} organizations, "
               f"{db.session.query(Event).count()} events, "
               f"{db.session.query(User).count()} accounts (password {DEMO_PASSWORD!r}).")
