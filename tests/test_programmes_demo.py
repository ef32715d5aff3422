"""The demo's Intercultural Week: a published programme of the Magdeburg network for the coming
September with 40+ events from 15+ organizations and submissions waiting for review, loaded
once however often `flask demo` runs."""
from datetime import date

import pytest
from babel.dates import format_date
from sqlalchemy import func, select

from app.core.extensions import db
from tests.demo_snapshot import load_demo
from app.events.labels import LANGUAGE_LABELS
from app.events.models import Event
from app.mail.models import OutboxMail
from app.programmes import demo, listing, review, service
from app.programmes.models import BUILTIN_CATEGORIES, TARGET_GROUPS, Campaign, ReviewStep, Submission


@pytest.fixture
def campaign(app):
    load_demo()
    return db.session.scalar(select(Campaign))


def by_status(campaign, status):
    return db.session.scalars(select(Submission).where(Submission.campaign_id == campaign.id,
                                                       Submission.status == status)).all()


def test_demo_runs_twice_without_duplicating(app, campaign):
    counts = tuple(db.session.scalar(select(func.count()).select_from(model))
                   for model in (Campaign, Submission, ReviewStep, Event, OutboxMail))
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert f"/programmes/{campaign.slug}" in result.output and "46 events" in result.output
    assert tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (Campaign, Submission, ReviewStep, Event, OutboxMail)) == counts
    # The programme's mails (received, approved …) do not flood the dev mailbox.
    assert not db.session.scalar(select(func.count()).select_from(OutboxMail)
                                 .where(OutboxMail.subject.contains(campaign.title)))


def test_campaign_is_the_coming_september(campaign):
    today = service.local_today(campaign)
    year = today.year if today.month < 9 else today.year + 1
    assert (campaign.year, campaign.network.slug, campaign.status) == (year, "magdeburg", "published")
    assert campaign.title == f"Interkulturelle Woche {year}" and campaign.motto
    # The intro names the week, also when it ends in October.
    assert f"vom {format_date(campaign.starts_on, 'd. MMMM', locale='de')} bis " \
           f"{format_date(campaign.ends_on, 'd. MMMM', locale='de')} {year}" in campaign.intro
    assert campaign.starts_on.weekday() == 6 and 20 <= campaign.starts_on.day <= 26
    assert campaign.starts_on.month == 9
    assert (campaign.ends_on - campaign.starts_on).days == 7
    assert campaign.submissions_from < today <= campaign.submissions_until == date(year, 8, 15) \
        or today > date(year, 8, 15)
    assert campaign.contact_email == "koordination@magdeburg.example"


@pytest.mark.parametrize("today", [date(2027, 1, 1), date(2027, 8, 31), date(2027, 9, 1), date(2027, 12, 31)])
def test_campaign_dates_on_any_day(today):
    year, first, last = demo.campaign_dates(today)
    assert year == (2027 if today.month < 9 else 2028)
    assert first.weekday() == 6 and first.month == 9 and 20 <= first.day <= 26 and (last - first).days == 7
    assert first.year == year


def test_programme_has_40_events_from_15_organizations(campaign):
    entries = listing.entries(campaign)
    live = [e for e in entries if not e.cancelled]
    assert len(live) >= 40
    assert len({e.submission.organization_id for e in live if e.submission.organization_id}) >= 15
    for entry in entries:
        assert campaign.starts_on <= entry.starts.date() <= campaign.ends_on
        assert 10 <= entry.starts.hour <= 19 and entry.ends > entry.starts
    days = listing.by_day(live)
    assert len(days) == 8 and all(len(found) >= 3 for _day, found in days)
    # Variety the filters and the booklet need.
    submissions = [e.submission for e in live]
    assert {s.category.code for s in submissions} == set(BUILTIN_CATEGORIES)
    assert {code for s in submissions for code in s.language_codes} >= {"de", "ar", "uk", "ru", "fa", "en", "tr",
                                                                         "ku", "ti", "dgs"}
    assert {code for s in submissions for code in s.language_codes} <= set(LANGUAGE_LABELS)
    assert {code for s in submissions for code in s.target_group_codes} == set(TARGET_GROUPS)
    assert len({s.district for s in submissions}) >= 12
    assert 0 < sum(not s.step_free for s in submissions) < len(submissions) / 4
    assert any(s.fee == "3 €, ermäßigt 1 €" and not s.is_free for s in submissions)
    registered = [e for e in live if e.submission.registration_required]
    assert len(registered) >= 5
    assert all(e.event.registration_settings.is_open and e.event.registration_settings.capacity
               for e in registered)
    assert {s.text_language for s in submissions} == {"de", "en", "uk", "ar"}
    assert sum(s.text_language == "en" for s in submissions) >= 3
    cancelled = [e for e in entries if e.cancelled]
    assert [e.submission.status for e in cancelled] == ["withdrawn"] and cancelled[0].event.cancel_reason


def test_every_approved_submission_is_a_public_published_event(campaign):
    approved = by_status(campaign, "approved")
    assert len(approved) >= 40
    for submission in approved:
        event = submission.event
        assert (event.visibility, event.status, event.network_id) == ("public", "published", campaign.network_id)
        assert (event.title, event.starts_at, event.text_language) == (
            submission.title, submission.starts_at, submission.text_language)
        assert event.description and event.venue_name and campaign.title in {t.name for t in event.tags}
        assert [step.action for step in submission.history] == ["submitted", "approved"]
        assert submission.history[-1].user.email == demo.COORDINATOR


def test_submissions_wait_for_review(campaign):
    assert len(by_status(campaign, "submitted")) == 4
    (changes,) = by_status(campaign, "changes_requested")
    assert changes.review_message and changes.event is None
    (draft,) = by_status(campaign, "draft")
    assert service.missing_fields(draft) and draft.contact_email and draft.title
    (declined,) = by_status(campaign, "declined")
    assert declined.review_message and declined.event is None and declined.organization_id is None
    assert all(s.event is None for s in by_status(campaign, "submitted"))


def test_the_overlapping_pair_shows_in_the_queue(campaign):
    submissions = db.session.scalars(select(Submission).where(Submission.campaign_id == campaign.id)).all()
    found = review.overlaps(campaign, submissions)
    by_other = {s.id: {o.submission_id for o in found.get(s.id, []) if o.submission_id} for s in submissions}
    pair = [s for s in submissions if by_other[s.id]]
    # Exactly two, both waiting, each warned of the other; the approved entries never collide.
    assert len(pair) == 2 and {s.status for s in pair} == {"submitted"}
    first, second = pair
    assert by_other[first.id] == {second.id} and by_other[second.id] == {first.id}
    assert first.venue_name == second.venue_name
