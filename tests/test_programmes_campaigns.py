"""The coordinator's campaign pages: the network's programmes, creating and editing a campaign
(messages beside the fields), its home with the submission link and publishing, categories and
partners. Every route refuses anonymous visitors, other networks' coordinators and group leads,
and answers 404 for what does not exist."""
import html
import io
import re
from datetime import date, timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select

from app.core.extensions import db
from app.core.types import utcnow
from app.directory import service as directory
from app.events import recurrence
from app.events.models import Event
from app.programmes import review, service
from app.programmes.forms import intercultural_week
from app.programmes.models import Campaign, Category, Partner, Submission
from tests.factories import local

# The campaign's own routes (A's part), with how they are called.
CAMPAIGN_ROUTES = [
    ("GET", "programmes.campaigns"), ("GET", "programmes.new_campaign"), ("POST", "programmes.new_campaign"),
    ("GET", "programmes.campaign"), ("GET", "programmes.edit_campaign"), ("POST", "programmes.edit_campaign"),
    ("GET", "programmes.categories"), ("POST", "programmes.categories"), ("POST", "programmes.category"),
    ("GET", "programmes.partners"), ("POST", "programmes.partners"), ("POST", "programmes.partner"),
    ("POST", "programmes.renew_link"), ("POST", "programmes.publish"), ("POST", "programmes.unpublish"),
    ("GET", "programmes.export"),
]


# --- Set-up shared by the campaign and export tests ------------------------------------------

def make_campaign(network, **overrides) -> Campaign:
    today = date.today()
    fields = {"title": "Interkulturelle Woche 2027", "year": 2027, "motto": "Neue Räume",
              "starts_on": date(2027, 9, 19), "ends_on": date(2027, 9, 26),
              "submissions_from": today - timedelta(days=10), "submissions_until": today + timedelta(days=30),
              "contact_email": "iwo@magdeburg.example"}
    fields.update(overrides)
    campaign = service.create_campaign(network, **fields)
    db.session.flush()
    return campaign


def submit(campaign, number=0, **overrides) -> Submission:
    """A complete submission, waiting for review."""
    start = local(2027, 9, 20 + number % 6, 10 + number % 8)
    fields = {"title": f"Begegnungscafé {number}", "description": "Kaffee und **Gespräche**.",
              "category_id": campaign.categories[0].id, "starts_at": start, "ends_at": start + timedelta(hours=2),
              "venue_name": f"Einewelthaus Raum {number}", "venue_address": "Schellingstraße 3-4, 39104 Magdeburg",
              "district": "Stadtfeld", "organization_name": f"Verein {number}", "contact_name": "Anna Berg",
              "contact_email": f"anna{number}@example.org", "languages": "de,ar", "target_groups": "families,children"}
    fields.update(overrides)
    return service.start(campaign, **fields)


def approved(campaign, user, count=1, **overrides) -> list[Submission]:
    found = []
    for number in range(count):
        submission = submit(campaign, number, **overrides)
        review.approve(submission, user)
        found.append(submission)
    db.session.commit()
    return found


@pytest.fixture
def network(coordinator):
    return directory.network_or_404("magdeburg")


@pytest.fixture
def campaign(network):
    campaign = make_campaign(network)
    db.session.commit()
    return campaign


@pytest.fixture
def english(coordinator_client):
    coordinator_client.set_cookie("lang", "en", domain="localhost")
    return coordinator_client


def png(size=(40, 20)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def text(response) -> str:
    return response.get_data(as_text=True)


# --- Deny by default ----------------------------------------------------------------------------

def _url(app, endpoint, campaign, **values) -> str:
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    known = {"slug": "magdeburg", "campaign_id": campaign.id, "category_id": campaign.categories[0].id,
             "partner_id": campaign.partners[0].id if campaign.partners else 0, "fmt": "csv", **values}
    return app.url_map.bind("localhost").build(endpoint, {name: known[name] for name in rule.arguments})


def test_every_campaign_route_needs_a_coordinator_of_the_network(app, client, make, campaign):
    campaign.partners.append(Partner(name="Stadt Magdeburg", position=0))
    make.user("fremd@example.org", coordinates=[make.network("halle", "Netzwerk Halle")])
    make.user("lead@example.org", leads=[make.group(directory.network_or_404("magdeburg"), "Sprache")])
    db.session.commit()
    requests = [(method, _url(app, endpoint, campaign)) for method, endpoint in CAMPAIGN_ROUTES]
    for method, url in requests:
        response = client.open(url, method=method, data={"action": "remove", "name": "x"})
        assert response.status_code == 302 and "/login" in response.headers["Location"], (method, url)
    for email in ("fremd@example.org", "lead@example.org"):
        other = app.test_client()
        make.login(other, email)
        for method, url in requests:
            response = other.open(url, method=method, data={"action": "remove", "name": "x"})
            assert response.status_code == 403, (email, method, url, response.status_code)
    db.session.expire_all()
    assert campaign.status == "draft" and len(campaign.partners) == 1 and len(campaign.categories) == 8
    assert db.session.scalar(select(func.count()).select_from(Campaign)) == 1


def test_unknown_things_answer_404(app, coordinator_client, make, campaign):
    other = make_campaign(make.network("halle"), title="Woche in Halle")
    db.session.commit()
    for method, endpoint in CAMPAIGN_ROUTES:
        unknown = {"slug": "nowhere"} if endpoint in ("programmes.campaigns", "programmes.new_campaign") \
            else {"campaign_id": 99999}
        response = coordinator_client.open(_url(app, endpoint, campaign, **unknown), method=method,
                                           data={"action": "remove"})
        assert response.status_code == 404, (method, endpoint)
    # A category or partner of another campaign, an unknown one, an unknown export format
    foreign = other.categories[0].id
    for url in (f"/campaigns/{campaign.id}/categories/{foreign}", f"/campaigns/{campaign.id}/categories/99999",
                f"/campaigns/{campaign.id}/partners/99999"):
        assert coordinator_client.post(url, data={"action": "remove"}).status_code == 404, url
    assert coordinator_client.get(f"/campaigns/{campaign.id}/export.pdf").status_code == 404
    assert db.session.get(Category, foreign) is not None


def test_a_get_never_changes_anything(app, coordinator_client, campaign):
    key = campaign.submission_key
    for path in ("link", "publish", "unpublish"):
        assert coordinator_client.get(f"/campaigns/{campaign.id}/{path}").status_code == 405
    db.session.expire_all()
    assert campaign.submission_key == key and campaign.status == "draft"


# --- The network's programmes -------------------------------------------------------------------

def test_the_programmes_tab_is_there_for_coordinators_only(app, client, coordinator_client, make, campaign):
    page = text(coordinator_client.get("/n/magdeburg"))
    assert 'href="/n/magdeburg/programmes"' in page
    make.user("lead@example.org", leads=[make.group(directory.network_or_404("magdeburg"), "Sprache")])
    db.session.commit()
    lead = app.test_client()
    make.login(lead, "lead@example.org")
    assert "/n/magdeburg/programmes" not in text(lead.get("/n/magdeburg"))


def test_the_list_shows_each_campaign_with_its_counts(english, coordinator, network, campaign):
    approved(campaign, coordinator, 2)
    submit(campaign, 5)
    make_campaign(network, title="Interkulturelle Woche 2026", year=2026, starts_on=date(2026, 9, 20),
                  ends_on=date(2026, 9, 27))
    db.session.commit()
    page = text(english.get("/n/magdeburg/programmes"))
    assert page.index("Interkulturelle Woche 2027") < page.index("Interkulturelle Woche 2026")  # newest first
    assert 'aria-current="page">Programmes' in page
    assert f'href="/campaigns/{campaign.id}/submissions?status=submitted">Waiting for review: 1<' in page
    assert f'href="/campaigns/{campaign.id}/submissions?status=approved">Approved: 2<' in page
    assert "3 submissions in all" in page
    assert "New programme" in page and 'href="/n/magdeburg/programmes/new"' in page


def test_no_programmes_yet(english, network):
    assert "No programmes yet." in text(english.get("/n/magdeburg/programmes"))


# --- Creating and editing -----------------------------------------------------------------------

def test_intercultural_week_runs_in_late_september():
    assert intercultural_week(2024) == (date(2024, 9, 22), date(2024, 9, 29))
    assert intercultural_week(2025) == (date(2025, 9, 21), date(2025, 9, 28))
    assert intercultural_week(2026) == (date(2026, 9, 20), date(2026, 9, 27))


def test_a_new_programme_is_prefilled_with_the_coming_week(english, network):
    page = text(english.get("/n/magdeburg/programmes/new"))
    today = recurrence.to_local(utcnow(), network.timezone).date()
    starts, ends = intercultural_week(today.year)
    if starts < today:
        starts, ends = intercultural_week(today.year + 1)
    assert f'value="Intercultural Week {starts.year}"' in page and f'value="{starts.year}"' in page
    for day in (starts, ends, today, max(starts - timedelta(weeks=6), today)):
        assert f'value="{day.isoformat()}"' in page, day
    assert 'value="coord@example.org"' in page


def _campaign_form(**overrides) -> dict:
    data = {"title": "Interkulturelle Woche 2027", "year": "2027", "motto": "Neue Räume",
            "intro": "Eine Woche voller **Begegnungen**.", "starts_on": "2027-09-19", "ends_on": "2027-09-26",
            "submissions_from": "2027-05-01", "submissions_until": "2027-08-08",
            "contact_email": "iwo@magdeburg.example"}
    data.update(overrides)
    return data


def test_create_a_programme(english, network):
    response = english.post("/n/magdeburg/programmes/new", data=_campaign_form())
    assert response.status_code == 303
    campaign = db.session.scalar(select(Campaign))
    assert response.headers["Location"].endswith(f"/campaigns/{campaign.id}")
    assert (campaign.title, campaign.year, campaign.motto, campaign.status) == (
        "Interkulturelle Woche 2027", 2027, "Neue Räume", "draft")
    assert (campaign.starts_on, campaign.submissions_until) == (date(2027, 9, 19), date(2027, 8, 8))
    assert campaign.slug == "magdeburg-interkulturelle-woche-2027"
    assert [c.code for c in campaign.categories][:3] == ["encounter", "workshop", "art"]
    page = text(english.get(response.headers["Location"]))
    assert "The programme was created." in page


@pytest.mark.parametrize("overrides, field, message", [
    ({"ends_on": "2027-09-18"}, "ends_on", "The last day must not be before the first."),
    ({"submissions_until": "2027-04-30"}, "submissions_until", "Submissions must close after they open."),
    ({"title": "x" * 201}, "title", "Field cannot be longer than 200 characters."),
    ({"motto": "x" * 201}, "motto", "Field cannot be longer than 200 characters."),
    ({"intro": "x" * 5001}, "intro", "at most 5000 characters; this one has 5001"),
    ({"title": "  "}, "title", "This field is required."),
    ({"year": "1999"}, "year", "Please enter a year between 2000 and 2100."),
    ({"year": "zwei"}, "year", ""),
    ({"starts_on": ""}, "starts_on", "Please enter the date."),
    ({"starts_on": "19.09.2027"}, "starts_on", "Please enter a date, e.g. 2027-03-04."),
    ({"ends_on": "3027-09-26"}, "ends_on", "This date is too far away."),
    ({"contact_email": "iwo@"}, "contact_email", "Please enter a valid e-mail address"),
])
def test_bad_input_is_shown_beside_its_field(english, network, overrides, field, message):
    response = english.post("/n/magdeburg/programmes/new", data=_campaign_form(**overrides))
    assert response.status_code == 422
    page = text(response)
    error = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', page)
    assert error and message in error.group(1), page[-4000:]
    assert re.search(rf'<(input|textarea)[^>]*aria-describedby="[^"]*{field}-error"[^>]*autofocus', page)
    assert db.session.scalar(select(func.count()).select_from(Campaign)) == 0


def test_htmx_gets_the_form_alone(english, network):
    response = english.post("/n/magdeburg/programmes/new", data=_campaign_form(ends_on="2027-01-01"),
                            headers={"HX-Request": "true"})
    assert response.status_code == 422
    assert "<html" not in text(response) and 'id="ends_on-error"' in text(response)
    response = english.post("/n/magdeburg/programmes/new", data=_campaign_form(), headers={"HX-Request": "true"})
    assert response.status_code == 204 and response.headers["HX-Redirect"].startswith("/campaigns/")


def test_edit_a_programme_keeps_its_address(english, campaign):
    slug = campaign.slug
    page = text(english.get(f"/campaigns/{campaign.id}/edit"))
    assert 'value="Interkulturelle Woche 2027"' in page and 'value="Neue Räume"' in page
    response = english.post(f"/campaigns/{campaign.id}/edit",
                            data=_campaign_form(title="IKW 2027", motto="Dazugehören"))
    assert response.status_code == 303
    db.session.expire_all()
    assert (campaign.title, campaign.motto, campaign.slug) == ("IKW 2027", "Dazugehören", slug)
    response = english.post(f"/campaigns/{campaign.id}/edit", data=_campaign_form(ends_on="2027-09-01"))
    assert response.status_code == 422 and "The last day must not be before the first." in text(response)
    db.session.expire_all()
    assert campaign.ends_on == date(2027, 9, 26)


# --- The campaign's home ------------------------------------------------------------------------

def test_the_home_page_shows_counts_link_and_snippet(english, coordinator, campaign):
    approved(campaign, coordinator, 2)
    submit(campaign, 7)
    submit(campaign, 8, title="")  # a draft
    db.session.commit()
    page = text(english.get(f"/campaigns/{campaign.id}"))
    assert f'href="/campaigns/{campaign.id}/submissions?status=approved"><strong>2</strong> Approved' in page
    assert f'href="/campaigns/{campaign.id}/submissions?status=submitted"><strong>1</strong> Waiting for review' in page
    assert '<strong>1</strong> Draft, not complete yet' in page
    assert "All 4 submissions" in page
    submit_url = f"http://localhost/programmes/{campaign.slug}/submit/{campaign.submission_key}"
    assert f'value="{submit_url}" readonly' in page
    assert "Organizers can submit events until" in page
    assert (f"&lt;iframe src=&#34;http://localhost/programmes/{campaign.slug}/embed&#34; "
            f"title=&#34;Interkulturelle Woche 2027&#34; width=&#34;100%&#34; height=&#34;800&#34; "
            f"loading=&#34;lazy&#34;&gt;&lt;/iframe&gt;") in page
    for href in (f"/programmes/{campaign.slug}", f"/programmes/{campaign.slug}/booklet.pdf",
                 f"/campaigns/{campaign.id}/export.csv", f"/campaigns/{campaign.id}/export.xlsx"):
        assert f'href="{href}"' in page, href
    assert "Publish the programme" in page


def test_the_snippet_escapes_the_title(english, campaign):
    campaign.title = 'Woche "<script>"'
    db.session.commit()
    page = text(english.get(f"/campaigns/{campaign.id}"))
    assert "<script>" not in page
    snippet = html.unescape(re.search(r'<textarea id="embed-snippet"[^>]*>([^<]*)</textarea>', page).group(1))
    assert 'title="Woche &#34;&lt;script&gt;&#34;"' in snippet  # what the partner pastes is escaped once


@pytest.mark.parametrize("start, end, says", [
    (10, 20, "Not open yet"), (-20, -10, "Closed"), (-1, 1, "Open"),
])
def test_the_home_page_says_whether_submissions_are_open(english, network, start, end, says):
    today = date.today()
    campaign = make_campaign(network, submissions_from=today + timedelta(days=start),
                             submissions_until=today + timedelta(days=end))
    db.session.commit()
    assert f'">{says}</span>' in text(english.get(f"/campaigns/{campaign.id}"))


def test_a_new_link_makes_the_old_one_stop_working(app, english, campaign):
    old_key, slug = campaign.submission_key, campaign.slug
    response = english.post(f"/campaigns/{campaign.id}/link")
    assert response.status_code == 303 and response.headers["Location"].endswith("#submission-link")
    db.session.expire_all()
    assert campaign.submission_key != old_key
    assert service.by_submission_key(slug, old_key) is None
    assert service.by_submission_key(slug, campaign.submission_key) == campaign
    anonymous = app.test_client()
    assert anonymous.get(f"/programmes/{slug}/submit/{old_key}").status_code == 404
    assert anonymous.get(f"/programmes/{slug}/submit/{campaign.submission_key}").status_code == 200
    assert "The old one no longer works." in text(english.get(f"/campaigns/{campaign.id}"))


def test_publish_publishes_the_approved_events_and_unpublish_keeps_them(english, coordinator, campaign):
    entries = approved(campaign, coordinator, 3)
    waiting = submit(campaign, 9)
    db.session.commit()
    assert {s.event.status for s in entries} == {"draft"} and waiting.event is None
    response = english.post(f"/campaigns/{campaign.id}/publish")
    assert response.status_code == 303
    db.session.expire_all()
    assert campaign.status == "published" and campaign.published_at is not None
    assert {s.event.status for s in entries} == {"published"}
    page = text(english.get(f"/campaigns/{campaign.id}"))
    assert "The programme is public. 3 events were published with it." in page
    assert "Hide the programme page" in page and f'href="/feeds/programmes/{campaign.slug}.ics"' in page

    assert english.post(f"/campaigns/{campaign.id}/unpublish").status_code == 303
    db.session.expire_all()
    assert campaign.status == "draft"
    assert {s.event.status for s in entries} == {"published"}
    assert db.session.scalar(select(func.count()).select_from(Event).where(Event.status == "published")) == 3
    assert "The programme page is hidden again." in text(english.get(f"/campaigns/{campaign.id}"))


def test_publishing_with_one_event_says_so_in_the_singular(english, coordinator, campaign):
    approved(campaign, coordinator, 1)
    english.post(f"/campaigns/{campaign.id}/publish")
    assert "1 event was published with it." in text(english.get(f"/campaigns/{campaign.id}"))


# --- Categories ---------------------------------------------------------------------------------

def _category(campaign, name) -> Category:
    db.session.expire_all()
    return next(c for c in campaign.categories if c.name == name)


def test_add_a_category(english, campaign):
    response = english.post(f"/campaigns/{campaign.id}/categories", data={"name": "  Tanz   und Musik "})
    assert response.status_code == 303
    db.session.expire_all()
    assert campaign.categories[-1].name == "Tanz und Musik" and campaign.categories[-1].code is None
    assert "Tanz und Musik added." in text(english.get(f"/campaigns/{campaign.id}/categories"))
    response = english.post(f"/campaigns/{campaign.id}/categories", data={"name": "tanz und musik"})
    assert response.status_code == 422
    assert re.search(r'id="new-category-name-error">This programme has a category of this name already', text(response))
    for bad in ("", "x" * 101):
        assert english.post(f"/campaigns/{campaign.id}/categories", data={"name": bad}).status_code == 422
    db.session.expire_all()
    assert len(campaign.categories) == 9


def test_htmx_swaps_the_list(english, campaign):
    add = lambda: english.post(f"/campaigns/{campaign.id}/categories", data={"name": "Tanz"},  # noqa: E731
                               headers={"HX-Request": "true"})
    response = add()
    assert response.status_code == 200
    page = text(response)
    assert page.lstrip().startswith('<div id="categories"') and "<html" not in page
    assert ('<div id="categories-status" hx-swap-oob="innerHTML"><p class="flash flash-success">Tanz added.</p></div>'
            in page)
    assert re.search(r'<input [^>]*id="new-category-name"[^>]*value=""', page)  # a fresh form
    response = add()
    page = text(response)
    assert response.status_code == 422 and page.lstrip().startswith('<div id="categories"')
    assert re.search(r'<input [^>]*id="new-category-name"[^>]*value="Tanz"', page)


def test_rename_a_category(english, campaign):
    workshop = _category(campaign, "workshop")
    url = f"/campaigns/{campaign.id}/categories/{workshop.id}"
    response = english.post(url, data={"action": "rename", "name": "Workshop"}, headers={"HX-Request": "true"})
    assert "Nothing was changed." in text(response)
    assert _category(campaign, "workshop").code == "workshop"  # still translated
    response = english.post(url, data={"action": "rename", "name": "Mitmachen"})
    assert response.status_code == 303
    renamed = db.session.get(Category, workshop.id)
    assert (renamed.name, renamed.code) == ("Mitmachen", None)
    assert "Workshop renamed to Mitmachen." in text(english.get(f"/campaigns/{campaign.id}/categories"))
    encounter = _category(campaign, "encounter")
    response = english.post(url, data={"action": "rename", "name": "encounter"})
    assert response.status_code == 422
    assert f'id="category-{workshop.id}-error">This programme has a category of this name already' in text(response)
    for bad in ("", "x" * 101):
        response = english.post(url, data={"action": "rename", "name": bad})
        assert response.status_code == 422, bad
    assert db.session.get(Category, workshop.id).name == "Mitmachen" and encounter.code == "encounter"


def test_a_used_category_cannot_be_removed(english, campaign):
    used, unused = campaign.categories[0], campaign.categories[1].id
    submit(campaign, 1, category_id=used.id)
    db.session.commit()
    response = english.post(f"/campaigns/{campaign.id}/categories/{used.id}", data={"action": "remove"})
    assert response.status_code == 422
    assert f'id="category-{used.id}-error">1 submission is in this category. Move it first.' in text(response)
    assert db.session.get(Category, used.id) is not None
    response = english.post(f"/campaigns/{campaign.id}/categories/{unused}", data={"action": "remove"})
    assert response.status_code == 303
    assert db.session.get(Category, unused) is None
    assert "Workshop removed." in text(english.get(f"/campaigns/{campaign.id}/categories"))


def test_move_a_category(english, campaign):
    names = lambda: [c.name for c in db.session.scalars(  # noqa: E731
        select(Category).where(Category.campaign_id == campaign.id).order_by(Category.position, Category.name))]
    other = _category(campaign, "other")
    english.post(f"/campaigns/{campaign.id}/categories/{other.id}", data={"action": "up"})
    assert names()[-2:] == ["other", "food"]
    english.post(f"/campaigns/{campaign.id}/categories/{other.id}", data={"action": "down"})
    english.post(f"/campaigns/{campaign.id}/categories/{other.id}", data={"action": "down"})  # already last
    assert names()[-2:] == ["food", "other"]
    assert english.post(f"/campaigns/{campaign.id}/categories/{other.id}", data={"action": "drop"}).status_code == 400


# --- Partners -----------------------------------------------------------------------------------

def _upload(client, campaign, data: bytes | None, filename="logo.png", **fields):
    form = {"name": "Stadt Magdeburg", "website": "https://www.magdeburg.de", **fields}
    if data is not None:
        form["logo"] = (io.BytesIO(data), filename)
    return client.post(f"/campaigns/{campaign.id}/partners", data=form, content_type="multipart/form-data")


def test_a_partner_with_a_png_logo(english, campaign):
    logo = png()
    response = _upload(english, campaign, logo)
    assert response.status_code == 303
    partner = db.session.scalar(select(Partner))
    assert (partner.name, partner.website, partner.logo, partner.logo_type) == (
        "Stadt Magdeburg", "https://www.magdeburg.de", logo, "image/png")
    page = text(english.get(f"/campaigns/{campaign.id}/partners"))
    assert "Stadt Magdeburg added." in page
    src = f"/programmes/{campaign.slug}/partners/{partner.id}/logo"
    assert f'src="{src}" alt="Logo of Stadt Magdeburg"' in page
    assert english.get(src).data == logo  # the coordinator sees it before the programme is public


def test_a_partner_without_a_logo(english, campaign):
    assert _upload(english, campaign, None, website="").status_code == 303
    partner = db.session.scalar(select(Partner))
    assert (partner.logo, partner.logo_type, partner.website) == (None, "", "")
    assert "No logo" in text(english.get(f"/campaigns/{campaign.id}/partners"))


@pytest.mark.parametrize("data, filename, message", [
    (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "logo.svg",
     "Only PNG and JPEG images can be used as a logo."),
    (b"GIF89a" + bytes(100), "logo.gif", "Only PNG and JPEG images can be used as a logo."),
    (b"no image at all", "logo.png", "Only PNG and JPEG images can be used as a logo."),
    (png()[:60], "logo.png", "This image file is damaged."),
    (b"\x89PNG\r\n\x1a\n" + bytes(501 * 1024), "big.png", "The logo may be at most 500 KB."),
])
def test_a_bad_logo_is_refused_beside_the_field(english, campaign, data, filename, message):
    response = _upload(english, campaign, data, filename)
    assert response.status_code == 422
    page = text(response)
    assert f'<p class="error" id="partner-logo-error">{message}</p>' in page
    assert 'aria-describedby="partner-logo-hint partner-logo-error" aria-invalid="true"' in page
    assert 'value="Stadt Magdeburg"' in page  # what was typed stays
    assert db.session.scalar(select(func.count()).select_from(Partner)) == 0


@pytest.mark.parametrize("fields, field", [
    ({"name": ""}, "partner-name"), ({"website": "javascript:alert(1)"}, "partner-website"),
    ({"website": "magdeburg.de"}, "partner-website"), ({"name": "x" * 201}, "partner-name"),
])
def test_bad_partner_fields_are_refused(english, campaign, fields, field):
    response = _upload(english, campaign, png(), **fields)
    assert response.status_code == 422 and f'id="{field}-error"' in text(response)
    assert db.session.scalar(select(func.count()).select_from(Partner)) == 0


def test_remove_a_partner(english, campaign):
    _upload(english, campaign, png())
    _upload(english, campaign, None, name="Caritas")
    first = db.session.scalar(select(Partner.id).where(Partner.name == "Stadt Magdeburg"))
    response = english.post(f"/campaigns/{campaign.id}/partners/{first}", data={"action": "remove"},
                            headers={"HX-Request": "true"})
    assert response.status_code == 200
    page = text(response)
    assert page.lstrip().startswith('<div id="partners"') and "Stadt Magdeburg removed." in page
    assert [p.name for p in db.session.scalars(select(Partner))] == ["Caritas"]
    assert english.post(f"/campaigns/{campaign.id}/partners/{first}", data={"action": "remove"}).status_code == 404


def test_every_page_in_german(coordinator_client, coordinator, campaign):
    """German is the default: every page renders (plural forms and dates included)."""
    approved(campaign, coordinator, 1)
    for path in ("/n/magdeburg/programmes", "/n/magdeburg/programmes/new", f"/campaigns/{campaign.id}",
                 f"/campaigns/{campaign.id}/edit", f"/campaigns/{campaign.id}/categories",
                 f"/campaigns/{campaign.id}/partners"):
        response = coordinator_client.get(path)
        assert response.status_code == 200 and '<html lang="de" dir="ltr">' in text(response), path
    assert "Sonntag, 19. September 2027" in text(coordinator_client.get(f"/campaigns/{campaign.id}"))
