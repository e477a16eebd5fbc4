"""Translation tools: list message ids that have no English translation, and compile catalogs.

    python -m web.i18n_tools missing          # every Dutch msgid without an English translation
    python -m web.i18n_tools compile          # compile every translations/ folder (run by make)
"""
from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from web.i18n import WEB_DIR, translation_directories

REPO = WEB_DIR.parent
METHOD_MAP = [("**.py", "python"), ("**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None, "lazy_ngettext": (1, 2)}


def extracted_messages() -> dict[str, str]:
    """Every translatable msgid in web/ and templates/, with where it was first found."""
    found: dict[str, str] = {}
    for folder in (REPO / "web", REPO / "templates"):
        for filename, lineno, message, _comments, _ctx in extract_from_dir(
            str(folder), METHOD_MAP, keywords=KEYWORDS, options_map={"**.html": {"extensions": "jinja2.ext.do"}}
        ):
            ids = message if isinstance(message, tuple) else (message,)
            for msgid in ids:
                if msgid:
                    found.setdefault(msgid, f"{folder.name}/{filename}:{lineno}")
    return found


def english_catalog_ids() -> set[str]:
    """Message ids that have a non-empty English translation in any catalog."""
    ids: set[str] = set()
    for directory in translation_directories():
        po = Path(directory) / "en" / "LC_MESSAGES" / "messages.po"
        if not po.exists():
            continue
        with po.open("rb") as fh:
            catalog = read_po(fh)
        for message in catalog:
            if not message.id:
                continue
            strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
            if all(strings):
                msgids = message.id if isinstance(message.id, tuple) else (message.id,)
                ids.update(msgids)
    return ids


def missing_translations() -> dict[str, str]:
    have = english_catalog_ids()
    return {msgid: where for msgid, where in extracted_messages().items() if msgid not in have}


def compile_all() -> int:
    count = 0
    for directory in translation_directories():
        for po in Path(directory).glob("*/LC_MESSAGES/messages.po"):
            with po.open("rb") as fh:
                catalog = read_po(fh)
            with po.with_suffix(".mo").open("wb") as out:
                write_mo(out, catalog)
            count += 1
    return count


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "missing"
    if command == "compile":
        print(f"compiled {compile_all()} catalog(s)")
        return 0
    missing = missing_translations()
    for msgid, where in sorted(missing.items(), key=lambda kv: kv[1]):
        print(f"{where}\t{msgid!r}")
    print(f"{len(missing)} message(s) without English translation", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
