"""The account page in a real browser: a token made and revoked in Dutch, the calendar address in English, at 360 px,
and the API reference page (Swagger UI from the app itself) renders the OpenAPI 3.1 document under the CSP."""
import re

from tests.browser.conftest import serious_violations, switch_language, ui_login
from tests.conftest import TEST_PASSWORD, make_employer, make_user


def test_tokens_and_calendar_on_the_account_page_in_both_languages_and_at_360_px(live_server, browser_page, shot, axe):
    with live_server.session() as db:
        user = make_user(db, "employer", full_name="Olga Eigenaar")
        make_employer(db, user)
        email = user.email

    page = browser_page(width=360, height=740)
    ui_login(page, live_server.url, email, TEST_PASSWORD)
    page.goto(f"{live_server.url}/account/")
    page.fill("#name", "Ons rekruteringssysteem")
    page.get_by_label("Lezen en schrijven").check()
    page.get_by_role("button", name="Sleutel maken").click()
    page.wait_for_load_state("networkidle")
    token = page.get_by_test_id("new-token").inner_text()
    assert re.fullmatch(r"sbg_[A-Za-z0-9_-]{43}", token)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert serious_violations(axe(page)) == []
    shot(page, "account_token_360_nl")

    api = page.request.get(f"{live_server.url}/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert api.status == 200 and api.json()["role"] == "employer"
    assert page.request.get(f"{live_server.url}/api/v1/me").status == 401  # the browser's session cookie is not enough

    page.get_by_role("button", name=re.compile("Intrekken")).click()
    page.wait_for_load_state("networkidle")
    assert "De sleutel is ingetrokken" in page.content()
    assert page.request.get(f"{live_server.url}/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status == 401

    switch_language(page, "en")
    page.goto(f"{live_server.url}/account/")
    page.get_by_role("button", name="Turn the calendar address on").click()
    page.wait_for_load_state("networkidle")
    feed = page.get_by_test_id("new-feed").inner_text()
    assert "/kalender/" in feed and feed.endswith(".ics")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, "account_calendar_360_en")
    calendar = page.request.get(feed)
    assert calendar.status == 200 and calendar.text().startswith("BEGIN:VCALENDAR")


def test_the_api_reference_renders_from_the_app(live_server, browser_page, shot):
    page = browser_page(width=1280, height=900)
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="API voor ontwikkelaars").click()
    page.wait_for_selector(".swagger-ui .opblock", timeout=15_000)
    assert page.locator(".opblock").count() >= 20
    assert "Stagebrug API" in page.content()
    assert not [e for e in errors if "Content Security Policy" in e]
    shot(page, "api_reference")
