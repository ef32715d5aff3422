"""Logging in and out, the language switch and the forgot-password page, in a real browser."""
import pytest

from .conftest import PASSWORD, check_page, log_in

pytestmark = pytest.mark.browser


def _login_attempt(page, email, password):
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    return page.locator("#password-error")


def test_wrong_password_is_shown_at_the_field_without_revealing_the_account(page, magdeburg):
    unknown = _login_attempt(page, "nobody@magdeburg.example", PASSWORD)
    assert unknown.is_visible()
    unknown_text = unknown.inner_text()
    assert unknown_text == "E-mail address or password is wrong."
    # The message sits with the password field and is announced with it.
    assert page.get_attribute("#password", "aria-invalid") == "true"
    assert "password-error" in page.get_attribute("#password", "aria-describedby")
    assert page.locator("#email-error").count() == 0
    assert page.input_value("#email") == "nobody@magdeburg.example"
    assert page.input_value("#password") == ""
    check_page(page, "login-error")

    wrong = _login_attempt(page, magdeburg.coordinator, "not the password")
    # Same words, same place: nothing tells that this account exists.
    assert wrong.inner_text() == unknown_text
    assert page.locator(".error").count() == 1
    assert page.url.endswith("/login")


def test_login_lands_on_the_networks_page_and_logout_leaves(page, magdeburg):
    page.goto("/login")
    check_page(page, "login")
    log_in(page, magdeburg.coordinator)
    assert page.locator("h1").inner_text() == "Networks"
    assert page.get_by_role("link", name=magdeburg.network_name).is_visible()
    check_page(page, "networks")

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login")
    assert page.locator(".flash").inner_text() == "You are logged out on all devices."
    assert page.get_by_role("button", name="Log out").count() == 0
    # The organizer pages are closed again.
    page.goto(f"/n/{magdeburg.slug}/organizations")  # the network's own page is public
    assert "/login?next=" in page.url


def choose_language(page, name: str) -> None:
    """The language menu: a <details> that opens without JavaScript, one button per language."""
    page.locator(".language-menu summary").click()
    page.locator(".language-menu button", has_text=name).click()


def test_language_switch_is_remembered_across_pages(new_page):
    page = new_page(locale="de-DE")
    page.goto("/login")
    assert page.get_attribute("html", "lang") == "de"
    # The organizers' pages speak German and English; each language is named in itself.
    page.locator(".language-menu summary").click()
    assert page.locator(".language-menu button").all_inner_texts() == ["Deutsch", "English"]
    assert page.locator(".language-menu button[value=en]").get_attribute("lang") == "en"
    check_page(page, "login-de")

    page.locator(".language-menu button", has_text="English").click()
    page.wait_for_url("**/login")
    assert page.get_attribute("html", "lang") == "en"
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    assert cookies.get("lang") == "en"

    # Another page, reached by a link: still English, although the browser asks for German.
    page.click("main a[href='/password/forgot']")
    page.wait_for_url("**/password/forgot")
    assert page.get_attribute("html", "lang") == "en"
    assert page.locator("h1").inner_text() == "Forgot your password?"

    choose_language(page, "Deutsch")
    page.wait_for_url("**/password/forgot")
    assert page.get_attribute("html", "lang") == "de"
    assert {c["name"]: c["value"] for c in page.context.cookies()}.get("lang") == "de"
    page.goto("/")
    assert page.get_attribute("html", "lang") == "de"


def test_german_is_the_default_for_other_browser_languages(new_page):
    page = new_page(locale="fr-FR")
    page.goto("/")
    assert page.get_attribute("html", "lang") == "de"
    check_page(page, "start")


def test_forgot_password_page(page, magdeburg):
    page.goto("/password/forgot")
    check_page(page, "forgot-password")
    page.click("main button[type=submit]")  # empty: the error is at the field
    page.wait_for_load_state()
    assert page.locator("#email-error").is_visible()
    assert page.get_attribute("#email", "aria-invalid") == "true"
    check_page(page, "forgot-password-error")

    page.fill("#email", "nobody@magdeburg.example")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Check your mailbox"
    assert "nobody@magdeburg.example" in page.locator("main").inner_text()
    check_page(page, "forgot-password-sent")


def test_log_out_on_all_devices_ends_the_session_on_the_phone_too(new_page, magdeburg):
    """Logged in at the office and, with "stay logged in", on a phone: logging out on the
    account page ends both, the phone's remembered login included."""
    from .conftest import DESKTOP, PHONE

    office, phone = new_page(viewport=DESKTOP), new_page(viewport=PHONE)
    phone.goto("/login")
    phone.fill("#email", magdeburg.coordinator)
    phone.fill("#password", PASSWORD)
    phone.check("#remember")
    phone.click("main button[type=submit]")
    phone.wait_for_url("**/networks")
    log_in(office, magdeburg.coordinator)

    office.goto("/account")
    check_page(office, "account")
    office.get_by_role("button", name="Log out on all devices").click()
    office.wait_for_url("**/login")
    assert office.locator(".flash").inner_text() == "You are logged out on all devices."
    phone.goto(f"/n/{magdeburg.slug}/organizations")
    assert "/login?next=" in phone.url
