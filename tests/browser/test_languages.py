"""A person whose browser asks for Arabic (or Persian) finds an event, registers, gets the mail
in their language and cancels, right to left, on a 360 px phone and without JavaScript; axe on
every page, screenshots (issue 14). Ukrainian, Russian and Turkish take the same way at the
HTTP level in tests/test_languages_flow.py."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.core.extensions import db
from app.core.types import utcnow
from app.directory import service as directory
from app.events import service as events
from app.events.models import Event
from app.mail.models import OutboxMail
from app.registrations import admin_service as admin
from app.registrations.models import Question

from .conftest import PHONE, check_page, no_horizontal_scroll

pytestmark = pytest.mark.browser

TITLES = {"ar": "ورشة عمل: التقديم على وظيفة في ألمانيا", "fa": "کارگاه: درخواست کار در آلمان"}


@pytest.fixture
def workshop(magdeburg):
    network = directory.network_or_404(magdeburg.slug)
    kind = next(k for k in events.kinds(network) if k.code == "training")
    event = Event(network_id=network.id, kind_id=kind.id, title="Workshop: Bewerben in Deutschland",
                  status="published", visibility="public", timezone="Europe/Berlin", languages="de,ar,fa",
                  venue_name="Volkshochschule Magdeburg", venue_address="Leibnizstraße 23, 39104 Magdeburg",
                  description="Lebenslauf, Anschreiben, Vorstellungsgespräch: Schritt für Schritt.",
                  translations={code: {"title": title} for code, title in TITLES.items()})
    start = (utcnow() + timedelta(days=12)).replace(minute=0, second=0, microsecond=0)
    events.save(event, starts_at=start, ends_at=start + timedelta(hours=3))
    db.session.flush()
    admin.save_settings(event, is_open=True, capacity=20, ask_organization=False)
    db.session.add(Question(event_id=event.id, kind="yesno", label="Brauchen Sie Kinderbetreuung?", required=True,
                            translations={"ar": {"label": "هل تحتاجون إلى رعاية الأطفال؟"},
                                          "fa": {"label": "آیا به مراقبت از کودک نیاز دارید؟"}}))
    db.session.commit()
    event_id = event.id
    db.session.rollback()
    return event_id


@pytest.mark.parametrize("language", ["ar", "fa"])
def test_register_and_cancel_right_to_left_without_javascript(new_page, workshop, language):
    page = new_page(viewport=PHONE, locale=language, java_script_enabled=False)
    # axe and the scroll check need JavaScript: a second browser with the same cookies looks
    # at each page the first one reached.
    look = new_page(viewport=PHONE, locale=language)

    def looked_at(name: str) -> None:
        look.context.add_cookies(page.context.cookies())
        look.goto(page.url)
        assert look.get_attribute("html", "dir") == "rtl"
        check_page(look, f"{language}-{name}")
        assert no_horizontal_scroll(look) <= PHONE["width"], name

    page.goto("/events")
    assert page.get_attribute("html", "lang") == language and page.get_attribute("html", "dir") == "rtl"
    looked_at("events")
    page.click(f"a:has-text('{TITLES[language]}')")
    page.wait_for_url(f"**/events/{workshop}*")
    assert page.locator("h1").inner_text() == TITLES[language]
    looked_at("event")

    name = "محمد الأحمد" if language == "ar" else "زهرا رضایی"
    email = f"{language}@example.org"
    page.fill("#name", name)
    page.fill("#email", email)
    page.check("input[name^=q][value=no]")
    page.click("#registration button[type=submit]")
    page.wait_for_url(re.compile(r"/registered/\d+$"))
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.locator("bdi", has_text=email).count() >= 1
    looked_at("registered")

    db.session.rollback()  # what the server committed
    mail = db.session.scalars(select(OutboxMail).where(OutboxMail.recipient == email)).one()
    assert TITLES[language] in mail.subject and 'dir="rtl"' in mail.html
    token = re.search(r"/r/([A-Za-z0-9_\-]+)", mail.body).group(1)
    page.goto(f"/dev/mailbox/{mail.id}/html")  # the dev mailbox needs an organizer: not here
    assert "/login" in page.url

    page.goto(f"/r/{token}")
    looked_at("manage")
    page.click("#cancel a.button")  # cancelling asks once: a page of its own without JavaScript
    page.wait_for_url(f"**/r/{token}/cancel")
    looked_at("cancel-question")
    page.click("#cancel button[type=submit]")
    assert page.locator(".flash-success").count() == 1
    looked_at("cancelled")
