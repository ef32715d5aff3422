"""Programme entries bring a picture: the submitter's form takes one (with its text alternative),
the approved entry's event shows it, and the booklet prints it."""
import base64
import io
import re

from PIL import Image

from app.core.extensions import db
from app.events.models import Event, Picture
from app.programmes import booklet, review
from tests import factories
from tests.test_event_pictures import jpeg, upload
from tests.test_programmes_public import entry as programme_entry, make_programme
from tests.test_programmes_submit import EN, campaign, entry, form_url, submissions  # noqa: F401  (fixture)


def send(client, campaign, **changes):
    return client.post(form_url(campaign), data=entry(campaign, **changes), headers=EN,
                       content_type="multipart/form-data")


def test_an_entrys_picture_goes_to_its_event_when_approved(client, campaign):
    assert send(client, campaign, picture=upload(jpeg()), picture_alt="Töpfe auf dem Herd").status_code == 303
    submission = submissions()[0]
    assert submission.picture_alt == "Töpfe auf dem Herd" and db.session.get(Picture, submission.picture_hash)

    event = review.approve(submission, factories.user("coord@example.org", coordinates=[campaign.network]))
    db.session.commit()
    assert (event.picture.hash, event.picture.alt) == (submission.picture_hash, "Töpfe auf dem Herd")


def test_an_entrys_picture_needs_its_text_and_a_real_picture(client, campaign):
    response = send(client, campaign, picture=upload(jpeg()), picture_alt="")
    assert response.status_code == 422 and "Please describe the picture" in response.get_data(as_text=True)
    response = send(client, campaign, picture=upload(b"%PDF-1.4 nothing", "a.pdf"), picture_alt="Ein Bild")
    assert response.status_code == 422 and "not a picture we can use" in response.get_data(as_text=True)
    assert submissions() == [] and db.session.query(Picture).count() == 0


def pdf_images(data: bytes) -> int:
    return len(re.findall(rb"/Subtype\s*/Image", data))


def test_the_booklet_prints_each_entrys_picture(app, client):
    p = make_programme()
    plain = programme_entry(p, "Ohne Bild", day=1)
    with_picture = programme_entry(p, "Mit Bild", day=2, approve=False)
    with_picture.picture_hash = review.pictures.store(jpeg(800, 600, (30, 120, 60))).hash
    with_picture.picture_alt = "Grüne Wiese"
    review.approve(with_picture, p.coordinator)
    review.publish(p.campaign)
    db.session.commit()
    assert db.session.get(Event, with_picture.event_id).picture is not None
    assert db.session.get(Event, plain.event_id).picture is None

    with app.test_request_context():
        document = booklet.html(p.campaign)
    assert document.count('class="picture"') == 1 and 'alt="Grüne Wiese"' in document
    image = re.search(r'class="picture" src="data:image/webp;base64,([^"]+)"', document).group(1)
    assert Image.open(io.BytesIO(base64.b64decode(image))).width == 320

    response = client.get(f"/programmes/{p.campaign.slug}/booklet.pdf")
    assert response.status_code == 200 and pdf_images(response.data) == 1  # the QR codes are vectors


def test_the_coordination_sees_an_entrys_picture_before_approving(app, client, campaign):
    send(client, campaign, picture=upload(jpeg()), picture_alt="Töpfe auf dem Herd")
    submission = submissions()[0]
    page_url = f"/submissions/{submission.id}"
    picture_url = f"/submissions/{submission.id}/picture/{submission.picture_hash}-320.webp"
    assert client.get(picture_url).status_code == 302  # to the login: no picture for anonymous visitors
    coordinator = factories.user("coord@example.org", coordinates=[campaign.network])
    outsider = factories.user("other@example.org", coordinates=[factories.network("stendal")])
    db.session.commit()
    factories.login(client, outsider.email)
    assert client.get(picture_url).status_code in (403, 404)
    client.post("/logout")
    factories.login(client, coordinator.email)
    page = client.get(page_url, headers=EN).get_data(as_text=True)
    assert picture_url in page and "Töpfe auf dem Herd" in page
    response = client.get(picture_url)
    assert response.status_code == 200 and response.headers["Cache-Control"].startswith("private")
    assert client.get(picture_url.replace(submission.picture_hash[:6], "000000")).status_code == 404
