"""Every participant reads Treffpunkt in their language (issue 14): every text of the pages and
mails participants see is translated in each catalog; organizers' texts come in the reader's
language where they translated them, else in the original marked with its language."""
import re
from datetime import timedelta

import pytest
from babel.messages.pofile import read_po
from flask_babel import force_locale

from app.core.extensions import db
from app.core.types import utcnow
from app.events import service as events
from app.events.models import Event
from app.registrations import admin_service as admin
from app.registrations.models import Question, RegistrationSettings
from tests.participant_sources import ROOT, messages

def _in(language: str) -> str:
    with open(ROOT / f"app/translations/{language}/LC_MESSAGES/messages.po", "rb") as handle:
        return read_po(handle).get("in %(language)s").string


PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]")
# Texts that are the same in every language (names, symbols).
SAME_EVERYWHERE = {"Treffpunkt", "Logo", "iCalendar", "E-mail", "Online", "OK", "—"}


@pytest.mark.parametrize("language", ["de", "ar", "fa", "uk", "ru", "tr"])
def test_every_participant_text_is_translated(language):
    with open(ROOT / f"app/translations/{language}/LC_MESSAGES/messages.po", "rb") as handle:
        catalog = read_po(handle)
    missing, broken = [], []
    for context, msgid in sorted(messages(), key=lambda m: m[1]):
        found = catalog.get(msgid, context=context)
        strings = [] if found is None else ([found.string] if isinstance(found.string, str) else list(found.string))
        if not strings or not all(s.strip() for s in strings) or (found and found.fuzzy):
            if msgid not in SAME_EVERYWHERE:
                missing.append(msgid)
            continue
        source = " ".join([found.id] if isinstance(found.id, str) else list(found.id))
        if any(not set(PLACEHOLDER.findall(s)) <= set(PLACEHOLDER.findall(source)) for s in strings):
            broken.append(msgid)
    assert missing == [] and broken == [], (len(missing), missing[:10], broken[:10])


@pytest.fixture
def event(app, make):
    network = make.network("magdeburg", "Netzwerk Magdeburg")
    kind = events.kinds(network)[0]
    event = Event(network_id=network.id, kind_id=kind.id, title="Bürgerdialog: Gut ankommen", status="published",
                  visibility="public", timezone="Europe/Berlin", text_language="de",
                  description="Wir sprechen über **Wohnen** und Arbeit.")
    start = (utcnow() + timedelta(days=10)).replace(minute=0, second=0, microsecond=0)
    events.save(event, starts_at=start, ends_at=start + timedelta(hours=2))
    db.session.flush()
    db.session.add(RegistrationSettings(event_id=event.id, privacy_note="Wir löschen alles nach 30 Tagen."))
    db.session.add(Question(event_id=event.id, kind="single", label="Brauchen Sie Kinderbetreuung?",
                            options="Ja\nNein"))
    make.user("coord@example.org", coordinates=[network])
    db.session.commit()
    return event


def test_the_reader_gets_the_translation_or_the_marked_original(client, make, event):
    make.login(client, "coord@example.org")
    question = db.session.query(Question).one()
    response = client.post(f"/events/{event.id}/translations", data={
        "language": "ar", "title": "حوار مع المواطنين: وصول جيد", "description": "نتحدث عن **السكن** والعمل.",
        "privacy_note": "نحذف كل شيء بعد 30 يومًا.", f"label-{question.id}": "هل تحتاجون إلى رعاية الأطفال؟",
        f"options-{question.id}": "نعم\nلا"})
    assert response.status_code == 303
    client.post("/logout")

    arabic = client.get(f"/events/{event.id}?lang=ar").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in arabic
    assert '<h1>حوار مع المواطنين: وصول جيد</h1>' in arabic  # in the page's language: no mark
    assert "<strong>السكن</strong>" in arabic and "هل تحتاجون إلى رعاية الأطفال؟" in arabic
    assert 'value="Ja"' in arabic  # the answer is stored in the original
    assert "نحذف كل شيء بعد 30 يومًا." in arabic

    ukrainian = client.get(f"/events/{event.id}?lang=uk").get_data(as_text=True)
    assert '<h1 lang="de" dir="auto">Bürgerdialog: Gut ankommen</h1>' in ukrainian
    assert '<span lang="de" dir="auto">Brauchen Sie Kinderbetreuung?</span>' in ukrainian
    with force_locale("uk"):  # "in German", said in Ukrainian
        from app.events.labels import LANGUAGE_LABELS

        note = f'<p class="text-language">{_in("uk") % {"language": str(LANGUAGE_LABELS["de"])}}</p>'
    assert note in ukrainian, re.findall(r'<p class="text-language">.*?</p>', ukrainian)


def test_options_must_match_the_original(client, make, event):
    make.login(client, "coord@example.org")
    question = db.session.query(Question).one()
    response = client.post(f"/events/{event.id}/translations", data={
        "language": "tr", "title": "Vatandaş diyaloğu", f"options-{question.id}": "Evet"})
    assert response.status_code == 422
    assert 'id="options-%d-error"' % question.id in response.get_data(as_text=True)
    db.session.refresh(event)
    assert event.translations == {}  # nothing half-saved
    # Not into the language the texts are written in (nor one Treffpunkt does not speak).
    assert client.post(f"/events/{event.id}/translations", data={"language": "de", "title": "x"}).status_code == 422
    db.session.refresh(event)
    assert event.translations == {}


def test_mails_use_the_translated_title(app, event):
    event.translations = {"uk": {"title": "Діалог із громадянами"}}
    db.session.commit()
    from app.registrations import service as registrations
    from app.mail.models import OutboxMail

    with app.test_request_context():
        registrations.register(event, event.starts_at, "Olena", "olena@example.org", None, "", {}, language="uk")
    db.session.commit()
    mail = db.session.query(OutboxMail).one()
    assert "Діалог із громадянами" in mail.subject and "Діалог із громадянами" in mail.body
    assert admin.questions_of(event)
