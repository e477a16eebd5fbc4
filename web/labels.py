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
SKILL_GROUP_LABELS = {
    "logistiek": _l("Logistiek"),
    "schoonmaak": _l("Schoonmaak"),
    "keuken-horeca": _l("Keuken en horeca"),
    "winkel-retail": _l("Winkel en retail"),
    "productie-assemblage": _l("Productie en assemblage"),
    "groenonderhoud": _l("Groenonderhoud"),
    "bouw": _l("Bouw"),
    "zorg-ondersteuning": _l("Zorgondersteuning"),
    "recyclage": _l("Recyclage"),
    "wasserij": _l("Wasserij"),
    "techniek": _l("Techniek"),
    "administratie": _l("Administratie"),
    "transport": _l("Transport"),
    "taal-digitaal": _l("Taal en digitale vaardigheden"),
    "transversaal": _l("Algemene werkvaardigheden"),
}
#: the units of the premiums in the reference data (seeds/premiums.json), so they read in English too
PREMIUM_UNIT_LABELS = {
    "% van het referteloon": _l("% van het referteloon"),
    "RSZ-vermindering per kwartaal": _l("RSZ-vermindering per kwartaal"),
    "forfait volgens begeleidingsnood": _l("forfait volgens begeleidingsnood"),
    "productiviteitspremie van werkgever": _l("productiviteitspremie van werkgever"),
    "per maand": _l("per maand"),
}
REVIEW_STATUS_LABELS = {
    "pending": _l("Wacht op nazicht"),
    "approved": _l("Aanvaard"),
    "more_info": _l("Meer informatie gevraagd"),
    "refused": _l("Geweigerd"),
}
#: the scheduler's jobs (web/jobs.py JOBS) as the admin dashboard names them
JOB_LABELS = {
    "refresh_matches": _l("Matches bijwerken (nieuwe en gewijzigde gegevens)"),
    "refresh_matches_full": _l("Alle matches opnieuw berekenen"),
    "expire_places": _l("Verlopen stageplaatsen offline halen"),
    "remind_phases": _l("Herinneringen over fasen"),
    "remind_proposals": _l("Herinneringen over wachtende voorstellen"),
    "remind_nazorg": _l("Herinneringen voor de nazorg"),
    "remind_meetings": _l("Herinneringen over kennismakingsgesprekken"),
    "deliver_outbox": _l("E-mails versturen"),
    "deliver_webhooks": _l("Webhooks versturen naar systemen van werkgevers"),
    "announce_expiring_places": _l("Bijna verlopen stageplaatsen melden aan systemen van werkgevers"),
    "purge_data": _l("Oude gegevens wissen (bewaartermijn)"),
}
#: what an audit row's action means (web/services/*: record_audit)
AUDIT_ACTION_LABELS = {
    "employer.registered": _l("Werkgever geregistreerd"),
    "employer.updated": _l("Organisatie gewijzigd"),
    "employer.member_removed": _l("Collega verwijderd"),
    "employer.owner_changed": _l("Eigenaar gewijzigd"),
    "employer.reviewed": _l("Organisatie nagekeken"),
    "employer.invite_existing_account": _l("Uitnodiging voor een bestaand account"),
    "user.email_verified": _l("E-mailadres bevestigd"),
    "evaluation.created": _l("Evaluatie gestart"),
    "evaluation.updated": _l("Evaluatie aangevuld"),
    "evaluation.signed_off": _l("Evaluatie afgerond"),
    "participant.anonymised": _l("Deelnemer gewist"),
    "participant.consent_changed": _l("Toestemming gewijzigd"),
    "participant.erasure_requested": _l("Wissen gevraagd"),
    "participant.erasure_cancelled": _l("Vraag om te wissen ingetrokken"),
    "participant.answered": _l("Deelnemer antwoordde op een stageplaats"),
    "participant.took_back": _l("Deelnemer nam een ja terug"),
    "participant.created": _l("Deelnemer toegevoegd"),
    "participant.updated": _l("Profiel gewijzigd"),
    "participant.skills_changed": _l("Vaardigheden gewijzigd"),
    "participant.note_added": _l("Notitie toegevoegd"),
    "participant.handed_over": _l("Deelnemer overgedragen"),
    "place.created": _l("Stageplaats aangemaakt"),
    "place.duplicated": _l("Stageplaats gekopieerd"),
    "place.publish": _l("Stageplaats gepubliceerd"),
    "place.renew": _l("Stageplaats verlengd"),
    "place.pause": _l("Stageplaats gepauzeerd"),
    "place.fill": _l("Stageplaats ingevuld"),
    "place.close": _l("Stageplaats afgesloten"),
    "place.expired": _l("Stageplaats verlopen"),
    "sheet.saved": _l("Fiche bewaard"),
    "proposal.created": _l("Voorstel gedaan"),
    "proposal.transition": _l("Voorstel naar een volgende stap"),
    "proposal.message_posted": _l("Bericht in het gesprek over een voorstel"),
    "meeting.offered": _l("Momenten voor een kennismakingsgesprek voorgesteld"),
    "meeting.other_times_asked": _l("Andere momenten gevraagd"),
    "meeting.rescheduled": _l("Kennismakingsgesprek verplaatst"),
    "meeting.cancelled": _l("Kennismakingsgesprek geannuleerd"),
    "meeting.outcome_recorded": _l("Uitkomst van het kennismakingsgesprek"),
    "trajectory.started": _l("Traject gestart"),
    "trajectory.phase_changed": _l("Fase gewijzigd"),
    "trajectory.put_on_hold": _l("Traject gepauzeerd"),
    "trajectory.resumed": _l("Traject hervat"),
    "retention.purged": _l("Bewaartermijn toegepast"),
    "premium.created": _l("Premie toegevoegd"),
    "premium.updated": _l("Premie gewijzigd"),
    "settings.changed": _l("Instellingen gewijzigd"),
    "skill_term.created": _l("Vaardigheid toegevoegd"),
    "skill_term.updated": _l("Vaardigheid gewijzigd"),
    "user.activated": _l("Account geactiveerd"),
    "user.deactivated": _l("Account gedeactiveerd"),
    "user.invited": _l("Uitgenodigd"),
    "user.reinvited": _l("Opnieuw uitgenodigd"),
    "user.invite_accepted": _l("Uitnodiging aanvaard"),
    "user.password_reset": _l("Wachtwoord opnieuw ingesteld"),
    "api_token.created": _l("API-sleutel aangemaakt"),
    "api_token.revoked": _l("API-sleutel ingetrokken"),
    "webhook.created": _l("Webhook toegevoegd"),
    "webhook.deleted": _l("Webhook verwijderd"),
    "webhook.secret_rotated": _l("Webhookgeheim vervangen"),
    "calendar_feed.enabled": _l("Agenda-abonnement aangemaakt"),
    "calendar_feed.revoked": _l("Agenda-abonnement ingetrokken"),
    "user.password_changed": _l("Wachtwoord gewijzigd"),
    "user.role_changed": _l("Rol gewijzigd"),
}
#: the kinds of object an audit row points at (model class names)
OBJECT_TYPE_LABELS = {
    "User": _l("Account"),
    "Employer": _l("Organisatie"),
    "StagePlace": _l("Stageplaats"),
    "Participant": _l("Deelnemer"),
    "Proposal": _l("Voorstel"),
    "Evaluation": _l("Evaluatie"),
    "Meeting": _l("Kennismakingsgesprek"),
    "Trajectory": _l("Traject"),
    "Premium": _l("Premie"),
    "SkillTerm": _l("Vaardigheid"),
    "ApiToken": _l("API-sleutel"),
    "WebhookEndpoint": _l("Webhook"),
}
#: the keys of an audit row's details
AUDIT_DETAIL_LABELS = {
    "from": _l("van"), "to": _l("naar"), "by": _l("door"), "level": _l("niveau"), "answer": _l("antwoord"), "reason": _l("reden"),
    "place_id": _l("stageplaats"), "participant_id": _l("deelnemer"), "user_id": _l("account"), "role": _l("rol"),
    "decision": _l("beslissing"), "filled": _l("ingevulde punten"), "lines": _l("kostenregels"), "premiums": _l("premies"),
    "source": _l("bron"), "count": _l("aantal"), "fields": _l("velden"), "phase": _l("fase"), "note_id": _l("notitie"),
    "anonymised": _l("gewist"), "login_attempts": _l("aanmeldpogingen"), "notifications": _l("meldingen"),
    "outcome": _l("uitkomst"),
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
def skill_group_label(code): return _lookup(SKILL_GROUP_LABELS, code)  # noqa: E704
def premium_unit(text): return str(PREMIUM_UNIT_LABELS[text]) if text in PREMIUM_UNIT_LABELS else (text or "")  # noqa: E704
def review_status_label(code): return _lookup(REVIEW_STATUS_LABELS, code)  # noqa: E704
def job_label(code): return _lookup(JOB_LABELS, code)  # noqa: E704
def audit_action_label(code): return _lookup(AUDIT_ACTION_LABELS, code)  # noqa: E704
def object_type_label(code): return _lookup(OBJECT_TYPE_LABELS, code)  # noqa: E704


def audit_detail_lines(detail) -> list[str]:
    """An audit row's details as short 'label: value' lines, codes shown as their labels."""
    if not isinstance(detail, dict):
        return [] if detail in (None, "") else [str(detail)]
    lines = []
    for key, value in detail.items():
        if key in ("from", "to") and isinstance(value, str):
            value = (PROPOSAL_STATE_LABELS.get(value) or PLACE_STATUS_LABELS.get(value) or PHASE_LABELS.get(value)
                     or REVIEW_STATUS_LABELS.get(value) or value)
        elif key in ("phase",):
            value = PHASE_LABELS.get(value, value)
        elif key == "outcome":
            value = MEETING_OUTCOME_LABELS.get(value, value)
        elif key == "by" or key == "role":
            value = ROLE_LABELS.get(value, value)
        elif isinstance(value, bool):
            value = _l("ja") if value else _l("nee")
        elif isinstance(value, list | tuple):
            value = ", ".join(str(v) for v in value)
        elif isinstance(value, dict):
            value = ", ".join(f"{k}: {v}" for k, v in value.items())
        lines.append(f"{AUDIT_DETAIL_LABELS.get(key, key)}: {'—' if value is None else value}")
    return lines


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
    "skill_group_label": skill_group_label,
    "job_label": job_label,
    "review_status_label": review_status_label,
    "premium_unit": premium_unit,
    "audit_action_label": audit_action_label,
    "object_type_label": object_type_label,
    "audit_detail_lines": audit_detail_lines,
}
