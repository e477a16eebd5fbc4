"""The participant journey over the pages of issue 16's point 4 (dashboard count, vacancy with tasks, start and own
words, the four phases) and the employer's sheet totals recomputed as typed, in Dutch and English at 1280 and 360 px:
screenshotted, checked with axe-core (no serious or critical violations) and for sideways scrolling on a phone."""
from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import select

from tests.browser.conftest import serious_violations, ui_login
from tests.conftest import (
    TEST_PASSWORD,
    make_employer,
    make_participant,
    make_place,
    make_proposal,
    make_user,
)
from web.models import CostSheet, MatchSuggestion, User

SIZES = {"1280": {"width": 1280, "height": 900}, "360": {"width": 360, "height": 740}}
EXPLANATION = {"matched": [{"requirement": "barcodescanner", "skill": "handscanner", "level": 3, "min_level": 2, "required": True}],
               "missing": [], "exclusions": [], "distance_km": 3.0}


def _data(live_server) -> dict:
    with live_server.session() as db:
        coach = make_user(db, "coach", full_name="Kris Coach")
        account = make_user(db, "participant", full_name="Amina El Idrissi")
        person = make_participant(db, coach, user=account, first_name="Amina", skills=(("handscanner", 3),))
        owner = make_user(db, "employer", full_name="Els Werkgever")
        employer = make_employer(db, user=owner, name="Logistiek Noord")
        place = make_place(db, employer, title="Magazijnmedewerker", tasks="Dozen uitpakken\nRekken aanvullen\nVrachtbrieven scannen",
                           start_date=date.today() + timedelta(days=21), duration_weeks=12, skills=(("barcodescanner", True, 2),))
        db.add(MatchSuggestion(participant_id=person.id, place_id=place.id, score=80, explanation=EXPLANATION, engine_version="t",
                               released_to_participant=True))
        make_proposal(db, person, make_place(db, employer, title="Orderpicker"))
        draft = make_place(db, employer, title="Heftruckchauffeur", status="draft", published_at=None, expires_at=None, duration_weeks=10)
        sheet = db.exec(select(CostSheet).where(CostSheet.place_id == draft.id)).one()
        sheet.mentor_hours_per_week, sheet.mentor_hourly_cost = 2, 40
        db.add(sheet)
        db.commit()
        return {"participant": account.email, "employer": owner.email, "place": place.id, "draft": draft.id,
                "users": [account.id, owner.id]}


def _check(page, axe, shot, name):
    bad = serious_violations(axe(page))
    assert not bad, f"{page.url}: {bad}"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), f"{page.url} scrolls sideways"
    shot(page, name)


def test_participant_journey_and_live_sheet_totals(live_server, browser_page, shot, axe):
    data = _data(live_server)
    for language in ("nl", "en"):
        with live_server.session() as db:
            for user_id in data["users"]:
                user = db.get(User, user_id)
                user.language = language
                db.add(user)
            db.commit()
        nl = language == "nl"
        for size, viewport in SIZES.items():
            page = browser_page(**viewport, bypass_csp=True, locale="nl-BE" if nl else "en-GB")
            ui_login(page, live_server.url, data["participant"], TEST_PASSWORD)
            page.goto(live_server.url + "/deelnemer/")
            badge = page.locator(".p-badge.new").inner_text()
            assert badge == ("2 wachten op jouw antwoord" if nl else "2 are waiting for your answer")
            _check(page, axe, shot, f"p16-dashboard-{language}-{size}")
            page.goto(f"{live_server.url}/deelnemer/vacatures/{data['place']}")
            assert page.locator("ul.p-tasks li").all_inner_texts() == ["Dozen uitpakken", "Rekken aanvullen", "Vrachtbrieven scannen"]
            assert ("De stage duurt 12 weken" if nl else "The internship lasts 12 weeks") in page.locator("[data-testid=start-duration]").inner_text()
            assert ("In jouw profiel: handscanner — zij vragen: barcodescanner" if nl else
                    "In your profile: handscanner — they ask for: barcodescanner") in page.inner_text("main")
            _check(page, axe, shot, f"p16-vacancy-{language}-{size}")
            page.goto(f"{live_server.url}/deelnemer/vacatures/{data['place']}/fiche")
            _check(page, axe, shot, f"p16-vacancy-sheet-{language}-{size}")
            page.goto(live_server.url + "/deelnemer/traject")
            phases = page.locator("[data-testid=phases] li")
            assert phases.count() == 4
            assert page.locator("[data-testid=phase-jobmatching]").get_attribute("aria-current") == "step"
            assert ("2 stageplaatsen wachten op jouw antwoord." if nl else "2 internship places are waiting for your answer.") == \
                page.locator("[data-testid=waiting]").inner_text()
            _check(page, axe, shot, f"p16-trajectory-{language}-{size}")
            page.context.close()

            page = browser_page(**viewport, bypass_csp=True, locale="nl-BE" if nl else "en-GB")
            ui_login(page, live_server.url, data["employer"], TEST_PASSWORD)
            page.goto(f"{live_server.url}/werkgever/plaatsen/{data['draft']}/fiche/bewerken")
            box = page.locator("[data-testid=sheet-totals]")
            month = box.locator("[data-total=mine-month]")
            # 2 h × € 40 a week, 52/12 weeks a month: € 346,67 (the server's figure, then the script's)
            assert month.inner_text().replace("\u00a0", " ") == ("€ 346,67" if nl else "€346.67")
            page.fill("#mentor_hourly_cost", "45,50" if nl else "45.50")
            assert month.inner_text().replace("\u00a0", " ") == ("€ 394,33" if nl else "€394.33")
            assert box.locator("[data-total=mine-stage]").inner_text().replace("\u00a0", " ") == ("€ 910,00" if nl else "€910.00")
            page.fill("#lines-0-label", "Werkschoenen")
            page.fill("#lines-0-amount", "1.234,50" if nl else "1,234.50")
            assert box.locator("[data-total=all-once]").inner_text().replace("\u00a0", " ") == ("€ 1.234,50" if nl else "€1,234.50")
            page.fill("#lines-0-amount", "twaalf")
            assert box.locator("[data-totals-unreadable]").is_visible()
            page.fill("#lines-0-amount", "80")
            _check(page, axe, shot, f"p16-sheet-form-{language}-{size}")
            page.goto(f"{live_server.url}/werkgever/plaatsen/{data['draft']}/bewerken")
            _check(page, axe, shot, f"p16-place-form-{language}-{size}")
            page.context.close()


def test_coach_and_employer_pages_with_task_lists_and_day_first_dates(live_server, browser_page, shot, axe):
    with live_server.session() as db:
        coach = make_user(db, "coach", full_name="Kris Coach")
        owner = make_user(db, "employer", full_name="Els Werkgever")
        employer = make_employer(db, user=owner, name="Logistiek Noord")
        place = make_place(db, employer, title="Magazijnmedewerker", tasks="Dozen uitpakken\nRekken aanvullen")
        proposal = make_proposal(db, make_participant(db, coach, first_name="Amina"), place, state="intake_planned")
        ids = {"coach": (coach.id, coach.email), "employer": (owner.id, owner.email)}
        place_id, proposal_id = place.id, proposal.id
    pages = {"coach": [("coach-place", f"/coach/stageplaatsen/{place_id}"), ("coach-proposal", f"/coach/voorstellen/{proposal_id}")],
             "employer": [("employer-place", f"/werkgever/plaatsen/{place_id}")]}
    start = date.today() + timedelta(days=30)
    for language in ("nl", "en"):
        with live_server.session() as db:
            for user_id, _email in ids.values():
                user = db.get(User, user_id)
                user.language = language
                db.add(user)
            db.commit()
        for size, viewport in SIZES.items():
            for role, role_pages in pages.items():
                page = browser_page(**viewport, bypass_csp=True)
                ui_login(page, live_server.url, ids[role][1], TEST_PASSWORD)
                for name, path in role_pages:
                    page.goto(live_server.url + path)
                    if name != "coach-proposal":
                        assert page.locator("ul.text-lines").first.locator("li").all_inner_texts() == ["Dozen uitpakken", "Rekken aanvullen"]
                    else:
                        assert page.locator("input[name=stage_start]").get_attribute("placeholder") == ("dd/mm/jjjj" if language == "nl" else "dd/mm/yyyy")
                    _check(page, axe, shot, f"p16-{name}-{language}-{size}")
                page.context.close()
    # the coach types the stage dates day first and they are stored
    page = browser_page(width=1280, height=900)
    ui_login(page, live_server.url, ids["coach"][1], TEST_PASSWORD)
    page.goto(f"{live_server.url}/coach/voorstellen/{proposal_id}")
    page.fill("input[name=stage_start]", start.strftime("%d/%m/%Y"))
    page.fill("input[name=stage_end]", (start + timedelta(days=56)).strftime("%d/%m/%Y"))
    page.click("[data-testid=to-stage_agreed]")
    page.wait_for_load_state("networkidle")
    with live_server.session() as db:
        from web.models import Proposal

        stored = db.get(Proposal, proposal_id)
        assert stored.state == "stage_agreed" and stored.stage_start == start
