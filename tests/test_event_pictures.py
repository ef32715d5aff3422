"""A picture per event: upload on the event form (checked, turned upright, stripped of its
metadata, made into a few WebP widths), text alternative required, removal; served with long
cache headers where the event page may be seen; a drawing per kind without one."""
import io
import re

import pytest
from PIL import Image

from app.core.extensions import db
from app.events import pictures
from app.events.models import Event, EventPicture, Picture, PictureVariant
from tests.test_events_organizer import _key, create, english, form, kinds  # noqa: F401  (fixtures)


def jpeg(width=1600, height=900, color=(200, 80, 40), orientation=None) -> bytes:
    image = Image.new("RGB", (width, height), color)
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make: must not survive
    exif[0x0132] = "2026:01:01 10:00:00"
    if orientation:
        exif[0x0112] = orientation
    out = io.BytesIO()
    image.save(out, "JPEG", quality=70, exif=exif)
    return out.getvalue()


def upload(data: bytes, name="photo.jpg"):
    return io.BytesIO(data), name


def post(client, url, kind, **overrides):
    return client.post(url, data=form(kind, **overrides), content_type="multipart/form-data")


def variant_urls(html: str) -> list[str]:
    return re.findall(r"(/events/\d+/picture/[0-9a-f]{32}-\d+\.webp) \d+w", html)


def test_upload_makes_upright_stripped_widths_and_the_page_shows_them(english, kinds):
    # Stored 1600x900 with "turn 90°": the picture is 900 wide and 1600 high.
    event = create(english, kinds[0], picture=upload(jpeg(orientation=6)),
                   picture_alt="Kinder malen eine Wand an", publish="1")
    assert event.picture.alt == "Kinder malen eine Wand an"
    stored = event.picture.image
    assert (stored.width, stored.height) == (900, 1600)
    variants = db.session.query(PictureVariant).filter_by(hash=stored.hash).order_by(PictureVariant.width).all()
    assert [(v.width, v.height) for v in variants] == [(320, 569), (640, 1138), (900, 1600)]
    for variant in variants:
        image = Image.open(io.BytesIO(variant.data))
        assert image.format == "WEBP" and image.size == (variant.width, variant.height)
        assert b"SecretCam" not in variant.data and not image.getexif()

    html = english.get(f"/events/{event.id}").get_data(as_text=True)
    img = re.search(r'<img class="event-picture"[^>]*>', html).group(0)
    assert 'alt="Kinder malen eine Wand an"' in img and 'width="900" height="1600"' in img
    assert 'loading="eager"' in img and "sizes=" in img
    assert len(variant_urls(img)) == 3
    # Messengers show it in the link preview: the largest width, at an absolute address.
    assert re.search(r'<meta property="og:image" content="http://localhost/events/\d+/picture/[0-9a-f]{32}-900\.webp">',
                     html)
    assert '<meta property="og:image:alt" content="Kinder malen eine Wand an">' in html


def test_served_widths_are_cached_for_a_year(english, kinds, client):
    event = create(english, kinds[0], picture=upload(jpeg()), picture_alt="Ein Foto", publish="1")
    html = english.get(f"/events/{event.id}").get_data(as_text=True)
    url = variant_urls(html)[0]
    english.post("/logout")
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "image/webp"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert Image.open(io.BytesIO(response.data)).size == (320, 180)
    assert client.get(url, headers={"If-None-Match": response.headers["ETag"]}).status_code == 304
    assert client.get(url.replace("-320.", "-500.")).status_code == 404
    assert client.get(url.replace(url.split("/")[-1][:4], "0000")).status_code == 404


def test_a_drafts_picture_is_not_served_to_the_public(english, kinds, client):
    event = create(english, kinds[0], picture=upload(jpeg()), picture_alt="Ein Foto")  # a draft
    url = variant_urls(english.get(f"/events/{event.id}").get_data(as_text=True))[0]
    assert "og:image" not in english.get(f"/events/{event.id}").get_data(as_text=True)  # not public: no preview
    organizer = english.get(url)
    assert organizer.status_code == 200 and organizer.headers["Cache-Control"].startswith("private")
    english.post("/logout")
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("data, name, message", [
    (b"GIF89a" + bytes(100), "x.gif", "This file is not a picture we can use."),
    (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "x.jpg", "This file is not a picture we can use."),
    (jpeg()[:200], "x.jpg", "This image file is damaged."),
    (b"\xff\xd8" + bytes(8 * 1024 * 1024), "big.jpg", "The picture may be at most 8 MB."),
])
def test_what_is_not_a_usable_picture_is_refused_and_nothing_saved(english, kinds, data, name, message):
    response = post(english, "/n/magdeburg/events/new", kinds[0], picture=upload(data, name), picture_alt="Foto")
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.query(Event).count() == 0 and db.session.query(Picture).count() == 0


def test_a_picture_needs_its_text_alternative(english, kinds):
    response = post(english, "/n/magdeburg/events/new", kinds[0], picture=upload(jpeg()), picture_alt="  ")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(r'id="picture_alt-error">Please describe the picture', html)
    assert db.session.query(Event).count() == 0 and db.session.query(Picture).count() == 0


def test_replace_change_text_and_remove(english, kinds):
    event = create(english, kinds[0], picture=upload(jpeg()), picture_alt="Erstes Foto")
    first = event.picture.hash
    edit = f"/events/{event.id}/edit"
    assert 'value="Erstes Foto"' in english.get(edit).get_data(as_text=True)

    # Keeping the picture keeps its text required.
    assert post(english, edit, kinds[0], picture_alt="").status_code == 422
    assert post(english, edit, kinds[0], picture_alt="Neuer Text").status_code == 303
    assert db.session.get(EventPicture, event.id).alt == "Neuer Text"

    assert post(english, edit, kinds[0], picture=upload(jpeg(color=(0, 90, 200))),
                picture_alt="Zweites Foto").status_code == 303
    second = db.session.get(EventPicture, event.id).hash
    assert second != first
    assert db.session.get(Picture, first) is None  # the replaced photo is gone, with its widths
    assert db.session.query(PictureVariant).filter_by(hash=first).count() == 0

    assert post(english, edit, kinds[0], remove_picture="y", picture_alt="Zweites Foto").status_code == 303
    assert db.session.get(EventPicture, event.id) is None
    assert db.session.query(Picture).count() == 0 and db.session.query(PictureVariant).count() == 0


def test_one_upload_shown_twice_is_stored_once_and_kept_while_used(english, kinds):
    data = jpeg()
    one = create(english, kinds[0], picture=upload(data), picture_alt="Foto")
    two = create(english, kinds[0], title="Zweites", picture=upload(data), picture_alt="Foto")
    assert one.picture.hash == two.picture.hash and db.session.query(Picture).count() == 1
    pictures.remove_picture(db.session.get(Event, one.id))
    db.session.commit()
    assert db.session.query(Picture).count() == 1  # the other event still shows it


def test_without_a_picture_the_kind_has_a_decorative_drawing(english, kinds):
    event = create(english, kinds[0], publish="1")
    html = english.get(f"/events/{event.id}").get_data(as_text=True)
    art = re.search(r'<svg class="event-picture kind-art"[^>]*>', html).group(0)
    assert 'aria-hidden="true"' in art
    assert not variant_urls(html)


def test_small_pictures_are_never_enlarged():
    (size, made) = pictures.images.variants(jpeg(200, 100), pictures.WIDTHS)
    assert size == (200, 100) and [(v.width, v.height) for v in made] == [(200, 100)]


def test_a_copy_takes_over_the_picture_unless_removed(english, kinds):
    source = create(english, kinds[0], picture=upload(jpeg()), picture_alt="Das Café")
    page = english.get(f"/n/magdeburg/events/new?duplicate={source.id}").get_data(as_text=True)
    assert 'value="Das Café"' in page and 'class="picture-current"' in page
    url = f"/n/magdeburg/events/new?duplicate={source.id}"
    assert post(english, url, kinds[0], picture_alt="").status_code == 422  # the picture still needs its text
    assert post(english, url, kinds[0], title="Kopie", picture_alt="Das Café").status_code == 303
    copy = db.session.query(Event).filter_by(title="Kopie").one()
    assert (copy.picture.hash, copy.picture.alt) == (source.picture.hash, "Das Café")
    assert post(english, url, kinds[0], title="Ohne", remove_picture="y", picture_alt="").status_code == 303
    assert db.session.query(Event).filter_by(title="Ohne").one().picture is None
    assert db.session.get(Event, source.id).picture is not None


def test_the_following_dates_of_a_series_keep_its_picture(english, kinds):
    series = create(english, kinds[0], start_date="2027-03-04", repeat="weekly", repeat_count="10",
                    picture=upload(jpeg()), picture_alt="Die Gruppe")
    url = f"/events/{series.id}/occurrences/{_key(series, 2027, 4, 1)}/following"
    assert post(english, url, kinds[0], start_date="2027-04-01", start_time="16:00", end_time="18:00",
                repeat="weekly", repeat_count="6", picture_alt="Die Gruppe").status_code == 303
    head, tail = db.session.query(Event).order_by(Event.id).all()
    assert head.picture.hash == tail.picture.hash and tail.picture.alt == "Die Gruppe"
