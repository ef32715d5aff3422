"""Server time of the directory pages for a large installation.

5 networks with 300 member organizations each (60 with BENCH_QUICK=1), two contacts
per organization, 8 working groups per network; timed in-process through the WSGI
app, so the figures are server time without network.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _support import QUICK, bench_app, measure  # noqa: E402

from app.core.extensions import db  # noqa: E402
from app.directory import service  # noqa: E402
from tests import factories  # noqa: E402

ORGANIZATIONS = 60 if QUICK else 300
REPEAT = 30 if QUICK else 200


def fill():
    networks = [factories.network(f"netz-{n}", f"Netzwerk {n}") for n in range(5)]
    for network in networks:
        groups = [factories.group(network, f"AG {g}") for g in range(8)]
        for i in range(ORGANIZATIONS):
            organization = service.create_organization(network, f"{network.slug} Organisation {i:04d}",
                                                       city="Magdeburg" if i % 2 else "Stendal", kind="association")
            for c in range(2):
                service.save_person(organization, None, name=f"Person {i}-{c}", email=f"p{i}-{c}@example.org")
            groups[i % 8].organizations.append(organization)
    factories.user("bench@example.org", coordinates=networks)
    db.session.commit()
    return networks[0]


def main():
    with bench_app() as app:
        with app.app_context():
            network = fill()
            organization_id = network.memberships[0].organization_id
            group_id = network.working_groups[0].id
        client = app.test_client()
        factories.login(client, "bench@example.org")
        print(f"directory pages: 5 networks x {ORGANIZATIONS} organizations, 2 contacts each")
        pages = [
            ("organizations list (all)", "/n/netz-0/organizations"),
            ("organizations list, filtered (htmx fragment)", "/n/netz-0/organizations?q=stendal"),
            ("network overview", "/n/netz-0"),
            ("organization page", f"/n/netz-0/organizations/{organization_id}"),
            ("working group page (coordinator view)", f"/n/netz-0/groups/{group_id}"),
        ]
        for label, url in pages:
            headers = {"HX-Request": "true"} if "htmx" in label else {}

            def get(url=url, headers=headers):
                response = client.get(url, headers=headers)
                assert response.status_code == 200, (url, response.status_code)

            measure(label, get, REPEAT)


if __name__ == "__main__":
    main()
