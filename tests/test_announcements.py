"""Announcements (issue 18): coordinators only, CSRF, bad input kept, the time window across a
clock change, sanitized Markdown, the Atom feed, attachments, flat query counts."""
import io
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from PIL import Image

from app.announcements import service
from app.announcements.models import Announcement
from app.core.extensions import db
from app.core.types import utcnow
from app.events.models import Picture

from .factories import local

# The texts compared below are the English source; German is the installation's default.
pytestmark = pytest.mark.config(BABEL_DEFAULT_LOCALE="en")
ATOM = "{http://www.w3.org/2005/Atom}"
# The smallest PDF a reader opens: one empty page.
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
       b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def _png(width=400, height=300) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (30, 120, 140)).save(out, "PNG")
    return out.getvalue()


def _form(**overrides) -> dict:
    data = {"title": "Neue Sprechzeiten", "text": "Ab Montag **dienstags** 9–12 Uhr.", "text_language": "de",
            "from_date": "2026-03-02", "from_time": "", "until_date": "", "until_time": "", "picture_alt": ""}
    data.update(overrides)
    return data


def _announcement(network, title="Sprachcafé zieht um", start=None, end=None, text="Text", **fields):
    announcement = Announcement(network_id=network.id)
    service.save(announcement, title=title, text=text, text_language="de",
                 shows_from=start or utcnow() - timedelta(days=1), shows_until=end, picture_alt="", **fields)
    db.session.flush()
    return announcement


@pytest.fixture
def network(coordinator):
    return coordinator.coordinated_networks[0]


def test_a_coordinator_creates_edits_and_deletes_one(app, network, coordinator_client):
    response = coordinator_client.post("/n/magdeburg/announcements/new", data=_form(
        attachment=(io.BytesIO(_png()), "flyer.png"), picture_alt="Flyer mit den Sprechzeiten"),
        content_type="multipart/form-data")
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    announcement = db.session.scalar(db.select(Announcement))
    assert announcement.title == "Neue Sprechzeiten" and announcement.created_by.email == "coord@example.org"
    assert announcement.shows_from == local(2026, 3, 2) and announcement.shows_until is None
    assert announcement.picture is not None and announcement.picture_alt == "Flyer mit den Sprechzeiten"
    page = coordinator_client.get("/n/magdeburg/announcements").get_data(as_text=True)
    assert "Neue Sprechzeiten" in page and 'aria-current="page">Announcements' in page

    edit = coordinator_client.get(f"/n/magdeburg/announcements/{announcement.id}/edit").get_data(as_text=True)
    assert 'value="2026-03-02"' in edit and "Flyer mit den Sprechzeiten" in edit
    # A PDF replaces the picture, which nothing shows any more and is deleted.
    digest = announcement.picture_hash
    response = coordinator_client.post(f"/n/magdeburg/announcements/{announcement.id}/edit", data=_form(
        title="Neue Sprechzeiten ab März", until_date="2026-03-31",
        attachment=(io.BytesIO(PDF), "Aushang März")), content_type="multipart/form-data")
    assert response.status_code == 303
    db.session.expire_all()
    assert announcement.title == "Neue Sprechzeiten ab März" and announcement.shows_until == local(2026, 4, 1)
    assert announcement.document_name == "Aushang März.pdf" and announcement.picture_hash is None
    assert db.session.get(Picture, digest) is None

    confirm = coordinator_client.get(f"/n/magdeburg/announcements/{announcement.id}/delete").get_data(as_text=True)
    assert "Delete “Neue Sprechzeiten ab März”?" in confirm
    assert coordinator_client.post(f"/n/magdeburg/announcements/{announcement.id}/delete").status_code == 303
    assert db.session.scalar(db.select(Announcement)) is None


def test_only_the_networks_coordinators_manage_its_announcements(app, network, client, make):
    other = make.network("stendal", "Netzwerk Stendal")
    theirs = _announcement(other, "Stendal intern")
    ours = _announcement(network)
    make.user("other@example.org", coordinates=[other])
    make.user("lead@example.org", leads=[make.group(network, "Sprache")])
    db.session.commit()
    pages = ["/n/magdeburg/announcements", "/n/magdeburg/announcements/new",
             f"/n/magdeburg/announcements/{ours.id}/edit", f"/n/magdeburg/announcements/{ours.id}/delete",
             f"/n/magdeburg/announcements/{ours.id}/translations"]
    for page in pages:
        assert client.get(page).status_code == 302  # to the login
    for email in ("other@example.org", "lead@example.org"):
        make.login(client, email)
        for page in pages:
            assert client.get(page).status_code == 403
            if page != pages[0]:
                assert client.post(page, data=_form()).status_code == 403
        client.post("/logout")
    make.login(client, "coord@example.org")
    # Another network's announcement through this network's address: not found.
    assert client.get(f"/n/magdeburg/announcements/{theirs.id}/edit").status_code == 404
    assert client.post(f"/n/magdeburg/announcements/{theirs.id}/delete").status_code == 404
    assert db.session.get(Announcement, theirs.id) is not None


@pytest.mark.config(WTF_CSRF_ENABLED=True)
def test_changes_need_the_csrf_token(app, network, coordinator, client, make):
    from .test_security import _token

    client.post("/login", data={"email": coordinator.email, "password": make.PASSWORD,
                                "csrf_token": _token(client.get("/login").get_data(as_text=True))})
    announcement = _announcement(network)
    db.session.commit()
    assert client.post("/n/magdeburg/announcements/new", data=_form()).status_code == 400
    assert client.post(f"/n/magdeburg/announcements/{announcement.id}/delete").status_code == 400
    page = client.get("/n/magdeburg/announcements/new").get_data(as_text=True)
    assert client.post("/n/magdeburg/announcements/new", data=_form(csrf_token=_token(page))).status_code == 303


@pytest.mark.parametrize("fields, field, message", [
    ({"title": " "}, "title", "Please enter a title."),
    ({"until_date": "2026-03-01"}, "until_date", "The end must be after the start."),
    ({"until_date": "2026-03-02", "until_time": "00:00", "from_time": "08:00"}, "until_time",
     "The end must be after the start."),
    ({"from_date": "2026-03-29", "from_time": "02:30"}, "from_time", "02:30"),  # the clocks skip it
    ({"attachment": (io.BytesIO(b"MZ\x90\x00not a picture"), "bild.png")}, "attachment", "PDF"),
    ({"attachment": (io.BytesIO(b"%PDF-1.4\n" + b"0" * (service.MAX_DOCUMENT_BYTES + 10)), "gross.pdf")},
     "attachment", "10 MB"),
    ({"attachment": (io.BytesIO(_png()), "bild.png")}, "picture_alt", "Please describe the picture"),
])
def test_bad_input_is_said_next_to_its_field_and_nothing_is_lost(app, network, coordinator_client, fields, field,
                                                                  message):
    data = _form(text="Mein **langer** Text, der bleiben muss.", **fields)
    response = coordinator_client.post("/n/magdeburg/announcements/new", data=data,
                                       content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    error = html.split(f'id="{field}-error"', 1)[1].split("</p>", 1)[0]
    assert message in error
    assert "Mein **langer** Text, der bleiben muss." in html
    if "attachment" in fields:  # browsers never refill a file field: the page says so
        assert 'id="attachment-again"' in html
    assert db.session.scalar(db.select(Announcement)) is None


def test_the_window_runs_from_local_midnight_across_the_clock_change(app, network, coordinator_client):
    """From 29 March 2026 (the clocks go forward that night) to 25 October (they go back), as days."""
    response = coordinator_client.post("/n/magdeburg/announcements/new", data=_form(
        from_date="2026-03-29", until_date="2026-10-25"))
    assert response.status_code == 303
    announcement = db.session.scalar(db.select(Announcement))
    assert announcement.shows_from.isoformat() == "2026-03-28T23:00:00+00:00"  # midnight, winter time
    assert announcement.shows_until.isoformat() == "2026-10-25T23:00:00+00:00"  # the next midnight, winter time
    second = timedelta(seconds=1)
    assert service.shown(network, at=announcement.shows_from - second) == []
    assert service.shown(network, at=announcement.shows_from) == [announcement]
    assert service.shown(network, at=announcement.shows_until - second) == [announcement]
    assert service.shown(network, at=announcement.shows_until) == []
    # The form shows it back as typed: days without times.
    edit = coordinator_client.get(f"/n/magdeburg/announcements/{announcement.id}/edit").get_data(as_text=True)
    assert 'value="2026-03-29"' in edit and 'value="2026-10-25"' in edit
    listed = coordinator_client.get("/n/magdeburg/announcements").get_data(as_text=True)
    assert "Mar 29, 2026 to Oct 25, 2026" in listed


def test_recent_and_shown_for_the_newsletter(app, network, make):
    old = _announcement(network, "Vorbei", start=local(2026, 1, 5), end=local(2026, 2, 1))
    january = _announcement(network, "Januar bis März", start=local(2026, 1, 10), end=local(2026, 4, 1))
    open_ended = _announcement(network, "Ohne Ende", start=local(2026, 2, 20))
    _announcement(make.network("stendal"), "Anderes Netzwerk", start=local(2026, 2, 20))
    assert service.recent(network, local(2026, 2, 1), local(2026, 3, 1)) == [open_ended, january]
    assert service.recent(network, local(2026, 1, 1), local(2026, 1, 6)) == [old]
    assert service.shown(network, at=local(2026, 3, 1)) == [open_ended, january]
    assert service.shown(network, at=local(2026, 3, 1), limit=1) == [open_ended]


def test_public_pages_show_only_current_ones_newest_first_sanitized(app, network, client):
    _announcement(network, "Älter", start=utcnow() - timedelta(days=3))
    newer = _announcement(network, "Neuer", start=utcnow() - timedelta(hours=1),
                          text="Hallo <script>alert(1)</script> [x](javascript:alert(2)) **fett**")
    later = _announcement(network, "Geplant", start=utcnow() + timedelta(days=2))
    _announcement(network, "Abgelaufen", start=utcnow() - timedelta(days=9), end=utcnow() - timedelta(days=2))
    db.session.commit()
    for page in ("/n/magdeburg/news", f"/n/magdeburg/news/{newer.id}", "/n/magdeburg", "/"):
        html = client.get(page).get_data(as_text=True)
        assert "Neuer" in html and "Geplant" not in html and "Abgelaufen" not in html
        assert "<script>alert" not in html and 'href="javascript' not in html
    news = client.get("/n/magdeburg/news").get_data(as_text=True)
    assert news.index("Neuer") < news.index("Älter") and "<strong>fett</strong>" in news
    assert '<link rel="alternate" type="application/atom+xml"' in news
    assert client.get(f"/n/magdeburg/news/{later.id}").status_code == 404  # not yet, for the public
    assert "/n/magdeburg/news" in client.get("/n/magdeburg").get_data(as_text=True)  # "all announcements"


def test_the_atom_feed(app, network, client):
    older = _announcement(network, "Älter", start=utcnow() - timedelta(days=3), text="**fett** <script>x()</script>")
    newer = _announcement(network, "Neuer", start=utcnow() - timedelta(hours=1),
                          upload=service.Upload(PDF, True, "Merkblatt.pdf"))
    _announcement(network, "Geplant", start=utcnow() + timedelta(days=2))
    db.session.commit()
    response = client.get("/n/magdeburg/announcements.atom")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.data)
    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}title") and feed.findtext(f"{ATOM}id").startswith("tag:localhost,")
    assert feed.find(f"{ATOM}link[@rel='self']").get("href") == "http://localhost/n/magdeburg/announcements.atom"
    assert feed.findtext(f"{ATOM}author/{ATOM}name") == "Netzwerk Magdeburg"
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["Neuer", "Älter"]
    for entry in entries:
        for child in ("id", "title", "updated", "published", "content", "author"):
            assert entry.find(f"{ATOM}{child}") is not None, child
        assert entry.find(f"{ATOM}link[@rel='alternate']").get("href").startswith("http://localhost/n/magdeburg/news/")
    enclosure = entries[0].find(f"{ATOM}link[@rel='enclosure']")
    assert enclosure.get("type") == "application/pdf" and enclosure.get("length") == str(len(PDF))
    assert client.get(enclosure.get("href")).data == PDF
    content = entries[1].find(f"{ATOM}content")
    assert content.get("type") == "html" and "<strong>fett</strong>" in content.text and "<script" not in content.text
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert len(set(ids)) == 2
    # Edited: the same ids, a new ETag; unchanged: 304.
    etag = response.headers["ETag"]
    assert client.get("/n/magdeburg/announcements.atom", headers={"If-None-Match": etag}).status_code == 304
    newer.title = "Neuer, geändert"
    db.session.commit()
    again = client.get("/n/magdeburg/announcements.atom", headers={"If-None-Match": etag})
    assert again.status_code == 200 and again.headers["ETag"] != etag
    assert [e.findtext(f"{ATOM}id") for e in ET.fromstring(again.data).findall(f"{ATOM}entry")] == ids
    assert older.id  # both stay


def test_attachments_download_with_their_type(app, network, client):
    pdf = _announcement(network, "Mit PDF", upload=service.Upload(PDF, True, "Aushang März.pdf"))
    picture = _announcement(network, "Mit Bild", upload=service.Upload(_png(), False))
    picture.picture_alt = "Das neue Sprachcafé"
    hidden = _announcement(network, "Geplant", start=utcnow() + timedelta(days=1),
                           upload=service.Upload(PDF, True, "geheim.pdf"))
    db.session.commit()
    response = client.get(f"/n/magdeburg/news/{pdf.id}/document.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf" and response.data == PDF
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "filename*=UTF-8''Aushang%20M%C3%A4rz.pdf" in response.headers["Content-Disposition"]
    assert client.get(f"/n/magdeburg/news/{picture.id}/document.pdf").status_code == 404
    assert client.get(f"/n/magdeburg/news/{hidden.id}/document.pdf").status_code == 404
    page = client.get(f"/n/magdeburg/news/{picture.id}").get_data(as_text=True)
    assert 'alt="Das neue Sprachcafé"' in page
    src = page.split('class="announcement-picture" src="', 1)[1].split('"', 1)[0]
    image = client.get(src)
    assert image.status_code == 200 and image.mimetype == "image/webp"
    assert client.get(src.replace(f"/news/{picture.id}/", f"/news/{pdf.id}/")).status_code == 404


def test_pages_run_the_same_queries_for_one_or_many(app, network, coordinator_client, count_queries):
    public = app.test_client()

    def pages():
        for page in ("/n/magdeburg/news", "/n/magdeburg", "/", "/n/magdeburg/announcements.atom"):
            assert public.get(page).status_code == 200
        assert coordinator_client.get("/n/magdeburg/announcements").status_code == 200

    _announcement(network, "Eins", upload=service.Upload(_png(), False))
    few = count_queries(pages)
    for number in range(6):
        _announcement(network, f"Nummer {number}", upload=service.Upload(PDF if number % 2 else _png(number + 50),
                                                                        bool(number % 2), "a.pdf"))
    assert count_queries(pages) == few


def test_the_demo_shows_four_now_one_later_one_ended_and_runs_once(app, network):
    from app.announcements.demo import load_demo_announcements

    load_demo_announcements()
    load_demo_announcements()
    overview = service.overview(network)
    assert (len(overview.current), len(overview.scheduled), len(overview.past)) == (4, 1, 1)
    flyer = next(a for a in overview.current if a.has_document)
    assert flyer.document.startswith(b"%PDF-") and flyer.document_name.endswith(".pdf")


def test_a_pdf_whose_name_leaves_nothing_is_named_after_the_announcement(app, network, client):
    """No made-up (untranslated) word as its name: the announcement's id."""
    assert service.check_upload(PDF, "C:\\Users\\\x07.pdf").name == ""
    announcement = _announcement(network, "Aushang", upload=service.check_upload(PDF, "/.pdf"))
    db.session.commit()
    assert announcement.document_name == f"announcement-{announcement.id}.pdf"
    response = client.get(f"/n/magdeburg/news/{announcement.id}/document.pdf")
    assert f"announcement-{announcement.id}.pdf" in response.headers["Content-Disposition"]


def test_translations_reach_readers_of_that_language(app, network, coordinator_client, client):
    announcement = _announcement(network, "Sprachcafé zieht um", text="Ab Mittwoch in der Stadtbibliothek.")
    db.session.commit()
    page = f"/n/magdeburg/announcements/{announcement.id}/translations"
    assert coordinator_client.get(page + "?language=de").status_code == 404  # its own language
    arabic_fields = {"title": "مقهى اللغة ينتقل", "text": "من الأربعاء في **المكتبة**"}
    assert coordinator_client.post(page + "?language=ar", data=arabic_fields).status_code == 303
    assert "Arabic ✓" in coordinator_client.get(page + "?language=ar").get_data(as_text=True)
    arabic = client.get("/n/magdeburg/news?lang=ar").get_data(as_text=True)
    assert "مقهى اللغة ينتقل" in arabic and "<strong>المكتبة</strong>" in arabic
    german = client.get("/n/magdeburg/news?lang=de").get_data(as_text=True)
    assert "Sprachcafé zieht um" in german and "مقهى" not in german
    entry = ET.fromstring(client.get("/n/magdeburg/announcements.atom?lang=ar").data).find(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == "مقهى اللغة ينتقل"
    assert entry.find(f"{ATOM}content").get("{http://www.w3.org/XML/1998/namespace}lang") == "ar"
    # A line break in a title (a StringField keeps inner ones) becomes a space, as in the original's.
    coordinator_client.post(page + "?language=ar", data={**arabic_fields, "title": "مقهى اللغة\r\nينتقل"})
    db.session.expire_all()
    assert announcement.translations["ar"]["title"] == "مقهى اللغة ينتقل"
    # Both fields emptied: the translation is gone.
    coordinator_client.post(page + "?language=ar", data={"title": "", "text": ""})
    db.session.expire_all()
    assert announcement.translations == {}
