"""PDFs with names and texts in Arabic, Persian, Ukrainian and Turkish (issue 14): the
attendance list and the programme booklet use fonts that cover those scripts (DejaVu Sans,
Noto Sans Arabic from Debian's fonts-noto-core), set right-to-left text right to left inside a
German page, and an Arabic booklet runs right to left as a whole. The pages are rendered to PNG
in tests/screenshots/ to look at."""
import shutil
import subprocess
from datetime import timedelta

import pytest
from flask_babel import force_locale

from app.core.extensions import db
from app.core.types import utcnow
from app.events import service as events
from app.events.models import Event
from app.programmes import booklet
from app.registrations import admin_service as admin
from app.registrations import attendance
from app.registrations import service as registrations
from tests.browser.conftest import SCREENSHOTS

from .test_programmes_public import assorted_programme

pytestmark = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) is not installed")
PEOPLE = [("محمد الأحمد", "جمعية الجالية السورية"), ("زهرا رضایی", "انجمن فرهنگی ایرانیان"),
          ("Олена Коваленко", "Українська громада Магдебурга"), ("Ayşe Yılmaz", "Türkischer Elternverein")]


def _pages(data: bytes, name: str) -> list:
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.pdf"
    path.write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "80", "-png", str(path), str(SCREENSHOTS / name)], check=True)
    return sorted(SCREENSHOTS.glob(f"{name}-*.png"))


def _fonts(data: bytes) -> str:
    return subprocess.run(["pdffonts", "-"], input=data, capture_output=True, check=True).stdout.decode()


def _text(data: bytes) -> str:
    return subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()


def test_the_attendance_list_with_arabic_persian_ukrainian_and_turkish_names(app, make):
    network = make.network("magdeburg", "Netzwerk Magdeburg")
    kind = events.kinds(network)[0]
    event = Event(network_id=network.id, kind_id=kind.id, title="Netzwerktreffen Integration", status="published",
                  visibility="public", timezone="Europe/Berlin", venue_name="Rathaus")
    start = (utcnow() + timedelta(days=5)).replace(minute=0, second=0, microsecond=0)
    events.save(event, starts_at=start, ends_at=start + timedelta(hours=2))
    db.session.flush()
    admin.save_settings(event, is_open=True)
    for n, (name, organization) in enumerate(PEOPLE):
        registrations.register(event, event.starts_at, name, f"p{n}@example.org", None, organization, {},
                               notify=False)
    db.session.commit()
    with app.test_request_context(), force_locale("de"):
        data = attendance.attendance_pdf(event, event.starts_at)
    text = _text(data)
    print(text)
    assert "Олена Коваленко" in text and "Ayşe Yılmaz" in text and "Українська громада" in text
    assert _pages(data, "attendance-scripts")


def test_the_booklet_in_arabic_runs_right_to_left(app):
    programme = assorted_programme()
    event = programme.evening.event
    event.translations = {"ar": {"title": "أمسية أوكرانية: أغانٍ وفارينيكي",
                                 "description": "موسيقى وطعام من أوكرانيا، للعائلات والأطفال."}}
    db.session.commit()
    with app.test_request_context(headers={"Accept-Language": "ar"}), force_locale("ar"):
        document = booklet.html(programme.campaign)
        data = booklet.build(programme.campaign)
    assert '<html lang="ar" dir="rtl">' in document and "أمسية أوكرانية" in document
    assert '<h3 lang="de" dir="ltr">Begegnungscafé</h3>' in document  # the German original, marked
    assert len(_pages(data, "booklet-arabic")) >= 3
