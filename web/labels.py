"""Human labels for the codes stored in the database, translated at render time."""
from flask_babel import lazy_gettext as _l

SECTOR_LABELS = {
    "logistiek": _l("Logistiek"),
    "schoonmaak": _l("Schoonmaak"),
    "horeca": _l("Keuken en horeca"),
    "retail": _l("Winkel en retail"),
    "productie": _l("Productie en assemblage"),
    "groen": _l("Groenonderhoud"),
    "bouw": _l("Bouw"),
    "zorg": _l("Zorgondersteuning"),
    "recyclage": _l("Recyclage"),
    "wasserij": _l("Wasserij"),
    "techniek": _l("Techniek"),
    "administratie": _l("Administratie"),
    "transport": _l("Transport"),
}
PHASE_LABELS = {
    "voortraject": _l("Voortraject"),
    "jobmatching": _l("Jobmatching"),
    "stage": _l("Stage"),
    "nazorg": _l("Nazorg"),
}
PLACE_STATUS_LABELS = {
    "draft": _l("Ontwerp"),
    "published": _l("Gepubliceerd"),
    "paused": _l("Gepauzeerd"),
    "filled": _l("Ingevuld"),
    "closed": _l("Afgesloten"),
    "expired": _l("Verlopen"),
}
PROPOSAL_STATE_LABELS = {
    "proposed": _l("Voorgesteld"),
    "participant_agreed": _l("Deelnemer akkoord"),
    "employer_interested": _l("Werkgever geïnteresseerd"),
    "intake_planned": _l("Intake gepland"),
    "stage_agreed": _l("Stage afgesproken"),
    "stage_running": _l("Stage loopt"),
    "stage_completed": _l("Stage afgerond"),
    "hired": _l("Aangeworven"),
    "not_hired": _l("Niet aangeworven"),
    "declined": _l("Afgewezen"),
    "withdrawn": _l("Ingetrokken"),
}
ROLE_LABELS = {
    "employer": _l("Werkgever"),
    "coach": _l("Doorstroomcoach"),
    "participant": _l("Deelnemer"),
    "admin": _l("Beheerder"),
}
PAYER_LABELS = {
    "stage_employer": _l("Stagewerkgever"),
    "se_employer": _l("Sociale-economiewerkgever"),
    "government": _l("Overheid"),
    "nobody": _l("Niemand"),
}
SKILL_LEVEL_LABELS = {
    1: _l("1 – Beginner: doet het met hulp en uitleg"),
    2: _l("2 – Basis: doet het zelf, met af en toe hulp"),
    3: _l("3 – Zelfstandig: doet het zelf, goed en op tempo"),
    4: _l("4 – Ervaren: kan het ook aan anderen tonen"),
}


MEETING_STATUS_LABELS = {
    "option": _l("voorgesteld"),
    "confirmed": _l("vastgelegd"),
    "declined": _l("niet gekozen"),
    "cancelled": _l("geannuleerd"),
}
MEETING_OUTCOME_LABELS = {
    "continue": _l("verder naar een stage"),
    "not_retained": _l("niet weerhouden"),
}


def _lookup(table: dict, code) -> str:
    label = table.get(code)
    return str(label) if label is not None else (str(code) if code is not None else "—")


def sector_label(code): return _lookup(SECTOR_LABELS, code)  # noqa: E704
def phase_label(code): return _lookup(PHASE_LABELS, code)  # noqa: E704
def place_status_label(code): return _lookup(PLACE_STATUS_LABELS, code)  # noqa: E704
def proposal_state_label(code): return _lookup(PROPOSAL_STATE_LABELS, code)  # noqa: E704
def role_label(code): return _lookup(ROLE_LABELS, code)  # noqa: E704
def payer_label(code): return _lookup(PAYER_LABELS, code)  # noqa: E704
def skill_level_label(code): return _lookup(SKILL_LEVEL_LABELS, code)  # noqa: E704
def meeting_status_label(code): return _lookup(MEETING_STATUS_LABELS, code)  # noqa: E704
def meeting_outcome_label(code): return _lookup(MEETING_OUTCOME_LABELS, code)  # noqa: E704


TEMPLATE_FILTERS = {
    "sector_label": sector_label,
    "phase_label": phase_label,
    "place_status_label": place_status_label,
    "proposal_state_label": proposal_state_label,
    "role_label": role_label,
    "payer_label": payer_label,
    "skill_level_label": skill_level_label,
    "meeting_status_label": meeting_status_label,
    "meeting_outcome_label": meeting_outcome_label,
}
