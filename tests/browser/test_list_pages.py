"""The paged lists in a real browser: sorting by a header, the pager, Dutch and English, 360 px wide (screenshots)."""
from __future__ import annotations

from datetime import timedelta

from tests.browser.conftest import switch_language, ui_login
from tests.conftest import (
    TEST_PASSWORD,
    make_employer,
    make_participant,
    make_place,
    make_proposal,
    make_user,
)
from web.models import AuditLog, MatchSuggestion, utcnow


def _fill(db) -> dict:
    coach = make_user(db, "coach", full_name="Kris Coach")
    owner = make_user(db, "employer", full_name="Wim Werkgever")
    admin = make_user(db, "admin", full_name="Bea Beheer")
    employer = make_employer(db, user=owner, name="Van Damme Logistiek")
    place = make_place(db, employer, title="Magazijnmedewerker avondploeg")
    for i in range(30):
        person = make_participant(db, coach, first_name=f"Deelnemer{i:02d}", last_name=f"Achternaam{i:02d}", consent_level="skills_name",
                                  phase=("voortraject", "jobmatching", "stage")[i % 3], postal_code=("9000", "9300", "2000")[i % 3])
        other = make_employer(db, name=f"Werkgever {i:02d}", postal_code=("9000", "8000", "3500")[i % 3])
        make_place(db, other, title=f"Plaats {i:02d}", postal_code=("9000", "8000", "3500")[i % 3], sector=("logistiek", "horeca")[i % 2])
        make_proposal(db, person, place, state=("proposed", "intake_planned", "declined")[i % 3], created_at=utcnow() - timedelta(hours=i))
        db.add(MatchSuggestion(participant_id=person.id, place_id=place.id, score=90 - i, engine_version="t",
                               explanation={"matched": [], "missing": [], "distance_km": 3.0, "exclusions": [], "improvements": []}))
        db.add(AuditLog(actor_id=admin.id, action="participant.update", object_type="participant", object_id=str(person.id)))
    db.commit()
    return {"coach": coach.email, "owner": owner.email, "admin": admin.email, "place": place.id}


def _no_horizontal_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), page.url


def test_paged_lists_sort_and_page_in_both_languages_and_at_360_px(live_server, browser_page, shot):
    with live_server.session() as db:
        ids = _fill(db)
    lists = {
        "coach": [("/coach/deelnemers?aantal=25", "list-caseload"), ("/coach/stageplaatsen?postcode=9000", "list-coach-places"),
                  (f"/coach/stageplaatsen/{ids['place']}", "list-place-ranked")],
        "owner": [("/werkgever/voorstellen", "list-employer-proposals")],
        "admin": [("/admin/gebruikers", "list-admin-users"), ("/admin/organisaties", "list-admin-organisations"), ("/admin/audit", "list-admin-audit")],
    }
    for who, pages in lists.items():
        wide = browser_page(width=1280, height=900)
        ui_login(wide, live_server.url, ids[who], TEST_PASSWORD)
        narrow = browser_page(width=360, height=740)
        ui_login(narrow, live_server.url, ids[who], TEST_PASSWORD)
        for path, name in pages:
            wide.goto(live_server.url + path)
            assert wide.get_by_test_id("paging-summary").count() == 1, path
            shot(wide, f"{name}-nl")
            narrow.goto(live_server.url + path)
            _no_horizontal_scroll(narrow)
            shot(narrow, f"{name}-360-nl")
        switch_language(wide, "en")
        for path, name in pages:
            wide.goto(live_server.url + path)
            assert "Sort by" in wide.content() and "Per page:" in wide.content(), path
            shot(wide, f"{name}-en")

    page = browser_page(width=1280, height=900)
    ui_login(page, live_server.url, ids["coach"], TEST_PASSWORD)  # the coach chose English above
    page.goto(live_server.url + "/coach/deelnemers")
    assert "1–25 of 30" in page.get_by_test_id("paging-summary").inner_text()
    page.click("a[rel=next]")
    page.wait_for_load_state("networkidle")
    assert "26–30 of 30" in page.get_by_test_id("paging-summary").inner_text()
    page.click("a.sort-link[data-sort=naam]")  # the current sort again: the other direction, back to page 1
    page.wait_for_load_state("networkidle")
    assert page.locator("th[aria-sort=descending]").count() == 1
    assert page.locator("table[data-testid=caseload] tbody tr").first.inner_text().startswith("Deelnemer29")
    page.select_option("#sorteer", "dagen")  # the sort choice in the form works the same on narrow screens
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "sorteer=dagen" in page.url and "aantal=25" in page.url
