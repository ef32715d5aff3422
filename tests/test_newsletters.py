"""The newsletter (issue 18): composing from blocks (coordinators only), publishing as a web page,
an archive and a tagged PDF, the look back's figures against a hand count, sending once to the
subscribers who asked for it, and flat query counts of the public page."""
import io
import re
import secrets
import shutil
import subprocess
import zlib
from datetime import date, timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm.attributes import set_committed_value

from app.announcements.models import Announcement
from app.core.extensions import db
from app.core.types import utcnow
from app.digest import service as digest
from app.digest.models import Subscription
from app.directory import logo
from app.events import service as events
from app.events.models import Event
from app.events.recurrence import to_local
from app.mail import outbox
from app.mail.models import StoredPdf
from app.newsletters import service
from app.newsletters.models import Newsletter, NewsletterBlock
from app.registrations.models import Registration, RegistrationSettings

from . import factories
from .pdfs import PENDING, fetch_pdf
from .factories import local

# The texts compared below are the English source; German is the installation's default.
pytestmark = pytest.mark.config(BABEL_DEFAULT_LOCALE="en")
HTMX = {"HX-Request": "true"}


@pytest.fixture
def network(coordinator):
    return coordinator.coordinated_networks[0]


def _public_event(network, title, start, hours=2, repeat_count=None):
    kind = next(k for k in events.kinds(network) if k.code == "public_event") if any(
        k.code == "public_event" for k in events.kinds(network)) else events.kinds(network)[0]
    event = Event(network=network, network_id=network.id, kind=kind, kind_id=kind.id, title=title,
                  starts_at=start, ends_at=start + timedelta(hours=hours), status="published", visibility="public",
                  timezone="Europe/Berlin", repeat_interval=1, languages="de", venue_name="Alte Feuerwache",
                  venue_address="Halberstädter Str. 140, 39112 Magdeburg")
    events.save(event, **({"repeat": "weekly", "repeat_count": repeat_count} if repeat_count else {}))
    db.session.flush()
    return event


def _issue(network, title="Newsletter Integration 1/2026", publish=False):
    newsletter = service.create(network, title)
    service.add_block(newsletter, "editorial", title="Liebe Leserinnen und Leser",
                      text="Der **Sommer** kommt.\n\n<script>alert(1)</script>")
    if publish:
        service.publish(newsletter)
    db.session.commit()
    return newsletter


def _url(newsletter, tail=""):
    return f"/n/{newsletter.network.slug}/newsletters/{newsletter.id}{tail}"


def test_the_last_quarter_is_the_one_before_today():
    assert service.last_quarter(date(2026, 12, 3)) == (date(2026, 7, 1), date(2026, 9, 30))
    assert service.last_quarter(date(2026, 1, 1)) == (date(2025, 10, 1), date(2025, 12, 31))
    assert service.last_quarter(date(2026, 4, 30)) == (date(2026, 1, 1), date(2026, 3, 31))


# --- Who may compose --------------------------------------------------------------------------

def test_only_the_networks_coordinators_compose(app, network, client):
    newsletter = _issue(network)
    block = newsletter.blocks[0]
    other = factories.network("salzwedel", "Netzwerk Salzwedel")
    factories.user("other@example.org", coordinates=[other])
    factories.user("lead@example.org", leads=[factories.group(network, "Sprache")])
    db.session.commit()
    gets = ["/n/magdeburg/newsletters", _url(newsletter), _url(newsletter, "/preview"), _url(newsletter, ".pdf"),
            _url(newsletter, "/blocks/new?kind=editorial"), _url(newsletter, f"/blocks/{block.id}")]
    posts = ["/n/magdeburg/newsletters", _url(newsletter, "/title"), _url(newsletter, "/publish"),
             _url(newsletter, "/send"), _url(newsletter, f"/blocks/{block.id}/move"),
             _url(newsletter, f"/blocks/{block.id}/delete"), _url(newsletter, "/blocks/new?kind=editorial")]
    for url in gets:  # nobody logged in: the login page
        assert client.get(url).status_code == 302, url
    for email in ("other@example.org", "lead@example.org"):
        factories.login(client, email)
        for url in gets:
            assert client.get(url).status_code == 403, (email, url)
        for url in posts:
            assert client.post(url, data={"title": "x", "text": "x"}).status_code == 403, (email, url)
        client.post("/logout")
    # Salzwedel's coordinator cannot reach Magdeburg's issue through Salzwedel's address either.
    factories.login(client, "other@example.org")
    assert client.get(f"/n/salzwedel/newsletters/{newsletter.id}").status_code == 404
    assert db.session.get(Newsletter, newsletter.id).title == "Newsletter Integration 1/2026"
    assert db.session.get(Newsletter, newsletter.id).status == "draft"


def _token(html: str) -> str:
    return html.split('name="csrf_token" value="')[1].split('"')[0]


@pytest.mark.config(WTF_CSRF_ENABLED=True)
def test_changes_need_the_csrf_token(app, network, client):
    newsletter = _issue(network)
    block_id = newsletter.blocks[0].id
    client.post("/login", data={"email": "coord@example.org", "password": factories.PASSWORD,
                                "csrf_token": _token(client.get("/login").get_data(as_text=True))})
    assert client.post(_url(newsletter, "/publish")).status_code == 400
    assert client.post(_url(newsletter, f"/blocks/{block_id}/delete")).status_code == 400
    assert client.post("/n/magdeburg/newsletters", data={"title": "Neu"}).status_code == 400
    assert db.session.get(Newsletter, newsletter.id).status == "draft"
    token = _token(client.get(_url(newsletter)).get_data(as_text=True))
    assert client.post(_url(newsletter, "/publish"), data={"csrf_token": token}).status_code == 303
    assert db.session.get(Newsletter, newsletter.id).status == "published"


# --- Composing ----------------------------------------------------------------------------------

def test_a_new_issue_gets_the_next_number_and_a_suggested_title(app, network, coordinator_client):
    page = coordinator_client.get("/n/magdeburg/newsletters").get_data(as_text=True)
    year = date.today().year
    assert f"1/{year}" in page
    response = coordinator_client.post("/n/magdeburg/newsletters", data={"title": "Newsletter Integration 1/2026"})
    assert response.status_code == 303
    created = db.session.query(Newsletter).one()
    assert (created.number, created.status, created.title) == (1, "draft", "Newsletter Integration 1/2026")
    assert coordinator_client.post("/n/magdeburg/newsletters", data={"title": "  "}).status_code == 422
    assert db.session.query(Newsletter).count() == 1


def test_a_title_with_line_breaks_becomes_one_line(app, network, coordinator_client):
    """It becomes the mail's Subject: a line break there would be refused only when sending."""
    response = coordinator_client.post("/n/magdeburg/newsletters", data={"title": "Newsletter\r\nBcc: x@example.org"})
    assert response.status_code == 303
    newsletter = db.session.query(Newsletter).one()
    assert newsletter.title == "Newsletter Bcc: x@example.org"
    coordinator_client.post(_url(newsletter, "/title"), data={"title": "Sommer\n 2026"})
    assert db.session.get(Newsletter, newsletter.id).title == "Sommer 2026"


def test_an_issue_number_taken_meanwhile_goes_to_the_next(app, network, monkeypatch):
    """As when two coordinators create an issue at the same moment: both read the same highest
    number; the second insert hits the unique constraint and takes the next one."""
    first = service.create(network, "Erste")
    db.session.commit()
    real_scalar = db.session.scalar
    # The other coordinator's issue 2 came in after this one read the highest number (1).
    monkeypatch.setattr(db.session, "scalar", lambda query, *a, **kw: 1 if "max" in str(query).lower()
                        else real_scalar(query, *a, **kw))
    db.session.add(Newsletter(network_id=network.id, number=2, title="Zweite", status="draft"))
    db.session.flush()
    third = service.create(network, "Dritte")
    db.session.commit()
    monkeypatch.undo()
    assert (first.number, third.number) == (1, 3)
    assert db.session.query(Newsletter).count() == 3


def test_an_announcement_shows_only_once_it_has_started_in_the_readers_language(app, network, client):
    """Publishing (or the preview) must not reveal one scheduled for later: an issue shows those
    started when it was published."""
    now = utcnow()
    current = Announcement(network_id=network.id, title="Neue Sprechzeiten", text="Ab Juni *dienstags*.",
                           shows_from=now - timedelta(days=3), text_language="de",
                           translations={"en": {"title": "New office hours", "text": "From June on *Tuesdays*."}})
    scheduled = Announcement(network_id=network.id, title="Geheimer Termin", text="Noch nicht öffentlich.",
                             shows_from=now + timedelta(days=5), text_language="de")
    db.session.add_all([current, scheduled])
    newsletter = _issue(network)
    service.add_block(newsletter, "announcements", item_ids=[current.id, scheduled.id])
    service.publish(newsletter, at=now)
    db.session.commit()
    assert [a.id for a in service.content(newsletter).announcements_of(newsletter.blocks[1])] == [current.id]
    page = client.get(f"/n/magdeburg/newsletter/{newsletter.number}?lang=en").get_data(as_text=True)
    assert "New office hours" in page and "<em>Tuesdays</em>" in page and "Neue Sprechzeiten" not in page
    assert "Geheimer Termin" not in page
    german = client.get(f"/n/magdeburg/newsletter/{newsletter.number}?lang=de").get_data(as_text=True)
    assert "Neue Sprechzeiten" in german and "Geheimer Termin" not in german
    # Once it has started, the issue published before still leaves it out (as of its publication) …
    scheduled.shows_from = now - timedelta(hours=1)
    newsletter.published_at = now - timedelta(hours=2)
    db.session.commit()
    assert "Geheimer Termin" not in client.get(f"/n/magdeburg/newsletter/{newsletter.number}").get_data(as_text=True)
    # … and one published later shows it.
    newsletter.published_at = now
    db.session.commit()
    assert "Geheimer Termin" in client.get(f"/n/magdeburg/newsletter/{newsletter.number}").get_data(as_text=True)


def test_each_kind_of_block_is_composed_and_shown(app, network, coordinator_client):
    vhs = factories.organization(network, "Volkshochschule Magdeburg", street="Leibnizstraße 23", postcode="39104",
                                 city="Magdeburg", website="https://www.vhs-magdeburg.de", email="info@vhs.example",
                                 phone="0391 5356770")
    news = Announcement(network_id=network.id, title="Neue Sprechzeiten", text="Ab Juni *dienstags*.",
                        shows_from=utcnow() - timedelta(days=3))
    db.session.add(news)
    cafe = _public_event(network, "Interkulturelles Frühstück", utcnow() + timedelta(days=10))
    newsletter = _issue(network)
    new = _url(newsletter, "/blocks/new?kind=")
    forms = {
        "announcements": {"title": "", "item_ids": [str(news.id)]},
        "portrait": {"organization_id": str(vhs.id), "text": "Kurse für *alle* Sprachniveaus."},
        "counselling": {"title": "Beratung", "text": "- Migrationsberatung, montags 9–12 Uhr"},
        "look_back": {"period_start": "2026-01-01", "period_end": "2026-03-31", "text": "Ein volles Quartal."},
        "coming": {"title": "Termine", "item_ids": [str(cafe.id)]},
    }
    start, end = service.last_quarter(to_local(utcnow(), network.timezone).date())
    assert f'value="{start.isoformat()}"' in coordinator_client.get(new + "look_back").get_data(as_text=True)
    for kind, data in forms.items():
        assert coordinator_client.get(new + kind).status_code == 200
        assert coordinator_client.post(new + kind, data=data).status_code == 303, kind
    newsletter = db.session.get(Newsletter, newsletter.id)
    assert [b.kind for b in newsletter.blocks] == ["editorial", "announcements", "portrait", "counselling",
                                                   "look_back", "coming"]
    portrait = newsletter.blocks[2]
    assert portrait.organization_id == vhs.id and portrait.item_ids == [] and portrait.period_start is None
    assert newsletter.blocks[4].period_start == date(2026, 1, 1)
    preview = coordinator_client.get(_url(newsletter, "/preview")).get_data(as_text=True)
    assert "<strong>Sommer</strong>" in preview and "<script>alert" not in preview
    for text in ("Neue Sprechzeiten", "<em>dienstags</em>", "Volkshochschule Magdeburg", "Leibnizstraße 23",
                 "https://www.vhs-magdeburg.de", "mailto:info@vhs.example", "0391 5356770", "Migrationsberatung",
                 "Ein volles Quartal.", "Interkulturelles Frühstück", f"/events/{cafe.id}", "data:image/svg+xml"):
        assert text in preview, text
    # Editing a block keeps its place and changes its text.
    edit = _url(newsletter, f"/blocks/{portrait.id}")
    assert "Kurse für *alle*" in coordinator_client.get(edit).get_data(as_text=True)
    coordinator_client.post(edit, data={"organization_id": str(vhs.id), "title": "Unser Partner",
                                        "text": "Neu: Abendkurse."})
    assert db.session.get(NewsletterBlock, portrait.id).text == "Neu: Abendkurse."
    assert db.session.get(NewsletterBlock, portrait.id).position == 3


def test_bad_input_gets_a_message_beside_the_field_and_keeps_what_was_typed(app, network, coordinator_client):
    other = factories.network("salzwedel")
    foreign = factories.organization(other, "Fremder Verein")
    db.session.commit()
    newsletter = _issue(network)
    new = _url(newsletter, "/blocks/new?kind=")
    cases = [
        ("editorial", {"title": "Ohne Text", "text": ""}, "Ohne Text"),
        ("counselling", {"title": "", "text": "Beratung jeden Montag"}, "Beratung jeden Montag"),
        ("portrait", {"organization_id": str(foreign.id), "text": "Ein Porträt"}, "Ein Porträt"),
        ("look_back", {"period_start": "2026-04-01", "period_end": "2026-03-01", "text": "Rückblick"},
         'id="period_end-error"'),
        ("look_back", {"period_start": "kein Datum", "period_end": "2026-03-01"}, "kein Datum"),
        ("coming", {"title": "Termine", "item_ids": []}, 'id="item_ids-error"'),
        ("announcements", {"title": "Aktuelles", "item_ids": ["999"]}, "Aktuelles"),
    ]
    for kind, data, kept in cases:
        response = coordinator_client.post(new + kind, data=data)
        html = response.get_data(as_text=True)
        assert response.status_code == 422, kind
        assert 'class="error"' in html and 'aria-invalid="true"' in html or 'class="choices has-error"' in html, kind
        assert kept in html, kind
    assert coordinator_client.get(new + "poem").status_code == 404
    assert coordinator_client.get(new).headers["Location"].endswith("#add")  # no kind: choose one first
    assert len(db.session.get(Newsletter, newsletter.id).blocks) == 1


def test_blocks_move_and_are_deleted_with_and_without_htmx(app, network, coordinator_client):
    newsletter = _issue(network)
    service.add_block(newsletter, "counselling", title="Beratung", text="B")
    service.add_block(newsletter, "counselling", title="Sprechstunden", text="C")
    db.session.commit()
    first, second, third = [b.id for b in newsletter.blocks]
    response = coordinator_client.post(_url(newsletter, f"/blocks/{third}/move"), data={"direction": "up"})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"#block-{third}")
    assert [b.id for b in db.session.get(Newsletter, newsletter.id).blocks] == [first, third, second]
    fragment = coordinator_client.post(_url(newsletter, f"/blocks/{first}/move"), data={"direction": "down"},
                                       headers=HTMX)
    html = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and html.lstrip().startswith('<div id="newsletter-blocks">')
    assert "<html" not in html and html.index("Sprechstunden") < html.index("Liebe Leserinnen")
    assert [b.id for b in db.session.get(Newsletter, newsletter.id).blocks] == [third, first, second]
    # The first cannot move further up.
    coordinator_client.post(_url(newsletter, f"/blocks/{third}/move"), data={"direction": "up"})
    assert [b.id for b in db.session.get(Newsletter, newsletter.id).blocks] == [third, first, second]
    deleted = coordinator_client.post(_url(newsletter, f"/blocks/{first}/delete"), headers=HTMX)
    assert deleted.status_code == 200 and "Liebe Leserinnen" not in deleted.get_data(as_text=True)
    assert coordinator_client.post(_url(newsletter, f"/blocks/{second}/delete")).status_code == 303
    assert [b.id for b in db.session.get(Newsletter, newsletter.id).blocks] == [third]
    assert coordinator_client.post(_url(newsletter, f"/blocks/{second}/delete")).status_code == 404


# --- Publishing, the public page and the archive ---------------------------------------------------

def test_published_issues_are_public_and_drafts_are_not(app, network, coordinator_client, client):
    empty = service.create(network, "Leer")
    db.session.commit()
    public = app.test_client()  # `client` is the coordinator's
    assert '/n/magdeburg/newsletter"' not in public.get("/n/magdeburg").get_data(as_text=True)  # none yet
    refused = coordinator_client.post(_url(empty, "/publish"))
    assert refused.status_code == 422 and "Add at least one block" in refused.get_data(as_text=True)
    spring = _issue(network, "Newsletter Integration 1/2026")
    summer = _issue(network, "Newsletter Integration 2/2026")
    draft = _issue(network, "Newsletter Integration 3/2026")
    for issue, day in ((spring, local(2026, 4, 1, 9)), (summer, local(2026, 7, 1, 9))):
        service.publish(issue, at=day)
    db.session.commit()
    assert coordinator_client.post(_url(draft, "/publish")).status_code == 303
    assert db.session.get(Newsletter, draft.id).published_at is not None
    service.create(network, "Newsletter Integration 4/2026")
    db.session.commit()
    archive = client.get("/n/magdeburg/newsletter").get_data(as_text=True)
    assert archive.index("3/2026") < archive.index("2/2026") < archive.index("1/2026")
    assert "4/2026" not in archive and "Leer" not in archive
    # The network's public page links the newest issue (published last: 3/2026) and the archive.
    network_page = public.get("/n/magdeburg").get_data(as_text=True)
    assert f'/n/magdeburg/newsletter/{draft.number}"' in network_page and '/n/magdeburg/newsletter"' in network_page
    page = client.get(f"/n/magdeburg/newsletter/{summer.number}")
    assert page.status_code == 200 and "Newsletter Integration 2/2026" in page.get_data(as_text=True)
    assert f"/n/magdeburg/newsletter/{summer.number}.pdf" in page.get_data(as_text=True)
    assert client.get(f"/n/magdeburg/newsletter/{empty.number}").status_code == 404
    assert client.get(f"/n/magdeburg/newsletter/{empty.number}.pdf").status_code == 404
    assert client.get("/n/salzwedel/newsletter/1").status_code == 404
    assert client.get("/n/magdeburg/newsletter/99").status_code == 404


# --- The look back: the reports' figures, checked by hand -------------------------------------------

def test_the_look_back_shows_the_hand_counted_figures_of_its_period(app, network, client):
    vhs = factories.organization(network, "VHS Magdeburg", kind="education")
    caritas = factories.organization(network, "Caritas", kind="welfare")
    fest = _public_event(network, "Fest der Begegnung", local(2026, 2, 14, 15))
    cafe = _public_event(network, "Sprachcafé", local(2026, 3, 3, 16), repeat_count=3)  # Mar 3, 10, 17
    _public_event(network, "Nach dem Zeitraum", local(2026, 4, 2, 10))  # not counted: after the period
    for event in (fest, cafe):
        db.session.add(RegistrationSettings(event=event, retention_days=30))

    def register(event, start, organization=None, checked_in=False, status="confirmed"):
        db.session.add(Registration(event_id=event.id, occurrence_start=start, name="P",
                                    email=f"{secrets.token_hex(4)}@example.org",
                                    organization_id=organization.id if organization else None, status=status,
                                    token_hash=secrets.token_hex(32),
                                    checked_in_at=start if checked_in else None))
        db.session.flush()

    register(fest, fest.starts_at, vhs, checked_in=True)
    register(fest, fest.starts_at, caritas, checked_in=True)
    register(fest, fest.starts_at, vhs)
    register(cafe, local(2026, 3, 10, 16), caritas, checked_in=True)
    register(cafe, local(2026, 3, 10, 16), status="cancelled")  # not counted
    newsletter = service.create(network, "Newsletter Integration 1/2026")
    service.add_block(newsletter, "look_back", period_start=date(2026, 1, 1), period_end=date(2026, 3, 31))
    service.publish(newsletter)
    db.session.commit()
    html = client.get("/n/magdeburg/newsletter/1").get_data(as_text=True)
    # By hand: 4 dates held (the fest, three cafés), 4 registrations (the cancelled one not),
    # 3 checked in, 2 organizations (VHS, Caritas).
    figures = html.split('class="newsletters-figures"')[1].split("</dl>")[0]
    assert [part.split("</dd>")[0] for part in figures.split("<dd>")[1:]] == ["4", "4", "3", "2"]
    assert html.count("Sprachcafé") == 3 and "Fest der Begegnung" in html and "Nach dem Zeitraum" not in html


# --- The PDF ------------------------------------------------------------------------------------------

def _png(color=(0, 90, 140)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 40), color).save(out, "PNG")
    return out.getvalue()


def _objects(pdf: bytes) -> bytes:
    """The PDF's dictionaries, also those packed in compressed object streams."""
    streams = re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S)
    unpacked = []
    for stream in streams:
        try:
            unpacked.append(zlib.decompress(stream))
        except zlib.error:  # not deflated (or an image's data)
            continue
    return pdf + b"\n".join(unpacked)


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")
def test_the_pdf_is_tagged_a4_with_the_logo_text_and_qr_codes(app, network, client, tmp_path):
    logo.set_logo(network, _png())
    cafe = _public_event(network, "Interkulturelles Frühstück", utcnow() + timedelta(days=10))
    newsletter = _issue(network)
    service.add_block(newsletter, "coming", item_ids=[cafe.id])
    service.publish(newsletter)
    db.session.commit()
    response = fetch_pdf(client, "/n/magdeburg/newsletter/1.pdf")  # laid out by the worker, tagged
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    objects = _objects(response.data)
    assert b"/StructTreeRoot" in objects and b"/MarkInfo" in objects  # tagged
    assert objects.count(b"/Subtype /Image") >= 1  # the logo (the QR code is a vector drawing)
    path = tmp_path / "newsletter.pdf"
    path.write_bytes(response.data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    for expected in ("Netzwerk Magdeburg", "Newsletter Integration 1/2026", "Liebe Leserinnen und Leser",
                     "Sommer", "Interkulturelles Frühstück", f"/events/{cafe.id}", "1 / 1"):
        assert expected in text, expected
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert "595.276 x 841.89" in info or "595.28 x 841.89" in info  # A4
    assert "Tagged:          yes" in info
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(path), str(tmp_path / "page")],
                       check=True)
        assert (tmp_path / "page-1.png").stat().st_size > 5_000


# --- Sending ---------------------------------------------------------------------------------------------

def _subscriber(network, email, language="de", wants_newsletter=True, confirmed=True):
    digest.subscribe(network, email, language, wants_digest=not wants_newsletter or language == "de",
                     wants_newsletter=wants_newsletter)
    subscription = db.session.query(Subscription).filter_by(email=email).one()
    if confirmed:
        digest.confirm(subscription)
    return subscription


@pytest.mark.config(BABEL_DEFAULT_LOCALE="en", BASE_URL="https://treffpunkt.example")  # one-click: https only
def test_sending_mails_each_subscriber_who_asked_once_in_their_language(app, network, coordinator_client,
                                                                        smtp_server):
    _port, inbox = smtp_server
    newsletter = _issue(network)
    anna = _subscriber(network, "anna@example.org", "de")
    _subscriber(network, "omar@example.org", "en")
    _subscriber(network, "digest-only@example.org", wants_newsletter=False)
    _subscriber(network, "pending@example.org", confirmed=False)
    db.session.commit()
    outbox.work(once=True)
    inbox.messages.clear()  # the subscriptions' own confirmation mails
    refused = coordinator_client.post(_url(newsletter, "/send"))
    assert refused.status_code == 409 and not db.session.get(Newsletter, newsletter.id).sent_at
    service.publish(newsletter)
    db.session.commit()
    page = coordinator_client.get(_url(newsletter)).get_data(as_text=True)
    assert "Send to the 2 subscribers who asked for the newsletter" in page
    assert coordinator_client.post(_url(newsletter, "/send")).status_code == 303
    again = coordinator_client.post(_url(newsletter, "/send"))
    assert again.status_code == 409  # the page says so; nothing is queued again
    outbox.work(once=True)
    by_address = {message["To"]: message for message in inbox.messages}
    assert sorted(by_address) == ["anna@example.org", "omar@example.org"]
    for address, message in by_address.items():
        assert message["Subject"] == "Newsletter Integration 1/2026"
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        unsubscribe = message["List-Unsubscribe"]
        assert unsubscribe.startswith("<https://treffpunkt.example/") and "/unsubscribe" in unsubscribe
        body = message.get_body(("plain",)).get_content()
        assert "https://treffpunkt.example/n/magdeburg/newsletter/1.pdf" in body
    assert by_address["anna@example.org"]["List-Unsubscribe"] == f"<{digest.unsubscribe_url(anna)}>"
    assert "Hello," in by_address["omar@example.org"].get_body(("plain",)).get_content()
    assert "Hallo," in by_address["anna@example.org"].get_body(("plain",)).get_content()
    sent = db.session.get(Newsletter, newsletter.id)
    assert sent.sent_at is not None and sent.sent_count == 2
    page = coordinator_client.get(_url(newsletter)).get_data(as_text=True)
    assert "Sent to 2 subscribers" in page and "/send" not in page


def test_a_second_send_of_the_same_issue_queues_nothing(app, network):
    newsletter = _issue(network, publish=True)
    _subscriber(network, "anna@example.org")
    db.session.commit()
    from app.mail.models import OutboxMail
    before = db.session.query(OutboxMail).count()
    assert service.send(newsletter) == 1
    db.session.commit()
    stale = db.session.get(Newsletter, newsletter.id)
    # As a second tab still sees it (not sent yet): the conditional UPDATE decides.
    set_committed_value(stale, "sent_at", None)
    with pytest.raises(service.NewsletterError):
        service.send(stale)
    db.session.rollback()
    assert db.session.query(OutboxMail).count() == before + 1


# --- Query counts ---------------------------------------------------------------------------------------

def test_the_public_page_runs_the_same_queries_with_more_blocks_and_events(app, network, client, count_queries):
    first = _issue(network, publish=True)
    service.add_block(first, "coming", item_ids=[_public_event(network, "A", utcnow() + timedelta(days=3)).id])
    service.add_block(first, "portrait", organization_id=factories.organization(network, "Caritas").id, text="Rat.")
    second = _issue(network, "Newsletter Integration 2/2026", publish=True)
    for index in range(3):
        ids = [_public_event(network, f"E{index}{n}", utcnow() + timedelta(days=5 + n), repeat_count=4).id
               for n in range(4)]
        service.add_block(second, "coming", item_ids=ids)
        service.add_block(second, "portrait", organization_id=factories.organization(network, f"Verein {index}").id,
                          text="Wir beraten.")
        service.add_block(second, "editorial", text="Mehr Text")
    db.session.commit()
    small = count_queries(lambda: client.get(f"/n/magdeburg/newsletter/{first.number}"))
    large = count_queries(lambda: client.get(f"/n/magdeburg/newsletter/{second.number}"))
    assert large == small


@pytest.mark.config(RATELIMIT_ENABLED=True)
def test_the_public_pdf_is_rate_limited_per_address(app, network, client):
    _issue(network, publish=True)
    answers = [client.get("/n/magdeburg/newsletter/1.pdf").status_code for _ in range(61)]
    assert answers == [200] * 60 + [429]  # room for the waiting page's poll, not for a loop
    assert client.get("/n/magdeburg/newsletter/1").status_code == 200  # the page itself is not limited


def test_a_published_issue_is_laid_out_once_per_language(app, network, client):
    _issue(network, publish=True)
    url = "/n/magdeburg/newsletter/1.pdf"
    for _ in range(3):
        assert PENDING in client.get(url).get_data(as_text=True)
    outbox.run_each_round()
    english = client.get(url)
    assert english.mimetype == "application/pdf"
    assert client.get(url, headers={"If-None-Match": english.headers["ETag"]}).status_code == 304
    german = fetch_pdf(client, url + "?lang=de")
    assert german.mimetype == "application/pdf" and german.headers["ETag"] != english.headers["ETag"]
    assert client.get(url + "?lang=de").headers["ETag"] == german.headers["ETag"]
    assert db.session.scalar(select(func.count()).select_from(StoredPdf)) == 2


# --- The demo ---------------------------------------------------------------------------------------------

def test_the_demo_has_two_past_issues_and_a_draft(app, client):
    from app import demo
    from tests.demo_snapshot import load_demo

    load_demo()
    demo.load_demo()  # twice: nothing added
    db.session.commit()
    issues = db.session.query(Newsletter).order_by(Newsletter.number).all()
    assert [issue.status for issue in issues] == ["published", "published", "draft"]
    spring, summer, draft = issues
    assert spring.published_at < summer.published_at < utcnow() and spring.sent_at and not draft.sent_at
    for issue in (spring, summer):
        kinds = [block.kind for block in issue.blocks]
        assert kinds[0] == "editorial" and kinds.count("portrait") == 2
        assert {"look_back", "coming"} <= set(kinds)
        assert all(block.organization for block in issue.blocks if block.kind == "portrait")
        page = client.get(f"/n/magdeburg/newsletter/{issue.number}")
        assert page.status_code == 200 and issue.title in page.get_data(as_text=True)
    # The first issue looks back on last year, which the reports' demo filled.
    look_back = next(block for block in spring.blocks if block.kind == "look_back")
    assert service.content(spring).look_backs[look_back.id].report.events > 0
    archive = client.get("/n/magdeburg/newsletter").get_data(as_text=True)
    assert archive.index(summer.title) < archive.index(spring.title) and draft.title not in archive
    assert client.get(f"/n/magdeburg/newsletter/{draft.number}").status_code == 404
