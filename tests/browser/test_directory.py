"""The network directory in a real browser: overview, organization list with filter and
inline create, organization page with inline edit and contacts, group members; at desktop
and phone width."""
import pytest
from playwright.sync_api import expect

from .conftest import PHONE, assert_accessible, assert_same_document, check_page, log_in, mark_document, screenshot

pytestmark = pytest.mark.browser


def _row_names(page):
    return page.locator("#organization-list tbody tr td:first-child").all_inner_texts()


def _organization_url(data, name):
    return f"/n/{data.slug}/organizations/{data.organization_ids[name]}"


def test_network_overview(page, magdeburg):
    log_in(page, magdeburg.coordinator)
    page.get_by_role("link", name=magdeburg.network_name).click()
    page.wait_for_url(f"**/n/{magdeburg.slug}")
    assert page.locator("h1").inner_text() == magdeburg.network_name
    assert page.locator(".tabs a[aria-current=page]").inner_text() == "Overview"
    tree = page.locator("ul.tree li")
    assert [" ".join(t.split()) for t in tree.all_inner_texts()] == [
        "Arbeit und Ausbildung", "Sprache", "Unter-AG Berufssprachkurse Sub-group"]
    assert tree.nth(2).get_attribute("class") == "depth-1"
    assert page.get_by_role("link", name="6", exact=True).is_visible()  # member organizations
    check_page(page, "network")


def test_organization_filter_as_you_type(page, magdeburg):
    log_in(page, magdeburg.coordinator)
    page.goto(f"/n/{magdeburg.slug}/organizations")
    assert len(_row_names(page)) == 6
    check_page(page, "organizations")
    mark_document(page)

    page.locator("#q").press_sequentially("garten", delay=20)
    page.wait_for_url("**/organizations?q=garten*")
    expect(page.locator("#organization-list tbody tr")).to_have_count(1)
    assert _row_names(page) == ["Interkultureller Garten Schönebeck"]
    assert page.locator("#organization-list .count").inner_text() == "1 organization"

    # By city, too.
    page.fill("#q", "schönebeck")
    expect(page.locator("#organization-list tbody tr")).to_have_count(1)
    page.fill("#q", "nichts dergleichen")
    expect(page.locator("#organization-list")).to_contain_text("No organization matches.")

    page.fill("#q", "")
    page.select_option("#filter-kind", "welfare")
    page.wait_for_url("**kind=welfare*")
    expect(page.locator("#organization-list tbody tr")).to_have_count(1)
    assert _row_names(page) == ["Caritasverband für das Bistum Magdeburg"]
    assert_same_document(page)
    check_page(page, "organizations-filtered")

    # The pushed address is a real page: reloading it shows the same list.
    page.reload()
    assert page.input_value("#filter-kind") == "welfare"
    assert _row_names(page) == ["Caritasverband für das Bistum Magdeburg"]


def test_organization_filter_without_javascript(new_page, magdeburg):
    page = new_page(java_script_enabled=False)
    log_in(page, magdeburg.coordinator)
    page.goto(f"/n/{magdeburg.slug}/organizations")
    page.fill("#q", "garten")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**/organizations?q=garten*")
    assert _row_names(page) == ["Interkultureller Garten Schönebeck"]
    assert page.input_value("#q") == "garten"
    screenshot(page, "organizations-nojs")


def test_inline_create_of_an_organization(page, watch, magdeburg):
    watch.expect_status(422)  # the invalid form is answered 422, which Chromium logs
    log_in(page, magdeburg.coordinator)
    page.goto(f"/n/{magdeburg.slug}/organizations")
    mark_document(page)
    page.get_by_text("Add an organization").click()
    form = page.locator(".inline-create form")
    form.get_by_role("button", name="Save").click()

    error = form.locator("#name-error")
    expect(error).to_be_visible()
    assert error.inner_text() == "This field is required."
    expect(form.locator("#name")).to_be_focused()
    assert form.locator("#name").get_attribute("aria-invalid") == "true"
    assert "name-error" in form.locator("#name").get_attribute("aria-describedby")
    assert form.locator(".error-summary").is_visible()
    check_page(page, "organization-create-error")

    form.locator("#name").fill("Begegnungszentrum Salbke")
    form.locator("#kind").select_option("association")
    form.locator("#postcode").fill("39122")
    form.locator("#city").fill("Magdeburg")
    form.get_by_role("button", name="Save").click()

    expect(page.locator("#organization-list")).to_contain_text("Begegnungszentrum Salbke")
    assert len(_row_names(page)) == 7
    assert page.locator("#organization-list .count").inner_text() == "7 organizations"
    form = page.locator(".inline-create form")
    expect(form.locator(".flash-success")).to_contain_text("Begegnungszentrum Salbke added.")
    assert form.locator("#name").input_value() == ""  # a fresh form for the next one
    expect(form.locator("#name")).to_be_focused()
    assert form.locator(".error").count() == 0
    assert_same_document(page)
    check_page(page, "organization-created")

    form.get_by_role("link", name="Open").click()
    page.wait_for_url("**/organizations/*")
    assert page.locator("h1").inner_text() == "Begegnungszentrum Salbke"


def test_organization_page_inline_edit_and_contact(page, watch, magdeburg):
    watch.expect_status(422)
    log_in(page, magdeburg.coordinator)
    page.goto(_organization_url(magdeburg, "Volkshochschule Magdeburg"))
    assert page.locator("h1").inner_text() == "Volkshochschule Magdeburg"
    check_page(page, "organization")
    mark_document(page)

    # Edit the details in place.
    info = page.locator("#organization-info")
    info.get_by_role("link", name="Edit").click()
    form = page.locator("form.organization-form")
    expect(form).to_be_visible()
    expect(form.locator("#name")).to_be_focused()
    assert form.locator("#name").input_value() == "Volkshochschule Magdeburg"
    assert_accessible(page)
    form.locator("#phone").fill("0391 535 4770")
    form.locator("#website").fill("https://www.vhs-magdeburg.example")
    form.get_by_role("button", name="Save").click()
    expect(info).to_contain_text("0391 535 4770")
    expect(info.get_by_role("link", name="https://www.vhs-magdeburg.example")).to_be_visible()
    assert page.locator("form.organization-form").count() == 0
    expect(info.get_by_role("link", name="Edit")).to_be_focused()  # not lost to <body>

    assert_same_document(page)

    # Cancel brings the details back unchanged, in place.
    info.get_by_role("link", name="Edit").click()
    expect(form).to_be_visible()
    form.locator("#phone").fill("0000")
    form.get_by_role("link", name="Cancel").click()
    expect(info).to_contain_text("0391 535 4770")
    assert page.locator("form.organization-form").count() == 0
    assert_same_document(page)

    # Add a contact person: first without a name, then properly.
    contacts = page.locator("#contacts")
    contacts.get_by_text("Add a contact person").click()
    contacts.get_by_role("button", name="Add").click()
    expect(contacts.locator("#contact-name-error")).to_be_visible()
    expect(contacts.locator("#contact-name")).to_be_focused()
    assert contacts.locator("details").get_attribute("open") is not None
    assert contacts.locator("#contact-name").get_attribute("aria-invalid") == "true"
    assert_accessible(page)
    contacts.locator("#contact-name").fill("Ahmad Karimi")
    contacts.locator("#contact-role").fill("Kursleitung Integrationskurse")
    contacts.locator("#contact-email").fill("A.Karimi@vhs-md.example")
    contacts.get_by_role("button", name="Add").click()
    expect(contacts.locator("tbody tr")).to_have_count(2)
    expect(contacts.locator("tbody")).to_contain_text("Ahmad Karimi")
    expect(contacts.get_by_role("link", name="a.karimi@vhs-md.example")).to_be_visible()
    assert contacts.locator(".error").count() == 0
    assert_same_document(page)
    check_page(page, "organization-edited")


def test_group_page_adds_an_organization(page, magdeburg):
    log_in(page, magdeburg.coordinator)
    page.goto(f"/n/{magdeburg.slug}/groups/{magdeburg.group_ids['Sprache']}")
    assert page.locator("h1").inner_text() == "Sprache"
    members = page.locator("#group-members")
    assert members.get_by_role("link", name="Volkshochschule Magdeburg").is_visible()
    check_page(page, "group")
    mark_document(page)

    members.locator("#add-organization").select_option(label="Einewelthaus Magdeburg")
    members.locator("form:has(#add-organization)").get_by_role("button", name="Add").click()
    expect(members.get_by_role("link", name="Einewelthaus Magdeburg")).to_be_visible()
    options = members.locator("#add-organization option").all_inner_texts()
    assert "Einewelthaus Magdeburg" not in options and "Volkshochschule Magdeburg" not in options
    assert_same_document(page)
    check_page(page, "group-member-added")

    # The sub-group: reachable from its parent, with the parent in its breadcrumbs.
    page.get_by_role("link", name="Unter-AG Berufssprachkurse").click()
    page.wait_for_url(f"**/groups/{magdeburg.group_ids['Unter-AG Berufssprachkurse']}")
    assert page.locator(".breadcrumbs").inner_text().endswith("Sprache")
    check_page(page, "sub-group")


def test_phone_width_has_no_horizontal_page_scroll(new_page, magdeburg):
    page = new_page(viewport=PHONE)
    log_in(page, magdeburg.coordinator)

    def page_width():
        return page.evaluate("document.documentElement.scrollWidth")

    page.goto(f"/n/{magdeburg.slug}/organizations")
    page.get_by_text("Add an organization").click()
    assert page_width() <= PHONE["width"]
    assert_accessible(page)

    page.goto(_organization_url(magdeburg, "Jobcenter Landeshauptstadt Magdeburg"))
    assert page_width() <= PHONE["width"]
    page.locator("#contacts").get_by_text("Add a contact person").click()
    page.locator("#organization-info").get_by_role("link", name="Edit").click()
    expect(page.locator("form.organization-form")).to_be_visible()
    assert page_width() <= PHONE["width"]
    assert_accessible(page)
    screenshot(page, "organization-phone-forms-open")
