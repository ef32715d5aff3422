"""Language choice, catalog completeness, and the schema coming only from migrations."""
import subprocess
import sys
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from babel.messages.pofile import read_po

from app.core.extensions import db
from app.core.fulltext import is_search_index

ROOT = Path(__file__).parent.parent


def test_german_is_the_default_and_english_on_request(client):
    assert 'lang="de"' in client.get("/login").get_data(as_text=True)
    assert 'lang="en"' in client.get("/login", headers={"Accept-Language": "en-US,en;q=0.8"}).get_data(as_text=True)
    assert 'lang="de"' in client.get("/login", headers={"Accept-Language": "fr"}).get_data(as_text=True)


def test_language_switch_is_remembered_and_returns_to_the_page(client):
    response = client.post("/language", data={"lang": "en", "next": "/password/forgot"})
    assert response.status_code == 302 and response.headers["Location"] == "/password/forgot"
    assert "HttpOnly" in response.headers["Set-Cookie"]
    page = client.get("/login", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert 'lang="en"' in page and "Log in" in page
    client.post("/language", data={"lang": "de", "next": "/login"})
    assert 'lang="de"' in client.get("/login").get_data(as_text=True)


def test_language_switch_refuses_foreign_targets_and_languages(client):
    response = client.post("/language", data={"lang": "xx", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"
    assert "Set-Cookie" not in response.headers


def test_german_catalog_translates_every_message(tmp_path):
    """Every msgid in app/ and templates/ has a German translation (run `make messages`)."""
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "_l",
         "-k", "lazy_gettext", "-k", "_pl:1c,2", "-k", "lazy_pgettext:1c,2", "--no-location", "-o", str(pot), "."],
        cwd=ROOT, check=True, capture_output=True,
    )
    with pot.open("rb") as f:
        wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}
    with (ROOT / "app/translations/de/LC_MESSAGES/messages.po").open("rb") as f:
        catalog = read_po(f)
    translated = {
        (m.id if isinstance(m.id, str) else m.id[0])
        for m in catalog
        if m.id and not m.fuzzy and (m.string if isinstance(m.string, str) else all(m.string))
    }
    missing = sorted(wanted - translated)
    assert not missing, f"{len(missing)} messages lack a German translation, e.g. {missing[:10]}"


def test_the_models_match_the_migrations(app):
    # The full-text indexes are database-specific and made by hand (core/fulltext.py).
    options = {"include_object": lambda obj, name, *rest: not is_search_index(name)}
    with db.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection, opts=options), db.metadata)
    assert diff == [], f"models and migrations differ; run `flask --app app db migrate`: {diff}"
