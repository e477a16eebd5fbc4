"""The employer journey in a real browser: register, create a place with skills and a full sheet, preview, PDF, publish, answer."""
import io
import re
from datetime import date, timedelta

from pypdf import PdfReader
from sqlmodel import select

from tests.browser.conftest import switch_language
from tests.conftest import make_participant, make_proposal, make_user
from web.models import OutboxEmail, Proposal, StagePlace


def _fill_place(page):
    page.fill("#title", "Magazijnmedewerker")
    page.fill("#description", "Je maakt bestellingen klaar in ons magazijn in Gent.")
    page.fill("#tasks", "Orders verzamelen, inpakken en laden.")
    page.fill("#hours_per_week", "30")
    page.fill("#start_date", (date.today() + timedelta(days=21)).isoformat())
    page.fill("#duration_weeks", "8")
    page.select_option("#dutch_level", "A2")
    page.fill("#skills-0-name", "heftruck rijden")
    page.select_option("#skills-0-min_level", "2")
    page.fill("#skills-1-name", "orderpicking")
    page.select_option("#skills-1-required", "0")


def _fill_sheet(page):
    page.select_option("#wage_mode", "hour")
    page.fill("#wage_amount", "5")
    page.fill("#mentor_hours_per_week", "2")
    page.fill("#mentor_hourly_cost", "40")
    page.fill("#lines-0-label", "Onthaal en veiligheidsopleiding")
    page.fill("#lines-0-amount", "0")
    page.fill("#lines-1-label", "Veiligheidsschoenen")
    page.fill("#lines-1-amount", "120")
    page.fill("#lines-2-label", "Fietsvergoeding")
    page.fill("#lines-2-amount", "50")
    page.select_option("#lines-2-payer", "se_employer")
    page.fill("#coach_visits", "Om de twee weken een bezoek")
    page.fill("#se_support", "Jobcoach van het maatwerkbedrijf")
    page.fill("#mentor_name", "Jan Peeters")
    page.fill("#first_day_plan", "Rondleiding, veiligheidsuitleg en kennismaking met het team.")
    page.fill("#feedback_moments", "Na week 1, 4 en 8.")
    page.fill("#participant_tasks", "Orders klaarzetten")
    page.fill("#participant_hours", "30 uur per week")
    page.fill("#safety_rules", "Veiligheidsschoenen dragen")
    page.select_option("#intention", "hire")
    page.fill("#contract_type", "Onbepaalde duur")
    page.fill("#checklist-0-document", "Stageovereenkomst")
    page.fill("#checklist-0-signer", "Werkgever, deelnemer, maatwerkbedrijf")
    page.fill("#checklist-0-due", "Voor de start")


def test_employer_registers_creates_a_place_with_sheet_downloads_pdf_publishes_and_answers(live_server, browser_page, shot):
    page = browser_page(width=1280, height=900)
    base = live_server.url
    page.goto(f"{base}/auth/registreren")
    page.fill("#organisation_name", "Logistiek Van Damme")
    page.fill("#kbo_number", "0403.170.701")
    page.select_option("#sector", "logistiek")
    page.fill("#postal_code", "9000")
    page.fill("#full_name", "Els Van Damme")
    page.fill("#email", "els@vandamme.be")
    page.click("main form button.primary[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=check-mail]").count() == 1
    with live_server.session() as db:
        mail = db.exec(select(OutboxEmail).where(OutboxEmail.to_address == "els@vandamme.be")).one()
    page.goto(re.search(r"http://[^\s]+", mail.body_text).group(0).replace("http://127.0.0.1:5000", base))
    page.fill("#password", "een lang wachtwoord")
    page.fill("#password_confirm", "een lang wachtwoord")
    page.click("main form button.primary[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "Logistiek Van Damme" in page.content()
    # setting the password through the mailed link proves the address: no separate confirmation is asked
    assert page.locator("[data-testid=verify-email]").count() == 0 and page.locator("[data-testid=first-run]").count() == 1

    page.goto(f"{base}/werkgever/plaatsen/nieuw")
    page.fill("#title", "magazijn")
    page.locator("#occupation-list option").first.wait_for(state="attached")
    _fill_place(page)
    shot(page, "employer-place-form-nl")
    page.click("form.card button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/fiche/bewerken" in page.url

    _fill_sheet(page)
    shot(page, "employer-sheet-form-nl")
    page.click("form.card button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "Gepubliceerd" not in page.locator("h1").inner_text()
    assert page.locator("[data-testid=missing]").count() == 0
    assert "1.960,00" in page.content()  # 1200 wage + 640 mentor + 120 shoes for the stage employer
    shot(page, "employer-place-preview-nl")

    with page.expect_download(timeout=30_000) as download_info:  # the first WeasyPrint render loads its fonts
        page.click("[data-testid=pdf-link]")
    pdf = download_info.value
    with open(pdf.path(), "rb") as fh:
        data = fh.read()
    assert data.startswith(b"%PDF")
    assert "Magazijnmedewerker" in " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)

    page.click("button[name=action][value=publish]")
    page.wait_for_load_state("networkidle")
    assert "De stageplaats is gepubliceerd." in page.content()

    with live_server.session() as db:
        place = db.exec(select(StagePlace).where(StagePlace.title == "Magazijnmedewerker")).one()
        assert place.status == "published"
        place_id = place.id
        coach = make_user(db, "coach", full_name="Kris Coach")
        participant = make_participant(db, coach, skills=(("heftruck rijden", 3), ("orderpicking", 2)), first_name="Amina",
                                       consent_level="skills_name", postal_code="9050", limitations="Rugklachten")
        proposal_id = make_proposal(db, participant, place).id

    page.goto(f"{base}/werkgever/voorstellen")
    page.click("text=Kandidaat Amina")
    page.wait_for_load_state("networkidle")
    assert "Rugklachten" not in page.content()
    shot(page, "employer-proposal-nl")
    page.click("form.answer button.primary >> nth=0")
    page.wait_for_load_state("networkidle")
    assert "Je antwoord is bewaard." in page.content()
    with live_server.session() as db:
        assert db.get(Proposal, proposal_id).state == "employer_interested"

    page.goto(f"{base}/werkgever/plaatsen")
    shot(page, "employer-places-nl")
    switch_language(page, "en")
    assert "Internship places" in page.content() or "internship places" in page.content()
    shot(page, "employer-places-en")
    page.goto(f"{base}/werkgever/plaatsen/{place_id}")
    shot(page, "employer-place-preview-en")
    page.goto(f"{base}/werkgever/voorstellen/{proposal_id}")
    shot(page, "employer-proposal-en")
    page.goto(f"{base}/werkgever/plaatsen/{place_id}/fiche")
    shot(page, "employer-sheet-print-en")

    phone = browser_page(width=360, height=740)
    from tests.browser.conftest import ui_login

    ui_login(phone, base, "els@vandamme.be", "een lang wachtwoord")
    for name, url in (("places", "/werkgever/plaatsen"), ("place-preview", f"/werkgever/plaatsen/{place_id}"),
                      ("place-form", f"/werkgever/plaatsen/{place_id}/bewerken"), ("sheet-form", f"/werkgever/plaatsen/{place_id}/fiche/bewerken"),
                      ("proposal", f"/werkgever/voorstellen/{proposal_id}")):
        phone.goto(base + url)
        assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), name
        shot(phone, f"employer-{name}-phone")
