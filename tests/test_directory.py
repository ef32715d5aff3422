import pytest

from app.core.extensions import db
from app.directory import service
from app.directory.models import Membership, Organization, Person, WorkingGroup


@pytest.fixture
def english(coordinator_client):
    coordinator_client.set_cookie("lang", "en", domain="localhost")
    return coordinator_client


def network():
    return service.network_or_404("magdeburg")


def test_create_organization_with_contact(english):
    response = english.post("/n/magdeburg/organizations/new", data={
        "name": "  Volkshochschule   Magdeburg ", "kind": "education", "postcode": "39104", "city": "Magdeburg",
        "website": "https://vhs.example.org", "email": "info@vhs.example.org", "phone": "0391 540-0",
    })
    assert response.status_code == 303
    organization = service.find_organization("volkshochschule magdeburg")
    assert organization.name == "Volkshochschule Magdeburg"
    assert service.is_member(network(), organization)

    response = english.post(f"/n/magdeburg/organizations/{organization.id}/contacts",
                            data={"name": "Petra Neumann", "role": "DaF", "email": "P.Neumann@Example.org"})
    assert response.status_code == 303
    assert [p.email for p in organization.contacts] == ["p.neumann@example.org"]


def test_duplicate_organization_in_network_gets_a_message_next_to_the_name(english, make):
    make.organization(network(), "Caritas Magdeburg")
    db.session.commit()
    response = english.post("/n/magdeburg/organizations/new", data={"name": "caritas  MAGDEBURG", "kind": "welfare"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="name-error"' in html and "This network has an organization of this name already." in html
    assert db.session.query(Organization).count() == 1


def test_organization_of_another_network_is_offered_not_duplicated(english, make):
    other = make.network("stendal")
    existing = make.organization(other, "Handwerkskammer Magdeburg")
    db.session.commit()
    response = english.post("/n/magdeburg/organizations/new", data={"name": "Handwerkskammer Magdeburg", "kind": "chamber"})
    assert response.status_code == 422
    assert "Add the existing Handwerkskammer Magdeburg to this network" in response.get_data(as_text=True)
    # Coordinators may only add organizations they can see: this one is in a network they don't run.
    assert english.post("/n/magdeburg/organizations/add-existing",
                        data={"organization_id": existing.id}).status_code == 403


@pytest.mark.parametrize("field,value,message", [
    ("email", "not-an-address", "Please enter a valid e-mail address"),
    ("postcode", "3910", "A German postcode has five digits."),
    ("website", "vhs magdeburg", "Please enter a full address"),
    ("phone", "call me", "Use digits, spaces and + ( ) / - only."),
    ("name", "", "This field is required."),
    ("name", "x" * 201, "Field cannot be longer than 200 characters."),
])
def test_bad_input_gets_a_message_next_to_the_field_and_saves_nothing(english, field, value, message):
    data = {"name": "Sprachinstitut Elbe", "kind": "language_school", field: value}
    response = english.post("/n/magdeburg/organizations/new", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html and message in html
    assert 'aria-invalid="true"' in html
    assert db.session.query(Organization).count() == 0


def test_htmx_create_returns_fresh_form_and_refreshed_list(english):
    response = english.post("/n/magdeburg/organizations/new", headers={"HX-Request": "true"},
                            data={"name": "Einewelthaus Magdeburg", "kind": "association"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="organization-list" class="table-scroll" hx-swap-oob="true"' in html
    assert "Einewelthaus Magdeburg added." in html


def test_filter_as_you_type_returns_the_fragment(english, make):
    for name, city in [("Jobcenter Stendal", "Stendal"), ("Volkshochschule", "Magdeburg"), ("Caritas", "Salzwedel")]:
        make.organization(network(), name, city=city)
    db.session.commit()
    fragment = english.get("/n/magdeburg/organizations?q=stend", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and "Jobcenter Stendal" in fragment and "Caritas" not in fragment
    page = english.get("/n/magdeburg/organizations?q=SALZ").get_data(as_text=True)
    assert "<html" in page and "Caritas" in page and "Jobcenter" not in page
    # A boosted or history-restore request needs the whole page.
    restored = english.get("/n/magdeburg/organizations?q=salz",
                           headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in restored.get_data(as_text=True)


def test_edit_organization_refuses_taking_another_name(english, make):
    first = make.organization(network(), "AWO Magdeburg")
    make.organization(network(), "DRK Magdeburg")
    db.session.commit()
    response = english.post(f"/n/magdeburg/organizations/{first.id}/edit", data={"name": "DRK Magdeburg", "kind": "welfare"})
    assert response.status_code == 422
    assert "Another organization has this name already." in response.get_data(as_text=True)
    db.session.refresh(first)
    assert first.name == "AWO Magdeburg"


def test_remove_member_keeps_organization_for_other_networks(english, make):
    other = make.network("stendal")
    organization = make.organization(network(), "Handwerkskammer Magdeburg")
    service.add_member(other, organization)
    group = make.group(network(), "Arbeit")
    group.organizations.append(organization)
    db.session.commit()
    assert english.post(f"/n/magdeburg/organizations/{organization.id}/remove").status_code == 303
    assert not service.is_member(network(), organization)
    assert service.is_member(other, organization)
    assert db.session.get(WorkingGroup, group.id).organizations == []


def test_contacts_edit_and_delete(english, make):
    organization = make.organization(network(), "Diakonie")
    person = service.save_person(organization, None, name="Anna", email="anna@example.org")
    db.session.commit()
    bad = english.post(f"/n/magdeburg/contacts/{person.id}/edit", data={"name": "Anna", "email": "anna@"})
    assert bad.status_code == 422
    fragment = english.post(f"/n/magdeburg/contacts/{person.id}/edit", headers={"HX-Request": "true"},
                            data={"name": "Anna Schmidt", "role": "Beratung", "email": "anna@example.org"})
    assert f'id="contact-{person.id}"' in fragment.get_data(as_text=True)
    assert english.post(f"/n/magdeburg/contacts/{person.id}/delete").status_code == 303
    assert organization.contacts == []


def test_contact_of_another_networks_organization_is_refused(english, make):
    other = make.network("stendal")
    foreign = make.organization(other, "Jobcenter Stendal")
    person = service.save_person(foreign, None, name="Olaf")
    db.session.commit()
    assert english.get(f"/n/magdeburg/contacts/{person.id}/edit").status_code == 403
    assert english.get(f"/n/magdeburg/organizations/{foreign.id}").status_code == 403


def test_working_groups_nest_and_refuse_cycles_and_duplicates(english):
    english.post("/n/magdeburg/groups/new", data={"name": "Sprache", "kind": "working_group", "parent_id": "0"})
    sprache = db.session.scalar(db.select(WorkingGroup).where(WorkingGroup.name == "Sprache"))
    english.post("/n/magdeburg/groups/new", data={"name": "Berufssprachkurse", "kind": "working_group",
                                                  "parent_id": str(sprache.id)})
    sub = db.session.scalar(db.select(WorkingGroup).where(WorkingGroup.name == "Berufssprachkurse"))
    assert sub.parent_id == sprache.id

    cycle = english.post(f"/n/magdeburg/groups/{sprache.id}/edit",
                         data={"name": "Sprache", "kind": "working_group", "parent_id": str(sub.id)})
    assert cycle.status_code == 422  # the sub-group is not offered as a parent: "Not a valid choice"
    duplicate = english.post("/n/magdeburg/groups/new", data={"name": "sprache", "kind": "working_group", "parent_id": "0"})
    assert duplicate.status_code == 422
    assert "This network has a group of this name already." in duplicate.get_data(as_text=True)

    overview = english.get("/n/magdeburg").get_data(as_text=True)
    assert overview.index("Sprache") < overview.index("Berufssprachkurse")


def test_group_members_and_leads(english, make):
    group = make.group(network(), "Sprache")
    organization = make.organization(network(), "VHS")
    person = service.save_person(organization, None, name="Petra")
    make.user("lead@example.org")
    db.session.commit()
    url = f"/n/magdeburg/groups/{group.id}/members"
    fragment = english.post(url, headers={"HX-Request": "true"},
                            data={"action": "add", "organization_id": organization.id}).get_data(as_text=True)
    assert 'id="group-members"' in fragment and "<html" not in fragment
    english.post(url, data={"action": "add", "person_id": person.id})
    assert group.organizations == [organization] and group.people == [person]
    english.post(url, data={"action": "remove", "person_id": person.id})
    assert group.people == []

    english.post(f"/n/magdeburg/groups/{group.id}/leads", data={"action": "add", "email": "LEAD@example.org"})
    assert [u.email for u in group.leads] == ["lead@example.org"]
    unknown = english.post(f"/n/magdeburg/groups/{group.id}/leads", data={"action": "add", "email": "x@example.org"},
                           follow_redirects=True)
    assert "No organizer account has the address x@example.org" in unknown.get_data(as_text=True)


def _fill(count):
    start = db.session.query(Organization).count()
    for i in range(start, start + count):
        organization = service.create_organization(network(), f"Organisation {i:03d}", city="Magdeburg")
        service.save_person(organization, None, name=f"Person {i}", email=f"p{i}@example.org")
    db.session.commit()


@pytest.mark.parametrize("path", ["/n/magdeburg/organizations", "/n/magdeburg/organizations?q=organisation",
                                  "/n/magdeburg"])
def test_main_pages_run_a_bounded_number_of_queries(english, make, count_queries, path):
    make.group(network(), "Sprache")
    _fill(3)
    few = count_queries(lambda: english.get(path))
    _fill(40)
    many = count_queries(lambda: english.get(path))
    assert few == many, f"{path}: {few} queries with 3 organizations, {many} with 43"
    assert many <= 8


def test_group_page_queries_do_not_grow_with_members(english, make, count_queries):
    group = make.group(network(), "Sprache")
    url = f"/n/magdeburg/groups/{group.id}"
    _fill(3)
    group.organizations.extend(db.session.scalars(db.select(Organization)).all())
    few = count_queries(lambda: english.get(url))
    group = db.session.scalar(db.select(WorkingGroup))
    group.organizations.extend(service.create_organization(network(), f"Mehr {i}") for i in range(30))
    group.people.extend(db.session.scalars(db.select(Person)).all())
    assert count_queries(lambda: english.get(url)) == few


def test_organization_page_queries_do_not_grow(english, make, count_queries):
    organization = make.organization(network(), "VHS")
    db.session.commit()
    url = f"/n/magdeburg/organizations/{organization.id}"
    few = count_queries(lambda: english.get(url))
    for i in range(20):
        group = make.group(network(), f"AG {i}")
        group.organizations.append(organization)
        service.save_person(organization, None, name=f"Person {i}")
    db.session.commit()
    db.session.expire_all()
    assert count_queries(lambda: english.get(url)) == few


def test_demo_loads_twice_without_duplicates(app):
    from app import demo
    from tests.demo_snapshot import load_demo

    load_demo()
    counts = (db.session.query(Organization).count(), db.session.query(Membership).count(),
              db.session.query(WorkingGroup).count())
    demo.load_demo()
    assert counts == (db.session.query(Organization).count(), db.session.query(Membership).count(),
                      db.session.query(WorkingGroup).count())
    assert counts[0] >= 36
    names = set(db.session.scalars(db.select(WorkingGroup.name)))
    assert {"Arbeit und Ausbildung", "Sprache", "Interkultur & Soziales"} <= names
    assert any(name.startswith("Arbeitstisch") for name in names)
