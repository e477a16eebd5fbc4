"""Smoke: each role logs in through a real browser and sees its dashboard in Dutch and in English."""
import pytest

from tests.browser.conftest import switch_language, ui_login
from tests.conftest import TEST_PASSWORD, make_employer, make_participant, make_place, make_user

DASHBOARD_TEXT = {
    "coach": ("Deelnemers per fase", "Participants by phase"),
    "employer": ("Jouw stageplaatsen", "Your internship places"),
    "participant": ("Waar sta je nu?", "Where are you now?"),
    "admin": ("Accounts per rol", "Accounts by role"),
}


@pytest.mark.parametrize("role", sorted(DASHBOARD_TEXT))
def test_role_logs_in_and_sees_dashboard_in_dutch_and_english(live_server, browser_page, shot, role):
    with live_server.session() as db:
        if role == "employer":
            user = make_user(db, "employer", full_name="Els Werkgever")
            employer = make_employer(db, user=user, name="Bakkerij De Zon")
            make_place(db, employer, title="Hulp in de bakkerij")
        elif role == "participant":
            coach = make_user(db, "coach", full_name="Kris Coach")
            user = make_user(db, "participant", full_name="Amina El Idrissi")
            make_participant(db, coach, user=user, first_name="Amina")
        else:
            user = make_user(db, role)
        email = user.email
    page = browser_page(width=1280, height=900)
    ui_login(page, live_server.url, email, TEST_PASSWORD)
    dutch, english = DASHBOARD_TEXT[role]
    assert page.locator("html").get_attribute("lang") == "nl"
    assert dutch in page.content()
    shot(page, f"smoke-{role}-nl")
    switch_language(page, "en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert english in page.content()
    shot(page, f"smoke-{role}-en")
    phone = browser_page(width=360, height=740)
    ui_login(phone, live_server.url, email, TEST_PASSWORD)
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(phone, f"smoke-{role}-phone")
