"""One vocabulary per language: the glossary in docs/glossary.md is applied in every English catalog, and human
labels exist for every code a page shows (jobs, audit actions, objects, skill groups)."""
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from web.i18n import translation_directories

ROOT = Path(__file__).resolve().parents[2]
#: English strings that must name Dutch codes literally (what a coach types into a CSV file)
LITERAL_CODES = ("voortraject, jobmatching, stage or nazorg",)


def glossary() -> list[tuple[str, str, list[str]]]:
    rows = []
    for line in (ROOT / "docs" / "glossary.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0] not in ("Dutch", "---") and not cells[0].startswith("---"):
            rows.append((cells[0], cells[1], [v.strip() for v in cells[2].split(",") if v.strip()]))
    return rows


def english_messages() -> list[tuple[str, str, str]]:
    found = []
    for directory in translation_directories():
        po = Path(directory) / "en" / "LC_MESSAGES" / "messages.po"
        with po.open("rb") as fh:
            for message in read_po(fh):
                if not message.id:
                    continue
                ids = message.id if isinstance(message.id, tuple) else (message.id,)
                strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
                for text in strings:
                    if text and not any(code in text for code in LITERAL_CODES):
                        found.append((po.parent.parent.parent.parent.name, ids[0], text))
    return found


def test_the_glossary_has_the_brief_terms():
    terms = {dutch: english for dutch, english, _ in glossary()}
    assert terms["stage"] == "internship" and terms["stageplaats"] == "internship place" and terms["nazorg"] == "aftercare"


@pytest.mark.parametrize("dutch, english, not_english", glossary(), ids=[row[0] for row in glossary()])
def test_english_catalogs_use_the_glossary_term(dutch, english, not_english):
    wrong = []
    for area, msgid, text in english_messages():
        for variant in not_english:
            # a Dutch word inside a longer Dutch name (Stagebrug, stageplaatsen) does not count; a whole word does
            if re.search(rf"(?<![\w-]){re.escape(variant)}(?![\w-])", text, re.IGNORECASE) and text != msgid:
                wrong.append(f"{area}: {text!r} (say {english!r})")
    assert not wrong, "\n".join(wrong)


def test_dutch_messages_do_not_use_the_english_terms():
    english_only = ("internship", "transition coach", "aftercare")
    wrong = [msgid for _area, msgid, _text in english_messages() if any(term in msgid.lower() for term in english_only)]
    assert not wrong, wrong


def test_every_code_a_page_shows_has_a_label():
    from web.jobs import JOBS
    from web.labels import AUDIT_ACTION_LABELS, JOB_LABELS, SKILL_GROUP_LABELS

    assert {spec.name for spec in JOBS} <= set(JOB_LABELS)
    groups = {line.rsplit(",", 1)[1] for line in (ROOT / "seeds" / "skills.csv").read_text(encoding="utf-8").splitlines()[1:] if line}
    assert groups <= set(SKILL_GROUP_LABELS)
    audited = set()
    for path in (ROOT / "web").rglob("*.py"):
        audited |= set(re.findall(r'action="([a-z_]+\.[a-z_]+)"', path.read_text(encoding="utf-8")))
    audited |= {f"place.{action}" for action in ("publish", "renew", "pause", "fill", "close")}
    assert audited <= set(AUDIT_ACTION_LABELS), sorted(audited - set(AUDIT_ACTION_LABELS))


def test_the_admin_sees_labels_not_codes(session, client, login_as):
    from tests.conftest import make_user
    from web.models import AuditLog, JobRun, utcnow

    admin = make_user(session, "admin", language="en")
    session.add(JobRun(job_name="deliver_outbox", scheduled_for=utcnow(), outcome="ok", finished_at=utcnow()))
    session.add(AuditLog(actor_id=admin.id, action="place.publish", object_type="User", object_id=str(admin.id),
                         detail={"from": "draft", "to": "published"}))
    session.commit()
    login_as(admin)
    dashboard = client.get("/admin/").get_data(as_text=True)
    assert "Send e-mails" in dashboard and "deliver_outbox" not in dashboard
    audit = client.get("/admin/audit").get_data(as_text=True)
    assert "Internship place published" in audit and "place.publish</" not in audit and "StagePlace" not in audit
    assert f'href="/admin/gebruikers/{admin.id}"' in audit and "from: Draft" in audit and "{&#34;" not in audit
