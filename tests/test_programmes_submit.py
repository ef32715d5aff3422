"""Submitting to a programme without an account: the shared form, drafts with missing fields
and finishing them, the confirmation mail with the private status link, editing until the
deadline, withdrawing, and abuse: length limits, honeypot, rate limits, forged links, HTML."""
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from app.core.extensions import db
from app.mail.models import OutboxMail
from app.programmes import review, service
from app.programmes.models import Submission
from app.programmes.submission_form import TEXT_FIELDS, submission_form
from tests import factories

EN = {"Accept-Language": "en"}
YEAR = date.today().year + 1
DAY = f"{YEAR}-09-21"


def new_campaign(network):
    """Next September's week, taking submissions from ten days ago for another month."""
    today = date.today()
    campaign = service.create_campaign(
        network, title="Interkulturelle Woche", year=YEAR, motto="Neue Räume", starts_on=date(YEAR, 9, 19),
        ends_on=date(YEAR, 9, 26), submissions_from=today - timedelta(days=10),
        submissions_until=today + timedelta(days=30), contact_email="ikw@example.org")
    db.session.commit()
    return campaign


@pytest.fixture
def campaign(app):
    network = factories.network("magdeburg", "Netzwerk Magdeburg")
    factories.organization(network, "Verein Miteinander")
    factories.organization(network, "Volkshochschule Magdeburg")
    return new_campaign(network)


def form_url(campaign) -> str:
    return f"/programmes/{campaign.slug}/submit/{campaign.submission_key}"


def entry(campaign, **changes) -> dict:
    """A complete entry as the form posts it."""
    data = {
        "title": "Kochen ohne Grenzen", "description": "Wir kochen **gemeinsam**.", "text_language": "de",
        "category_id": str(campaign.categories[0].id), "start_date": DAY, "start_time": "17:00",
        "end_time": "19:30", "venue_name": "Bürgerhaus Stadtfeld", "venue_address": "Große Diesdorfer Str. 1",
        "district": "Stadtfeld Ost", "accessibility": "Rampe am Seiteneingang", "step_free": "y",
        "languages": ["de", "ar"], "target_groups": ["families"], "is_free": "free", "fee": "",
        "capacity": "", "organization_name": "verein miteinander", "contact_name": "Erika Muster",
        "contact_email": "Erika@Example.org", "contact_phone": "0391 123456",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def submissions() -> list[Submission]:
    return db.session.scalars(select(Submission).order_by(Submission.id)).all()


def mails() -> list[OutboxMail]:
    return db.session.scalars(select(OutboxMail).order_by(OutboxMail.id)).all()


def status_token(response) -> str:
    match = re.search(r"/s/([A-Za-z0-9_\-]+)\?sent=1$", response.headers["Location"])
    assert match, response.headers.get("Location")
    return match.group(1)


def token_in(mail: OutboxMail) -> str:
    return re.search(r"https?://\S+/s/([A-Za-z0-9_\-]+)", mail.body).group(1)


def anonymous(page: str) -> str:
    """The page without what differs between any two requests: the address it came from (in the
    language switch) and the CSRF token (signed with a timestamp)."""
    return re.sub(r'(name="next" value="|csrf_token" value="|X-CSRFToken": ")[^"]+', r"\1…", page)


def submit(client, campaign, **changes):
    return client.post(form_url(campaign), data=entry(campaign, **changes), headers=EN)


# --- The form -------------------------------------------------------------------------

def test_form_shows_the_campaign(client, campaign):
    response = client.get(form_url(campaign), headers=EN)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Interkulturelle Woche" in page and "Neue Räume" in page and "ikw@example.org" in page
    assert f'min="{YEAR}-09-19"' in page and f'max="{YEAR}-09-26"' in page
    assert '<option value="Verein Miteinander">' in page  # the members, offered while typing
    assert 'name="homepage"' in page
    assert "Fields marked * are needed" in page
    assert '<option selected value="en">' in page  # the text's language: the page's
    assert response.headers["X-Robots-Tag"] == "noindex"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_form_in_german(client, campaign):
    client.set_cookie("lang", "de", domain="localhost")
    page = client.get(form_url(campaign)).get_data(as_text=True)
    assert '<html lang="de" dir="ltr">' in page
    assert '<option selected value="de">' in page


def test_wrong_key_is_a_plain_404(client, campaign):
    unknown = anonymous(client.get("/no/such/page").get_data(as_text=True))
    for url in (f"/programmes/{campaign.slug}/submit/wrong", f"/programmes/other/submit/{campaign.submission_key}",
                f"/programmes/{campaign.slug}/submit/{'x' * 300}", f"/programmes/{campaign.slug}/submit/schlüssel"):
        response = client.get(url)
        assert response.status_code == 404
        assert anonymous(response.get_data(as_text=True)) == unknown
    assert client.post(f"/programmes/{campaign.slug}/submit/wrong", data=entry(campaign)).status_code == 404
    assert submissions() == []


# --- Submitting -----------------------------------------------------------------------

def test_complete_entry_is_submitted_and_mailed(client, campaign):
    response = submit(client, campaign)
    assert response.status_code == 303
    token = status_token(response)
    [submission] = submissions()
    assert submission.status == "submitted"
    assert submission.title == "Kochen ohne Grenzen"
    assert submission.starts_at == factories.local(YEAR, 9, 21, 17)
    assert submission.ends_at == factories.local(YEAR, 9, 21, 19, 30)
    assert submission.languages == "de,ar" and submission.target_groups == "families"
    assert submission.step_free and submission.is_free and submission.fee == ""
    assert submission.contact_email == "Erika@example.org"  # the domain normalized
    assert submission.organization.name == "Verein Miteinander"  # matched in the directory
    [mail] = mails()
    assert mail.recipient == "Erika@example.org"
    assert "Kochen ohne Grenzen" in mail.subject
    assert token_in(mail) == token
    page = client.get(f"/s/{token}?sent=1", headers=EN).get_data(as_text=True)
    assert "Waiting for review" in page
    assert "We sent an e-mail with the link to this page to Erika@example.org" in page
    assert "Kochen ohne Grenzen" in page and "<strong>gemeinsam</strong>" in page
    assert 'lang="de"' in page


def test_htmx_success_redirects_the_whole_page(client, campaign):
    response = client.post(form_url(campaign), data=entry(campaign), headers={**EN, "HX-Request": "true"})
    assert response.status_code == 204
    assert "/s/" in response.headers["HX-Redirect"]


def test_fee_and_registration(client, campaign):
    submit(client, campaign, is_free="fee", fee="5 €, ermäßigt 3 €", registration_required="y", capacity="25")
    [submission] = submissions()
    assert not submission.is_free and submission.fee == "5 €, ermäßigt 3 €"
    assert submission.registration_required and submission.capacity == 25


def test_missing_fields_make_a_draft_that_can_be_finished(client, campaign):
    # Written in English, so the mail is in English too.
    response = submit(client, campaign, title="", category_id="0", venue_name="", text_language="en")
    token = status_token(response)
    [submission] = submissions()
    assert submission.status == "draft"
    [mail] = mails()
    assert "draft" in mail.subject.lower()
    assert "Title" in mail.body and "Category" in mail.body and "Venue" in mail.body
    page = client.get(f"/s/{token}", headers=EN).get_data(as_text=True)
    assert "Draft, not complete yet" in page
    assert re.search(r'<ul class="missing"><li>Title</li><li>Category</li><li>Venue</li></ul>', page)
    assert f'href="/s/{token}/edit"' in page and "Finish your entry" in page

    form = client.get(f"/s/{token}/edit", headers=EN).get_data(as_text=True)
    assert 'value="Bürgerhaus Stadtfeld"' not in form  # the venue was left empty
    assert 'value="Stadtfeld Ost"' in form and f'value="{DAY}"' in form and 'value="17:00"' in form
    response = client.post(f"/s/{token}/edit", data=entry(campaign), headers=EN)
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/s/{token}?done=saved")
    assert submissions()[0].status == "submitted"
    # The finished entry is written in German (entry()'s text language): so is this mail.
    assert len(mails()) == 2 and "Eingegangen" in mails()[1].subject
    page = client.get(f"/s/{token}", headers=EN).get_data(as_text=True)
    assert "Waiting for review" in page and "Saved as a draft" in page and "Submitted" in page


def test_only_the_email_is_needed_to_save(client, campaign):
    response = client.post(form_url(campaign), data={"contact_email": "nur@example.org", "languages": "de",
                                                     "text_language": "de", "is_free": "free",
                                                     "category_id": "0"}, headers=EN)
    assert response.status_code == 303
    assert submissions()[0].status == "draft"


@pytest.mark.parametrize("field", sorted(TEXT_FIELDS))
def test_every_length_limit(client, campaign, field):
    limit = TEXT_FIELDS[field]
    changes = {field: "x" * (limit + 1)}
    if field == "fee":
        changes["is_free"] = "fee"
    response = submit(client, campaign, **changes)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f"This can have at most {limit} characters; this has {limit + 1}." in page
    assert f'id="{field}-error"' in page
    assert re.search(f'<(input|textarea)[^>]*aria-describedby="[^"]*{field}-error"', page)
    assert submissions() == [] and mails() == []
    assert "Kochen ohne Grenzen" in page or field == "title"  # what was typed stays


def test_email_is_required_and_checked(client, campaign):
    for email, message in (("", "Please enter an e-mail address"), ("erika@", "Please enter a valid e-mail address"),
                           ("x" * 250 + "@example.org", "Field cannot be longer than 254 characters")):
        response = submit(client, campaign, contact_email=email)
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
    assert submissions() == []


def test_other_bad_values(client, campaign):
    cases = [({"start_date": f"{YEAR}-10-01"}, "Please choose a day of the programme"),
             ({"start_date": "21.09."}, "Please enter a date, e.g. 2027-03-04."),
             ({"start_time": "17 Uhr"}, "Please enter a time, e.g. 15:00."),
             ({"end_time": "16:00"}, "The end must be after the start."),
             ({"start_time": "", "end_time": ""}, "Please enter the start time as well"),
             ({"start_date": ""}, "Please enter the date as well"),
             ({"languages": []}, "Please choose at least one language."),
             ({"capacity": "0", "registration_required": "y"}, "Please enter a number from 1 to 10000."),
             ({"category_id": "999"}, "Not a valid choice"),
             ({"text_language": "xx"}, "Not a valid choice")]
    for changes, message in cases:
        response = submit(client, campaign, **changes)
        assert response.status_code == 422, changes
        page = response.get_data(as_text=True)
        assert message in page, (changes, message)
        assert "Please correct the marked fields." in page
        assert 'value="Kochen ohne Grenzen"' in page
    assert submissions() == [] and mails() == []


def test_errors_for_htmx_are_the_form_alone_with_focus(client, campaign):
    response = client.post(form_url(campaign), data=entry(campaign, end_time="16:00"),
                           headers={**EN, "HX-Request": "true"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert page.lstrip().startswith('<div id="entry-form"')
    [focused] = re.findall(r'<input[^>]*autofocus[^>]*>', page)
    assert 'id="end_time"' in focused and 'aria-describedby="end_time-error"' in focused


def test_honeypot_saves_nothing_but_looks_like_success(client, campaign):
    response = submit(client, campaign, homepage="http://spam.example")
    assert response.status_code == 303
    assert submissions() == [] and mails() == []
    page = client.get(response.headers["Location"], headers=EN).get_data(as_text=True)
    assert "Thank you! Your entry has arrived." in page


def test_closed_period_refuses(client, campaign):
    campaign.submissions_from = date.today() + timedelta(days=3)
    campaign.submissions_until = date.today() + timedelta(days=9)
    db.session.commit()
    page = client.get(form_url(campaign), headers=EN).get_data(as_text=True)
    assert "Submissions open on" in page and 'name="title"' not in page
    response = submit(client, campaign)
    assert response.status_code == 422
    assert "Submissions open on" in response.get_data(as_text=True)
    assert 'value="Kochen ohne Grenzen"' in response.get_data(as_text=True)  # nothing typed is lost
    campaign.submissions_from = date.today() - timedelta(days=9)
    campaign.submissions_until = date.today() - timedelta(days=1)
    db.session.commit()
    page = client.get(form_url(campaign), headers=EN).get_data(as_text=True)
    assert "Submissions are closed; the last day was" in page
    assert submit(client, campaign).status_code == 422
    assert submissions() == []


@pytest.mark.config(RATELIMIT_ENABLED=True)
def test_rate_limit_per_ip(client, campaign):
    codes = [submit(client, campaign, contact_email=f"p{i}@example.org").status_code for i in range(11)]
    assert codes[:10] == [303] * 10 and codes[10] == 429


@pytest.mark.config(RATELIMIT_ENABLED=True)
def test_rate_limit_per_email_counts_only_saved_entries(client, campaign):
    codes = [submit(client, campaign, contact_email="same@example.org", title="x" * 201).status_code
             for _ in range(3)]
    assert codes == [422] * 3
    codes = []
    for i in range(11):
        # Each from another address, so that only the limit per e-mail address counts.
        response = client.post(form_url(campaign), data=entry(campaign, contact_email="same@example.org"),
                               headers=EN, environ_base={"REMOTE_ADDR": f"10.0.0.{i + 1}"})
        codes.append(response.status_code)
    assert codes[:10] == [303] * 10 and codes[10] == 429


# --- The status link ------------------------------------------------------------------

def make_submission(campaign, **changes) -> tuple[Submission, str]:
    """A submission made through the form's own parsing (inside a request context)."""
    form = submission_form(campaign, formdata=MultiDict(entry(campaign, **changes)))
    assert form.validate(), form.errors
    submission = service.start(campaign, **form.submission_fields(campaign))
    db.session.commit()
    return submission, service.token_of(submission)


def test_forged_tokens_get_the_same_page(client, campaign, app):
    with app.test_request_context():
        _submission, token = make_submission(campaign)
    assert client.get(f"/s/{token}").status_code == 200
    bodies = set()
    for forged in (token[:-1] + ("A" if token[-1] != "A" else "B"), "x", "x" * 101, "schlüssel", token + "x",
                   "%00", "A" * 43):
        for url in (f"/s/{forged}", f"/s/{forged}/edit"):
            response = client.get(url, headers=EN)
            assert response.status_code == 404, url
            assert response.headers["X-Robots-Tag"] == "noindex"
            bodies.add(anonymous(response.get_data(as_text=True)))
        assert client.post(f"/s/{forged}/withdraw", data={"confirm": "1"}).status_code == 404
        assert client.post(f"/s/{forged}/edit", data=entry(campaign)).status_code == 404
    assert len(bodies) == 1
    assert "Kochen" not in bodies.pop()
    assert submissions()[0].status == "submitted"


def test_status_page_headers_and_languages(client, campaign, app):
    with app.test_request_context():
        _submission, token = make_submission(campaign)
    response = client.get(f"/s/{token}", headers=EN)
    assert response.headers["X-Robots-Tag"] == "noindex"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    english = response.get_data(as_text=True)
    assert "Your entry as written" in english and "Waiting for review" in english
    client.set_cookie("lang", "de", domain="localhost")
    german = client.get(f"/s/{token}").get_data(as_text=True)
    assert '<html lang="de" dir="ltr">' in german
    client.set_cookie("lang", "en", domain="localhost")
    assert "Your entry as written" in client.get(f"/s/{token}").get_data(as_text=True)


def test_status_page_query_count(client, campaign, app, count_queries):
    with app.test_request_context():
        submission, token = make_submission(campaign)
        review.approve(submission, None)
        review.publish(campaign)
    assert count_queries(lambda: client.get(f"/s/{token}", headers=EN)) <= 6


def test_markup_is_escaped_and_sanitized(client, campaign, app):
    with app.test_request_context():
        _submission, token = make_submission(
            campaign, title='<script>alert(1)</script><img src=x onerror="alert(2)">',
            description='<script>alert(3)</script>\n\n<img src=x onerror=alert(4)>\n\n'
                        '[klick](javascript:alert(5)) [gut](https://example.org)',
            venue_name='<b onmouseover="alert(6)">Halle</b>')
    page = client.get(f"/s/{token}", headers=EN).get_data(as_text=True)
    assert "<script>alert" not in page
    assert "<img" not in page and 'onerror="alert' not in page and "<b onmouseover" not in page
    assert 'href="javascript:' not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert '<a href="https://example.org" rel="noopener noreferrer nofollow">gut</a>' in page


def test_review_message_and_history_are_shown(client, campaign, app):
    with app.test_request_context():
        submission, token = make_submission(campaign)
        review.request_changes(submission, None, "Bitte <b>Raum</b> angeben.")
        db.session.commit()
    page = client.get(f"/s/{token}", headers=EN).get_data(as_text=True)
    assert "Changes requested" in page and "Message from the coordination" in page
    assert "Bitte &lt;b&gt;Raum&lt;/b&gt; angeben." in page
    assert "Change your entry" in page


def test_edit_after_the_deadline(client, campaign, app):
    with app.test_request_context():
        submission, token = make_submission(campaign)
    campaign.submissions_from = date.today() - timedelta(days=20)
    campaign.submissions_until = date.today() - timedelta(days=1)
    db.session.commit()
    page = client.get(f"/s/{token}", headers=EN).get_data(as_text=True)
    assert f'href="/s/{token}/edit"' not in page and "The deadline for changes has passed" in page
    response = client.get(f"/s/{token}/edit", headers=EN)
    assert "can no longer be changed here" in response.get_data(as_text=True)
    assert "ikw@example.org" in response.get_data(as_text=True)
    assert 'name="title"' not in response.get_data(as_text=True)
    response = client.post(f"/s/{token}/edit", data=entry(campaign, title="Neu"), headers=EN)
    assert response.status_code == 422
    assert "can no longer be changed here" in response.get_data(as_text=True)
    assert submissions()[0].title == "Kochen ohne Grenzen"

    with app.test_request_context():  # the coordination asks for changes: possible again
        review.request_changes(submissions()[0], None, "Bitte die Adresse ergänzen.")
        db.session.commit()
    assert f'href="/s/{token}/edit"' in client.get(f"/s/{token}", headers=EN).get_data(as_text=True)
    response = client.post(f"/s/{token}/edit", data=entry(campaign, title="Kochen ohne Grenzen II"), headers=EN)
    assert response.status_code == 303
    assert submissions()[0].status == "submitted" and submissions()[0].title == "Kochen ohne Grenzen II"


def test_edit_cannot_empty_a_submitted_entry(client, campaign, app):
    with app.test_request_context():
        _submission, token = make_submission(campaign)
    response = client.post(f"/s/{token}/edit", data=entry(campaign, venue_name=""), headers=EN)
    assert response.status_code == 422
    assert "Please fill in every required field." in response.get_data(as_text=True)
    assert submissions()[0].venue_name == "Bürgerhaus Stadtfeld"


def test_withdraw_needs_confirmation_and_cancels_the_published_event(client, campaign, app):
    with app.test_request_context():
        submission, token = make_submission(campaign)
        event = review.approve(submission, None)
        review.publish(campaign)
        db.session.commit()
    page = client.get(f"/s/{token}", headers=EN).get_data(as_text=True)
    assert f'href="/events/{event.id}"' in page
    response = client.post(f"/s/{token}/withdraw", data={}, headers=EN)
    assert response.status_code == 422
    assert "Please tick the box" in response.get_data(as_text=True)
    assert submissions()[0].status == "approved"
    response = client.post(f"/s/{token}/withdraw", data={"confirm": "1"}, headers=EN)
    assert response.status_code == 303 and response.headers["Location"].endswith("?done=withdrawn")
    assert submissions()[0].status == "withdrawn"
    assert db.session.get(type(event), event.id).status == "cancelled"
    page = client.get(f"/s/{token}?done=withdrawn", headers=EN).get_data(as_text=True)
    assert "Your entry is withdrawn." in page and "Withdraw this entry" not in page
    assert f'href="/s/{token}/edit"' not in page
    assert client.post(f"/s/{token}/withdraw", data={"confirm": "1"}, headers=EN).status_code == 422
