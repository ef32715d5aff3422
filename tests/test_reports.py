"""Reports (issue 18): figures against a hand-counted fixture, the retention purge, local months
across both clock changes, access, flat query counts and the XLSX export."""
import io
import secrets
import shutil
import subprocess
from datetime import date, timedelta

import pytest
from flask_babel import force_locale

from app.core.extensions import db
from app.events import service as events
from app.events.models import Event
from app.registrations import privacy
from app.registrations.models import Registration, RegistrationSettings
from app.reports import service as reports

from . import factories
from .factories import local
from .pdfs import fetch_pdf


def _event(network, title, start, kind="working_group_meeting", group=None, repeat=None, status="published"):
    kind = next(k for k in events.kinds(network) if k.code == kind)
    event = Event(network=network, network_id=network.id, working_group=group,
                  working_group_id=group.id if group else None, kind=kind, kind_id=kind.id, title=title,
                  starts_at=start, ends_at=start + timedelta(hours=2), status=status, visibility="members",
                  timezone="Europe/Berlin", repeat_interval=1, languages="de")
    events.save(event, **({"repeat": "monthly", "repeat_count": repeat} if repeat else {}))
    db.session.add(RegistrationSettings(event=event, retention_days=30))
    db.session.flush()
    return event


def _register(event, start, status="confirmed", organization=None, organization_name="", language=None,
              checked_in=False):
    db.session.add(Registration(
        event_id=event.id, occurrence_start=start, name="Person", email=f"{secrets.token_hex(4)}@example.org",
        organization_id=organization.id if organization else None, organization_name=organization_name,
        status=status, token_hash=secrets.token_hex(32), language=language,
        checked_in_at=start if checked_in else None))


def _figures(*args, **kwargs):
    with force_locale("en"):  # the labels in English whatever the app's default
        return reports.figures(*args, **kwargs)


@pytest.fixture
def year(coordinator):
    """2026 in Magdeburg, counted by hand in the comments (and in `EXPECTED`)."""
    network = coordinator.coordinated_networks[0]
    sprache, arbeit = factories.group(network, "Sprache"), factories.group(network, "Arbeit")
    vhs = factories.organization(network, "VHS Magdeburg", kind="education")
    caritas = factories.organization(network, "Caritas", kind="welfare")
    jobcenter = factories.organization(network, "Jobcenter", kind="job_center")
    # A monthly series on the 2nd Tuesday across the March clock change: Mar 10, Apr 14, May 12.
    series = _event(network, "AG Sprache", local(2026, 3, 10, 14), group=sprache, repeat=3)
    march, april = local(2026, 3, 10, 14), local(2026, 4, 14, 14)
    _register(series, march, organization=vhs, language="de", checked_in=True)
    _register(series, march, organization=caritas, language="ar", checked_in=True)
    _register(series, march, organization_name="Elternverein", language="uk")
    _register(series, march, status="waiting", language="de")
    _register(series, march, status="cancelled", organization=jobcenter, language="de")
    _register(series, april, organization=vhs, language="de", checked_in=True)
    _register(series, april, language="ar")
    # 00:30 on November 1st is still October 31st in UTC (after the October clock change): November.
    training = _event(network, "Schulung", local(2026, 11, 1, 0, 30), kind="training")
    _register(training, training.starts_at, organization=jobcenter, language="de", checked_in=True)
    _register(training, training.starts_at, status="waiting", language="fa")
    _register(training, training.starts_at, status="waiting", language="fa")
    # 00:30 on April 1st (summer time) is March 31st in UTC: April.
    fest = _event(network, "Fest", local(2026, 4, 1, 0, 30), kind="public_event", group=arbeit)
    _register(fest, fest.starts_at, organization=caritas, language="fa", checked_in=True)
    # Not counted: cancelled and draft events, last year's (but Caritas came then: returning),
    # and 00:30 on 1 January 2027 (still 2026 in UTC).
    gone = _event(network, "Abgesagt", local(2026, 6, 2, 10), status="cancelled")
    _register(gone, gone.starts_at, organization=vhs, language="de", checked_in=True)
    _event(network, "Entwurf", local(2026, 6, 3, 10), status="draft")
    before = _event(network, "Vorjahr", local(2025, 12, 9, 10))
    _register(before, before.starts_at, organization=caritas, language="de", checked_in=True)
    after = _event(network, "Neujahr", local(2027, 1, 1, 0, 30))
    _register(after, after.starts_at, organization_name="Neuer Verein", language="de", checked_in=True)
    db.session.commit()
    return network


EXPECTED = {
    "events": 5,
    "months": {date(2026, 3, 1): (1, 3, 2), date(2026, 4, 1): (2, 3, 2), date(2026, 5, 1): (1, 0, 0),
               date(2026, 11, 1): (1, 1, 1)},  # (dates held, registrations, attended); other months 0
    "kinds": [("Working group meeting", 3), ("Public event", 1), ("Training", 1)],
    "groups": [("Sprache", 3), ("", 1), ("Arbeit", 1)],
    "registrations": 7, "attended": 5, "waiting": 3,
    "organizations": 4, "new": 3, "returning": 1,
    "organization_kinds": [("", 1), ("Education provider", 1), ("Job centre / employment agency", 1),
                           ("Welfare association / counselling", 1)],
    "organization_names": ["Caritas", "Elternverein", "Jobcenter", "VHS Magdeburg"],
}


def _check(report, languages=True):
    assert report.events == EXPECTED["events"]
    assert len(report.months) == 12
    for month in report.months:
        expected = EXPECTED["months"].get(month.month, (0, 0, 0))
        assert (month.events, month.registrations, month.attended) == expected, month.month
    assert report.kinds == EXPECTED["kinds"]
    assert report.groups == EXPECTED["groups"]
    assert (report.registrations, report.attended, report.waiting) == (7, 5, 3)
    assert report.show_up_rate == pytest.approx(5 / 7)
    assert report.organizations == 4
    assert (report.new_organizations, report.returning_organizations) == (3, 1)
    assert report.organization_kinds == EXPECTED["organization_kinds"]
    assert report.organization_names == EXPECTED["organization_names"]
    if languages:
        assert report.languages == [("German", 3), ("Arabic", 2), ("Persian (Farsi/Dari)", 1), ("Ukrainian", 1)]


def test_year_figures_match_the_hand_count(app, year):
    _check(_figures(year, date(2026, 1, 1), date(2026, 12, 31)))


def test_figures_survive_the_retention_purge(app, year):
    # First the first half-year's events (a mix of purged and live), then all of them.
    assert privacy.purge_expired(now=local(2026, 7, 1)).events == 3
    db.session.commit()
    _check(_figures(year, date(2026, 1, 1), date(2026, 12, 31)))
    assert privacy.purge_expired(now=local(2027, 6, 1)).events == 4  # + cancelled, draft, 2027
    db.session.commit()
    assert db.session.query(Registration).count() == 0
    report = _figures(year, date(2026, 1, 1), date(2026, 12, 31))
    _check(report)
    assert report.purged_events == 3


def test_quarter_and_group(app, year):
    q2 = _figures(year, date(2026, 4, 1), date(2026, 6, 30))
    assert [m.month for m in q2.months] == [date(2026, 4, 1), date(2026, 5, 1), date(2026, 6, 1)]
    assert (q2.events, q2.registrations, q2.attended, q2.waiting) == (3, 3, 2, 0)
    # VHS and Caritas registered in March already: both returning.
    assert (q2.organizations, q2.new_organizations, q2.returning_organizations) == (2, 0, 2)
    sprache = next(g for g in year.working_groups if g.name == "Sprache")
    group = _figures(year, date(2026, 1, 1), date(2026, 12, 31), group=sprache)
    assert (group.events, group.registrations, group.attended, group.waiting) == (3, 5, 3, 1)
    assert group.groups == [("Sprache", 3)]


def test_a_period_without_events_is_all_zeros(app, year):
    report = _figures(year, date(2024, 1, 1), date(2024, 12, 31))
    assert report.is_empty and report.registrations == 0 and report.show_up_rate is None
    assert report.organizations == 0 and report.kinds == []


@pytest.mark.parametrize("period, start, end, expected", [
    ("2026", None, None, (date(2026, 1, 1), date(2026, 12, 31))),
    ("2026-Q1", None, None, (date(2026, 1, 1), date(2026, 3, 31))),
    ("2026-q4", None, None, (date(2026, 10, 1), date(2026, 12, 31))),
    ("", "2026-02-03", "2026-02-03", (date(2026, 2, 3), date(2026, 2, 3))),
])
def test_periods(app, period, start, end, expected):
    parsed = reports.parse_period(period, start, end)
    assert (parsed.start, parsed.end) == expected


@pytest.mark.parametrize("period, start, end", [
    ("26", None, None), ("2026-Q5", None, None), ("1999", None, None), ("", None, None),
    ("", "2026-02-03", ""), ("", "2026-02-30", "2026-03-01"), ("", "2026-03-01", "2026-02-01"),
    ("", "2020-01-01", "2026-01-01"),
])
def test_bad_periods(app, period, start, end):
    with pytest.raises(reports.PeriodError):
        reports.parse_period(period, start, end)


def test_the_report_page(app, year, coordinator_client):
    page = coordinator_client.get("/n/magdeburg/reports?period=2026")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count('role="img"') == 2 and "<desc" in html and "<table" in html
    assert "AG-Sitzung" in html  # the kind, in the page's language


def test_the_page_without_a_period_shows_this_year(app, year, coordinator_client):
    assert coordinator_client.get("/n/magdeburg/reports").status_code == 200


@pytest.mark.parametrize("query", ["period=26", "period=&from=&to=", "from=2026-03-01&to=2026-02-01"])
def test_a_bad_period_says_why_next_to_the_field(app, year, coordinator_client, query):
    page = coordinator_client.get(f"/n/magdeburg/reports?{query}")
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    assert 'aria-invalid="true"' in html and 'class="error"' in html


def test_a_period_without_events_says_so(app, year, coordinator_client):
    page = coordinator_client.get("/n/magdeburg/reports?period=2024-Q2")
    assert page.status_code == 200
    assert 'role="status"' in page.get_data(as_text=True)


def test_the_xlsx_holds_the_hand_counted_numbers(app, year, coordinator_client):
    from openpyxl import load_workbook

    response = coordinator_client.get("/n/magdeburg/reports.xlsx?period=2026")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    # overview, months, kinds, groups, organization kinds, languages, Intercultural Week districts, names
    assert len(book.sheetnames) == 8
    assert book.worksheets[6].max_row == 1  # no Intercultural Week in 2026: the header only
    overview, months, languages = book.worksheets[0], book.worksheets[1], book.worksheets[5]
    assert [cell.value for cell in overview["B"]][1:] == [5, 7, 5, pytest.approx(5 / 7), 3, 4, 3, 1]
    assert overview["B5"].number_format == "0.0%" and overview["B2"].number_format == "#,##0"
    assert overview["A1"].font.bold and overview.freeze_panes == "A2"
    assert months.max_row == 13
    assert [months.cell(row, 2).value for row in range(2, 14)] == [0, 0, 1, 2, 1, 0, 0, 0, 0, 0, 1, 0]
    assert [months.cell(row, 3).value for row in range(2, 14)] == [0, 0, 3, 3, 0, 0, 0, 0, 0, 0, 1, 0]
    assert months["A4"].value.month == 3
    assert [count for _label, count in languages.iter_rows(min_row=2, values_only=True)] == [3, 2, 1, 1]
    assert [name for (name,) in book.worksheets[7].iter_rows(min_row=2, values_only=True)] == \
        EXPECTED["organization_names"]
    assert coordinator_client.get("/n/magdeburg/reports.xlsx?period=x").status_code == 422


def test_access(app, year, client, make):
    assert client.get("/n/magdeburg/reports?period=2026").status_code == 302  # to the login
    sprache = next(g for g in year.working_groups if g.name == "Sprache")
    arbeit = next(g for g in year.working_groups if g.name == "Arbeit")
    make.user("lead@example.org", leads=[sprache])
    make.user("other@example.org", coordinates=[make.network("halle")])
    db.session.commit()
    make.login(client, "lead@example.org")
    assert client.get("/n/magdeburg/reports?period=2026").status_code == 403  # not the whole network
    assert client.get(f"/n/magdeburg/reports?period=2026&group={arbeit.id}").status_code == 403
    assert client.get(f"/n/magdeburg/reports.xlsx?period=2026&group={arbeit.id}").status_code == 403
    page = client.get(f"/n/magdeburg/reports?period=2026&group={sprache.id}")
    assert page.status_code == 200 and "<dd>3</dd>" in page.get_data(as_text=True)
    client.post("/logout")
    make.login(client, "other@example.org")
    assert client.get("/n/magdeburg/reports?period=2026").status_code == 403
    assert client.get(f"/n/halle/reports?period=2026&group={sprache.id}").status_code == 404


def test_the_page_runs_the_same_queries_for_little_and_much_data(app, year, coordinator_client, count_queries):
    def page():
        assert coordinator_client.get("/n/magdeburg/reports?period=2026").status_code == 200

    small = count_queries(page)
    sprache = next(g for g in year.working_groups if g.name == "Sprache")
    for month in range(1, 13):
        event = _event(year, f"Mehr {month}", local(2026, month, 20, 18), kind="exchange", group=sprache, repeat=2)
        for number in range(5):
            organization = factories.organization(year, f"Verein {month}-{number}", kind="association")
            _register(event, event.starts_at, organization=organization, language="tr", checked_in=number % 2 == 0)
    privacy.purge_expired(now=local(2026, 5, 1))
    db.session.commit()
    assert count_queries(page) == small


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) is not installed")
def test_the_pdf_has_the_logo_figures_and_charts(app, year, coordinator_client):
    from PIL import Image

    from app.directory.logo import set_logo
    from tests.browser.conftest import SCREENSHOTS

    logo = io.BytesIO()
    Image.new("RGB", (120, 40), "#0b5c6b").save(logo, "PNG")
    set_logo(year, logo.getvalue())
    db.session.commit()
    response = fetch_pdf(coordinator_client, "/n/magdeburg/reports.pdf?period=2026")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=response.data, capture_output=True,
                          check=True).stdout.decode()
    assert "Netzwerk Magdeburg" in text and "2026" in text and "71 %" in text  # the show-up rate, 5 of 7
    images = subprocess.run(["pdfimages", "-list", "-"], input=response.data, capture_output=True).stdout.decode()
    assert "png" in images or "image" in images  # the logo
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / "reports-pdf.pdf"
    path.write_bytes(response.data)
    subprocess.run(["pdftoppm", "-r", "70", "-png", str(path), str(SCREENSHOTS / "reports-pdf")], check=True)
    assert SCREENSHOTS.glob("reports-pdf-*.png")


def test_registrations_over_time_for_one_event(app, year, make):
    from flask import render_template

    from app.core.types import utcnow

    series = db.session.query(Event).filter_by(title="AG Sprache").one()
    # Registered at 23:30 UTC on 1 March: already 2 March in Berlin.
    late = db.session.query(Registration).filter_by(event_id=series.id, status="waiting").one()
    late.created_at = local(2026, 3, 2, 0, 30)
    for registration, day in zip(db.session.query(Registration).filter(
            Registration.event_id == series.id, Registration.status == "confirmed").order_by(Registration.id),
            (1, 1, 3, 3, 5)):
        registration.created_at = local(2026, 3, day, 9)
    db.session.commit()
    points = reports.registrations_over_time(series)
    assert points == [(date(2026, 3, 1), 2), (date(2026, 3, 2), 3), (date(2026, 3, 3), 5), (date(2026, 3, 5), 6)]
    assert [total for _day, total in reports.registrations_over_time(series, local(2026, 4, 14, 14))] == [1, 2]
    with app.test_request_context():
        html = render_template("reports/_registrations_line.html", points=points)
    assert 'role="img"' in html and "<polyline" in html and html.count("<tr>") == 5
    # ... and it is on the event's registrations page (a template global: registrations does not import reports).
    client = app.test_client()
    make.login(client, "coord@example.org")
    page = client.get(f"/events/{series.id}/registrations?at={local(2026, 3, 10, 14):%Y%m%dT%H%M%SZ}")
    assert page.status_code == 200 and "chart-registrations-over-time" in page.get_data(as_text=True)
    privacy.purge_expired(now=utcnow() + timedelta(days=3650))
    assert reports.registrations_over_time(series) == []


def test_months_are_local_on_both_sides_of_both_clock_changes(app, make):
    network = make.network("halle")
    for wall in [(2026, 3, 31, 23, 30), (2026, 10, 1, 0, 30), (2026, 10, 31, 23, 30), (2026, 3, 1, 0, 30)]:
        _event(network, f"Termin {wall}", local(*wall))
    db.session.commit()
    report = _figures(network, date(2026, 1, 1), date(2026, 12, 31))
    # 31 March 23:30 is 21:30 UTC; 1 October 00:30 is 30 September 22:30 UTC; 31 October 23:30 is 22:30 UTC.
    assert {m.month.month: m.events for m in report.months if m.events} == {3: 2, 10: 2}
    march = _figures(network, date(2026, 3, 1), date(2026, 3, 1))  # one day, starting at local midnight
    assert march.events == 1


def test_intercultural_week_entries_by_district(app, year, coordinator):
    from .test_programmes_public import YEAR, entry, make_programme

    p = make_programme(network=year, coordinator=coordinator)
    entry(p, "Stadtfest", district="Stadtfeld")
    entry(p, "Lesung", day=2, district=" Stadtfeld ")  # the same district, typed with spaces
    entry(p, "Kochen", day=3, district="Altstadt")
    entry(p, "Ohne Ort", day=4, district="")
    entry(p, "Noch nicht geprüft", day=5, district="Altstadt", approve=False)  # not approved: not counted
    db.session.commit()
    report = _figures(year, date(YEAR, 1, 1), date(YEAR, 12, 31))
    assert report.districts == [("Stadtfeld", 2), ("", 1), ("Altstadt", 1)]
    # Another year has none, and a group's report leaves the Intercultural Week out.
    assert _figures(year, date(YEAR - 1, 1, 1), date(YEAR - 1, 12, 31)).districts == []
    sprache = next(g for g in year.working_groups if g.name == "Sprache")
    assert _figures(year, date(YEAR, 1, 1), date(YEAR, 12, 31), sprache).districts == []


def test_the_intro_text_is_kept_per_report_and_printed(app, year, coordinator_client):
    page = "/n/magdeburg/reports?period=2026"
    response = coordinator_client.post("/n/magdeburg/reports/intro?period=2026",
                                       data={"text": "Das Jahr **2026** <script>x()</script>"})
    assert response.status_code == 303 and response.headers["Location"].endswith("period=2026#report-intro")
    html = coordinator_client.get(page).get_data(as_text=True)
    assert "<strong>2026</strong>" in html and "<script>x()" not in html
    # Another period, and a group's report of the same period, have their own (none yet).
    assert "<strong>2026</strong>" not in coordinator_client.get("/n/magdeburg/reports?period=2026-Q1").get_data(
        as_text=True)
    sprache = next(g for g in year.working_groups if g.name == "Sprache")
    assert "<strong>2026</strong>" not in coordinator_client.get(
        f"/n/magdeburg/reports?period=2026&group={sprache.id}").get_data(as_text=True)
    if shutil.which("pdftotext"):
        pdf = fetch_pdf(coordinator_client, "/n/magdeburg/reports.pdf?period=2026").data
        text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
        assert "Das Jahr 2026" in text
    # Too long: said next to the field, and the typed text stays in it.
    long_text = "x" * 10_001
    response = coordinator_client.post("/n/magdeburg/reports/intro?period=2026",
                                       data={"text": long_text})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'aria-invalid="true"' in html and long_text in html and "<details class=\"report-intro-edit\" open>" in html
    # Emptied: gone.
    coordinator_client.post("/n/magdeburg/reports/intro?period=2026", data={"text": " "})
    assert "<strong>2026</strong>" not in coordinator_client.get(page).get_data(as_text=True)


@pytest.mark.config(WTF_CSRF_ENABLED=True)
def test_the_intro_needs_the_csrf_token(app, year, coordinator, client, make):
    from .test_security import _token

    client.post("/login", data={"email": coordinator.email, "password": make.PASSWORD,
                                "csrf_token": _token(client.get("/login").get_data(as_text=True))})
    page = client.get("/n/magdeburg/reports?period=2026").get_data(as_text=True)
    assert client.post("/n/magdeburg/reports/intro?period=2026", data={"text": "Mit"}).status_code == 400
    assert client.post("/n/magdeburg/reports/intro?period=2026",
                       data={"text": "Mit", "csrf_token": _token(page)}).status_code == 303


def test_only_who_may_see_a_report_writes_its_intro(app, year, client, make):
    sprache = next(g for g in year.working_groups if g.name == "Sprache")
    make.user("lead@example.org", leads=[sprache])
    db.session.commit()
    assert client.post("/n/magdeburg/reports/intro?period=2026", data={"text": "x"}).status_code == 302  # log in
    make.login(client, "lead@example.org")
    assert client.post("/n/magdeburg/reports/intro?period=2026",
                       data={"text": "x"}).status_code == 403
    assert client.post(f"/n/magdeburg/reports/intro?period=2026&group={sprache.id}",
                       data={"text": "Die AG Sprache"}).status_code == 303
    assert "Die AG Sprache" in client.get(f"/n/magdeburg/reports?period=2026&group={sprache.id}").get_data(
        as_text=True)


def test_the_demo_has_last_years_report(app):
    from app.core.types import utcnow
    from tests.demo_snapshot import load_demo
    from app.directory.models import Network

    load_demo()
    network = db.session.query(Network).filter_by(slug="magdeburg").one()
    year = reports.to_local(utcnow(), network.timezone).year - 1
    report = _figures(network, date(year, 1, 1), date(year, 12, 31))
    # 4 network meetings, 3 groups × 9 meetings, 3 trainings and 2 public events (reports/demo.py).
    assert report.events == 36
    assert report.registrations > report.attended > 0 and report.waiting > 0 and report.organizations > 10
    # January to August (23 events) are read from the anonymous counts (purged on 1 October with 30
    # days' retention); from September on (2 network meetings, 3 × 3 group meetings, a training and
    # a public event: 13) from the live registrations.
    assert sum(month.events for month in report.months[:8]) == 23 == report.purged_events


def test_only_the_period_and_group_pass_into_the_pages_links(app, year, coordinator_client):
    page = coordinator_client.get("/n/magdeburg/reports?period=2026&slug=x&_external=1&_anchor=y")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'href="/n/magdeburg/reports.pdf?period=2026"' in html
    assert 'action="/n/magdeburg/reports/intro?period=2026"' in html


def test_a_network_has_one_intro_per_report(app, year):
    from sqlalchemy.exc import IntegrityError

    from app.reports.models import ReportIntro

    db.session.add_all([ReportIntro(network_id=year.id, period="2026", text="a"),
                        ReportIntro(network_id=year.id, period="2026", text="b")])
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
