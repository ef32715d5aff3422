import re

import pytest

from app.auth import service
from app.auth.models import PasswordResetToken
from app.core.extensions import db
from app.mail import outbox


@pytest.fixture
def english(client):
    client.set_cookie("lang", "en", domain="localhost")
    return client


def test_login_and_logout(english, make):
    make.user("coord@example.org")
    db.session.commit()
    response = english.post("/login?next=/account", data={"email": "Coord@Example.org ", "password": make.PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/account"
    assert english.get("/account").status_code == 200
    english.post("/logout")
    assert english.get("/account").status_code == 302


def test_login_refuses_open_redirect(english, make):
    make.user("coord@example.org")
    db.session.commit()
    response = english.post("/login?next=//evil.example/", data={"email": "coord@example.org", "password": make.PASSWORD})
    assert response.headers["Location"] == "/networks"


def test_wrong_password_and_unknown_account_get_the_same_answer(english, make):
    make.user("coord@example.org")
    db.session.commit()
    wrong_password = english.post("/login", data={"email": "coord@example.org", "password": "nope-nope-nope"})
    unknown = english.post("/login", data={"email": "nobody@example.org", "password": "nope-nope-nope"})
    assert wrong_password.status_code == unknown.status_code == 200
    for response in (wrong_password, unknown):
        assert "E-mail address or password is wrong." in response.get_data(as_text=True)
    assert _without_tokens(wrong_password) == _without_tokens(unknown)


def _without_tokens(response) -> str:
    """The page without form values and CSRF tokens (they carry a timestamp)."""
    return re.sub(r'(value="|"X-CSRFToken": ")[^"]*"', "", response.get_data(as_text=True))


def test_password_reset_by_mail_through_a_real_smtp_server(english, make, smtp_server):
    _port, inbox = smtp_server
    make.user("coord@example.org")
    db.session.commit()

    response = english.post("/password/forgot", data={"email": "coord@example.org"})
    assert "If an account with the address" in response.get_data(as_text=True)
    outbox.work(once=True)
    assert len(inbox.messages) == 1
    message = inbox.messages[0]
    assert message["To"] == "coord@example.org"
    link = re.search(r"http://localhost(/password/reset/\S+)", message.get_body(("plain",)).get_content()).group(1)
    token = link.rsplit("/", 1)[1]
    assert len(token) >= 43  # 32 random bytes, url-safe base64
    assert db.session.scalar(db.select(PasswordResetToken.token_hash)) != token  # only the hash is stored

    mismatch = english.post(link, data={"password": "a-new-password", "confirm": "another-one"})
    assert mismatch.status_code == 200 and "The two passwords differ." in mismatch.get_data(as_text=True)
    too_short = english.post(link, data={"password": "short", "confirm": "short"})
    assert "at least 10 characters" in too_short.get_data(as_text=True)

    done = english.post(link, data={"password": "a-new-password", "confirm": "a-new-password"})
    assert done.status_code == 302
    assert english.get(link).status_code == 404  # used once, then never again
    assert service.authenticate("coord@example.org", "a-new-password") is not None
    assert service.authenticate("coord@example.org", make.PASSWORD) is None


def test_forgot_password_reveals_nothing_about_unknown_addresses(english, make, smtp_server):
    _port, inbox = smtp_server
    make.user("coord@example.org")
    db.session.commit()
    known = english.post("/password/forgot", data={"email": "coord@example.org"}).get_data(as_text=True)
    unknown = english.post("/password/forgot", data={"email": "nobody@example.org"}).get_data(as_text=True)
    assert known.replace("coord@example.org", "X") == unknown.replace("nobody@example.org", "X")
    outbox.work(once=True)
    assert len(inbox.messages) == 1


def test_forgot_password_checks_the_address(english):
    response = english.post("/password/forgot", data={"email": "not an address"})
    assert "Please enter a valid e-mail address." in response.get_data(as_text=True)


def test_expired_or_forged_reset_tokens_reveal_nothing(english, make):
    from datetime import timedelta

    user = make.user("coord@example.org")
    token = service.create_reset_token(user)
    db.session.commit()
    record = db.session.scalar(db.select(PasswordResetToken))
    record.expires_at = record.created_at - timedelta(seconds=1)
    db.session.commit()
    for candidate in (token, "forged-token", "x" * 500):
        response = english.get(f"/password/reset/{candidate}")
        assert response.status_code == 404
        assert "This link is not valid" in response.get_data(as_text=True)


def test_admin_creates_account_and_the_new_organizer_gets_a_link(english, make, smtp_server):
    _port, inbox = smtp_server
    admin = make.user("admin@example.org", admin=True)
    network = make.network("magdeburg")
    db.session.commit()
    make.login(english, admin.email)
    response = english.post("/users", data={"name": "Neue Kollegin", "email": "neu@example.org"})
    assert response.status_code == 302
    outbox.work(once=True)
    assert "Choose your password here" in inbox.messages[0].get_body(("plain",)).get_content()
    user = service.find_user("neu@example.org")
    english.post(f"/users/{user.id}", data={"networks": [str(network.id)], "active": "on"})
    db.session.refresh(user)
    assert user.coordinated_networks == [network]

    duplicate = english.post("/users", data={"name": "Again", "email": "NEU@example.org"})
    assert duplicate.status_code == 422
    assert "exists already" in duplicate.get_data(as_text=True)


def test_admin_cannot_remove_their_own_admin_role(english, make):
    admin = make.user("admin@example.org", admin=True)
    db.session.commit()
    make.login(english, admin.email)
    english.post(f"/users/{admin.id}", data={})
    db.session.refresh(admin)
    assert admin.is_admin and admin.active


def test_cli_creates_users(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create", "cli@example.org", "--password", "long-enough-pw", "--admin"])
    assert result.exit_code == 0, result.output
    assert service.find_user("cli@example.org").is_admin
    again = runner.invoke(args=["users", "create", "cli@example.org", "--password", "long-enough-pw"])
    assert again.exit_code != 0 and "Es gibt bereits ein Konto" in again.output  # the CLI speaks the default language
    short = runner.invoke(args=["users", "create", "x@example.org", "--password", "short"])
    assert short.exit_code != 0
