"""Admin and operations pages in a real browser, in Dutch and English, with screenshots to review."""
from __future__ import annotations

from tests.browser.conftest import switch_language, ui_login
from tests.conftest import TEST_PASSWORD, make_user
from tests.web.test_ops_monitoring import build_known_data
from web.models import AuditLog, SkillTerm
from web.services.notifications import notify

PERIOD = "?date_from=2025-01-01&date_to=2025-12-31"


def test_admin_pages_in_dutch_and_english(live_server, browser_page, shot):
    with live_server.session() as db:
        build_known_data(db)
        admin = make_user(db, "admin", full_name="Bea Beheer")
        db.add(SkillTerm(id="heftruck-rijden", label_nl="heftruck rijden", label_en="forklift driving", group="logistiek",
                         variants_nl=["vorkheftruck", "heftruckchauffeur"], variants_en=["forklift operator"]))
        db.add(AuditLog(actor_id=admin.id, action="settings.changed", detail={"retention_days": {"before": 730, "after": 365}}))
        db.commit()
        with live_server.app.app_context():
            notify(session=db, user_id=admin.id, kind="reminder.proposal_waiting", payload={"days": 7}, endpoint="admin.dashboard")
        db.commit()
        email = admin.email
    page = browser_page(width=1280, height=900)
    ui_login(page, live_server.url, email, TEST_PASSWORD)

    page.goto(live_server.url + "/admin/monitoring" + PERIOD)
    assert page.get_by_test_id("result").inner_text() == "40,0%"
    assert page.locator("svg.chart").count() >= 5
    shot(page, "admin-monitoring-nl")
    page.goto(live_server.url + "/admin/instellingen")
    page.fill("#stage", "0")
    page.click("button[type=submit].primary")
    assert "Kies een aantal dagen van 1 tot 730." in page.content()
    shot(page, "admin-settings-error-nl")
    for path, name in (("/admin/gebruikers", "admin-users"), ("/admin/vaardigheden", "admin-skills"), ("/admin/audit", "admin-audit"),
                       ("/meldingen/", "notifications")):
        page.goto(live_server.url + path)
        shot(page, f"{name}-nl")
    assert "1 nieuwe melding" in page.content()

    switch_language(page, "en")
    page.goto(live_server.url + "/admin/monitoring" + PERIOD)
    assert "From proposal to hiring" in page.content()
    shot(page, "admin-monitoring-en")
    for path, name in (("/admin/instellingen", "admin-settings"), ("/admin/premies/nieuw", "admin-premium-form"),
                       ("/meldingen/voorkeuren", "notification-preferences")):
        page.goto(live_server.url + path)
        shot(page, f"{name}-en")
    assert "Send me an e-mail about" in page.content()

    phone = browser_page(width=360, height=740)
    ui_login(phone, live_server.url, email, TEST_PASSWORD)
    phone.goto(live_server.url + "/admin/monitoring" + PERIOD)
    shot(phone, "admin-monitoring-phone-nl")
