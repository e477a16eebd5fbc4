"""The owner of an employer organisation hands over ownership and removes a colleague's access, in a real browser."""
from sqlmodel import select

from tests.browser.conftest import serious_violations, switch_language, ui_login
from tests.conftest import TEST_PASSWORD, make_employer, make_user
from web.models import EmployerMember, User


def test_owner_manages_colleagues_in_dutch_and_english(live_server, browser_page, shot, axe):
    with live_server.session() as db:
        owner = make_user(db, "employer", full_name="Olga Eigenaar")
        employer = make_employer(db, owner, name="Bakkerij De Korenaar")
        leaving = make_user(db, "employer", full_name="Lars Vertrekt")
        staying = make_user(db, "employer", full_name="Sara Blijft")
        for user in (leaving, staying):
            db.add(EmployerMember(employer_id=employer.id, user_id=user.id))
        db.commit()
        owner_email, leaving_id, staying_id, leaving_email = owner.email, leaving.id, staying.id, leaving.email
        employer_id = employer.id

    colleague = browser_page(width=1280, height=900)
    ui_login(colleague, live_server.url, leaving_email, TEST_PASSWORD)
    colleague.goto(f"{live_server.url}/werkgever/plaatsen")
    assert "/werkgever/plaatsen" in colleague.url

    page = browser_page(width=1280, height=900)
    ui_login(page, live_server.url, owner_email, TEST_PASSWORD)
    page.goto(f"{live_server.url}/werkgever/organisatie")
    row = page.locator("li", has_text="Lars Vertrekt")
    confirm = row.get_by_role("button", name="Ja, toegang intrekken")
    assert not confirm.is_visible()  # behind a disclosure: one click opens it, a second confirms
    row.get_by_text("Toegang intrekken…").click()
    assert confirm.is_visible()
    shot(page, "employer_colleagues_nl")
    assert serious_violations(axe(page)) == []
    confirm.click()
    page.wait_for_load_state("networkidle")
    assert "Lars Vertrekt heeft geen toegang meer" in page.content()
    assert page.locator("li", has_text="Lars Vertrekt").count() == 0

    # the removed colleague's open session ends on their next click
    colleague.goto(f"{live_server.url}/werkgever/plaatsen")
    assert "/auth/login" in colleague.url

    switch_language(page, "en")
    page.locator("li", has_text="Sara Blijft").get_by_role("button", name="Make owner").click()
    page.wait_for_load_state("networkidle")
    assert "Sara Blijft is now the owner" in page.content()
    assert "Only the organisation's owner can remove colleagues" in page.content()
    shot(page, "employer_colleagues_en")

    phone = browser_page(width=360, height=740)
    ui_login(phone, live_server.url, owner_email, TEST_PASSWORD)
    phone.goto(f"{live_server.url}/werkgever/organisatie")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    shot(phone, "employer_colleagues_360")

    with live_server.session() as db:
        assert db.get(User, leaving_id).is_active is False
        owners = db.exec(select(EmployerMember.user_id).where(EmployerMember.employer_id == employer_id, EmployerMember.is_owner)).all()
        assert list(owners) == [staying_id]
