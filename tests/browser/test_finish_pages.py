"""The pages of the "finish for the people who use it" work, in Dutch and English at 1280 and 360 px: plain-language
"Mijn gegevens" (page and PDF), an evaluation draft with what sign-off still needs and its confirmation step, the
sheet's warnings, employer onboarding, and the admin's organisations, audit log and job names. Each page is
screenshotted and checked with axe-core (no serious or critical violations) and for horizontal scrolling on a phone."""
from __future__ import annotations

import io
import re
from datetime import date, timedelta

from pypdf import PdfReader
from sqlmodel import SQLModel

from tests.browser.conftest import serious_violations, ui_login
from tests.conftest import (
    TEST_PASSWORD,
    make_employer,
    make_participant,
    make_place,
    make_proposal,
    make_user,
)
from web.models import AuditLog, Evaluation, JobRun, ProfileView, User, utcnow

SIZES = {"1280": {"width": 1280, "height": 900}, "360": {"width": 360, "height": 740}}
FIELD_NAMES = {c.name for t in SQLModel.metadata.sorted_tables for c in t.columns if "_" in c.name}


def _data(live_server) -> dict:
    with live_server.session() as db:
        coach = make_user(db, "coach", full_name="Kris Coach")
        account = make_user(db, "participant", full_name="Amina El Idrissi")
        person = make_participant(db, coach, user=account, first_name="Amina", last_name="El Idrissi", goals="Werken in een magazijn",
                                  preferred_sectors=["logistiek"])
        employer = make_employer(db, name="Logistiek Noord")
        place = make_place(db, employer, title="Magazijnmedewerker")
        proposal = make_proposal(db, person, place)
        for days in (3, 1):
            db.add(ProfileView(participant_id=person.id, employer_id=employer.id, proposal_id=proposal.id, at=utcnow() - timedelta(days=days)))
        draft = Evaluation(participant_id=person.id, coach_id=coach.id, held_on=date.today(),
                           scores={"pace": {"score": 2, "motivation": "Nog wat trager bij nieuwe taken."}})
        db.add(draft)
        new_owner = make_user(db, "employer", full_name="Nina Nieuw", email_verified=False)
        pending = make_employer(db, user=new_owner, name="Nieuw Bedrijf", review_status="pending")
        sheet_place = make_place(db, pending, title="Heftruckchauffeur", status="draft", published_at=None, expires_at=None)
        admin = make_user(db, "admin")
        db.add(JobRun(job_name="deliver_outbox", scheduled_for=utcnow(), outcome="ok", finished_at=utcnow()))
        db.add(AuditLog(actor_id=coach.id, action="proposal.transition", object_type="Proposal", object_id=str(proposal.id),
                        detail={"from": "proposed", "to": "participant_agreed", "by": "participant"}))
        db.commit()
        return {"users": {"participant": account.id, "coach": coach.id, "employer": new_owner.id, "admin": admin.id},
                "emails": {r: db.get(User, i).email for r, i in (("participant", account.id), ("coach", coach.id), ("employer", new_owner.id),
                                                                  ("admin", admin.id))},
                "draft": draft.id, "sheet_place": sheet_place.id}


PAGES = {
    "participant": [("my-data", "/deelnemer/gegevens"), ("my-data-export", "/deelnemer/gegevens/download.html")],
    "coach": [("evaluation-draft", "/coach/evaluaties/{draft}"), ("evaluation-sign-off", "/coach/evaluaties/{draft}/afronden"),
              ("evaluation-form", "/coach/evaluaties/{draft}/bewerken")],
    "employer": [("employer-onboarding", "/werkgever/"), ("employer-place", "/werkgever/plaatsen/{sheet_place}")],
    "admin": [("admin-organisations", "/admin/organisaties"), ("admin-audit", "/admin/audit"), ("admin-dashboard", "/admin/"),
              ("admin-premiums", "/admin/premies")],
}


def _check(page, axe, shot, name):
    bad = serious_violations(axe(page))
    assert not bad, f"{page.url}: {bad}"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), f"{page.url} scrolls sideways"
    shot(page, name)


def test_finished_pages_read_well_in_both_languages_and_sizes(live_server, browser_page, shot, axe):
    data = _data(live_server)
    for language in ("nl", "en"):
        with live_server.session() as db:
            for user_id in data["users"].values():
                user = db.get(User, user_id)
                user.language = language
                db.add(user)
            db.commit()
        for size, viewport in SIZES.items():
            for role, pages in PAGES.items():
                page = browser_page(**viewport, bypass_csp=True)
                ui_login(page, live_server.url, data["emails"][role], TEST_PASSWORD)
                for name, path in pages:
                    response = page.goto(live_server.url + path.format(**data))
                    assert response.status == 200, (path, response.status)
                    assert page.locator("html").get_attribute("lang") == language
                    _check(page, axe, shot, f"finish-{name}-{language}-{size}")
                    if name == "my-data-export":
                        text = page.inner_text("main")
                        assert not [n for n in FIELD_NAMES if re.search(rf"\b{n}\b", text)]
                if role == "employer" and size == "1280":
                    # the sheet with an absurd and an unusual value: refused and warned, with the totals as typed
                    page.goto(f"{live_server.url}/werkgever/plaatsen/{data['sheet_place']}/fiche/bewerken")
                    page.fill("#mentor_hours_per_week", "20")
                    page.fill("#mentor_hourly_cost", "45")
                    page.locator("form.card button[type=submit].primary").click()
                    page.wait_for_load_state("networkidle")
                    assert page.locator("[data-testid=sheet-warnings]").count() == 1
                    _check(page, axe, shot, f"finish-sheet-warnings-{language}")
                if role == "participant" and size == "1280":
                    pdf = page.request.get(live_server.url + "/deelnemer/gegevens/download.pdf")
                    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages)
                    assert ("Wie ben ik" if language == "nl" else "Who am I") in text
                    assert not [n for n in FIELD_NAMES if re.search(rf"\b{n}\b", text)]
                page.context.close()
