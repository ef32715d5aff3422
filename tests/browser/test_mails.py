"""The HTML part of the mails, as a phone shows it: the confirmation (with the check-in QR
code inline), a waiting-list notice, an invitation and a change notice, opened through the dev
mailbox's HTML view at 360 px, scanned with axe and photographed (issue 13)."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.core.extensions import db
from app.core.types import utcnow
from app.core.urls import url_context
from app.directory import service as directory
from app.events import service as events
from app.events.models import Event
from app.mail.models import OutboxMail
from app.registrations import admin_service as admin, invitations
from app.registrations import service as registrations

from .conftest import PHONE, check_page, log_in, no_horizontal_scroll

pytestmark = pytest.mark.browser


@pytest.fixture
def mails(magdeburg):
    """A workshop with one place: Amina gets it, Jonas waits; Ida is invited; then the time
    changes. Returns {name: mail id}."""
    network = directory.network_or_404(magdeburg.slug)
    kind = next(k for k in events.kinds(network) if k.code == "training")
    start = (utcnow() + timedelta(days=20)).replace(minute=0, second=0, microsecond=0)
    event = Event(network_id=network.id, kind_id=kind.id, title="Workshop: Bewerben in Deutschland",
                  timezone="Europe/Berlin", status="published", visibility="public",
                  venue_name="Volkshochschule Magdeburg", venue_address="Leibnizstraße 23, 39104 Magdeburg")
    events.save(event, starts_at=start, ends_at=start + timedelta(hours=3))
    db.session.flush()
    admin.save_settings(event, is_open=True, capacity=1, waiting_list=True)
    with url_context():
        registrations.register(event, event.starts_at, "Amina Haddad", "amina@example.org", None, "", {},
                               language="en")
        registrations.register(event, event.starts_at, "Jonas Weber", "jonas@example.org", None, "", {},
                               language="de")
        invitations.invite(event, event.starts_at, [invitations.Invitee("Ida Idris", "ida@example.org")])
        events.save(event, starts_at=start + timedelta(hours=1), ends_at=start + timedelta(hours=4))
        events.announce(event)
    db.session.commit()
    rows = db.session.execute(select(OutboxMail.id, OutboxMail.recipient, OutboxMail.subject)
                              .order_by(OutboxMail.id)).all()
    found = {
        "confirmation": next(i for i, to, subject in rows if to == "amina@example.org"),
        "waiting-list": next(i for i, to, subject in rows if to == "jonas@example.org"),
        "invitation": next(i for i, to, subject in rows if to == "ida@example.org"),
        "change": [i for i, to, subject in rows if to == "amina@example.org"][-1],
    }
    db.session.rollback()
    return found


def test_mails_read_well_on_a_phone(new_page, magdeburg, mails):
    page = new_page(viewport=PHONE)
    log_in(page, magdeburg.coordinator)
    for name, mail_id in mails.items():
        page.goto(f"/dev/mailbox/{mail_id}/html")
        check_page(page, f"mail-{name}")
        assert no_horizontal_scroll(page) <= PHONE["width"], name
    page.goto(f"/dev/mailbox/{mails['confirmation']}/html")
    qr = page.locator("img[alt='QR code for the check-in']")
    assert qr.evaluate("image => image.complete && image.naturalWidth > 100")
    assert page.locator("a", has_text="See, change or cancel my registration").count() == 1
