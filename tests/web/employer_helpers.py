"""Builders shared by the employer-area tests (the shared conftest stays untouched)."""
from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import select

from tests.conftest import make_employer, make_place, make_user
from web.models import CostLine, CostSheet, Premium


def employer_with_user(session, **fields):
    user = make_user(session, "employer")
    employer = make_employer(session, user=user, **fields)
    return employer, user


def complete_sheet(session, place, **fields):
    """Fill a place's sheet so that the place can be published."""
    sheet = session.exec(select(CostSheet).where(CostSheet.place_id == place.id)).first()
    values = {"mentor_name": "Jan Peeters", "mentor_hours_per_week": 2, "mentor_hourly_cost": 40, "first_day_plan": "Rondleiding en veiligheid.",
              "intention": "hire", "contract_type": "onbepaalde duur", "wage_mode": "hour", "wage_amount": 5}
    values.update(fields)
    for key, value in values.items():
        setattr(sheet, key, value)
    session.add(sheet)
    session.add(CostLine(sheet_id=sheet.id, kind="clothing", label="Veiligheidsschoenen", amount=120, period="once", payer="stage_employer"))
    session.commit()
    return sheet


def draft_place(session, employer, **fields):
    values = {"status": "draft", "published_at": None, "expires_at": None, "start_date": date.today() + timedelta(days=14)}
    values.update(fields)
    return make_place(session, employer, **values)


def make_premium(session, code="imw_loonpremie", **fields):
    values = {"code": code, "name_nl": "Individueel maatwerk - loonpremie", "name_en": "Individual customised work - wage premium",
              "conditions_nl": "Voor een werknemer met een arbeidsbeperking.", "conditions_en": "For an employee with a work disability.",
              "percentage_min": 20, "percentage_max": 75, "source_url": "https://www.vlaanderen.be/werken/individueel-maatwerk",
              "valid_from": date(2023, 7, 1)}
    values.update(fields)
    premium = Premium(**values)
    session.add(premium)
    session.commit()
    return premium


def place_form_data(**overrides):
    data = {
        "title": "Magazijnmedewerker",
        "description": "Orders klaarzetten.",
        "tasks": "Orderpicking.",
        "sector": "logistiek",
        "postal_code": "9000",
        "hours_per_week": "30",
        "schedule": "ma-do 8-16",
        "start_date": (date.today() + timedelta(days=21)).isoformat(),
        "duration_weeks": "8",
        "places": "1",
        "dutch_level": "A2",
        "physical_demands": "",
        "skills-0-name": "heftruck rijden",
        "skills-0-required": "1",
        "skills-0-min_level": "2",
        "skills-1-name": "orderpicking",
        "skills-1-required": "0",
        "skills-1-min_level": "1",
    }
    data.update(overrides)
    return data


def sheet_form_data(**overrides):
    data = {
        "wage_mode": "hour", "wage_amount": "5", "wage_payer": "stage_employer",
        "mentor_name": "Jan Peeters", "mentor_hours_per_week": "2", "mentor_hourly_cost": "40", "mentor_payer": "stage_employer",
        "lines-0-kind": "clothing", "lines-0-label": "Veiligheidsschoenen", "lines-0-amount": "120", "lines-0-period": "once",
        "lines-0-payer": "stage_employer",
        "lines-1-kind": "travel", "lines-1-label": "Fietsvergoeding", "lines-1-amount": "50", "lines-1-period": "month",
        "lines-1-payer": "se_employer",
        "coach_visits": "Om de twee weken", "se_support": "Jobcoach van het maatwerkbedrijf",
        "first_day_plan": "Rondleiding, veiligheidsuitleg en kennismaking met het team.",
        "feedback_moments": "Na week 1, 4 en 8.", "employer_tasks_schedule": "ma-do 8-16",
        "participant_tasks": "Orders klaarzetten", "participant_pace": "Rustig opbouwen", "participant_hours": "30 uur",
        "participant_language": "Eenvoudig Nederlands", "safety_rules": "Veiligheidsschoenen dragen",
        "intention": "hire", "contract_type": "Onbepaalde duur",
        "checklist-0-document": "Stageovereenkomst", "checklist-0-signer": "Werkgever en deelnemer", "checklist-0-due": "Voor de start",
    }
    data.update(overrides)
    return data
