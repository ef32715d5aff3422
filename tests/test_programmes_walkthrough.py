"""The issue's "done when", through HTTP only: from the demo data, 40 organizers submit their
events through the shared link, the coordinator logs in and approves each in the queue, and the
programme shows them on its page, in its feed, in the PDF booklet and in the embed."""
from datetime import timedelta

from flask import url_for
from sqlalchemy import func, select

from app.core.extensions import db
from app.demo import DEMO_PASSWORD
from app.mail.models import OutboxMail
from app.programmes import listing, service
from app.programmes.models import Campaign, Submission

from . import factories

ORGANIZATION_KINDS = ["Nachbarschaftsinitiative", "Kulturverein", "Elternnetzwerk", "Sportverein", "Frauentreff",
                      "Jugendclub", "Seniorenkreis", "Chor"]
DISTRICTS = ["Sudenburg", "Buckau", "Cracau", "Olvenstedt", "Reform"]
CATEGORIES = ["encounter", "workshop", "art", "talk", "counselling", "sports", "food", "other"]
COUNT = len(ORGANIZATION_KINDS) * len(DISTRICTS)  # 40 organizers, one entry each


def entry(n: int, campaign: Campaign) -> dict:
    """What organizer n types into the form: their own place, a day of the week, 10:00 to 19:00."""
    kind, district = ORGANIZATION_KINDS[n % len(ORGANIZATION_KINDS)], DISTRICTS[n // len(ORGANIZATION_KINDS)]
    category = next(c for c in campaign.categories if c.code == CATEGORIES[n % len(CATEGORIES)])
    day = campaign.starts_on + timedelta(days=n % 8)
    hour = 10 + n % 10
    data = {
        "title": f"Mitmachangebot {n + 1} vom {kind} {district}",
        "description": f"Ein Angebot für alle im Stadtteil {district}.\n\n- Ankommen\n- Mitmachen",
        "text_language": "en" if n % 10 == 0 else "de",
        "category_id": str(category.id),
        "start_date": day.isoformat(), "start_time": f"{hour:02d}:00", "end_time": f"{hour + 1:02d}:30",
        "venue_name": f"Vereinsraum {kind} {district}", "venue_address": f"Hauptstraße {n + 1}, 39100 Magdeburg",
        "district": district, "accessibility": "Eingang ebenerdig.",
        "languages": ["de", "ar"] if n % 2 else ["de"],
        "target_groups": ["everyone"] if n % 3 else ["families", "children"],
        "is_free": "fee" if n % 4 == 0 else "free", "fee": "3 €, ermäßigt 1 €" if n % 4 == 0 else "",
        "organization_name": f"{kind} {district}", "contact_name": f"Person {n + 1}",
        "contact_email": f"organizer{n + 1}@walkthrough.example", "contact_phone": "0391 000000",
        "homepage": "",  # the honeypot, left empty as people do
    }
    if n % 2:
        data["step_free"] = "y"
    if n % 5 == 0:
        data.update(registration_required="y", capacity="20")
    return data


def test_forty_submissions_through_review_into_the_published_programme(app):
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    campaign = db.session.scalar(select(Campaign).join(Campaign.network).where(Campaign.status == "published"))
    if not service.accepting_submissions(campaign):
        # Late in August the demo's submission period is over; the coordination takes late entries.
        campaign.submissions_until = service.local_today(campaign)
        db.session.commit()
    before = len(listing.entries(campaign))
    slug, key, campaign_id = campaign.slug, campaign.submission_key, campaign.id
    organizers = app.test_client()
    coordinator = app.test_client()
    visitor = app.test_client()

    # --- 40 organizers submit through the shared link, no account ---------------------------
    submit_url = url_for("programmes.submit", slug=slug, token=key)
    page = organizers.get(submit_url)
    assert page.status_code == 200 and b'name="contact_email"' in page.data
    entries = [entry(n, campaign) for n in range(COUNT)]
    for data in entries:
        response = organizers.post(submit_url, data=data)
        assert response.status_code == 303, response.data[-2000:]
        assert "/s/" in response.headers["Location"]  # on to the private status page
    emails = [data["contact_email"] for data in entries]
    submitted = db.session.scalars(select(Submission).where(Submission.contact_email.in_(emails))
                                   .order_by(Submission.id)).all()
    assert [s.title for s in submitted] == [data["title"] for data in entries]
    assert {s.status for s in submitted} == {"submitted"}
    assert len({s.organization_name for s in submitted}) == COUNT
    # Each got the confirmation with the status link.
    assert db.session.scalar(select(func.count(func.distinct(OutboxMail.recipient)))
                             .where(OutboxMail.recipient.in_(emails))) == COUNT

    # --- The coordinator opens the campaign and takes each through review -------------------
    factories.login(coordinator, "koordination@magdeburg.example", DEMO_PASSWORD)
    home = coordinator.get(url_for("programmes.campaign", campaign_id=campaign_id))
    assert home.status_code == 200 and submit_url.encode() in home.data
    queue = coordinator.get(url_for("programmes.queue", campaign_id=campaign_id, status="submitted"))
    assert queue.status_code == 200
    assert all(data["title"].encode() in queue.data for data in entries)
    for submission in submitted:
        response = coordinator.post(url_for("programmes.approve", submission_id=submission.id),
                                    data={"status": "submitted", "seen": submission.updated_at.isoformat()})
        assert response.status_code == 303, response.data[-2000:]
    db.session.expire_all()
    assert {s.status for s in submitted} == {"approved"}
    events = [s.event for s in submitted]
    assert all(e.status == "published" and e.visibility == "public" for e in events)
    # The demo's programme is public already; publishing again is harmless.
    published = coordinator.post(url_for("programmes.publish", campaign_id=campaign_id))
    assert published.status_code == 303
    db.session.expire_all()
    assert len(listing.entries(db.session.get(Campaign, campaign_id))) == before + COUNT

    # --- Everyone sees them: the page, the feed, the booklet, the embed ----------------------
    programme = visitor.get(url_for("programmes.programme", slug=slug))
    assert programme.status_code == 200
    for data, event in zip(entries, events):
        assert data["title"].encode() in programme.data
        assert f'href="{url_for("events.show", event_id=event.id, _external=False)}"'.encode() in programme.data

    feed = visitor.get(url_for("feeds.programme", slug=slug))
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    ics = feed.get_data(as_text=True).replace("\r\n ", "")  # unfolded
    assert all(f"UID:{event.uid}\r\n" in ics for event in events)
    assert all(f"SUMMARY:{data['title']}\r\n" in ics for data in entries)

    booklet = visitor.get(url_for("programmes.booklet", slug=slug))
    assert booklet.status_code == 200 and booklet.mimetype == "application/pdf"
    assert booklet.data.startswith(b"%PDF")

    embed = visitor.get(url_for("programmes.embed", slug=slug))
    assert embed.status_code == 200 and "frame-ancestors" in embed.headers["Content-Security-Policy"]
    assert all(data["title"].encode() in embed.data for data in entries)
