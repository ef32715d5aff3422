"""CSV import (preview, confirm) and export of a network's organizations and contact people."""
import io
import re
from html import unescape

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from app.core.extensions import db
from app.directory import csv_io
from app.directory.forms import ORGANIZATION_KIND_LABELS
from app.directory.models import Membership, Organization, Person
from app.directory.service import is_member, network_or_404, save_person

HEADER = ("Organization;Kind;Street;Postcode;City;Website;E-mail;Phone;"
          "Contact person;Contact role;Contact e-mail;Contact phone")
GERMAN_HEADER = ("Organisation;Art;Straße;PLZ;Ort;Website;E-Mail;Telefon;"
                 "Ansprechperson;Funktion;E-Mail Ansprechperson;Telefon Ansprechperson")


def csv_bytes(*lines, encoding="utf-8-sig", newline="\r\n"):
    return (newline.join(lines) + newline).encode(encoding)


def upload(client, data: bytes, slug="magdeburg"):
    return client.post(f"/n/{slug}/import", data={"file": (io.BytesIO(data), "liste.csv")},
                       content_type="multipart/form-data")


def confirm(client, text: str, slug="magdeburg"):
    return client.post(f"/n/{slug}/import/confirm", data={"text": text})


def preview_rows(response) -> dict[int, tuple[bool, str]]:
    """Line number -> (marked as error, the row's text) from the preview table."""
    html = response.get_data(as_text=True)
    rows = {}
    for line, attributes, body in re.findall(r'<tr id="line-(\d+)"([^>]*)>(.*?)</tr>', html, re.S):
        rows[int(line)] = ("row-error" in attributes, " ".join(unescape(re.sub(r"<[^>]+>", " ", body)).split()))
    return rows


def hidden_text(response) -> str:
    match = re.search(r'<input type="hidden" name="text" value="([^"]*)"', response.get_data(as_text=True))
    assert match, "no confirm form"
    return unescape(match.group(1))


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def organization_named(name) -> Organization:
    return db.session.scalar(select(Organization).where(Organization.name == name))


@pytest.fixture(autouse=True)
def english(client):
    """The expected texts below are the English msgids; German is the default language."""
    client.set_cookie("lang", "en")


@pytest.fixture
def in_request(app):
    """csv_io outside a request still needs one for the language."""
    with app.test_request_context():
        yield


# --- The page ---------------------------------------------------------------------

def test_import_page_has_a_labelled_file_input(coordinator_client):
    response = coordinator_client.get("/n/magdeburg/import")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<label for="csv-file">' in html
    assert 'type="file" id="csv-file" name="file" accept=".csv,text/csv"' in html
    assert 'enctype="multipart/form-data"' in html
    assert 'aria-current="page">Import<' in html
    assert "style=" not in html and "<script>" not in html


def test_no_file_chosen(coordinator_client):
    response = coordinator_client.post("/n/magdeburg/import", data={}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Please choose a CSV file." in response.get_data(as_text=True)


# --- Encodings, separators, headers -----------------------------------------------

def test_semicolon_utf8_bom_with_headers_in_german(coordinator_client, app):
    with app.test_request_context(), force_locale("de"):
        header = ";".join(csv_io.column_labels().values())
    data = csv_bytes(
        header,
        "Caritasverband Magdeburg;welfare;Lübecker Straße 3;39124;Magdeburg;www.caritas-magdeburg.de;"
        "info@caritas-magdeburg.de;0391 123;Anna Schulz;Migrationsberatung;a.schulz@caritas-magdeburg.de;0391 124",
    )
    assert data.startswith(b"\xef\xbb\xbf")
    response = upload(coordinator_client, data)
    assert response.status_code == 200
    assert preview_rows(response) == {2: (False, "2 Caritasverband Magdeburg Anna Schulz New organization. "
                                               "Contact person added.")}
    assert hidden_text(response).startswith(header)  # decoded: the BOM is gone

    response = confirm(coordinator_client, hidden_text(response))
    assert response.status_code == 303
    organization = organization_named("Caritasverband Magdeburg")
    assert (organization.kind, organization.street, organization.postcode, organization.website) == (
        "welfare", "Lübecker Straße 3", "39124", "https://www.caritas-magdeburg.de")
    assert [(p.name, p.role, p.email) for p in organization.contacts] == [
        ("Anna Schulz", "Migrationsberatung", "a.schulz@caritas-magdeburg.de")]


def test_literal_german_headers(coordinator_client, app):
    with app.test_request_context(), force_locale("de"):
        if csv_io.column_labels()["contact_name"] == "Contact person":
            pytest.skip("runs once the German catalog is compiled")
        job_center = str(ORGANIZATION_KIND_LABELS["job_center"])
    data = csv_bytes(
        GERMAN_HEADER,
        f"Jobcenter Magdeburg;{job_center};Otto-von-Guericke-Straße 10;39104;Magdeburg;;;;"
        "Jana Krüger;Integrationsberatung;j.krueger@example.org;",
    )
    response = upload(coordinator_client, data)
    assert response.status_code == 200
    assert preview_rows(response)[2] == (False, "2 Jobcenter Magdeburg Jana Krüger New organization. "
                                                "Contact person added.")
    confirm(coordinator_client, hidden_text(response))
    organization = organization_named("Jobcenter Magdeburg")
    assert (organization.kind, organization.street) == ("job_center", "Otto-von-Guericke-Straße 10")
    assert [p.role for p in organization.contacts] == ["Integrationsberatung"]

    coordinator_client.set_cookie("lang", "de")
    exported = coordinator_client.get("/n/magdeburg/export.csv").data.decode("utf-8-sig")
    assert exported.split("\r\n")[0] == GERMAN_HEADER


def test_comma_separated_windows_1252(coordinator_client):
    data = csv_bytes(
        HEADER.replace(";", ","),
        'Bürgerhaus Salzwedel,association,Lübecker Straße 7,29410,Salzwedel,,,,"Müller, Jörg",Leitung,,',
        "Sprachschule Süd,language_school,Große Straße 1,39104,Magdeburg,,,,,,,",
        encoding="cp1252",
    )
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    response = upload(coordinator_client, data)
    assert response.status_code == 200
    rows = preview_rows(response)
    assert rows[2] == (False, "2 Bürgerhaus Salzwedel Müller, Jörg New organization. Contact person added.")
    assert rows[3] == (False, "3 Sprachschule Süd New organization.")

    confirm(coordinator_client, hidden_text(response))
    organization = organization_named("Bürgerhaus Salzwedel")
    assert organization.street == "Lübecker Straße 7"
    assert [p.name for p in organization.contacts] == ["Müller, Jörg"]
    assert organization_named("Sprachschule Süd").contacts == []


def test_english_headers_in_any_case_and_order(coordinator_client):
    data = csv_bytes(
        " contact E-Mail ; ORGANIZATION;city;contact  person;Kind;Notes",
        "p@example.org;Volkshochschule Magdeburg;Magdeburg;Paula Neumann;Language school;intern",
    )
    response = upload(coordinator_client, data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "These columns were not recognised and are ignored: Notes" in html
    confirm(coordinator_client, hidden_text(response))
    organization = organization_named("Volkshochschule Magdeburg")
    assert (organization.city, organization.kind) == ("Magdeburg", "language_school")
    assert [(p.name, p.email) for p in organization.contacts] == [("Paula Neumann", "p@example.org")]


@pytest.mark.parametrize("data, message", [
    (b"", "The file is empty."),
    (b" \r\n\r\n", "The file is empty."),
    (csv_bytes("Name;Ort", "Caritas;Halle"), "with at least the column “Organization”"),
    (csv_bytes(HEADER), "has a header line (line 1) but no rows"),
    (csv_bytes("Organization;City;Organization", "A;B;C"), "The column “Organization” appears twice"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "This is not a CSV text file"),
    ("Organization;City\r\nCaritas;Halle\r\n".encode("utf-16"), "This is not a CSV text file"),
    (b"Organization;City\r\nCaf\x81;Halle\r\n", "This is not a CSV text file"),  # neither UTF-8 nor cp1252
])
def test_unreadable_files_are_refused(coordinator_client, data, message):
    response = upload(coordinator_client, data)
    assert response.status_code == 422
    html = unescape(response.get_data(as_text=True))
    assert message in html
    assert 'aria-invalid="true"' in html and 'id="csv-file-error"' in html
    assert count(Organization) == 0


def test_more_than_5000_rows_are_refused(coordinator_client):
    data = csv_bytes("Organization", *(f"Organisation {n}" for n in range(5001)))
    response = upload(coordinator_client, data)
    assert response.status_code == 422
    assert "more than 5000 rows" in response.get_data(as_text=True)


# --- Row errors and what happens ----------------------------------------------------

def test_broken_rows_are_reported_with_line_and_column(coordinator_client):
    data = csv_bytes(
        HEADER,
        "Caritas Magdeburg;welfare;Hauptstraße 1;39104;Magdeburg;;;;;;;",
        "Diakonie Mitteldeutschland;welfare;Hauptstraße 2;39104;Magdeburg;;;;;;;;extra",
        "AWO Magdeburg;welfare;;39104;Magdeburg;;;;Ali Demir;;ali.demir(at)awo.de;",
        "Volkssolidarität;welfare;;391O4;Magdeburg;;;;;;;",
        "Bäckerei Schmidt;Bäckerei;;;Magdeburg;;;;;;;",
        ";;;;;;;;Niemand;;;",
        '"Multikulturelles Zentrum;association;;39104;Magdeburg;;;;;;;',
    )
    response = upload(coordinator_client, data)
    assert response.status_code == 200
    rows = preview_rows(response)
    assert rows[2] == (False, "2 Caritas Magdeburg New organization.")
    assert rows[3][0] and "This row has 13 fields, the header line has 12." in rows[3][1]
    assert rows[4][0] and "Column “Contact e-mail”: Please enter a valid e-mail address" in rows[4][1]
    assert rows[5][0] and "Column “Postcode”: A German postcode has five digits." in rows[5][1]
    assert rows[6][0] and "Column “Kind”: Unknown kind “Bäckerei”." in rows[6][1]
    assert rows[7][0] and "Column “Organization”: This field is required." in rows[7][1]
    assert rows[8][0] and "This row has 1 fields" in rows[8][1]  # the quotation mark swallowed the row
    html = response.get_data(as_text=True)
    assert "6 rows have errors and will not be imported" in html
    assert '<a href="#line-4">Line 4</a>' in html
    assert "6 rows with errors will be skipped." in html
    assert ">Import 1 row<" in html
    # Previewing wrote nothing.
    assert count(Organization) == count(Person) == count(Membership) == 0


def test_confirm_writes_the_valid_rows_only(coordinator_client):
    text = "\r\n".join([
        HEADER,
        "Caritas Magdeburg;welfare;;39104;Magdeburg;;;;Anna Schulz;;anna@caritas.example;",
        "AWO Magdeburg;welfare;;39104;Magdeburg;;;;Ali Demir;;ali.demir(at)awo.de;",
        "Stadtbibliothek;authority;;;Magdeburg;;;;;;;",
    ])
    response = confirm(coordinator_client, text)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/n/magdeburg/organizations")
    assert sorted(db.session.scalars(select(Organization.name))) == ["Caritas Magdeburg", "Stadtbibliothek"]
    assert [p.name for p in db.session.scalars(select(Person))] == ["Anna Schulz"]
    page = coordinator_client.get("/n/magdeburg/organizations").get_data(as_text=True)
    assert ("Import finished: 2 organizations created, 0 existing organizations added to this network, "
            "1 contact person added.") in page


def test_confirm_checks_the_text_again(coordinator_client):
    """The hidden field comes from the browser: bad rows in it are not written."""
    text = f"{HEADER}\r\n=cmd;virus;;;;;;;;;;\r\nAWO;welfare;;123;;;;;;;;"
    response = confirm(coordinator_client, text)
    assert response.status_code == 422
    assert count(Organization) == 0
    assert confirm(coordinator_client, "").status_code == 422


def test_organization_already_in_the_network(coordinator_client, make):
    caritas = make.organization(network_or_404("magdeburg"), "Caritas Magdeburg", city="Magdeburg")
    save_person(caritas, None, name="Anna Schulz", email="Anna@Caritas.example")
    db.session.commit()
    data = csv_bytes(
        HEADER,
        "caritas  magdeburg;;;;Halle;;;;;;;",
        "Caritas Magdeburg;;;;;;;;Anna Schulz;Beratung;anna@caritas.example;",
        "Caritas Magdeburg;;;;;;;;Bernd Ott;;;",
    )
    response = upload(coordinator_client, data)
    rows = preview_rows(response)
    assert rows[2] == (False, "2 caritas magdeburg Already in this network: nothing new in this row.")
    assert rows[3] == (False, "3 Caritas Magdeburg Anna Schulz Repeats line 2: skipped.")
    assert rows[4] == (False, "4 Caritas Magdeburg Bernd Ott Contact person added to the organization of line 2.")

    confirm(coordinator_client, hidden_text(response))
    assert count(Organization) == 1
    db.session.expire_all()
    assert caritas.city == "Magdeburg"  # saved details are kept
    assert [p.name for p in caritas.contacts] == ["Anna Schulz", "Bernd Ott"]


def test_same_organization_on_several_rows(coordinator_client):
    data = csv_bytes(
        HEADER,
        "Jobcenter Magdeburg;job_center;;39104;Magdeburg;;;;Jana Krüger;;j.krueger@jc.example;",
        "Jobcenter Magdeburg;job_center;;39104;Magdeburg;;;;Tom Weber;;;",
        "JOBCENTER MAGDEBURG;job_center;;39104;Magdeburg;;;;Jana Krüger;;J.Krueger@jc.example;",
        "Jobcenter Magdeburg;;;;;;;;Tom Weber;;;",
    )
    response = upload(coordinator_client, data)
    rows = preview_rows(response)
    assert rows[2][1].endswith("New organization. Contact person added.")
    assert rows[3][1].endswith("Contact person added to the organization of line 2.")
    assert rows[4][1].endswith("Repeats line 2: skipped.")
    assert rows[5][1].endswith("Repeats line 2: skipped.")
    assert ">Import 2 rows<" in response.get_data(as_text=True)

    confirm(coordinator_client, hidden_text(response))
    organization = organization_named("Jobcenter Magdeburg")
    assert count(Organization) == 1
    assert [(p.name, p.email) for p in organization.contacts] == [
        ("Jana Krüger", "j.krueger@jc.example"), ("Tom Weber", "")]


def test_organization_of_another_network_joins(coordinator_client, make):
    stendal = make.network("stendal")
    agentur = make.organization(stendal, "Agentur für Arbeit", city="Stendal")
    db.session.commit()
    data = csv_bytes(HEADER, "Agentur für Arbeit;job_center;;;Magdeburg;;;;Kai Lange;;;")
    response = upload(coordinator_client, data)
    assert preview_rows(response)[2][1].endswith(
        "Existing organization (from another network) added to this network. Contact person added.")

    confirm(coordinator_client, hidden_text(response))
    assert count(Organization) == 1
    assert is_member(network_or_404("magdeburg"), agentur) and is_member(stendal, agentur)
    db.session.expire_all()
    assert agentur.city == "Stendal"
    assert [p.name for p in agentur.contacts] == ["Kai Lange"]
    page = coordinator_client.get("/n/magdeburg/organizations").get_data(as_text=True)
    assert "1 existing organization added to this network" in page


def test_nothing_importable(coordinator_client, make):
    make.organization(network_or_404("magdeburg"), "Caritas Magdeburg")
    db.session.commit()
    response = upload(coordinator_client, csv_bytes(HEADER, "Caritas Magdeburg;;;;;;;;;;;"))
    html = response.get_data(as_text=True)
    assert "Nothing in this file can be imported." in html
    assert 'name="text"' not in html


def test_repairs_what_excel_does_to_postcodes_and_accepts_kind_labels(coordinator_client):
    data = csv_bytes(
        "Organization;Kind;Postcode;Website",
        "Stadt Halle;public authority;6108;halle.de",
        "Caritas Halle;WELFARE;06110;https://caritas-halle.de",
    )
    confirm(coordinator_client, data.decode("utf-8-sig"))
    halle = organization_named("Stadt Halle")
    assert (halle.kind, halle.postcode, halle.website) == ("authority", "06108", "https://halle.de")
    assert organization_named("Caritas Halle").kind == "welfare"


# --- Export -----------------------------------------------------------------------

def test_export_for_a_german_excel(coordinator_client, make):
    magdeburg = network_or_404("magdeburg")
    caritas = make.organization(magdeburg, "Caritas; Magdeburg", kind="welfare", street='Haus "Am Dom"')
    save_person(caritas, None, name="Anna Schulz", role="Beratung", email="anna@caritas.example")
    save_person(caritas, None, name="Bernd Ott")
    make.organization(magdeburg, "AWO")
    db.session.commit()

    response = coordinator_client.get("/n/magdeburg/export.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(r'attachment; filename="treffpunkt-magdeburg-\d{4}-\d{2}-\d{2}\.csv"',
                        response.headers["Content-Disposition"])
    body = response.data
    assert body.startswith(b"\xef\xbb\xbf")
    lines = body.decode("utf-8-sig").split("\r\n")
    assert lines == [
        HEADER,
        "AWO;Other;;;;;;;;;;",
        '"Caritas; Magdeburg";Welfare association / counselling;"Haus ""Am Dom""";;;;;;Anna Schulz;Beratung;'
        "anna@caritas.example;",
        '"Caritas; Magdeburg";Welfare association / counselling;"Haus ""Am Dom""";;;;;;Bernd Ott;;;',
        "",
    ]


def test_export_escapes_formulas_and_import_takes_them_back(coordinator_client, make, app):
    magdeburg = network_or_404("magdeburg")
    evil = make.organization(magdeburg, '=HYPERLINK("http://evil.example","Klick")', phone="+49 391 5400")
    save_person(evil, None, name="@Anna", role="-Leitung", phone="+49 391 1")
    db.session.commit()

    lines = coordinator_client.get("/n/magdeburg/export.csv").data.decode("utf-8-sig").split("\r\n")
    assert lines[1] == ('"\'=HYPERLINK(""http://evil.example"",""Klick"")";Other;;;;;;\'+49 391 5400;'
                        "'@Anna;'-Leitung;;'+49 391 1")
    with app.test_request_context():
        rows = csv_io.preview(network_or_404("magdeburg"), "\r\n".join(lines)).rows
    assert rows[0].name == '=HYPERLINK("http://evil.example","Klick")'
    assert rows[0].organization["phone"] == "+49 391 5400"
    assert rows[0].contact == {"name": "@Anna", "role": "-Leitung", "email": "", "phone": "+49 391 1"}


def test_export_then_import_into_another_network_gives_the_same_list(coordinator_client, coordinator, make):
    magdeburg = network_or_404("magdeburg")
    stendal = make.network("stendal")
    coordinator.coordinated_networks.append(stendal)
    vhs = make.organization(magdeburg, "Volkshochschule Magdeburg", kind="language_school",
                            street="Leibnizstraße 23", postcode="39104", city="Magdeburg",
                            website="https://vhs.magdeburg.example", email="vhs@magdeburg.example",
                            phone="+49 391 5354770")
    save_person(vhs, None, name="Jörg Müller", role="Fachbereich Deutsch", email="j.mueller@vhs.example",
                phone="0391 1")
    save_person(vhs, None, name="Ayşe Yılmaz", role="Beratung; Integration")
    make.organization(magdeburg, "Halle (Saale) – Stadtverwaltung", kind="authority", postcode="06108")
    db.session.commit()
    exported = coordinator_client.get("/n/magdeburg/export.csv").data

    for organization in db.session.scalars(select(Organization)).all():
        db.session.delete(organization)
    db.session.commit()
    response = upload(coordinator_client, exported, slug="stendal")
    assert all(not error for error, _text in preview_rows(response).values())
    assert confirm(coordinator_client, hidden_text(response), slug="stendal").status_code == 303

    assert coordinator_client.get("/n/stendal/export.csv").data == exported
    assert count(Membership) == 2


# --- Access -----------------------------------------------------------------------

@pytest.mark.parametrize("method, path", [
    ("get", "/n/magdeburg/import"),
    ("post", "/n/magdeburg/import"),
    ("post", "/n/magdeburg/import/confirm"),
    ("get", "/n/magdeburg/export.csv"),
])
def test_only_the_network_coordinators(client, make, method, path):
    make.network("magdeburg")
    stendal = make.network("stendal")
    make.user("other@example.org", coordinates=[stendal])
    db.session.commit()

    anonymous = getattr(client, method)(path)
    assert anonymous.status_code == 302
    assert "/login" in anonymous.headers["Location"]

    make.login(client, "other@example.org")
    assert getattr(client, method)(path).status_code == 403
    assert count(Organization) == 0


def test_column_headers_differ_in_every_language(in_request, app):
    for language in app.config["LANGUAGES"]:
        with force_locale(language):
            labels = list(csv_io.column_labels().values())
        assert len({csv_io._match_key(label) for label in labels}) == len(labels)
