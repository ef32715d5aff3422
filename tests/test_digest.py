"""The weekly digest: subscribing with double opt-in (the same answer for every address), forged
links, the weekly job at a fixed time (also in the weeks of the clock changes), the mail as the
real SMTP server receives it with the RFC 8058 header fields, one-click unsubscribe without a
session, filters, marks, the intro, and queries that do not grow with the subscribers."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import delete, event as sql_event, func, select

from app.core.extensions import db
from app.digest import service
from app.digest.models import Digest, DigestSetting, Subscription
from app.directory.models import Network
from app.events import service as events
from app.events.models import Event
from app.mail import outbox
from app.mail.letters import Letter
from app.mail.models import OutboxMail

from .factories import local

# Monday 7 December 2026, 8:00 in Berlin: the demo's and these tests' sending time.
MONDAY = local(2026, 12, 7, 8)
# RFC 8058's one-click is for https links only.
HTTPS = "https://treffpunkt.example"


@pytest.fixture
def network(app, make):
    network = make.network("magdeburg", "Netzwerk Magdeburg")
    db.session.add(DigestSetting(network_id=network.id, enabled=True, weekday=0, hour=8, draft_intro=""))
    db.session.commit()
    return network


def _kind(network, code):
    return next(k for k in events.kinds(network) if k.code == code)


def public_event(network, title, start, kind="public_event", group=None, tags=(), created=None, **fields):
    kind = _kind(network, kind)
    event = Event(network=network, network_id=network.id, working_group=group,
                  working_group_id=group.id if group else None, kind=kind, kind_id=kind.id, title=title,
                  starts_at=start, ends_at=start + timedelta(hours=2), status="published", visibility="public",
                  timezone="Europe/Berlin", repeat_interval=1, languages="de", venue_name="Rathaus")
    events.save(event, **fields)
    if tags:
        events.set_tags(event, list(tags))
    db.session.flush()
    if created is not None:
        event.created_at = event.updated_at = created
    db.session.commit()
    return event


def subscriber(network, email, language="de", confirmed=True, **choices):
    subscription = service.add_subscriber(
        network, email, language, group_ids=choices.get("groups", []), kind_ids=choices.get("kinds", []),
        tag_ids=choices.get("tags", []), created_at=MONDAY - timedelta(days=30),
        confirmed_at=MONDAY - timedelta(days=29) if confirmed else None)
    db.session.commit()
    return subscription


def _mails(to=None):
    query = select(OutboxMail).order_by(OutboxMail.id)
    if to:
        query = query.where(OutboxMail.recipient == to)
    return db.session.scalars(query).all()


def _link(body, kind):
    found = re.search(rf"https?://\S+/digest/{kind}/([\w-]+)", body)
    assert found, body
    return found.group(0), found.group(1)


# --- Subscribing ------------------------------------------------------------------------

def test_subscribe_confirm_by_a_button_and_manage(client, network):
    response = client.post("/n/magdeburg/digest", data={"email": "Amal@Example.org", "language": "ar",
                                                        "wants_digest": "y"})
    assert response.status_code == 303 and response.location.endswith("/n/magdeburg/digest/subscribed")
    subscription = db.session.scalar(select(Subscription))
    assert subscription.email == "amal@example.org" and subscription.language == "ar"
    assert subscription.confirmed_at is None
    [mail] = _mails("amal@example.org")
    url, token = _link(mail.body, "confirm")
    assert token not in (subscription.confirm_hash, subscription.manage_hash)  # only hashes stored

    page = client.get(f"/n/magdeburg/digest/confirm/{token}")  # what a mail scanner does
    assert page.status_code == 200 and b'method="post"' in page.data
    db.session.refresh(subscription)
    assert subscription.confirmed_at is None

    confirmed = client.post(f"/n/magdeburg/digest/confirm/{token}")
    assert confirmed.status_code == 303 and "/digest/manage/" in confirmed.location
    db.session.refresh(subscription)
    assert subscription.confirmed_at is not None

    manage = confirmed.location.split("localhost", 1)[-1]
    saved = client.post(manage, data={"language": "uk", "wants_digest": "y", "wants_newsletter": "y"})
    assert saved.status_code == 303
    db.session.refresh(subscription)
    assert (subscription.language, subscription.wants_newsletter) == ("uk", True)
    assert subscription in service.newsletter_recipients(network)


def test_the_same_answer_for_known_and_unknown_addresses(client, network):
    known = subscriber(network, "known@example.org", language="en")
    answers = [client.post("/n/magdeburg/digest", data={"email": email, "language": "de", "wants_digest": "y"})
               for email in ("known@example.org", "new@example.org")]
    assert [(a.status_code, a.location) for a in answers] == [(answers[0].status_code, answers[0].location)] * 2
    page = client.get(answers[0].location)
    assert page.status_code == 200
    [known_mail] = _mails("known@example.org")
    assert "/digest/manage/" in known_mail.body and "/digest/confirm/" not in known_mail.body
    assert known_mail.subject.startswith("You are already subscribed")  # in the subscriber's language
    db.session.refresh(known)
    assert known.language == "en"  # nothing changed by a stranger's request
    [new_mail] = _mails("new@example.org")
    assert "/digest/confirm/" in new_mail.body


def test_an_address_gets_one_subscribe_mail_per_quarter_hour(client, network):
    form = {"email": "flood@example.org", "language": "de", "wants_digest": "y"}
    answers = [client.post("/n/magdeburg/digest", data=form) for _ in range(3)]
    assert {(a.status_code, a.location) for a in answers} == {(303, answers[0].location)}  # the same answer
    assert len(_mails("flood@example.org")) == 1
    subscription = db.session.scalar(select(Subscription))
    first = subscription.created_at
    later = first + timedelta(days=3)
    service.subscribe(network, "flood@example.org", "de", True, False, now=first + timedelta(minutes=14))
    assert len(_mails("flood@example.org")) == 1
    service.subscribe(network, "flood@example.org", "de", True, False, now=later)
    db.session.commit()
    assert len(_mails("flood@example.org")) == 2
    db.session.refresh(subscription)
    assert subscription.created_at == later  # the week to confirm counts from the newest mail
    assert service.purge_pending(first + timedelta(days=8)) == 0
    _url, token = _link(_mails("flood@example.org")[-1].body, "confirm")
    assert service.by_token("confirm", token, now=first + timedelta(days=8)) == subscription

    confirmed = subscriber(network, "known@example.org")
    for minutes in (0, 5, 20):
        service.subscribe(network, "known@example.org", "de", True, False, now=MONDAY + timedelta(minutes=minutes))
    db.session.commit()
    assert len(_mails("known@example.org")) == 2
    assert confirmed.mailed_at == MONDAY + timedelta(minutes=20)


def test_bad_input_gets_a_message_and_nothing_is_saved(client, network):
    bad = client.post("/n/magdeburg/digest", data={"email": "not an address", "language": "de",
                                                  "wants_digest": "y"})
    nothing = client.post("/n/magdeburg/digest", data={"email": "a@example.org", "language": "de"})
    assert bad.status_code == nothing.status_code == 422
    assert b'id="email-error"' in bad.data and b'id="wants-error"' in nothing.data
    bot = client.post("/n/magdeburg/digest", data={"email": "bot@example.org", "language": "de",
                                                  "wants_digest": "y", "homepage": "http://spam"})
    assert bot.status_code == 303
    assert db.session.scalar(select(func.count(Subscription.id))) == 0 and not _mails()


def test_forged_and_expired_confirmation_links_confirm_nothing(client, network):
    pending = subscriber(network, "late@example.org", confirmed=False)
    token = service.token(pending, "confirm")
    for forged in ("x" * 43, token[:-1] + ("A" if token[-1] != "A" else "B"), "ü" * 10, "a" * 500,
                   service.token(pending, "manage")):
        for method in (client.get, client.post):
            response = method(f"/n/magdeburg/digest/confirm/{forged}")
            assert response.status_code == 404
            assert b"/n/magdeburg/digest" in response.data  # a way to subscribe again
    assert client.get(f"/n/other/digest/confirm/{token}").status_code == 404
    pending.created_at = service.utcnow() - timedelta(days=8)
    db.session.commit()
    assert client.post(f"/n/magdeburg/digest/confirm/{token}").status_code == 404
    db.session.refresh(pending)
    assert pending.confirmed_at is None
    assert service.purge_pending() == 1


def test_the_organizers_export_of_a_person_names_their_subscription(network):
    from app.registrations.privacy import export_person

    subscriber(network, "reader@example.org", language="uk")
    exported = export_person(network, "Reader@Example.org")
    assert exported["digest_subscription"]["language"] == "uk"
    assert "digest_subscription" not in export_person(network, "other@example.org")


# --- The weekly mail ----------------------------------------------------------------------

@pytest.mark.config(BASE_URL=HTTPS)
def test_the_weekly_digest_arrives_with_one_click_unsubscribe(app, network, smtp_server):
    _port, inbox = smtp_server
    public_event(network, "Interkulturelles Fest", local(2026, 12, 9, 15))
    reader = subscriber(network, "reader@example.org", language="en")
    assert service.send_due_digests(MONDAY - timedelta(minutes=1)) == 0  # 7:59: not yet
    assert service.send_due_digests(MONDAY) == 1
    outbox.work(once=True)
    [message] = inbox.messages
    assert message["To"] == "reader@example.org"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = re.fullmatch(r"<(https://\S+/digest/unsubscribe/[\w-]+)>", message["List-Unsubscribe"]).group(1)
    text = message.get_body(("plain",)).get_content()
    assert "Interkulturelles Fest" in text and unsubscribe in text and "What's on" in message["Subject"]
    assert unsubscribe in message.get_body(("html",)).get_content()

    # RFC 8058: the mail program POSTs, with no session, no cookies and no CSRF token.
    app.config["WTF_CSRF_ENABLED"] = True
    mail_program = app.test_client(use_cookies=False)
    path = unsubscribe.removeprefix(HTTPS)
    assert mail_program.get(path).status_code == 200  # a page with a button: GET changes nothing
    assert db.session.get(Subscription, reader.id) is not None
    response = mail_program.post(path, data="List-Unsubscribe=One-Click",
                                 content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert db.session.scalar(select(func.count(Subscription.id))) == 0
    assert mail_program.post(path, data="List-Unsubscribe=One-Click").status_code == 404


@pytest.mark.config(BASE_URL=HTTPS)
def test_a_letter_with_the_list_headers_reaches_the_smtp_server(app, network, smtp_server):
    """The newsletter sends Letters with these header fields (outbox.enqueue_letter)."""
    _port, inbox = smtp_server
    reader = subscriber(network, "reader@example.org")
    outbox.enqueue_letter(reader.email, Letter("Newsletter 1/2027", "Hallo,", ["Neuigkeiten."]),
                          network_id=network.id, headers=service.list_headers(reader))
    db.session.commit()
    outbox.work(once=True)
    [message] = inbox.messages
    assert message["List-Unsubscribe"] == f"<{service.unsubscribe_url(reader)}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.get_body(("html",)) is not None and "Neuigkeiten." in message.get_body(("plain",)).get_content()


def test_plain_http_links_get_no_one_click_header(network):
    """RFC 8058 allows the one-click POST to https links only (the tests' BASE_URL is http)."""
    reader = subscriber(network, "reader@example.org")
    url = service.unsubscribe_url(reader)
    assert url.startswith("http://") and service.list_headers(reader) == {"List-Unsubscribe": f"<{url}>"}


@pytest.mark.config(RATELIMIT_ENABLED=True)
def test_the_one_click_unsubscribe_is_not_limited_per_ip(app, network):
    """Mail providers POST from a few shared addresses; the token is what protects it."""
    mail_program = app.test_client(use_cookies=False)
    forged = [mail_program.post(f"/n/magdeburg/digest/unsubscribe/{'x' * 43}{n:02d}").status_code for n in range(35)]
    assert forged == [404] * 35
    reader = subscriber(network, "reader@example.org")
    path = service.unsubscribe_url(reader).split("localhost", 1)[-1]
    assert mail_program.post(path, data="List-Unsubscribe=One-Click").status_code == 200


@pytest.mark.parametrize("monday, utc_hour", [
    ((2026, 3, 30), 6),  # summer time began on Sunday 29 March: 8:00 is 06:00 UTC
    ((2026, 10, 26), 7),  # and ended on Sunday 25 October: 8:00 is 07:00 UTC
])
def test_the_local_hour_holds_in_the_weeks_of_the_clock_changes(network, monday, utc_hour):
    start = local(*monday, 8)
    assert start.hour == utc_hour
    public_event(network, "Sprachcafé", start + timedelta(days=2))
    subscriber(network, "reader@example.org")
    assert service.send_due_digests(start - timedelta(minutes=1)) == 0
    assert service.send_due_digests(start) == 1
    digest = db.session.scalar(select(Digest))
    assert digest.week == f"{monday[0]}-W{start.isocalendar()[1]:02d}"


def test_the_hour_the_clocks_skip_sends_at_three_once(network):
    """Sunday 28 March 2027, 2:00 does not exist in Berlin: the digest goes at 3:00 summer time."""
    db.session.get(DigestSetting, network.id).weekday, db.session.get(DigestSetting, network.id).hour = 6, 2
    db.session.commit()
    three = local(2027, 3, 28, 3)
    assert (three.hour, three.minute) == (1, 0)  # 3:00 CEST is 1:00 UTC
    public_event(network, "Osterfrühstück", local(2027, 3, 30, 9))
    subscriber(network, "reader@example.org")
    assert service.due_at(db.session.get(DigestSetting, network.id), three, "Europe/Berlin") == three
    assert service.send_due_digests(three - timedelta(minutes=1)) == 0
    assert service.send_due_digests(three) == 1
    assert service.send_due_digests(three + timedelta(hours=1)) == 0
    assert len(_mails()) == 1


def test_enabled_mid_week_the_digest_waits_for_its_day(network):
    """Thursday, with Monday 8:00 set: this week's time is long past, so the week is skipped
    (not sent now and again on Monday)."""
    public_event(network, "Fest", local(2026, 12, 17, 15))
    subscriber(network, "reader@example.org")
    thursday = MONDAY + timedelta(days=3, hours=2)
    assert service.next_send_at(network, db.session.get(DigestSetting, network.id), thursday) == \
        MONDAY + timedelta(days=7)
    assert service.send_due_digests(thursday) == 0
    assert not _mails() and db.session.scalar(select(Digest)) is None
    assert service.send_due_digests(MONDAY + timedelta(days=7)) == 1
    # A worker back within the day still sends the week's.
    db.session.execute(delete(Digest))
    db.session.execute(delete(OutboxMail))
    db.session.commit()
    assert service.send_due_digests(MONDAY + timedelta(days=7, hours=23)) == 1


def test_a_failing_network_is_rolled_back_and_the_others_are_sent(network, make, monkeypatch, caplog):
    other = make.network("halle", "Netzwerk Halle")
    db.session.add(DigestSetting(network_id=other.id, enabled=True, weekday=0, hour=8, draft_intro=""))
    for each in (network, other):
        public_event(each, "Fest", local(2026, 12, 9, 15))
        subscriber(each, f"reader@{each.slug}.example.org")
    real_send = service.send

    def send(coming_plan, digest):
        real_send(coming_plan, digest)  # the mails are queued …
        if coming_plan.network.slug == "magdeburg":
            raise RuntimeError("a template broke")  # … and then it fails

    monkeypatch.setattr(service, "send", send)
    assert service.send_due_digests(MONDAY) == 1
    assert [mail.recipient for mail in _mails()] == ["reader@halle.example.org"]
    assert db.session.scalars(select(Digest.network_id)).all() == [other.id]  # Magdeburg's week not lost
    assert "a template broke" in caplog.text
    monkeypatch.setattr(service, "send", real_send)
    assert service.send_due_digests(MONDAY + timedelta(hours=1)) == 1  # the next hourly run
    assert len(_mails("reader@magdeburg.example.org")) == 1


def test_never_twice_in_a_week_and_never_empty(network):
    subscriber(network, "reader@example.org")
    assert service.send_due_digests(MONDAY) == 0  # nothing coming: no mail …
    assert not _mails() and db.session.scalar(select(Digest)).recipient_count == 0  # … and the week is claimed
    public_event(network, "Fest", local(2026, 12, 16, 15))
    assert service.send_due_digests(MONDAY + timedelta(days=2)) == 0  # the same week
    assert service.send_due_digests(MONDAY + timedelta(days=7)) == 1  # the next week
    assert service.send_due_digests(MONDAY + timedelta(days=7, hours=5)) == 0
    assert len(_mails()) == 1
    assert service.archive(network)[0].week == "2026-W51"


def test_filters_are_honoured_and_an_empty_list_sends_nothing(network, make):
    sprache = make.group(network, "Sprache")
    kurs = make.group(network, "Sprachkurse", parent=sprache)
    arbeit = make.group(network, "Arbeit")
    public_event(network, "Deutschkurs-Info", local(2026, 12, 8, 10), kind="training", group=kurs)
    public_event(network, "Jobmesse", local(2026, 12, 10, 10), group=arbeit, tags=["Arbeit"])
    public_event(network, "Später", local(2026, 12, 30, 10))  # beyond the two weeks
    db.session.commit()
    training = _kind(network, "training").id
    subscriber(network, "all@example.org")
    subscriber(network, "sprache@example.org", groups=[sprache.id])  # its sub-group's events too
    subscriber(network, "arbeit-training@example.org", groups=[arbeit.id], kinds=[training])  # none match both
    tag = db.session.scalar(select(Event).where(Event.title == "Jobmesse")).tags[0]
    subscriber(network, "tag@example.org", tags=[tag.id])
    assert service.send_due_digests(MONDAY) == 3
    bodies = {mail.recipient: mail.body for mail in _mails()}
    assert set(bodies) == {"all@example.org", "sprache@example.org", "tag@example.org"}
    assert "Deutschkurs-Info" in bodies["all@example.org"] and "Jobmesse" in bodies["all@example.org"]
    assert "Später" not in bodies["all@example.org"]
    assert "Deutschkurs-Info" in bodies["sprache@example.org"] and "Jobmesse" not in bodies["sprache@example.org"]
    assert "Jobmesse" in bodies["tag@example.org"] and "Deutschkurs-Info" not in bodies["tag@example.org"]


def test_new_changed_and_cancelled_are_marked_and_the_intro_goes_out_once(network):
    last_sent = MONDAY - timedelta(days=7)
    db.session.add(Digest(network_id=network.id, week="2026-W49", sent_at=last_sent, intro="", content="x",
                          event_count=2, recipient_count=1))
    db.session.commit()
    old = last_sent - timedelta(days=10)
    public_event(network, "Unverändert", local(2026, 12, 8, 10), created=old)
    moved = public_event(network, "Verschoben", local(2026, 12, 9, 10), created=old)
    cancelled = public_event(network, "Abgesagt", local(2026, 12, 10, 10), created=old)
    public_event(network, "Ganz neu", local(2026, 12, 15, 10), created=last_sent + timedelta(days=2))
    events.save(moved, starts_at=local(2026, 12, 9, 12), ends_at=local(2026, 12, 9, 14))
    events.cancel(cancelled, "Krankheit")
    db.session.commit()
    setting = db.session.get(DigestSetting, network.id)
    setting.draft_intro = "**Frohe Feiertage** vom Team!"
    db.session.commit()
    subscriber(network, "reader@example.org", language="en")

    assert service.send_due_digests(MONDAY) == 1
    [mail] = _mails()
    body = mail.body
    assert "Frohe Feiertage vom Team!" in body and "<strong>Frohe Feiertage</strong>" in mail.html
    new_section, rest = body.split("More in the next two weeks")
    assert "New: Ganz neu" in new_section and "Unverändert" not in new_section
    assert "Changed: Verschoben" in rest and "Cancelled: Abgesagt" in rest
    assert "- Unverändert" in rest and "Rathaus" in rest
    db.session.refresh(setting)
    assert setting.draft_intro == ""
    digest = db.session.scalar(select(Digest).where(Digest.week == "2026-W50"))
    assert digest.intro.startswith("**Frohe") and "Ganz neu" in digest.content
    assert "reader@example.org" not in digest.content and "/unsubscribe/" not in digest.content


def test_each_subscriber_reads_the_digest_in_their_language(network):
    public_event(network, "Fest", local(2026, 12, 9, 15))
    subscriber(network, "de@example.org", language="de")
    subscriber(network, "en@example.org", language="en")
    service.send_due_digests(MONDAY)
    # The words come from the catalogs (translated later); the dates show the language now.
    bodies = {mail.recipient: mail.body for mail in _mails()}
    assert "Mittwoch, 9. Dezember 2026" in bodies["de@example.org"]
    assert "Wednesday" in bodies["en@example.org"] and "Mittwoch" not in bodies["en@example.org"]
    html = {mail.recipient: mail.html for mail in _mails()}
    assert 'lang="en"' in html["en@example.org"]
    # Personal links differ, the rest is shared.
    assert service.unsubscribe_url(db.session.scalar(select(Subscription).where(
        Subscription.email == "en@example.org"))) in html["en@example.org"]


def _statements(fn) -> list[str]:
    recorded = []

    def record(conn, cursor, statement, *args):
        recorded.append(statement.lstrip().split(None, 1)[0].upper())

    sql_event.listen(db.engine, "before_cursor_execute", record)
    try:
        fn()
    finally:
        sql_event.remove(db.engine, "before_cursor_execute", record)
    return recorded


def test_sending_reads_the_same_queries_for_10_or_60_subscribers(network, make):
    sprache = make.group(network, "Sprache")
    for day in range(1, 12):
        public_event(network, f"Termin {day}", local(2026, 12, 7 + day, 10), group=sprache if day % 2 else None,
                     tags=["Sprache"] if day % 3 == 0 else ())
    tag_id = db.session.scalar(select(Event).where(Event.title == "Termin 3")).tags[0].id

    def add(count, start):
        for n in range(start, start + count):
            subscriber(network, f"r{n}@example.org", language=("de", "en", "ar", "uk")[n % 4],
                       groups=[sprache.id] if n % 3 == 0 else [], tags=[tag_id] if n % 5 == 0 else [])

    def send_this_week() -> list[str]:
        db.session.execute(delete(Digest))
        db.session.execute(delete(OutboxMail))
        db.session.commit()
        db.session.expire_all()
        return _statements(lambda: service.send_due_digests(MONDAY))

    add(10, 0)
    few = send_this_week()
    add(50, 10)
    many = send_this_week()
    reads = [statement for statement in many if statement != "INSERT"]
    assert [s for s in few if s != "INSERT"] == reads and len(reads) <= 20, reads
    # The outbox's rows: one INSERT each on SQLite (the ORM needs each new id back), batched on
    # PostgreSQL; the digest's own row once.
    assert many.count("INSERT") <= 60 + 1
    assert len(_mails()) == 60


# --- The pages ------------------------------------------------------------------------------

def test_archive_and_the_network_page_link(client, network):
    public_event(network, "Fest der Kulturen", local(2026, 12, 9, 15))
    subscriber(network, "reader@example.org")
    service.send_due_digests(MONDAY)
    page = client.get("/n/magdeburg/digest/archive")
    assert page.status_code == 200 and b"/digest/archive/2026-W50" in page.data
    shown = client.get("/n/magdeburg/digest/archive/2026-W50")
    assert shown.status_code == 200 and "Fest der Kulturen" in shown.get_data(as_text=True)
    assert b"reader@example.org" not in shown.data
    assert client.get("/n/magdeburg/digest/archive/2026-W01").status_code == 404
    assert client.get("/n/magdeburg/digest/archive/2026-W50anything").status_code == 404  # only the key itself
    assert b"/n/magdeburg/digest" in client.get("/n/magdeburg").data


def test_settings_and_preview_are_for_coordinators_only(client, make, network):
    make.user("other@example.org")
    db.session.commit()
    make.login(client, "other@example.org")
    assert client.get("/n/magdeburg/digest/settings").status_code == 403
    assert client.get("/n/magdeburg/digest/preview").status_code == 403
    assert client.post("/n/magdeburg/digest/preview", data={"draft_intro": "x"}).status_code == 403
    anonymous = client.application.test_client()
    assert anonymous.get("/n/magdeburg/digest/settings").status_code == 302


def test_the_preview_shows_what_will_be_sent_and_saves_the_intro(client, make, network):
    make.user("coord@example.org", coordinates=[network])
    # After the coming sending time, whatever the day the test runs: it lists from then.
    public_event(network, "Fest", service.utcnow() + timedelta(days=8))
    subscriber(network, "de@example.org", language="de")
    subscriber(network, "ar@example.org", language="ar")
    subscriber(network, "waiting@example.org", confirmed=False)
    make.login(client, "coord@example.org")
    saved = client.post("/n/magdeburg/digest/preview", data={"draft_intro": "Hallo *alle*"})
    assert saved.status_code == 303
    page = client.get("/n/magdeburg/digest/preview")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Fest" in text and "<em>alle</em>" in text
    assert "2 recipients" in text or "2 Empfänger" in text
    settings = client.get("/n/magdeburg/digest/settings")
    assert settings.status_code == 200
    changed = client.post("/n/magdeburg/digest/settings", data={"enabled": "y", "weekday": "3", "hour": "17"})
    assert changed.status_code == 303
    setting = db.session.get(DigestSetting, network.id)
    assert (setting.weekday, setting.hour, setting.draft_intro) == (3, 17, "Hallo *alle*")


def test_the_pages_take_the_same_queries_however_many_digests_and_subscribers(client, make, network,
                                                                             count_queries):
    make.user("coord@example.org", coordinates=[network])
    sprache = make.group(network, "Sprache")
    for day in range(8, 20):
        public_event(network, f"Termin {day}", local(2026, 12, day, 10), group=sprache if day % 2 else None)
    make.login(client, "coord@example.org")
    pages = ["/n/magdeburg/digest", "/n/magdeburg/digest/archive", "/n/magdeburg/digest/settings",
             "/n/magdeburg/digest/preview"]

    def add(first: int, count: int) -> None:
        for n in range(first, first + count):
            subscriber(network, f"r{n}@example.org", language=("de", "ar", "uk")[n % 3],
                       groups=[sprache.id] if n % 2 else [])
            db.session.add(Digest(network_id=network.id, week=f"2025-W{n + 1:02d}", sent_at=MONDAY - timedelta(
                days=400 - 7 * n), intro="", content="<p>x</p>", event_count=3, recipient_count=2))
        db.session.commit()

    def visit(path):
        def get():
            assert client.get(path).status_code == 200, path
        return get

    add(0, 2)
    few = {path: count_queries(visit(path)) for path in pages}
    add(2, 20)
    assert {path: count_queries(visit(path)) for path in pages} == few


# --- The demo ---------------------------------------------------------------------------------

def test_the_demo_has_subscribers_three_past_digests_and_an_intro_waiting(app, client):
    from app import demo
    from tests.demo_snapshot import load_demo

    load_demo()
    network = db.session.scalar(select(Network).where(Network.slug == "magdeburg"))
    setting = db.session.get(DigestSetting, network.id)
    assert setting.enabled and (setting.weekday, setting.hour) == (0, 8) and setting.draft_intro
    subscriptions = db.session.scalars(select(Subscription).where(Subscription.network_id == network.id)).all()
    assert {s.language for s in subscriptions} >= {"de", "ar", "uk", "fa", "tr", "en"}
    assert sum(s.confirmed_at is None for s in subscriptions) == 1
    assert any(s.group_ids or s.kind_ids for s in subscriptions)
    past = service.archive(network)
    assert len(past) == 3 and all(d.sent_at < service.utcnow() and d.content for d in past)
    assert client.get(f"/n/magdeburg/digest/archive/{past[0].week}").status_code == 200
    demo.load_demo()
    assert db.session.scalar(select(func.count(Subscription.id))) == len(subscriptions)
    assert len(service.archive(network)) == 3
