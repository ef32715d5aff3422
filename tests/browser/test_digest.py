"""The digest's subscription flow in a real browser on a 360 px phone: from the network's page
to the form (with filters), the answer, the confirmation link's button, the manage page and
unsubscribing; the coordinator's preview and a past digest in the archive. axe on every page,
screenshots at 360 and 1280 px."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.core.extensions import db
from app.core.formatting import to_local
from app.core.types import utcnow
from app.digest import service
from app.digest.models import DigestSetting, Subscription
from app.directory.models import Network
from app.mail.models import OutboxMail
from tests.test_digest import public_event

from .conftest import PHONE, check_page, log_in, no_horizontal_scroll

pytestmark = pytest.mark.browser


@pytest.fixture
def digest_network(magdeburg):
    network = db.session.scalar(select(Network).where(Network.slug == magdeburg.slug))
    db.session.add(DigestSetting(network_id=network.id, enabled=True, weekday=0, hour=8,
                                 draft_intro="Liebe Partner:innen, **herzlich willkommen**!"))
    soon = utcnow() + timedelta(days=2)
    public_event(network, "Sprachcafé im Einewelthaus", soon, kind="public_event", tags=["Sprache"])
    public_event(network, "Fachtag Berufssprachkurse", soon + timedelta(days=3), kind="training")
    db.session.commit()
    db.session.rollback()
    return magdeburg


def _path_in_mail(recipient: str, kind: str) -> str:
    body = db.session.scalars(select(OutboxMail.body).where(OutboxMail.recipient == recipient)
                              .order_by(OutboxMail.id.desc())).first()
    db.session.rollback()
    return re.search(rf"https?://[^/\s]+(/n/\S+/digest/{kind}/[\w-]+)", body).group(1)


def test_subscribing_on_a_phone(new_page, digest_network):
    page = new_page(viewport=PHONE)
    page.goto(f"/n/{digest_network.slug}")
    page.click("text=Subscribe to the weekly digest")
    page.fill("#email", "amal@example.org")
    page.select_option("#language", "ar")
    page.click("details.digest-filters summary")
    page.check(f"input[name=groups][value='{digest_network.group_ids['Sprache']}']")
    check_page(page, "digest-subscribe")
    assert no_horizontal_scroll(page) <= PHONE["width"]
    page.click("main button[type=submit]")
    page.wait_for_url("**/digest/subscribed")
    check_page(page, "digest-subscribed")

    page.goto(_path_in_mail("amal@example.org", "confirm"))
    check_page(page, "digest-confirm")
    page.click("main button[type=submit]")
    page.wait_for_url("**/digest/manage/**")
    assert page.locator(".flash-success").is_visible()
    assert page.locator("#language").input_value() == "ar"
    check_page(page, "digest-manage")
    assert no_horizontal_scroll(page) <= PHONE["width"]
    subscription = db.session.scalar(select(Subscription))
    assert subscription.confirmed_at is not None
    assert subscription.group_ids == [digest_network.group_ids["Sprache"]]
    db.session.rollback()

    page.click("text=Unsubscribe >> nth=-1")
    check_page(page, "digest-unsubscribed")
    assert db.session.scalar(select(Subscription)) is None


def test_the_coordinators_preview_and_the_archive(new_page, digest_network):
    network = db.session.scalar(select(Network).where(Network.slug == digest_network.slug))
    service.add_subscriber(network, "de@example.org", "de", confirmed_at=utcnow())
    service.add_subscriber(network, "uk@example.org", "uk", confirmed_at=utcnow(),
                           group_ids=[digest_network.group_ids["Sprache"]])
    public_event(network, "Interkulturelles Fest", utcnow() + timedelta(days=10))  # for next week's digest
    setting = db.session.get(DigestSetting, network.id)
    setting.weekday, setting.hour = to_local(utcnow(), network.timezone).weekday(), 0  # due now
    db.session.commit()
    service.send_due_digests()  # this week's digest, into the archive
    db.session.rollback()

    page = new_page(viewport=PHONE)
    log_in(page, digest_network.coordinator)
    page.goto(f"/n/{digest_network.slug}/digest/preview")
    page.fill("#draft_intro", "Ein Gruß von der **Koordinierungsstelle**.")
    page.click("main form.card button[type=submit]")
    assert page.locator(".digest-intro strong").first.inner_text() == "Koordinierungsstelle"
    page.locator(".digest-part details summary").first.click()
    check_page(page, "digest-preview")
    assert no_horizontal_scroll(page) <= PHONE["width"]
    page.goto(f"/n/{digest_network.slug}/digest/settings")
    check_page(page, "digest-settings")
    assert no_horizontal_scroll(page) <= PHONE["width"]

    page.goto(f"/n/{digest_network.slug}/digest/archive")
    page.locator("main ul a").first.click()
    assert page.locator(".digest-entry").count() >= 1
    check_page(page, "digest-archived")
