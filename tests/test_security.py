"""CSRF, headers, cookies, rate limits and error pages, with the real settings switched on."""
import re

import pytest

from app.core.extensions import db
from tests.conftest import make_app


def _token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


@pytest.mark.config(WTF_CSRF_ENABLED=True)
def test_changes_without_csrf_token_are_refused(client, make):
    make.user("coord@example.org")
    db.session.commit()
    refused = client.post("/login", data={"email": "coord@example.org", "password": make.PASSWORD})
    assert refused.status_code == 400
    token = _token(client.get("/login").get_data(as_text=True))
    accepted = client.post("/login", data={"email": "coord@example.org", "password": make.PASSWORD,
                                           "csrf_token": token})
    assert accepted.status_code == 302


@pytest.mark.config(WTF_CSRF_ENABLED=True)
def test_htmx_requests_carry_the_token_in_a_header(client, make):
    network = make.network("magdeburg")
    make.user("coord@example.org", coordinates=[network])
    db.session.commit()
    page = client.get("/login").get_data(as_text=True)
    token = _token(page)
    client.post("/login", data={"email": "coord@example.org", "password": make.PASSWORD, "csrf_token": token})
    html = client.get("/n/magdeburg/organizations").get_data(as_text=True)
    header_token = re.search(r'hx-headers=\'\{"X-CSRFToken": "([^"]+)"\}\'', html).group(1)
    data = {"name": "VHS", "kind": "education"}
    assert client.post("/n/magdeburg/organizations/new", data=data,
                       headers={"HX-Request": "true"}).status_code == 400
    assert client.post("/n/magdeburg/organizations/new", data=data,
                       headers={"HX-Request": "true", "X-CSRFToken": header_token}).status_code == 200


def test_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers


def test_pages_have_no_inline_script_or_style(coordinator_client):
    html = coordinator_client.get("/n/magdeburg/organizations").get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert " style=" not in html and "<style" not in html
    assert re.search(r'<script src="/static/vendor/htmx/htmx.min.js', html)


def test_session_cookie_is_httponly_and_samesite(client, make):
    make.user("coord@example.org")
    db.session.commit()
    response = client.post("/login", data={"email": "coord@example.org", "password": make.PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_https_sends_hsts_and_every_cookie_is_secure(database_url, monkeypatch, make):
    monkeypatch.setenv("BASE_URL", "https://treffpunkt.example.org")
    app = make_app(database_url)
    client = app.test_client()
    with app.app_context():
        make.user("coord@example.org")
        db.session.commit()
        try:
            response = client.post("/login", base_url="https://localhost", data={
                "email": "coord@example.org", "password": make.PASSWORD, "remember": "y"})
            cookies = response.headers.getlist("Set-Cookie")
            assert {c.split("=")[0] for c in cookies} >= {"session", "remember_token"}
            assert all("; Secure" in c for c in cookies), cookies
            assert response.headers["Strict-Transport-Security"].startswith("max-age=")
        finally:
            from app.auth.models import User

            db.session.execute(db.delete(User))
            db.session.commit()


@pytest.mark.config(RATELIMIT_ENABLED=True)
def test_login_is_rate_limited(client):
    statuses = [client.post("/login", data={"email": "x@example.org", "password": "wrong-password"}).status_code
                for _ in range(11)]
    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429
    client.set_cookie("lang", "en", domain="localhost")
    page = client.post("/login", data={"email": "x@example.org", "password": "wrong"}).get_data(as_text=True)
    assert "Too many attempts" in page


@pytest.mark.config(RATELIMIT_ENABLED=True)
def test_password_reset_is_rate_limited(client):
    statuses = [client.post("/password/forgot", data={"email": "x@example.org"}).status_code for _ in range(6)]
    assert statuses[-1] == 429


def test_secret_key_is_generated_once_and_kept(tmp_path, monkeypatch):
    from app import config

    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = config.load(tmp_path)["SECRET_KEY"]
    assert len(first) == 64 and config.load(tmp_path)["SECRET_KEY"] == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_error_pages_speak_the_visitors_language(client):
    german = client.get("/does-not-exist", headers={"Accept-Language": "de-DE,de;q=0.9"})
    english = client.get("/does-not-exist", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert german.status_code == english.status_code == 404
    assert 'lang="de"' in german.get_data(as_text=True)
    assert 'lang="en"' in english.get_data(as_text=True) and "Page not found" in english.get_data(as_text=True)


def test_server_errors_get_the_error_page(app, client):
    from app.core.security import public

    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/boom")
    @public
    def boom():
        raise RuntimeError("boom")

    response = client.get("/boom", headers={"Accept-Language": "en"})
    assert response.status_code == 500
    assert "Something went wrong" in response.get_data(as_text=True)


@pytest.mark.config(RATELIMIT_ENABLED=True)
def test_behind_a_proxy_rate_limits_count_per_client(database_url, monkeypatch):
    monkeypatch.setenv("PROXY_COUNT", "1")
    client = make_app(database_url, RATELIMIT_ENABLED=True).test_client()
    for _ in range(10):
        client.post("/login", data={"email": "x@example.org", "password": "wrong"},
                    headers={"X-Forwarded-For": "203.0.113.1"})
    blocked = client.post("/login", data={"email": "x@example.org", "password": "wrong"},
                          headers={"X-Forwarded-For": "203.0.113.1"})
    other = client.post("/login", data={"email": "x@example.org", "password": "wrong"},
                        headers={"X-Forwarded-For": "203.0.113.2"})
    assert (blocked.status_code, other.status_code) == (429, 200)
