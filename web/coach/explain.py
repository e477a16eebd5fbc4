"""Turn the engine's language-neutral explanation (codes and parameters) into plain Dutch or English lines.

``explain_lines(explanation, audience="coach", name=...)`` gives the coach the full picture (matched and missing
skills, distance, exclusions, what would raise the score), naming the participant ("Dana kan „laden en lossen”
op niveau 3 (gevraagd: 2)"); ``audience="participant"`` gives short, plain reasons without scores or jargon.
"""
from __future__ import annotations

from flask_babel import gettext as _

from web.formatting import format_number
from web.labels import skill_level_label


def _km(value) -> str:
    return format_number(float(value), 0)


def _near(value) -> bool:
    """True when a distance rounds to nothing (same municipality): say "less than 1 km", never "0 km"."""
    return float(value) < 1


def matched_line(item: dict, name: str | None = None) -> str:
    """One matched requirement for the coach: what the place asks, what the participant has, at which level."""
    kind = _("vereist") if item.get("required") else _("pluspunt")
    who = name or _("de deelnemer")
    requirement = item["requirement"]
    skill = item.get("skill")
    level = item.get("level")
    need = item.get("min_level") or 1
    same = not skill or skill.lower() == requirement.lower()
    if level is None:
        if same:
            return _("Past: %(requirement)s (%(kind)s).", requirement=requirement, kind=kind)
        return _("Past: %(requirement)s (%(kind)s) — %(name)s kan „%(skill)s”.", requirement=requirement, kind=kind, name=who, skill=skill)
    if level < need:
        if same:
            return _("Past deels: %(requirement)s (%(kind)s) — %(name)s kan dit op niveau %(level)s, maar gevraagd is niveau %(min)s.",
                     requirement=requirement, kind=kind, name=who, level=level, min=need)
        return _("Past deels: %(requirement)s (%(kind)s) — %(name)s kan „%(skill)s” op niveau %(level)s, maar gevraagd is niveau %(min)s.",
                 requirement=requirement, kind=kind, name=who, skill=skill, level=level, min=need)
    if same:
        return _("Past: %(requirement)s (%(kind)s) — %(name)s kan dit op niveau %(level)s (gevraagd: %(min)s).",
                 requirement=requirement, kind=kind, name=who, level=level, min=need)
    return _("Past: %(requirement)s (%(kind)s) — %(name)s kan „%(skill)s” op niveau %(level)s (gevraagd: %(min)s).",
             requirement=requirement, kind=kind, name=who, skill=skill, level=level, min=need)


def exclusion_line(item: dict, audience: str = "coach") -> str:
    """One reason why a place is excluded."""
    code = item.get("code")
    if code == "dutch_level":
        if audience == "participant":
            return _("Voor deze plaats is meer Nederlands nodig (niveau %(need)s).", need=item.get("need"))
        return _("Nederlands: niveau %(need)s gevraagd, deelnemer heeft %(have)s.", need=item.get("need"), have=item.get("have") or _("onbekend"))
    if code == "distance":
        return _("Te ver: %(km)s km, maximum is %(max)s km.", km=_km(item.get("km", 0)), max=_km(item.get("max_km", 0)))
    if code == "licence":
        return _("Een rijbewijs is nodig.")
    if code == "hours":
        return _("Vraagt %(need)s uur per week, beschikbaar %(have)s uur.", need=_km(item.get("need", 0)), have=_km(item.get("have", 0)))
    if code == "place_full":
        return _("Alle plaatsen zijn al ingevuld.")
    if code == "not_open":
        return _("Deze plaats staat niet meer open.")
    if code == "declined":
        return _("Eerder afgewezen.")
    return _("Uitgesloten (%(code)s).", code=code)


def wish_line(item: dict, audience: str = "coach", name: str | None = None) -> str:
    """The occupation wish a place answers: the same occupation, or one close to it (same ISCO unit group)."""
    wish = item.get("wish") or ""
    same = item.get("match") == "same"
    if audience == "participant":
        if same:
            return _("Je wil graag %(wish)s worden: dat is deze job.", wish=wish)
        return _("Je wil graag %(wish)s worden: deze job lijkt daarop.", wish=wish)
    who = name or _("de deelnemer")
    if same:
        return _("Beroepswens van %(name)s: %(wish)s — dat is deze job.", name=who, wish=wish)
    return _("Beroepswens van %(name)s: %(wish)s — deze job is een verwant beroep.", name=who, wish=wish)


def explain_lines(explanation: dict | None, audience: str = "coach", name: str | None = None) -> list[str]:
    """Render an engine explanation as plain sentences for a coach (naming the participant) or a participant."""
    if not explanation:
        return []
    lines: list[str] = []
    exclusions = explanation.get("exclusions") or []
    for item in exclusions:
        lines.append(exclusion_line(item, audience))
    wish = explanation.get("occupation")
    if wish:
        lines.append(wish_line(wish, audience, name))
    matched = explanation.get("matched") or []
    missing = explanation.get("missing") or []
    if audience == "participant":
        if matched:
            lines.append(_("Je kunt al: %(skills)s.", skills=", ".join(m["requirement"] for m in matched)))
        required_missing = [m["requirement"] for m in missing if m.get("required")]
        if required_missing:
            lines.append(_("Je leert nog: %(skills)s.", skills=", ".join(required_missing)))
        if explanation.get("distance_km") is not None and not any(e.get("code") == "distance" for e in exclusions):
            if _near(explanation["distance_km"]):
                lines.append(_("Minder dan 1 km van je woonplaats."))
            else:
                lines.append(_("Ongeveer %(km)s km van je woonplaats.", km=_km(explanation["distance_km"])))
        return lines
    lines.extend(matched_line(m, name) for m in matched)
    for m in missing:
        if m.get("required"):
            lines.append(_("Ontbreekt: %(requirement)s (vereist, minstens niveau %(min)s).", requirement=m["requirement"], min=m.get("min_level")))
        else:
            lines.append(_("Ontbreekt: %(requirement)s (pluspunt).", requirement=m["requirement"]))
    precision = (explanation.get("components") or {}).get("precision")
    if precision is not None and (matched or missing):
        percent = _km(100 * float(precision.get("value", 0)))
        lines.append(_("Deze plaats gebruikt %(percent)s%% van het profiel van %(name)s.", percent=percent, name=name or _("de deelnemer")))
    if explanation.get("distance_km") is not None:
        if _near(explanation["distance_km"]):
            lines.append(_("Afstand: minder dan 1 km."))
        else:
            lines.append(_("Afstand: %(km)s km.", km=_km(explanation["distance_km"])))
    for imp in explanation.get("improvements") or []:
        gain = f"{float(imp.get('gain', 0)):.0f}"
        if imp.get("code") == "add_skill":
            lines.append(_("Hoger met %(skill)s (%(level)s): +%(gain)s punten.", skill=imp.get("skill"), level=skill_level_label(imp.get("level")), gain=gain))
        elif imp.get("code") == "raise_level":
            lines.append(_("Hoger door %(skill)s op niveau %(level)s te brengen: +%(gain)s punten.", skill=imp.get("skill"), level=imp.get("level"), gain=gain))
        elif imp.get("code") == "more_distance":
            lines.append(_("Hoger met %(km)s km meer reisafstand: +%(gain)s punten.", km=_km(imp.get("km", 10)), gain=gain))
    return lines
