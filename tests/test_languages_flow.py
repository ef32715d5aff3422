"""The language a page speaks, and the way of a participant in Ukrainian, Russian and Turkish:
find the event, register, get the mail in that language, cancel (issue 14; Arabic and Persian
take the same way in a real browser, tests/browser/test_languages.py)."""
import re
from datetime import timedelta
from html import unescape

import pytest
from babel.messages.pofile import read_po

from app.core.extensions import db
from app.core.types import utcnow
from app.events import service as events
from app.events.models import Event
from app.mail.models import OutboxMail
from app.registrations.models import RegistrationSettings
from tests.participant_sources import ROOT

TITLES = {"uk": "Семінар: як подати заявку на роботу", "ru": "Семинар: как подать заявление на работу",
          "tr": "Atölye: Almanya'da iş başvurusu"}


def _catalog(language: str):
    with open(ROOT / f"app/translations/{language}/LC_MESSAGES/messages.po", "rb") as handle:
        return read_po(handle)


def _word(language: str, msgid: str) -> str:
    return _catalog(language).get(msgid).string


@pytest.fixture
def event(app, make):
    network = make.network("magdeburg", "Netzwerk Magdeburg")
    make.user("coord@example.org", coordinates=[network])
    kind = events.kinds(network)[0]
    event = Event(network_id=network.id, kind_id=kind.id, title="Workshop: Bewerben in Deutschland",
                  status="published", visibility="public", timezone="Europe/Berlin",
                  translations={code: {"title": title} for code, title in TITLES.items()})
    start = (utcnow() + timedelta(days=12)).replace(minute=0, second=0, microsecond=0)
    events.save(event, starts_at=start, ends_at=start + timedelta(hours=2))
    db.session.flush()
    db.session.add(RegistrationSettings(event_id=event.id, ask_organization=False))
    db.session.commit()
    return event


@pytest.mark.parametrize("language", ["uk", "ru", "tr"])
def test_find_register_get_the_mail_and_cancel(client, event, language):
    headers = {"Accept-Language": f"{language},en;q=0.5"}
    listing = unescape(client.get("/events", headers=headers).get_data(as_text=True))
    assert f'<html lang="{language}" dir="ltr">' in listing and TITLES[language] in listing
    page = unescape(client.get(f"/events/{event.id}", headers=headers).get_data(as_text=True))
    assert f"<h1>{TITLES[language]}</h1>" in page and _word(language, "Register now") in page

    response = client.post(f"/events/{event.id}/register", headers=headers,
                           data={"name": "Olena", "email": f"{language}@example.org"})
    confirmation = client.get(response.headers["Location"], headers=headers).get_data(as_text=True)
    assert _word(language, "You are registered") in confirmation

    mail = db.session.query(OutboxMail).filter_by(recipient=f"{language}@example.org").one()
    assert TITLES[language] in mail.subject and f'lang="{language}"' in mail.html
    assert _word(language, "Your registration is confirmed.") in mail.body
    token = re.search(r"/r/([A-Za-z0-9_\-]+)", mail.body).group(1)

    # The person's language holds, whoever's request causes the next mail.
    cancelled = client.post(f"/r/{token}/cancel", headers={"Accept-Language": "de"})
    assert cancelled.status_code == 303
    last = db.session.query(OutboxMail).filter_by(recipient=f"{language}@example.org").order_by(
        OutboxMail.id.desc()).first()
    assert _word(language, "Hello %(name)s,").split("%")[0].strip(" ,!") in last.body


def test_a_lang_link_wins_and_is_remembered(client, event):
    page = client.get(f"/events/{event.id}?lang=tr", headers={"Accept-Language": "de"})
    assert '<html lang="tr" dir="ltr">' in page.get_data(as_text=True)
    assert client.get_cookie("lang").value == "tr"
    assert '<html lang="tr"' in client.get("/events", headers={"Accept-Language": "de"}).get_data(as_text=True)
    # The menu's choice goes back to the page without the link's ?lang=.
    response = client.post("/language", data={"lang": "fa", "next": f"/events/{event.id}?lang=tr"})
    assert response.headers["Location"] == f"/events/{event.id}"
    assert '<html lang="fa" dir="rtl">' in client.get(f"/events/{event.id}").get_data(as_text=True)


def test_hreflang_and_the_menu_name_each_language_in_itself(client, event):
    page = client.get(f"/events/{event.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    for code in ("de", "en", "ar", "fa", "uk", "ru", "tr"):
        assert f'<link rel="alternate" hreflang="{code}" href="http://localhost/events/{event.id}?lang={code}">' in page
    for name in ("Deutsch", "English", "العربية", "فارسی", "Українська", "Русский", "Türkçe"):
        assert f">{name}</button>" in page


def test_organizer_pages_speak_german_or_english(client, make, event):
    make.login(client, "coord@example.org")
    client.set_cookie("lang", "ar", domain="localhost")
    page = client.get(f"/events/{event.id}/manage", headers={"Accept-Language": "ar,en;q=0.5"})
    text = page.get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in text
    assert ">العربية</button>" not in text and ">English</button>" in text  # the menu offers de and en here
    public = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in public
