"""The public registration form of issue 16 and cancelling by the manage link: the description
before the form, the organization typed with the directory's names as suggestions (a known
name linked by id, any other kept as text), the privacy text said once, cancelling that asks
once, and registering again while places remain."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.core.extensions import db
from app.mail.models import OutboxMail
from app.registrations import service
from tests.test_registrations import NOW, make_event, post_registration, registrations, token_from

EN = {"Accept-Language": "en"}


@pytest.fixture(autouse=True)
def frozen_now(monkeypatch):
    from app.events import public
    from app.events import service as events

    for module in (public, events, service):
        monkeypatch.setattr(module, "utcnow", lambda: NOW)


@pytest.fixture
def network(app, make):
    return make.network("magdeburg", "Netzwerk Magdeburg")


def page(client, url: str) -> str:
    return client.get(url, headers=EN).get_data(as_text=True)


def registration_section(html: str) -> str:
    return html[html.index('id="registration"'):]


# --- The form -------------------------------------------------------------------------

def test_description_first_then_a_form_with_suggested_organizations(client, network, make):
    make.organization(network, "Caritas Magdeburg")
    make.organization(network, "Volkshochschule Magdeburg")
    make.organization(make.network("halle", "Netzwerk Halle"), "Stadt Halle")
    event = make_event(network, capacity=10, description="Wir üben Bewerbungsgespräche.")
    html = page(client, f"/events/{event.id}")
    assert html.index("Wir üben Bewerbungsgespräche.") < html.index('id="registration"')
    form = registration_section(html)
    assert "<select" not in form
    field = re.search(r'<input[^>]*name="organization_name"[^>]*>', form).group(0)
    assert 'list="member-organizations"' in field and 'autocomplete="organization"' in field
    datalist = re.search(r'<datalist id="member-organizations">(.*?)</datalist>', form).group(1)
    assert re.findall(r'<option value="([^"]+)">', datalist) == ["Caritas Magdeburg", "Volkshochschule Magdeburg"]
    assert ">Register now</button>" in form


def test_a_typed_member_organization_is_linked_any_other_name_kept(client, network, make):
    caritas = make.organization(network, "Caritas Magdeburg")
    make.organization(make.network("halle", "Netzwerk Halle"), "Stadt Halle")
    event = make_event(network)
    post_registration(client, event, email="a@example.org", organization_name="  caritas   MAGDEBURG ")
    post_registration(client, event, email="b@example.org", organization_name="Verein Miteinander")
    post_registration(client, event, email="c@example.org", organization_name="Stadt Halle")  # not a member here
    post_registration(client, event, email="d@example.org")
    rows = {r.email: (r.organization_id, r.organization_name) for r in registrations(event)}
    assert rows == {"a@example.org": (caritas.id, "Caritas Magdeburg"),
                    "b@example.org": (None, "Verein Miteinander"),
                    "c@example.org": (None, "Stadt Halle"),
                    "d@example.org": (None, "")}


def test_no_organization_field_when_the_event_does_not_ask(client, network, make):
    make.organization(network, "Caritas Magdeburg")
    event = make_event(network)
    event.registration_settings.ask_organization = False
    db.session.commit()
    form = registration_section(page(client, f"/events/{event.id}"))
    assert "organization_name" not in form and "<datalist" not in form
    post_registration(client, event, organization_name="Caritas Magdeburg")
    assert (registrations(event)[0].organization_id, registrations(event)[0].organization_name) == (None, "")


def test_the_invitation_prefills_the_organization_by_name(client, network, make):
    caritas = make.organization(network, "Caritas Magdeburg")
    event = make_event(network, visibility="invited")
    token, token_hash = service.new_token()
    db.session.add(service.Invitation(event_id=event.id, occurrence_start=event.starts_at, email="gast@example.org",
                                      name="Gabi Gast", organization_id=caritas.id, token_hash=token_hash))
    db.session.commit()
    html = page(client, f"/i/{token}")
    assert re.search(r'<input[^>]*name="organization_name"[^>]*value="Caritas Magdeburg"', html)
    assert client.post(f"/i/{token}", data={"answer": "yes", "name": "Gabi Gast",
                                            "organization_name": "Caritas Magdeburg"}).status_code == 302
    assert registrations(event)[0].organization_id == caritas.id


def test_the_privacy_text_is_said_once_with_more_behind_details(client, network):
    event = make_event(network)
    event.registration_settings.privacy_note = "Wir speichern Ihre Daten nur für diese Veranstaltung."
    db.session.commit()
    form = registration_section(page(client, f"/events/{event.id}"))
    assert form.count("We use your data only for this event and delete it 30 days after the event.") == 1
    assert form.count("delete") == 1 and form.count("Wir speichern") == 1
    details = re.search(r"<details>\s*<summary>More about data protection</summary>(.*?)</details>", form, re.S)
    assert details and "The organizers see your name" in details.group(1) and "Wir speichern" in details.group(1)
    event.registration_settings.retention_days = 1
    db.session.commit()
    assert "delete it 1 day after the event." in page(client, f"/events/{event.id}")


# --- Cancelling -------------------------------------------------------------------------

def test_cancelling_asks_once(client, network):
    event = make_event(network, capacity=5)
    token = token_from(post_registration(client, event))
    manage = page(client, f"/r/{token}")
    assert f'href="/r/{token}/cancel"' in manage
    assert 'value="cancel"' not in manage  # no one-tap cancel on the manage page

    # The question: a page of its own, or in place for htmx; asking changes nothing.
    question = page(client, f"/r/{token}/cancel")
    assert "Really cancel your place at Workshop Interkulturelle Kompetenz" in question and "<html" in question
    assert f'action="/r/{token}/cancel"' in question and 'name="csrf_token"' in question
    assert f'href="/r/{token}"' in question and "No, keep my place" in question
    fragment = client.get(f"/r/{token}/cancel", headers={**EN, "HX-Request": "true"}).get_data(as_text=True)
    assert fragment.lstrip().startswith("<section") and "<html" not in fragment and "Yes, cancel" in fragment
    assert registrations(event)[0].status == "confirmed"

    # Old one-step posts to the manage page cancel nothing any more.
    client.post(f"/r/{token}", data={"action": "cancel"})
    assert registrations(event)[0].status == "confirmed"

    response = client.post(f"/r/{token}/cancel", headers=EN)
    assert response.status_code == 303 and response.headers["Location"] == f"/r/{token}?done=cancelled"
    assert registrations(event)[0].status == "cancelled"
    after = page(client, response.headers["Location"])
    assert "Your registration is cancelled." in after and "Cancel my registration" not in after
    # A second tab still showing the question: nothing to cancel twice, back to the page.
    assert client.get(f"/r/{token}/cancel").headers["Location"] == f"/r/{token}"
    assert client.post(f"/r/{token}/cancel").status_code == 303


def test_register_again_with_the_same_link_while_places_remain(client, network):
    event = make_event(network, capacity=1, waiting_list=False)
    token = token_from(post_registration(client, event))
    client.post(f"/r/{token}/cancel")
    offer = page(client, f"/r/{token}?done=cancelled")
    assert "There are still places. You can register again with the same details." in offer
    assert f'action="/r/{token}/again"' in offer and ">Register again</button>" in offer

    mails = db.session.query(OutboxMail).count()
    response = client.post(f"/r/{token}/again", headers=EN)
    assert response.status_code == 303 and response.headers["Location"] == f"/r/{token}?done=again"
    [registration] = registrations(event)  # the same row, no second one
    assert registration.status == "confirmed" and registration.cancelled_at is None
    assert service.by_token(token) is registration  # the link keeps working
    assert db.session.query(OutboxMail).count() == mails + 1
    body = db.session.scalars(select(OutboxMail.body).order_by(OutboxMail.id.desc())).first()
    assert f"/r/{token}" in body
    again = page(client, response.headers["Location"])
    assert "You have registered again." in again and "Your place is confirmed." in again
    assert "Changed your mind?" not in again and f'href="/r/{token}/cancel"' in again

    # Asking twice does nothing more.
    assert client.post(f"/r/{token}/again").headers["Location"] == f"/r/{token}?done=not_again"
    assert len(registrations(event)) == 1


def test_no_offer_once_the_place_is_taken_and_no_waiting_list(client, network):
    event = make_event(network, capacity=1, waiting_list=False)
    token = token_from(post_registration(client, event, email="a@example.org"))
    client.post(f"/r/{token}/cancel")
    post_registration(client, event, email="b@example.org")
    offer = page(client, f"/r/{token}")
    assert "Changed your mind?" not in offer and "/again" not in offer
    response = client.post(f"/r/{token}/again")
    assert response.headers["Location"] == f"/r/{token}?done=not_again"
    assert [r.status for r in registrations(event)] == ["cancelled", "confirmed"]
    assert "Sorry, you cannot register again" in page(client, response.headers["Location"])


def test_a_full_event_offers_its_waiting_list_again_at_the_end(client, network, monkeypatch):
    event = make_event(network, capacity=1, waiting_list=True)
    token = token_from(post_registration(client, event, email="a@example.org"))
    client.post(f"/r/{token}/cancel")
    post_registration(client, event, email="b@example.org")
    post_registration(client, event, email="c@example.org")  # waits
    offer = page(client, f"/r/{token}")
    assert "join the waiting list again" in offer and ">Join the waiting list</button>" in offer
    monkeypatch.setattr(service, "utcnow", lambda: NOW + timedelta(minutes=5))
    client.post(f"/r/{token}/again")
    statuses = {r.email: r.status for r in registrations(event)}
    assert statuses == {"a@example.org": "waiting", "b@example.org": "confirmed", "c@example.org": "waiting"}
    a = next(r for r in registrations(event) if r.email == "a@example.org")
    assert service.waiting_list_position(a) == 2  # behind who waited already


def test_no_offer_when_closed_over_or_registered_again_by_the_form(client, network, monkeypatch):
    event = make_event(network, capacity=5)
    token = token_from(post_registration(client, event))
    client.post(f"/r/{token}/cancel")
    assert "Changed your mind?" in page(client, f"/r/{token}")

    event.registration_settings.is_open = False
    db.session.commit()
    assert "Changed your mind?" not in page(client, f"/r/{token}")
    event.registration_settings.is_open = True
    db.session.commit()

    monkeypatch.setattr(service, "utcnow", lambda: event.starts_at + timedelta(minutes=1))
    assert "Changed your mind?" not in page(client, f"/r/{token}")
    monkeypatch.setattr(service, "utcnow", lambda: NOW)

    post_registration(client, event)  # the same address, through the form
    assert "Changed your mind?" not in page(client, f"/r/{token}")
    assert client.post(f"/r/{token}/again").headers["Location"].endswith("done=not_again")
    assert [r.status for r in registrations(event)] == ["cancelled", "confirmed"]


@pytest.mark.config(RATELIMIT_ENABLED=True)
def test_registering_again_counts_against_the_address(client, network):
    """Cancelling and coming back sends a mail each time: limited per address like the form."""
    event = make_event(network, capacity=5)
    token = token_from(post_registration(client, event))
    codes = []
    for _ in range(6):
        client.post(f"/r/{token}/cancel")
        codes.append(client.post(f"/r/{token}/again").status_code)
    assert codes == [303] * 5 + [429]


def test_cancel_and_again_need_a_valid_link(client, network):
    event = make_event(network)
    post_registration(client, event)
    for url in ("/r/forged/cancel", "/r/forged/again"):
        assert client.post(url).status_code == 404
    assert client.get("/r/forged/cancel").status_code == 404
    assert registrations(event)[0].status == "confirmed"
