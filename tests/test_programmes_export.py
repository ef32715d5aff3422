"""The newspaper export: CSV for a German Excel and XLSX, one row per approved entry in time
order, headers in the page's language, formula injection neutralized in both, coordinators
only, and a number of queries that does not grow with the programme."""
import csv
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from app.core.extensions import db
from app.programmes import review
from tests.factories import local
from tests.test_programmes_campaigns import approved, submit
from tests.test_programmes_campaigns import campaign, english, network  # noqa: F401  (fixtures)

HEADERS_EN = ["Day", "Start", "End", "Title", "Category", "Organizer", "Venue", "Address", "District or place",
              "Step-free", "Languages spoken", "Target groups", "Admission", "Registration needed", "Description",
              "Event page"]


MIMETYPES = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def download(client, campaign, fmt: str) -> bytes:
    response = client.get(f"/campaigns/{campaign.id}/export.{fmt}")
    assert response.status_code == 200 and response.mimetype == MIMETYPES[fmt]
    assert response.headers["Content-Disposition"] == f'attachment; filename="{campaign.slug}.{fmt}"'
    return response.data


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM, else Excel reads Windows-1252
    text = data[3:].decode("utf-8")
    assert text.endswith("\r\n") and text.split("\r\n", 1)[0] == text.split("\n", 1)[0].rstrip("\r")  # CRLF
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def read_xlsx(data: bytes):
    return load_workbook(io.BytesIO(data)).worksheets[0]


@pytest.fixture
def programme(campaign, coordinator):
    """Two approved entries (the later one first in the database), one waiting, one declined."""
    later, earlier = approved(campaign, coordinator, 2)
    later.starts_at, later.ends_at = local(2027, 9, 24, 18), local(2027, 9, 24, 20)
    review.edit_by_coordinator(later, coordinator, title="=HYPERLINK(\"http://evil.example\",\"Klick\")",
                               organization_name="+49 391 123", venue_name="@Halle", district="-Nord",
                               description="## Lesung\n\n**Gedichte** aus [Syrien](https://example.org).",
                               step_free=True, is_free=False, fee="5 €", registration_required=True,
                               languages="de,ar,uk", target_groups="everyone")
    submit(campaign, 5, title="Noch nicht geprüft")
    declined = submit(campaign, 6, title="Abgelehnt")
    review.decline(declined, coordinator, "Passt nicht.")
    db.session.commit()
    return {"earlier": earlier, "later": later}


def test_csv_for_german_excel(english, campaign, programme):
    rows = read_csv(download(english, campaign, "csv"))
    assert rows[0] == HEADERS_EN
    assert len(rows) == 3  # the two approved entries, in time order
    first, second = rows[1], rows[2]
    earlier = programme["earlier"]
    assert first[:4] == ["Tuesday, September 21, 2027", "11:00\u202fAM", "1:00\u202fPM", earlier.title]
    assert first[4:10] == ["Encounter", "Verein 1", "Einewelthaus Raum 1", "Schellingstraße 3-4, 39104 Magdeburg",
                           "Stadtfeld", "no"]
    assert first[10:15] == ["German, Arabic", "Families, Children", "free", "no", "Kaffee und Gespräche."]
    assert first[15] == f"http://localhost/events/{earlier.event_id}"
    # Formula characters at the start of a cell are neutralized; Markdown becomes plain text
    assert second[3] == "'=HYPERLINK(\"http://evil.example\",\"Klick\")"
    assert (second[5], second[6], second[8]) == ("'+49 391 123", "'@Halle", "'-Nord")
    assert second[9:14] == ["yes", "German, Arabic, Ukrainian", "Everyone", "5 €", "yes"]
    assert second[14] == "Lesung\nGedichte aus Syrien."


def test_headers_in_the_page_language(coordinator_client, campaign, programme):
    rows = read_csv(download(coordinator_client, campaign, "csv"))
    # German is the default; without a German catalog entry yet the English msgid shows, so
    # only check that the language follows the page, through the date's weekday name.
    assert rows[1][:3] == ["Dienstag, 21. September 2027", "11:00", "13:00"]


def test_xlsx_reads_back(english, campaign, programme):
    sheet = read_xlsx(download(english, campaign, "xlsx"))
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == HEADERS_EN and all(cell.font.bold for cell in sheet[1])
    assert len(rows) == 3
    assert rows[1][3] == programme["earlier"].title
    assert rows[2][3] == "'=HYPERLINK(\"http://evil.example\",\"Klick\")"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)  # no formula anywhere
    assert (rows[2][5], rows[2][6], rows[2][8]) == ("'+49 391 123", "'@Halle", "'-Nord")
    assert sheet.column_dimensions["D"].width >= 30 and sheet.freeze_panes == "A2"


def test_control_characters_do_not_break_the_xlsx(english, campaign, coordinator):
    approved(campaign, coordinator, 1, title="Tanz\x01abend\x0b", description="Mit\x1f Musik")
    sheet = read_xlsx(download(english, campaign, "xlsx"))
    assert sheet["D2"].value == "Tanzabend" and sheet["O2"].value == "Mit Musik"


def test_an_empty_programme_has_the_headers_only(english, campaign):
    assert read_csv(download(english, campaign, "csv")) == [HEADERS_EN]
    assert [[c.value for c in row] for row in read_xlsx(download(english, campaign, "xlsx"))
            .iter_rows()] == [HEADERS_EN]


def test_queries_do_not_grow_with_the_programme(app, english, network, coordinator, count_queries):
    from tests.test_programmes_campaigns import make_campaign

    small, large = make_campaign(network, title="Klein"), make_campaign(network, title="Gross")
    approved(small, coordinator, 5)
    approved(large, coordinator, 30)
    counts = {}
    for name, chosen in (("small", small), ("large", large)):
        for fmt in ("csv", "xlsx"):
            def get(chosen=chosen, fmt=fmt):
                assert len(download(english, chosen, fmt)) > 500
            counts[(name, fmt)] = count_queries(get)
    assert counts[("small", "csv")] == counts[("large", "csv")] <= 10, counts
    assert counts[("small", "xlsx")] == counts[("large", "xlsx")] <= 10, counts
    assert len(read_csv(download(english, large, "csv"))) == 31


def test_cancelled_entries_are_left_out(english, campaign, coordinator):
    kept, withdrawn = approved(campaign, coordinator, 2)
    review.publish(campaign)
    db.session.commit()
    review.decline(withdrawn, coordinator, "Fällt aus.")
    db.session.commit()
    assert withdrawn.event.status == "cancelled"
    rows = read_csv(download(english, campaign, "csv"))
    assert [row[3] for row in rows[1:]] == [kept.title]


def test_the_start_is_shown_in_the_network_zone_across_the_clock_change(english, campaign, coordinator):
    """The last Sunday of October: 10:00 in Berlin is 09:00 UTC (winter time)."""
    start = local(2027, 10, 31, 10)
    approved(campaign, coordinator, 1, starts_at=start, ends_at=start + timedelta(hours=1))
    rows = read_csv(download(english, campaign, "csv"))
    assert rows[1][:3] == ["Sunday, October 31, 2027", "10:00\u202fAM", "11:00\u202fAM"]
