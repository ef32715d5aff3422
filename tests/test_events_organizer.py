"""Organizer pages of events: create, edit, publish, cancel, duplicate; series and their single
dates; validation next to the right field; who may do what; calendars across both
daylight-saving changes, with a query count that does not grow with the data."""
import re
from datetime import date, datetime, timedelta

import pytest

from app.core.extensions import db
from app.directory import service as directory
from app.events import recurrence, service
from app.events.forms import date_limits
from app.events.models import Event, OccurrenceChange
from tests.factories import event_form as form, local

BERLIN = "Europe/Berlin"



def network(slug="magdeburg"):
    return directory.network_or_404(slug)


@pytest.fixture
def kinds(coordinator):
    found = service.kinds(network())
    db.session.commit()
    return found


@pytest.fixture
def english(coordinator_client, kinds):
    coordinator_client.set_cookie("lang", "en", domain="localhost")
    return coordinator_client


@pytest.fixture
def german(coordinator_client, kinds):
    return coordinator_client  # German is the default: times read 15:00


def create(client, kind, **overrides) -> Event:
    response = client.post("/n/magdeburg/events/new", data=form(kind, **overrides))
    assert response.status_code == 303, response.get_data(as_text=True)[-3000:]
    event_id = int(re.search(r"/events/(\d+)/manage", response.headers["Location"]).group(1))
    return db.session.get(Event, event_id)


def make_event(kind, start, end, title="Ehrenamtscafé", status="published", **fields) -> Event:
    event = Event(network_id=kind.network_id, kind_id=kind.id, title=title, timezone=BERLIN,
                  status=status, visibility="public")
    service.save(event, starts_at=start, ends_at=end, **fields)
    db.session.commit()
    return event


@pytest.fixture
def changed():
    """The ids of the events announced as changed (events.signals.event_changed)."""
    from app.events.signals import event_changed

    calls = []

    def record(event, **_):
        calls.append(event.id)

    with event_changed.connected_to(record):
        yield calls


# --- Create, edit, publish, cancel, duplicate ---------------------------------------

def test_create_a_draft_then_publish_edit_and_cancel(english, kinds, changed):
    event = create(english, kinds[0])
    assert event.status == "draft"
    assert event.starts_at == local(2027, 3, 4, 15) and event.ends_at == local(2027, 3, 4, 17)
    assert event.starts_at.hour == 14  # 15:00 in winter time is 14:00 UTC
    assert event.languages == "de,ar" and [t.name for t in event.tags] == ["Café", "Ehrenamt"]
    assert event.uid and event.timezone == BERLIN and not event.is_series
    page = english.get(f"/events/{event.id}/manage").get_data(as_text=True)
    assert "Draft" in page and "Publish" in page and "Ehrenamtscafé" in page

    assert english.post(f"/events/{event.id}/publish").status_code == 303
    db.session.refresh(event)
    assert event.status == "published" and changed == [event.id]
    sequence = event.sequence

    response = english.post(f"/events/{event.id}/edit", data=form(kinds[0], title="Ehrenamtscafé im Frühling",
                                                                  start_time="16:00", end_time="18:00"))
    assert response.status_code == 303
    db.session.refresh(event)
    assert event.title == "Ehrenamtscafé im Frühling" and event.starts_at == local(2027, 3, 4, 16)
    assert event.sequence > sequence and changed == [event.id, event.id]

    # A changed description alone is no change of time, place or status.
    english.post(f"/events/{event.id}/edit", data=form(kinds[0], title="Ehrenamtscafé im Frühling",
                                                       start_time="16:00", end_time="18:00", description="Neu"))
    assert len(changed) == 2

    refused = english.post(f"/events/{event.id}/cancel", data={"reason": ""})
    assert refused.status_code == 422 and 'id="reason-error"' in refused.get_data(as_text=True)
    assert english.post(f"/events/{event.id}/cancel", data={"reason": "Die Referentin ist krank."}).status_code == 303
    db.session.refresh(event)
    assert event.status == "cancelled" and event.cancel_reason == "Die Referentin ist krank."
    assert "This event is cancelled." in english.get(f"/events/{event.id}/manage").get_data(as_text=True)


def test_save_and_publish_in_one_step(english, kinds):
    event = create(english, kinds[0], publish="1")
    assert event.status == "published"


def test_form_preselects_the_group_and_lists_the_networks_choices(english, kinds, make):
    group = make.group(network(), "Sprache")
    organization = make.organization(network(), "Volkshochschule Magdeburg")
    directory.save_person(organization, None, name="Petra Neumann")
    db.session.commit()
    html = english.get(f"/n/magdeburg/events/new?group={group.id}").get_data(as_text=True)
    assert f'<option selected value="{group.id}">Sprache</option>' in html
    assert "Volkshochschule Magdeburg</option>" in html and "Petra Neumann (Volkshochschule Magdeburg)" in html
    assert "Working group meeting</option>" in html  # kinds by their label


def test_duplicate_is_same_as_last_time_one_week_later(english, kinds):
    source = create(english, kinds[1], title="AG Sprache", start_date="2027-03-25", start_time="18:00",
                    end_time="20:00")
    html = english.get(f"/n/magdeburg/events/new?duplicate={source.id}").get_data(as_text=True)
    assert 'value="AG Sprache"' in html and 'value="2027-04-01"' in html and 'value="18:00"' in html
    assert 'value="Café, Ehrenamt"' in html
    # Across the clock change the copy keeps 18:00 local time.
    copy = create(english, kinds[1], title="AG Sprache", start_date="2027-04-01", start_time="18:00",
                  end_time="20:00")
    assert copy.starts_at.hour == 16 and source.starts_at.hour == 17
    assert db.session.query(Event).count() == 2


def test_markdown_preview(english):
    response = english.post("/events/preview", data={"description": "**fett** <script>alert(1)</script>"},
                            headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert "<strong>fett</strong>" in html and "<script>" not in html


# --- Series ---------------------------------------------------------------------------

@pytest.mark.parametrize("repeat,end,expected", [
    ("weekly", {"repeat_count": "4"}, ["2027-03-04", "2027-03-11", "2027-03-18", "2027-03-25"]),
    ("biweekly", {"repeat_until": "2027-04-15"}, ["2027-03-04", "2027-03-18", "2027-04-01", "2027-04-15"]),
    ("monthly", {"repeat_count": "4"}, ["2027-03-04", "2027-04-01", "2027-05-06", "2027-06-03"]),  # 1st Thursday
])
def test_series_weekly_every_two_weeks_and_monthly(english, kinds, repeat, end, expected):
    event = create(english, kinds[0], repeat=repeat, **end)
    assert event.is_series
    found = recurrence.expand(event, [], local(2027, 1, 1), local(2028, 1, 1))
    assert [recurrence.to_local(o.starts_at, BERLIN).strftime("%Y-%m-%d") for o in found] == expected
    assert {recurrence.to_local(o.starts_at, BERLIN).strftime("%H:%M") for o in found} == {"15:00"}
    page = english.get(f"/events/{event.id}/manage").get_data(as_text=True)
    assert {"weekly": "Every Thursday", "biweekly": "Every two weeks on Thursday",
            "monthly": "Every first Thursday of the month"}[repeat] in page


def test_manage_page_lists_next_dates_with_show_more(english, kinds):
    today = date.today()
    start = today + timedelta(days=1)
    event = create(english, kinds[0], start_date=start.isoformat(), repeat="weekly", repeat_count="30")
    page = english.get(f"/events/{event.id}/manage").get_data(as_text=True)
    assert page.count('<li class="date-row') == 20 and "Show more dates" in page
    page = english.get(f"/events/{event.id}/manage?show=40").get_data(as_text=True)
    assert page.count('<li class="date-row') == 30 and "Show more dates" not in page


def _key(event, y, m, d):
    wall = datetime.combine(date(y, m, d), recurrence.to_local(event.starts_at, BERLIN).time())
    return f"{recurrence.to_utc(wall, BERLIN):%Y%m%dT%H%M%SZ}"


def test_skip_cancel_move_and_restore_single_dates(english, kinds, changed):
    event = make_event(kinds[0], local(2027, 3, 4, 15), local(2027, 3, 4, 17), repeat="weekly",
                       repeat_until=date(2027, 12, 30))
    base = f"/events/{event.id}/occurrences"
    assert english.post(f"{base}/{_key(event, 2027, 3, 11)}/skip").status_code == 303
    assert english.post(f"{base}/{_key(event, 2027, 3, 18)}/cancel",
                        data={"reason": "Raum belegt"}).status_code == 303
    # Moved across the clock change: 25 March to Tuesday 30 March (summer time), 16:00-18:00.
    move_url = f"{base}/{_key(event, 2027, 3, 25)}/move"
    form_html = english.get(move_url).get_data(as_text=True)
    assert 'value="2027-03-25"' in form_html and 'value="15:00"' in form_html
    assert english.post(move_url, data={"start_date": "2027-03-30", "start_time": "16:00", "end_date": "",
                                        "end_time": "18:00", "reason": "Bibliothek"}).status_code == 303
    db.session.expire_all()
    actions = {recurrence.to_local(c.original_start, BERLIN).date(): (c.action, c.reason) for c in event.changes}
    assert actions == {date(2027, 3, 11): ("skipped", ""), date(2027, 3, 18): ("cancelled", "Raum belegt"),
                       date(2027, 3, 25): ("moved", "Bibliothek")}
    moved = next(c for c in event.changes if c.action == "moved")
    assert moved.starts_at == local(2027, 3, 30, 16) and moved.starts_at.hour == 14
    assert len(changed) == 3

    found = recurrence.expand(event, event.changes, local(2027, 3, 1), local(2027, 4, 2))
    assert [(recurrence.to_local(o.starts_at, BERLIN).strftime("%d.%m. %H:%M"), o.cancelled) for o in found] == [
        ("04.03. 15:00", False), ("18.03. 15:00", True), ("30.03. 16:00", False), ("01.04. 15:00", False)]

    calendar = english.get("/n/magdeburg/calendar?view=week&date=2027-03-29").get_data(as_text=True)
    assert "4:00\u202fPM–6:00\u202fPM" in calendar or "4:00 PM–6:00 PM" in calendar
    assert "Moved" in calendar

    assert english.post(f"{base}/{_key(event, 2027, 3, 11)}/restore").status_code == 303
    assert english.post(f"{base}/{_key(event, 2027, 3, 25)}/restore").status_code == 303
    db.session.expire_all()
    assert [c.action for c in event.changes] == ["cancelled"]


def test_a_date_the_rule_does_not_produce_is_not_found(english, kinds):
    event = make_event(kinds[0], local(2027, 3, 4, 15), local(2027, 3, 4, 17), repeat="weekly", repeat_count=5)
    assert english.post(f"/events/{event.id}/occurrences/{_key(event, 2027, 3, 5)}/skip").status_code == 404
    assert english.post(f"/events/{event.id}/occurrences/garbage/skip").status_code == 404
    assert english.post(f"/events/{event.id}/occurrences/{_key(event, 2027, 3, 11)}/explode").status_code == 404
    assert english.get(f"/events/{event.id}/occurrences/{_key(event, 2027, 3, 11)}/move").status_code == 200


def test_move_refuses_a_time_that_happens_twice(english, kinds):
    event = make_event(kinds[0], local(2027, 10, 3, 10), local(2027, 10, 3, 12), repeat="weekly", repeat_count=5)
    response = english.post(f"/events/{event.id}/occurrences/{_key(event, 2027, 10, 24)}/move",
                            data={"start_date": "2027-10-31", "start_time": "02:30", "end_time": "04:00"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="start_time-error"' in html and "02:30 happens twice on 31.10.2027" in html
    db.session.expire_all()
    assert db.session.query(OccurrenceChange).count() == 0


def test_change_this_and_all_following(english, kinds, changed):
    event = make_event(kinds[0], local(2027, 3, 4, 15), local(2027, 3, 4, 17), repeat="weekly", repeat_count=10)
    url = f"/events/{event.id}/occurrences/{_key(event, 2027, 4, 1)}/following"
    html = english.get(url).get_data(as_text=True)
    assert 'value="2027-04-01"' in html and re.search(r'id="repeat_count"[^>]*value="6"', html)  # 6 dates left
    # From 1 April (summer time) on at 16:00 instead of 15:00, somewhere else.
    response = english.post(url, data=form(kinds[0], start_date="2027-04-01", start_time="16:00", end_time="18:00",
                                           repeat="weekly", repeat_count="6", venue_name="Stadtbibliothek"))
    assert response.status_code == 303
    db.session.expire_all()
    head, tail = db.session.query(Event).order_by(Event.id).all()
    assert response.headers["Location"].endswith(f"/events/{tail.id}/manage")
    assert head.repeat_until == date(2027, 3, 31) and head.repeat_count is None
    head_dates = recurrence.expand(head, head.changes, local(2027, 1, 1), local(2028, 1, 1))
    assert [recurrence.to_local(o.starts_at, BERLIN).strftime("%d.%m. %H:%M") for o in head_dates] == [
        "04.03. 15:00", "11.03. 15:00", "18.03. 15:00", "25.03. 15:00"]
    tail_dates = recurrence.expand(tail, tail.changes, local(2027, 1, 1), local(2028, 1, 1))
    assert [recurrence.to_local(o.starts_at, BERLIN).strftime("%d.%m. %H:%M") for o in tail_dates] == [
        "01.04. 16:00", "08.04. 16:00", "15.04. 16:00", "22.04. 16:00", "29.04. 16:00", "06.05. 16:00"]
    assert tail.venue_name == "Stadtbibliothek" and head.venue_name == ""
    assert tail.uid != head.uid and [t.name for t in tail.tags] == ["Café", "Ehrenamt"]
    assert set(changed) == {head.id, tail.id}


def test_this_and_following_keeps_single_changes_the_new_rule_still_has(english, kinds):
    event = make_event(kinds[0], local(2027, 3, 4, 15), local(2027, 3, 4, 17), repeat="weekly", repeat_count=10)
    event.changes.append(OccurrenceChange(original_start=local(2027, 4, 29, 15), action="cancelled", reason="Feiertag"))
    db.session.commit()
    url = f"/events/{event.id}/occurrences/{_key(event, 2027, 4, 1)}/following"
    assert english.post(url, data=form(kinds[0], start_date="2027-04-01", repeat="weekly", repeat_count="6",
                                       venue_name="Stadtbibliothek")).status_code == 303
    db.session.expire_all()
    head, tail = db.session.query(Event).order_by(Event.id).all()
    assert head.changes == []
    assert [(c.action, c.reason, c.original_start) for c in tail.changes] == [
        ("cancelled", "Feiertag", local(2027, 4, 29, 15))]


def test_single_date_changes_follow_their_day_when_the_time_changes(english, kinds):
    event = make_event(kinds[0], local(2027, 3, 4, 15), local(2027, 3, 4, 17), repeat="weekly", repeat_count=10)
    event.changes.append(OccurrenceChange(original_start=local(2027, 3, 11, 15), action="skipped"))
    event.changes.append(OccurrenceChange(original_start=local(2027, 4, 29, 15), action="cancelled", reason="Feiertag"))
    db.session.commit()
    # The whole series moves to 16:00: the skipped and the cancelled date stay so.
    assert english.post(f"/events/{event.id}/edit", data=form(kinds[0], start_time="16:00", end_time="18:00",
                                                              repeat="weekly", repeat_count="10")).status_code == 303
    db.session.expire_all()
    assert [(c.action, c.original_start) for c in event.changes] == [
        ("skipped", local(2027, 3, 11, 16)), ("cancelled", local(2027, 4, 29, 16))]
    # From 8 April on at 17:00: the cancellation of 29 April moves along to 17:00.
    url = f"/events/{event.id}/occurrences/{_key(event, 2027, 4, 8)}/following"
    assert english.post(url, data=form(kinds[0], start_date="2027-04-08", start_time="17:00", end_time="19:00",
                                       repeat="weekly", repeat_count="4")).status_code == 303
    db.session.expire_all()
    head, tail = db.session.query(Event).order_by(Event.id).all()
    assert [(c.action, c.original_start) for c in head.changes] == [("skipped", local(2027, 3, 11, 16))]
    assert [(c.action, c.reason, c.original_start) for c in tail.changes] == [
        ("cancelled", "Feiertag", local(2027, 4, 29, 17))]
    found = recurrence.expand(tail, tail.changes, local(2027, 1, 1), local(2028, 1, 1))
    assert [(recurrence.to_local(o.starts_at, BERLIN).strftime("%d.%m. %H:%M"), o.cancelled) for o in found] == [
        ("08.04. 17:00", False), ("15.04. 17:00", False), ("22.04. 17:00", False), ("29.04. 17:00", True)]
    # A series that no longer repeats keeps no single-date changes.
    assert english.post(f"/events/{head.id}/edit", data=form(kinds[0], start_time="16:00",
                                                             end_time="18:00")).status_code == 303
    db.session.expire_all()
    assert head.changes == [] and db.session.query(OccurrenceChange).count() == len(tail.changes)


def test_this_and_following_from_the_first_date_changes_the_whole_series(english, kinds):
    event = make_event(kinds[0], local(2027, 3, 4, 15), local(2027, 3, 4, 17), repeat="weekly", repeat_count=4)
    url = f"/events/{event.id}/occurrences/{_key(event, 2027, 3, 4)}/following"
    assert english.post(url, data=form(kinds[0], start_time="14:00", end_time="16:00", repeat="weekly",
                                       repeat_count="4")).status_code == 303
    db.session.expire_all()
    assert db.session.query(Event).count() == 1 and event.starts_at == local(2027, 3, 4, 14)


# --- Bad input: a clear message next to the right field, nothing saved -------------

def _too_long_series():
    first, last = date_limits()
    start = date.today() + timedelta(days=1)
    return {"start_date": start.isoformat(), "repeat": "weekly", "repeat_until": last.isoformat()}


@pytest.mark.parametrize("overrides,field,message", [
    ({"end_time": "14:00"}, "end_time", "The end must be after the start."),
    ({"end_date": "2027-03-03"}, "end_date", "The end must be after the start."),
    ({"start_date": "2027-03-28", "start_time": "02:30", "end_time": "04:00"}, "start_time",
     "02:30 does not exist on 28.03.2027: the clocks go forward an hour."),
    ({"start_date": "2027-10-31", "start_time": "02:30", "end_time": "04:00"}, "start_time",
     "02:30 happens twice on 31.10.2027: the clocks go back an hour."),
    ({"start_date": "2027-10-31", "start_time": "01:00", "end_time": "02:30"}, "end_time",
     "02:30 happens twice on 31.10.2027"),
    ({"repeat": "weekly"}, "repeat_until", "A series needs an end: a last date or a number of dates."),
    ({"repeat": "weekly", "repeat_count": "600"}, "repeat_count", "Number must be between 1 and 520."),
    (_too_long_series(), "repeat_until", "A series can have 520 dates at most."),
    ({"repeat": "weekly", "repeat_count": "3", "repeat_until": "2027-05-01"}, "repeat_count",
     "either a last date or a number of dates"),
    ({"repeat": "weekly", "repeat_until": "2027-02-01"}, "repeat_until",
     "The last date of the series is before its first."),
    ({"start_date": "2500-03-04"}, "start_date", "This date is too far away."),
    ({"start_date": "1200-03-04"}, "start_date", "Please choose a date between"),
    ({"start_date": "20270-03-04"}, "start_date", "Please enter a date, e.g. 2027-03-04."),
    ({"start_date": ""}, "start_date", "Please enter the date."),
    ({"start_time": ""}, "start_time", "Please enter a start time"),
    ({"start_time": "25:00"}, "start_time", "Please enter a time, e.g. 15:00."),
    ({"description": "x" * 30_000}, "description", "at most 20000 characters; this one has 30000"),
    ({"title": ""}, "title", "This field is required."),
    ({"languages": []}, "languages", "Please choose at least one language."),
    ({"map_url": "javascript:alert(1)"}, "map_url", "Please enter a full address"),
    ({"online_url": "meet"}, "online_url", "Please enter a full address"),
    ({"end_date": "2027-05-01"}, "end_date", "An event can last 31 days at most."),
])
def test_bad_input_gets_a_message_next_to_the_field_and_saves_nothing(english, kinds, overrides, field, message):
    response = english.post("/n/magdeburg/events/new", data=form(kinds[0], **overrides))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    error = re.search(rf'<p class="error" id="{field}-error">(.*?)</p>', html, re.S)
    assert error, f"no message next to {field}"
    assert message in error.group(1)
    assert "Please correct the marked fields." in html
    assert db.session.query(Event).count() == 0


def test_all_day_events_ignore_times_and_end_at_midnight_after_the_last_day(english, kinds):
    event = create(english, kinds[4], title="Interkulturelle Woche", all_day="y", start_date="2027-09-20",
                   end_date="2027-09-26", start_time="", end_time="")
    assert event.all_day and event.starts_at == local(2027, 9, 20) and event.ends_at == local(2027, 9, 27)
    html = english.get(f"/events/{event.id}/edit").get_data(as_text=True)
    assert 'value="2027-09-26"' in html  # shown as the last day, stored exclusive
    week = english.get("/n/magdeburg/calendar?view=week&date=2027-09-22").get_data(as_text=True)
    assert week.count("Interkulturelle Woche</a>") == 7  # Monday to Sunday, every day of it
    assert week.count("All day") == 7


def test_an_error_when_editing_leaves_the_event_as_it_was(english, kinds):
    event = create(english, kinds[0])
    response = english.post(f"/events/{event.id}/edit", data=form(kinds[0], title="Neu", end_time="14:00",
                                                                  tags="Anders"))
    assert response.status_code == 422
    db.session.expire_all()
    assert event.title == "Ehrenamtscafé" and event.ends_at == local(2027, 3, 4, 17)
    assert [t.name for t in event.tags] == ["Café", "Ehrenamt"]


def test_htmx_answers_with_the_form_fragment_or_a_redirect(english, kinds):
    response = english.post("/n/magdeburg/events/new", data=form(kinds[0], end_time="14:00"),
                            headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "<html" not in html and html.lstrip().startswith("<form")
    assert re.search(r'<input[^>]*autofocus[^>]*id="end_time"', html)
    response = english.post("/n/magdeburg/events/new", data=form(kinds[0]), headers={"HX-Request": "true"})
    assert response.status_code == 204 and re.match(r"/events/\d+/manage", response.headers["HX-Redirect"])


def test_html_in_text_fields_is_escaped_and_markdown_sanitized(english, kinds):
    event = create(english, kinds[0], title="<script>alert('t')</script> Café", venue_name="<b>Haus</b>",
                   description="**Willkommen** <script>alert('d')</script> [Link](javascript:alert('l')) "
                               "<img src=x onerror=alert('i')>")
    html = english.get(f"/events/{event.id}/manage").get_data(as_text=True)
    assert "<script>alert" not in html and 'href="javascript:' not in html
    assert "&lt;script&gt;alert(&#39;t&#39;)&lt;/script&gt; Café" in html
    assert "&lt;b&gt;Haus&lt;/b&gt;" in html
    assert "<strong>Willkommen</strong>" in html
    assert "<img" not in html
    calendar = english.get("/n/magdeburg/calendar?date=2027-03-01").get_data(as_text=True)
    assert "<script>alert" not in calendar and "&lt;script&gt;" in calendar


# --- Who may do what ------------------------------------------------------------------

def test_anonymous_visitors_are_sent_to_log_in(client, make):
    make.network("magdeburg")
    db.session.commit()
    for url in ("/n/magdeburg/calendar", "/n/magdeburg/events/new", "/n/magdeburg/kinds", "/events/1/manage",
                "/events/1/edit"):
        response = client.get(url)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login"), url


def test_coordinator_of_another_network_is_refused(client, make, kinds):
    event = make_event(kinds[0], local(2027, 3, 4, 15), local(2027, 3, 4, 17), repeat="weekly", repeat_count=3)
    other = make.network("stendal")
    user = make.user("stendal@example.org", coordinates=[other])
    db.session.commit()
    make.login(client, user.email)
    key = _key(event, 2027, 3, 11)
    for method, url in [("get", "/n/magdeburg/calendar"), ("get", "/n/magdeburg/events/new"),
                        ("get", "/n/magdeburg/kinds"), ("get", f"/events/{event.id}/manage"),
                        ("get", f"/events/{event.id}/edit"), ("post", f"/events/{event.id}/publish"),
                        ("post", f"/events/{event.id}/cancel"), ("post", f"/events/{event.id}/occurrences/{key}/skip"),
                        ("get", f"/events/{event.id}/occurrences/{key}/move"),
                        ("get", f"/events/{event.id}/occurrences/{key}/following"),
                        ("get", f"/n/stendal/events/new?duplicate={event.id}")]:
        assert getattr(client, method)(url).status_code == 403, url
    assert client.get("/n/stendal/calendar").status_code == 200


def test_group_lead_manages_the_events_of_their_groups_only(client, make, kinds):
    sprache = make.group(network(), "Sprache")
    sub = make.group(network(), "Unter-AG Berufssprachkurse", parent=sprache)
    arbeit = make.group(network(), "Arbeit und Ausbildung")
    lead = make.user("lead@example.org", leads=[sprache])
    db.session.commit()
    theirs = make_event(kinds[1], local(2027, 3, 4, 15), local(2027, 3, 4, 17), title="Unter-AG",
                        working_group_id=sub.id)
    others = make_event(kinds[1], local(2027, 3, 4, 15), local(2027, 3, 4, 17), title="AG Arbeit",
                        working_group_id=arbeit.id)
    ungrouped = make_event(kinds[0], local(2027, 3, 5, 15), local(2027, 3, 5, 17), title="Netzwerktreffen")
    make.login(client, lead.email)

    new_form = client.get("/n/magdeburg/events/new").get_data(as_text=True)
    assert "Sprache</option>" in new_form and "Berufssprachkurse</option>" in new_form
    assert "Arbeit und Ausbildung</option>" not in new_form and "— none —</option>" not in new_form.split(
        'id="working_group_id"')[1].split("</select>")[0]
    created = client.post("/n/magdeburg/events/new", data=form(kinds[1], working_group_id=sprache.id))
    assert created.status_code == 303
    refused = client.post("/n/magdeburg/events/new", data=form(kinds[1], working_group_id=arbeit.id))
    assert refused.status_code == 422
    refused = client.post("/n/magdeburg/events/new", data=form(kinds[1], working_group_id=0))
    assert refused.status_code == 422

    assert client.get(f"/events/{theirs.id}/manage").status_code == 200
    assert client.get(f"/events/{theirs.id}/edit").status_code == 200
    assert client.post(f"/events/{theirs.id}/publish").status_code == 303
    for event in (others, ungrouped):
        assert client.get(f"/events/{event.id}/manage").status_code == 403
        assert client.get(f"/events/{event.id}/edit").status_code == 403
        assert client.post(f"/events/{event.id}/cancel", data={"reason": "x"}).status_code == 403
    assert client.get("/n/magdeburg/kinds").status_code == 403
    # The lead sees the whole calendar, with links to manage only their own groups' events.
    calendar = client.get("/n/magdeburg/calendar?date=2027-03-01").get_data(as_text=True)
    assert f'href="/events/{theirs.id}/manage"' in calendar
    assert f'href="/events/{others.id}/manage"' not in calendar and f'href="/events/{others.id}"' in calendar
    assert "Kinds of events" not in calendar


def test_lead_of_no_group_may_not_create_events(client, make, kinds):
    other = make.network("stendal")
    group = make.group(other, "Arbeitstisch")
    lead = make.user("lead@example.org", leads=[group])
    db.session.commit()
    make.login(client, lead.email)
    assert client.get("/n/magdeburg/events/new").status_code == 403


# --- Calendar views -------------------------------------------------------------------

@pytest.fixture
def cafe(kinds):
    """The weekly volunteer café, Thursdays 15:00-17:00 from March to November 2027."""
    return make_event(kinds[0], local(2027, 3, 4, 15), local(2027, 3, 4, 17), repeat="weekly",
                      repeat_until=date(2027, 11, 25), venue_name="Einewelthaus")


def _times(html):
    return re.findall(r'<span class="cal-time">([^<]*)</span>', html)


@pytest.mark.parametrize("day,dates", [
    ("2027-03-01", ["4", "11", "18", "25", "1"]),   # 28 March: summer time starts
    ("2027-04-01", ["1", "8", "15", "22", "29"]),
    ("2027-10-01", ["30", "7", "14", "21", "28"]),  # 31 October: summer time ends
    ("2027-11-01", ["4", "11", "18", "25"]),
])
def test_month_view_keeps_15_00_across_both_changes(german, cafe, day, dates):
    html = german.get(f"/n/magdeburg/calendar?view=month&date={day}").get_data(as_text=True)
    assert '<table class="cal-month">' in html and '<th scope="col">' in html
    assert _times(html) == ["15:00"] * len(dates)
    cells = re.findall(r'<span class="cal-daynum" aria-hidden="true">(\d+)</span>[^<]*<span[^>]*>[^<]*</span></p>\s*'
                       r'<ul class="cal-entries">', html)
    assert cells == dates


@pytest.mark.parametrize("day", ["2027-03-25", "2027-04-01", "2027-10-28", "2027-11-04"])
def test_week_view_shows_local_times_around_the_changes(german, cafe, day):
    html = german.get(f"/n/magdeburg/calendar?view=week&date={day}").get_data(as_text=True)
    assert _times(html) == ["15:00–17:00"]
    assert html.count('<section class="cal-listday') == 7


def test_agenda_view_across_the_autumn_change(german, cafe, kinds):
    make_event(kinds[0], local(2027, 10, 31, 10), local(2027, 10, 31, 12), title="Sonntagsfrühstück")
    html = german.get("/n/magdeburg/calendar?view=agenda&date=2027-10-20").get_data(as_text=True)
    assert _times(html) == ["15:00–17:00", "15:00–17:00", "10:00–12:00", "15:00–17:00", "15:00–17:00"]
    days = re.findall(r'<h3 id="day-([\d-]+)">', html)
    assert days == ["2027-10-21", "2027-10-28", "2027-10-31", "2027-11-04", "2027-11-11"]


def test_calendar_marks_drafts_and_cancelled_dates_and_filters_by_group(german, cafe, kinds, make):
    group = make.group(network(), "Sprache")
    db.session.commit()
    make_event(kinds[1], local(2027, 3, 9, 18), local(2027, 3, 9, 20), title="AG Sprache", status="draft",
               working_group_id=group.id)
    service.change_occurrence(cafe, local(2027, 3, 11, 15), "cancelled", reason="Krank")
    db.session.commit()
    html = german.get("/n/magdeburg/calendar?date=2027-03-01").get_data(as_text=True)
    assert re.search(r'<li class="cal-entry is-draft">\s*<span class="cal-time">18:00</span>.*?AG Sprache</a>\s*'
                     r'<span class="badge status-draft">', html, re.S)
    assert re.search(r'<li class="cal-entry is-cancelled">\s*<span class="cal-time">15:00</span>.*?Ehrenamtscafé</a>\s*'
                     r'<span class="badge status-cancelled">', html, re.S)
    assert html.count('<li class="cal-entry is-cancelled">') == 1
    only_group = german.get(f"/n/magdeburg/calendar?date=2027-03-01&group={group.id}").get_data(as_text=True)
    assert "AG Sprache" in only_group and "Ehrenamtscafé" not in only_group
    assert f'<option value="{group.id}" selected>Sprache</option>' in only_group


def test_calendar_navigation_and_htmx_fragment(german, cafe):
    html = german.get("/n/magdeburg/calendar?view=week&date=2027-03-25").get_data(as_text=True)
    assert 'href="/n/magdeburg/calendar?view=week&amp;date=2027-03-15"' in html  # previous week
    assert 'href="/n/magdeburg/calendar?view=week&amp;date=2027-03-29"' in html  # next week
    assert 'id="calendar-status"' in html and "<html" in html
    fragment = german.get("/n/magdeburg/calendar?view=month&date=2027-04-01", headers={"HX-Request": "true"})
    text = fragment.get_data(as_text=True)
    assert "<html" not in text and text.lstrip().startswith("<div id=\"calendar\"")
    assert 'hx-swap-oob="innerHTML">April 2027</p>' in text
    assert 'date=2027-03-01' in text and 'date=2027-05-01' in text
    # Nonsense in the address shows this month instead of an error.
    assert german.get("/n/magdeburg/calendar?view=year&date=99999-1-1&group=x").status_code == 200


def test_calendar_queries_do_not_grow_with_events_and_series(german, kinds, make, count_queries):
    groups = [make.group(network(), name) for name in ("Sprache", "Arbeit", "Interkultur")]
    db.session.commit()
    url = "/n/magdeburg/calendar?view=month&date=2027-03-01"
    make_event(kinds[0], local(2027, 3, 4, 15), local(2027, 3, 4, 17), repeat="weekly", repeat_count=10,
               working_group_id=groups[0].id)
    few = count_queries(lambda: german.get(url))
    for n in range(12):
        event = make_event(kinds[n % 5], local(2027, 3, 1 + n, 9), local(2027, 3, 1 + n, 11), title=f"Treffen {n}",
                           working_group_id=groups[n % 3].id, status="draft" if n % 2 else "published")
        service.set_tags(event, [f"Tag {n}"])
    for n in range(6):
        series = make_event(kinds[1], local(2027, 2, 1 + n, 18), local(2027, 2, 1 + n, 20), title=f"Reihe {n}",
                            repeat="weekly", repeat_count=20, working_group_id=groups[n % 3].id)
        service.change_occurrence(series, series.starts_at + timedelta(days=35), "cancelled", reason="Ferien")
    db.session.commit()
    many = count_queries(lambda: german.get(url))
    html = german.get(url).get_data(as_text=True)
    assert html.count('<li class="cal-entry') > 40
    assert many == few, f"{few} queries with one series, {many} with many"


def test_lead_calendar_queries_do_not_grow_either(client, make, kinds, count_queries):
    sprache = make.group(network(), "Sprache")
    sub = make.group(network(), "Unter-AG", parent=sprache)
    lead = make.user("lead@example.org", leads=[sprache])
    db.session.commit()
    make.login(client, lead.email)
    url = "/n/magdeburg/calendar?view=agenda&date=2027-03-01"
    make_event(kinds[0], local(2027, 3, 4, 15), local(2027, 3, 4, 17), working_group_id=sub.id)
    few = count_queries(lambda: client.get(url))
    for n in range(10):
        make_event(kinds[0], local(2027, 3, 5 + n, 15), local(2027, 3, 5 + n, 17),
                   working_group_id=(sub if n % 2 else sprache).id)
    assert count_queries(lambda: client.get(url)) == few


# --- Kinds ------------------------------------------------------------------------------

def test_network_kinds_add_rename_remove(english, kinds):
    assert "Working group meeting" in english.get("/n/magdeburg/kinds").get_data(as_text=True)
    assert english.post("/n/magdeburg/kinds", data={"action": "add", "name": "Sprechstunde"}).status_code == 303
    duplicate = english.post("/n/magdeburg/kinds", data={"action": "add", "name": "sprechstunde"})
    assert duplicate.status_code == 422
    assert "This network has a kind of this name already." in duplicate.get_data(as_text=True)
    own = next(k for k in service.kinds(network()) if k.name == "Sprechstunde")
    assert english.post("/n/magdeburg/kinds", data={"action": "rename", "kind_id": own.id,
                                                    "name": "Offene Sprechstunde"}).status_code == 303
    db.session.expire_all()
    assert own.name == "Offene Sprechstunde"
    refused = english.post("/n/magdeburg/kinds", data={"action": "remove", "kind_id": kinds[0].id})
    assert refused.status_code == 422 and "The built-in kinds cannot be removed." in refused.get_data(as_text=True)
    make_event(own, local(2027, 3, 4, 15), local(2027, 3, 4, 17))
    refused = english.post("/n/magdeburg/kinds", data={"action": "remove", "kind_id": own.id})
    assert refused.status_code == 422 and "Events use this kind, so it stays." in refused.get_data(as_text=True)
    db.session.query(Event).delete()
    db.session.commit()
    assert english.post("/n/magdeburg/kinds", data={"action": "remove", "kind_id": own.id}).status_code == 303
    assert len(service.kinds(network())) == 6


def test_network_and_group_pages_link_to_the_calendar(english, make):
    group = make.group(network(), "Sprache")
    db.session.commit()
    overview = english.get("/n/magdeburg").get_data(as_text=True)
    assert 'href="/n/magdeburg/calendar"' in overview
    page = english.get(f"/n/magdeburg/groups/{group.id}").get_data(as_text=True)
    assert f'href="/n/magdeburg/calendar?group={group.id}"' in page
    assert f'href="/n/magdeburg/events/new?group={group.id}"' in page


def test_organizer_pages_have_no_inline_script_or_style(english, cafe):
    key = _key(cafe, 2027, 3, 11)
    for url in ("/n/magdeburg/calendar?date=2027-03-01", "/n/magdeburg/calendar?view=week&date=2027-03-01",
                "/n/magdeburg/calendar?view=agenda&date=2027-03-01", f"/events/{cafe.id}/manage",
                f"/events/{cafe.id}/edit", f"/events/{cafe.id}/cancel", f"/events/{cafe.id}/occurrences/{key}/move",
                f"/events/{cafe.id}/occurrences/{key}/following", "/n/magdeburg/kinds", "/n/magdeburg/events/new"):
        response = english.get(url)
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)", html) and " style=" not in html and "<style" not in html, url
