"""The coach's to-do list and pipeline board in a real browser: on a 360 px phone the sections and columns stack and
a to-do link leads to the page where it is done; screenshots in Dutch and English at 1280 and 360 px.
"""
from __future__ import annotations

from tests.browser.conftest import switch_language, ui_login
from tests.browser.test_participant_journey import PHONE, assert_accessible, assert_fits_phone
from tests.conftest import TEST_PASSWORD
from tests.web.test_coach_todo import build_todo_world


def _world(live_server):
    with live_server.session() as db:
        world = build_todo_world(db)
        return world.me.email, world.people["Nico Leeg"].id


def test_coach_opens_todo_and_board_on_a_phone_and_follows_a_todo_link(live_server, browser_page, shot, axe):
    email, no_skills_id = _world(live_server)
    base = live_server.url
    page = browser_page(**PHONE, bypass_csp=True)
    ui_login(page, base, email, TEST_PASSWORD)

    page.goto(f"{base}/coach/")
    todo = page.get_by_test_id("todo")
    assert todo.get_by_text("Antwoorden van werkgevers").count() == 1
    assert page.get_by_test_id("todo-meetings_tomorrow").get_by_text("Eva Morgen").count() == 1
    assert_fits_phone(page)
    assert_accessible(page, axe)
    shot(page, "coach_todo_dashboard_nl_360")

    page.goto(f"{base}/coach/pijplijn")
    columns = page.locator("[data-testid^=column-]")
    assert columns.count() == 6
    first, second = columns.nth(0).bounding_box(), columns.nth(1).bounding_box()
    assert second["y"] > first["y"] + first["height"] - 1 and abs(second["x"] - first["x"]) < 2  # stacked, not side by side
    assert page.get_by_test_id("column-employer_interested").get_by_test_id("card").count() == 3
    assert_fits_phone(page)
    assert_accessible(page, axe)
    shot(page, "coach_board_nl_360")

    page.select_option("#plaats", label="Groenwerker (Groendienst)")
    page.get_by_role("button", name="Filteren").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("column-employer_interested").get_by_test_id("card").count() == 1
    assert page.get_by_text("Ans Antwoord").count() == 0

    page.goto(f"{base}/coach/")
    page.get_by_test_id("todo-without_skills").get_by_role("link", name="Nico Leeg").click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"/coach/deelnemers/{no_skills_id}/profiel")
    page.go_back()
    page.get_by_test_id("count-without_evaluation").get_by_role("link").click()
    page.wait_for_load_state("networkidle")
    assert "zonder=evaluatie" in page.url and page.get_by_text("Mira Ontwerp").count() == 1

    switch_language(page, "en")
    for path, name in (("/coach/", "coach_todo_dashboard"), ("/coach/pijplijn", "coach_board")):
        page.goto(f"{base}{path}")
        assert page.locator("html").get_attribute("lang") == "en"
        assert_fits_phone(page)
        shot(page, f"{name}_en_360")
    assert page.get_by_role("heading", name="Pipeline").count() == 1

    desk = browser_page(width=1280, height=900)
    ui_login(desk, base, email, TEST_PASSWORD)  # the account's language is English now
    for lang in ("en", "nl"):
        switch_language(desk, lang)
        for path, name in (("/coach/", "coach_todo_dashboard"), ("/coach/pijplijn", "coach_board")):
            desk.goto(f"{base}{path}")
            shot(desk, f"{name}_{lang}_1280")
    desk.goto(f"{base}/coach/pijplijn")
    boxes = [desk.locator("[data-testid^=column-]").nth(i).bounding_box() for i in range(6)]
    assert len({round(b["y"]) for b in boxes}) == 1  # six columns side by side on a desktop
