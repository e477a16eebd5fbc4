"""axe-core on the main pages of the coach, the employer, the admin and the anonymous visitor, in Dutch and English,
on a laptop and a phone: no serious or critical violations (WCAG 2.x A/AA and best practice; see the ``axe`` fixture in conftest.py).
"""
from __future__ import annotations

import pytest

from tests.browser.conftest import serious_violations, switch_language, ui_login
from tests.conftest import (
    TEST_PASSWORD,
    make_employer,
    make_participant,
    make_place,
    make_proposal,
    make_user,
)
from web.models import AuditLog, SkillTerm
from web.services.matching import refresh_matches_for_participant
from web.services.notifications import notify

WIDTHS = ((1280, 900), (360, 740))  # a laptop and a phone: wide tables scroll sideways on a phone


def _world(live_server) -> dict:
    """A small data set: a coach with two participants, an employer with two places and a proposal, an admin."""
    with live_server.session() as db:
        coach = make_user(db, "coach", full_name="Coach Hanne")
        owner = make_user(db, "employer", full_name="Els Van Damme")
        employer = make_employer(db, owner, name="Groendienst Gent")
        place = make_place(db, employer, title="Heftruckchauffeur magazijn", skills=(("heftruck rijden", True, 2), ("orderpicking", False, 1)))
        make_place(db, employer, title="Medewerker groenonderhoud", sector="groen", status="draft",
                   skills=(("snoeien", True, 2), ("grasmaaien", True, 2)))
        person = make_participant(db, coach, first_name="Sofie", last_name="Peeters", skills=(("heftruck rijden", 3), ("snoeien", 1)),
                                  consent_level="skills_name")
        make_participant(db, coach, first_name="Omar", last_name="Janssens", skills=(("orderpicking", 2),))
        proposal = make_proposal(db, person, place)
        refresh_matches_for_participant(session=db, participant_id=person.id)
        admin = make_user(db, "admin", full_name="Bea Beheer")
        db.add(SkillTerm(id="heftruck-rijden", label_nl="heftruck rijden", label_en="forklift driving", group="logistiek",
                         variants_nl=["vorkheftruck"], variants_en=["forklift operator"]))
        db.add(AuditLog(actor_id=admin.id, action="settings.changed", detail={"retention_days": {"before": 730, "after": 365}}))
        db.commit()
        with live_server.app.app_context():
            notify(session=db, user_id=coach.id, kind="reminder.proposal_waiting", payload={"days": 7}, endpoint="coach.dashboard")
        db.commit()
        return {"coach": coach.email, "employer": owner.email, "admin": admin.email, "participant_id": person.id, "place_id": place.id,
                "proposal_id": proposal.id}


def _pages(role: str, world: dict) -> list[str]:
    p, place = world["participant_id"], world["place_id"]
    if role == "coach":
        return ["/coach/", "/coach/deelnemers", f"/coach/deelnemers/{p}", f"/coach/deelnemers/{p}/plaatsen",
                f"/coach/deelnemers/{p}/profiel", f"/coach/deelnemers/{p}/evaluaties/nieuw", "/coach/koppelingen", "/meldingen/"]
    if role == "employer":
        return ["/werkgever/", "/werkgever/plaatsen", "/werkgever/plaatsen/nieuw", f"/werkgever/plaatsen/{place}/bewerken",
                f"/werkgever/plaatsen/{place}/fiche/bewerken", f"/werkgever/plaatsen/{place}", "/werkgever/voorstellen",
                f"/werkgever/voorstellen/{world['proposal_id']}"]
    if role == "admin":
        return ["/admin/", "/admin/gebruikers", "/admin/vaardigheden", "/admin/premies", "/admin/premies/nieuw", "/admin/instellingen",
                "/admin/audit", "/admin/monitoring?date_from=2025-01-01&date_to=2026-12-31"]
    return ["/auth/login", "/auth/registreren", "/auth/wachtwoord-vergeten"]


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("role", ["coach", "employer", "admin", "anonymous"])
def test_main_pages_have_no_serious_accessibility_violations(live_server, browser_page, axe, role, language):
    world = _world(live_server)
    page = browser_page(bypass_csp=True)
    if role != "anonymous":
        ui_login(page, live_server.url, world[role], TEST_PASSWORD)
    else:
        page.goto(live_server.url + "/auth/login")
    if language == "en":
        switch_language(page, "en")
    found = {}
    for width, height in WIDTHS:
        page.set_viewport_size({"width": width, "height": height})
        for path in _pages(role, world):
            response = page.goto(live_server.url + path)
            page.wait_for_load_state("networkidle")
            assert response.status == 200, path
            assert page.locator("html").get_attribute("lang") == language, path
            bad = serious_violations(axe(page))
            if bad:
                found[f"{path} at {width} px"] = bad
    assert not found, "\n" + "\n".join(f"{path}: {bad}" for path, bad in found.items())


def test_the_axe_fixture_reports_a_missing_label(live_server, browser_page, axe):
    """The check itself works: an unlabeled field and an empty button are caught."""
    page = browser_page(bypass_csp=True)
    page.goto(live_server.url + "/auth/login")
    page.evaluate("""() => { const main = document.querySelector('main');
        main.insertAdjacentHTML('beforeend', '<input type="text" id="x-unlabeled"><button type="button"></button>'); }""")
    rules = {v["id"] for v in axe(page)}
    assert {"label", "button-name"} <= rules
