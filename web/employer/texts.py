"""Labels of the employer area's codes (decline reasons, cost kinds, periods, intentions), translated at render time."""
from flask_babel import lazy_gettext as _l

DECLINE_REASON_LABELS = {
    "skills_mismatch": _l("De vaardigheden passen niet"),
    "no_capacity": _l("We hebben nu geen plaats of begeleiding"),
    "distance": _l("De afstand is te groot"),
    "schedule": _l("Het uurrooster past niet"),
    "not_interested": _l("Niet geïnteresseerd"),
    "other": _l("Andere reden"),
}
COST_KIND_LABELS = {
    "onboarding": _l("Onthaal en opleiding"),
    "clothing": _l("Werkkledij en veiligheidsuitrusting"),
    "travel": _l("Verplaatsingsvergoeding"),
    "other": _l("Andere kost"),
}
PERIOD_LABELS = {"once": _l("eenmalig"), "week": _l("per week"), "month": _l("per maand")}
WAGE_MODE_LABELS = {"none": _l("Geen"), "hour": _l("Per uur"), "month": _l("Per maand")}
INTENTION_LABELS = {"hire": _l("Aanwerven"), "probably": _l("Waarschijnlijk aanwerven"), "no": _l("Niet aanwerven")}
ACTION_LABELS = {
    "publish": _l("Publiceren"),
    "renew": _l("Verlengen"),
    "pause": _l("Pauzeren"),
    "fill": _l("Markeren als ingevuld"),
    "close": _l("Afsluiten"),
}
ACTION_DONE = {
    "publish": _l("De stageplaats is gepubliceerd."),
    "renew": _l("De stageplaats is verlengd."),
    "pause": _l("De stageplaats is gepauzeerd."),
    "fill": _l("De stageplaats is gemarkeerd als ingevuld."),
    "close": _l("De stageplaats is afgesloten."),
}


def label(table: dict, code) -> str:
    value = table.get(code)
    return str(value) if value is not None else ("—" if code is None else str(code))


TEMPLATE_FILTERS = {
    "decline_reason_label": lambda code: label(DECLINE_REASON_LABELS, code),
    "cost_kind_label": lambda code: label(COST_KIND_LABELS, code),
    "period_label": lambda code: label(PERIOD_LABELS, code),
    "wage_mode_label": lambda code: label(WAGE_MODE_LABELS, code),
    "intention_label": lambda code: label(INTENTION_LABELS, code),
    "place_action_label": lambda code: label(ACTION_LABELS, code),
}
