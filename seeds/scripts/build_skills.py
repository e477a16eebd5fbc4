"""Build seeds/skills.csv: the Dutch skill vocabulary of skill_vocabulary.py, checked, with ESCO
skill URIs attached where one genuinely fits.

Run at build time only; the product reads the CSV:

    .venv/bin/python seeds/scripts/build_skills.py [ESCO_DIR]

ESCO_DIR defaults to ../shared/esco relative to the repository root; its skills_en.csv turns the
hand-checked ESCO preferred labels below into URIs.

Source and licence of the URIs: ESCO v1.1.1 skills, European Commission, free reuse with
acknowledgement: "This service uses the ESCO classification of the European Commission."
The vocabulary itself is written for Stagebrug.
"""

from __future__ import annotations

import argparse
import csv
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

from skill_vocabulary import GROUPS, SkillEntry, vocabulary

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_ESCO = REPO_ROOT.parent / "shared" / "esco"
DEFAULT_OUT = REPO_ROOT / "seeds" / "skills.csv"
HEADER = ["id", "label_nl", "variants_nl", "label_en", "variants_en", "esco_uri", "group"]
MIN_ENTRIES = 350
MIN_PER_GROUP = 12

# Skill id -> ESCO preferred label (English), each read and judged by hand: the ESCO skill must
# describe what the Dutch entry means at entry level, not merely share a word with it. Entries
# without a fitting ESCO skill (reach truck, colour-coded cleaning, frying, driving licences...)
# are left out on purpose and get an empty esco_uri.
ESCO_LABELS: dict[str, str] = {
    # logistiek
    "heftruck-rijden": "operate forklift",
    "orderpicking": "pick orders for dispatching",
    "goederen-ontvangen": "receive goods",
    "goederen-controleren": "check deliveries on receipt",
    "laden-lossen": "perform loading and unloading operations",
    "lading-zekeren": "secure cargo in stowage",
    "stockbeheer": "monitor stock level",
    "inventaris-tellen": "carry out inventory control accuracy",
    "magazijnwerk": "perform warehousing operations",
    "goederen-wegzetten": "store warehouse goods",
    "verpakken": "pack goods",
    "palletiseren": "stack goods",
    "etiketteren": "ensure correct goods labelling",
    "verzending-klaarmaken": "prepare shipments in time",
    "leveringsbon": "ensure that shipment contents correspond with shipping documentation",
    "retouren-verwerken": "handle returns",
    "stockrotatie": "carry out stock rotation",
    "correct-tillen": "lift heavy weights",
    "magazijnsoftware": "use a warehouse management system",
    "koelmagazijn": "work in cold environments",
    # schoonmaak
    "poetsen": "perform cleaning duties",
    "kantoren-schoonmaken": "clean rooms",
    "sanitair-reinigen": "clean toilet facilities",
    "dweilen": "clean building floors",
    "stofzuigen": "vacuum surfaces",
    "afstoffen": "remove dust",
    "schrobmachine": "operate floor cleaning equipment",
    "ramen-wassen": "clean glass surfaces",
    "schoonmaakproducten": "handle chemical cleaning agents",
    "hygienisch-werken": "maintain personal hygiene standards when cleaning",
    "desinfecteren": "disinfect surfaces",
    "ziekenhuisschoonmaak": "hygiene in a health care setting",
    "kamers-opmaken": "make the beds",
    "industriele-schoonmaak": "clean equipment",
    "hogedrukreiniger": "operate pressure washer",
    "voertuigen-reinigen": "clean road vehicles",
    "tapijt-reinigen": "groom carpets",
    # keuken-horeca
    "afwassen": "wash the dishes",
    "groenten-snijden": "prepare vegetable products for use in a dish",
    "mise-en-place": "use food preparation techniques",
    "koken": "use cooking techniques",
    "haccp": "apply HACCP",
    "temperaturen-controleren": "maintain kitchen equipment at correct temperature",
    "broodjes-smeren": "prepare sandwiches",
    "bedienen": "serve food in table service",
    "tafels-dekken": "arrange tables",
    "bakken": "bake goods",
    "portioneren": "ensure portion control",
    "voedsel-bewaren": "store kitchen supplies",
    "keuken-reinigen": "ensure cleanliness of food preparation area",
    "allergenen": "food allergies",
    "gasten-ontvangen": "greet guests",
    "bestellingen-opnemen": "take food and beverage orders from customers",
    "desserts": "prepare desserts",
    # winkel-retail
    "rekken-aanvullen": "stock shelves",
    "kassa": "operate cash register",
    "verkopen": "assist customers",
    "prijzen-aanbrengen": "put up price tags",
    "winkelpresentatie": "organise product display",
    "klantenbestellingen": "process customer orders",
    "groenten-fruit": "check quality of fruits and vegetables",
    "diefstal-voorkomen": "prevent shoplifting",
    "betalingen": "process payments",
    "geld-tellen": "count money",
    "cadeaus-inpakken": "pack merchandise for gifts",
    "klachten-opvangen": "handle customer complaints",
    "ruilingen": "process refunds",
    "productkennis": "product comprehension",
    "bloemen-schikken": "create flower arrangements",
    # productie-assemblage
    "assembleren": "apply assembly techniques",
    "lopende-band": "work in assembly line teams",
    "machine-bedienen": "monitor machine operations",
    "machine-instellen": "set up machine controls",
    "kwaliteitscontrole": "inspect quality of products",
    "verpakkingslijn": "tend packaging machines",
    "meten": "measure parts of manufactured products",
    "solderen": "apply soldering techniques",
    "kabelbomen": "assemble wire harnesses",
    "voedingsproductie": "follow hygienic procedures during food processing",
    "vlees-versnijden": "handle knives for meat processing activities",
    "naaien": "sew pieces of fabric",
    "houtbewerking": "manipulate wood",
    "metaalbewerking": "use metalworking tools",
    "spuiten-lakken": "paint with a paint gun",
    "werkinstructies": "execute working instructions",
    "orde-werkplek": "maintain work area cleanliness",
    "rolbrug": "operate cranes",
    "afwegen": "weigh materials",
    "spuitgieten": "tend injection moulding machine",
    # groenonderhoud
    "groenonderhoud": "perform ground maintenance activities",
    "gras-maaien": "maintain turf and grass",
    "hagen-scheren": "prune hedges and trees",
    "snoeien": "prune plants",
    "onkruid-wieden": "perform weed control operations",
    "planten": "plant green plants",
    "bosmaaier": "operate landscaping equipment",
    "kettingzaag": "operate chainsaw",
    "tuinaanleg": "create garden areas",
    "gazon-aanleggen": "prepare land for turf laying",
    "water-geven": "watering principles",
    "serrewerk": "maintain the greenhouse",
    "oogsten": "harvest crop",
    "zwerfvuil": "perform street cleaning manually",
    "tuinmachines": "maintain gardening equipment",
    "winterdienst": "remove snow",
    "dieren-verzorgen": "feed livestock",
    "tractor-rijden": "operate tractor",
    "fytolicentie": "safe use of pesticides",
    # bouw
    "handlanger": "work in a construction team",
    "metselen": "lay bricks",
    "beton-mengen": "mix concrete",
    "behangen": "hang wallpaper",
    "pleisteren": "plaster surfaces",
    "tegels-zetten": "lay tiles",
    "vloeren-leggen": "install laminate floor",
    "afbraakwerken": "demolish structures",
    "steigers": "build scaffolding",
    "werken-op-hoogte": "follow safety procedures when working at heights",
    "gipsplaten": "place drywall",
    "isoleren": "install insulation material",
    "schrijnwerk": "carpentry",
    "dakwerken": "roofing techniques",
    "grondwerken": "work on excavation site",
    "minigraver": "operate excavator",
    "bouwplannen-lezen": "read standard blueprints",
    "materiaal-aanvoeren": "transport construction supplies",
    "kitwerk": "caulk expansion joints",
    "riolering": "lay sewer pipe",
    # wasserij
    "wasgoed-wassen": "wash the laundry",
    "drogen": "operate tumble dryer",
    "strijken": "iron textiles",
    "wasgoed-sorteren": "sort textile items",
    "vlekken-behandelen": "eliminate stains",
    "linnenkamer": "maintain linen operation",
    "kledij-herstellen": "alter wearing apparel",
    "wasvoorschriften": "read care labels",
    "wasgoed-leveren": "collect items for laundry service",
    # zorg-ondersteuning
    "maaltijden-bedelen": "distribute meals to patients",
    "ouderen": "tend to elderly people",
    "personen-met-beperking": "disability care",
    "kinderopvang": "attend to children's basic physical needs",
    "gezinszorg": "provide domestic care",
    "ehbo": "provide first aid",
    "persoonlijke-verzorging": "assist with dressing",
    "boodschappen": "run errands on behalf of customers",
    "sterilisatie": "sterilise medical equipment",
    "jongeren": "communicate with youth",
    # recyclage
    "afval-sorteren": "sort waste",
    "recyclagepark": "monitor civic recycling sites",
    "toestellen-demonteren": "dismantle broken appliances",
    "hergebruik-sorteren": "check the potential of second-hand merchandise",
    "afval-ophalen": "collect domestic waste",
    "gevaarlijk-afval": "hazardous waste types",
    "tweedehands-prijzen": "determine marketability of second-hand goods",
    "upcycling": "improve conditions of second-hand merchandise",
    # techniek
    "lassen": "use welding equipment",
    "technische-tekening": "read engineering drawings",
    "elektriciteit": "install electrical and electronic equipment",
    "sanitaire-installaties": "install plumbing systems",
    "gebouwonderhoud": "control minor maintenance",
    "fietsen-herstellen": "perform repairs on bicycles",
    "auto-onderhoud": "execute vehicle maintenance",
    "handgereedschap": "use hand tools",
    "elektrisch-gereedschap": "use power tools",
    "pneumatiek": "pneumatics",
    "storingen": "troubleshoot",
    "preventief-onderhoud": "conduct routine machinery checks",
    "cnc": "tend CNC milling machine",
    "elektronica": "assemble electronic units",
    "koeltechniek": "install refrigeration equipment",
    "zandstralen": "operate sandblaster",
    "zonnepanelen": "mount photovoltaic panels",
    "computers-herstellen": "repair ICT devices",
    # transversaal
    "stiptheid": "follow work schedule",
    "werken-in-team": "work in teams",
    "zelfstandig-werken": "work independently",
    "veiligheidsregels": "apply health and safety standards",
    "flexibiliteit": "adapt to change",
    "klantvriendelijkheid": "customer service",
    "nauwkeurigheid": "attend to detail",
    "betrouwbaarheid": "act reliably",
    "motivatie": "show commitment",
    "leergierigheid": "demonstrate willingness to learn",
    "feedback": "accept criticism and guidance",
    "communiceren": "communication",
    "ploegenwerk": "work in shifts",
    "fysiek-werk": "adjust to physical demands",
    "stressbestendigheid": "cope with stress",
    "afspraken-nakomen": "meet commitments",
    "eigen-werk-plannen": "manage time",
    "initiatief": "show initiative",
    "problemen-oplossen": "create solutions to problems",
    "respect": "respect the diversity of cultural values and norms",
    "discretie": "observe confidentiality",
    "geduld": "exercise patience",
    "instructies-opvolgen": "follow verbal instructions",
    "verzorgd-voorkomen": "maintain personal hygiene standards",
    "concentratie": "maintain concentration for long periods",
    "milieubewust": "evaluate environmental impact of personal behaviour",
    # administratie
    "klasseren": "file documents",
    "gegevens-invoeren": "process data",
    "post-verwerken": "handle mail",
    "telefoon": "communicate by telephone",
    "onthaal": "assist visitors",
    "agenda-beheren": "administer appointments",
    "facturen": "issue sales invoices",
    "e-mail": "draft corporate emails",
    "administratief-werk": "perform office routine activities",
    "bestellingen-plaatsen": "order supplies",
    "formulieren": "fill out forms",
    "registraties": "keep task records",
    "klantendienst": "maintain customer service",
    "orders-ingeven": "process order forms with customer's information",
    "digitaliseren": "digitise documents",
    # transport
    "rijbewijs-b": "drive vehicles",
    "adr": "transport dangerous goods",
    "route-plannen": "solve location and navigation problems by using GPS tools",
    "defensief-rijden": "obey traffic rules",
    "manoeuvreren": "manoeuvre heavy trucks",
    # taal-digitaal
    "nederlands-spreken": "interact verbally in Dutch",
    "nederlands-begrijpen": "understand spoken Dutch",
    "nederlands-lezen": "understand written Dutch",
    "nederlands-schrijven": "write Dutch",
    "frans": "French",
    "engels": "English",
    "duits": "German",
    "arabisch": "Arabic",
    "turks": "Turkish",
    "pools": "Polish",
    "spaans": "Spanish",
    "werken-met-pc": "have computer literacy",
    "tekstverwerking": "use word processing software",
    "rekenblad": "use spreadsheets software",
    "handscanner": "use barcode scanning equipment",
    "internet": "browse, search and filter data, information and digital content",
    "online-veiligheid": "protect personal data and privacy",
    "online-formulieren": "engage in citizenship through digital technologies",
    "bedieningspaneel": "operate control panels",
    "videobellen": "use online tools to collaborate",
    "bestanden-beheren": "manage digital documents",
    "rekenen": "apply numeracy skills",
}


def normalise(term: str) -> str:
    """Return a term folded for comparison: no accents, lower case, hyphens as spaces."""
    decomposed = unicodedata.normalize("NFKD", term)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.casefold().replace("-", " ").split())


def split_terms(joined: str) -> list[str]:
    """Return the pipe-separated terms of a field, stripped, without empties."""
    return [t.strip() for t in joined.split("|") if t.strip()]


def validate(entries: list[SkillEntry]) -> list[str]:
    """Return every problem of the vocabulary; an empty list means it is sound."""
    problems = []
    for entry_id, count in Counter(e.id for e in entries).items():
        if count > 1:
            problems.append(f"duplicate id: {entry_id} ({count}x)")
    for e in entries:
        if not e.id.isascii() or e.id != e.id.lower() or " " in e.id:
            problems.append(f"id is not an ascii slug: {e.id!r}")
        if e.group not in GROUPS:
            problems.append(f"{e.id}: unknown group {e.group!r}")
        if not e.label_nl or not e.label_en:
            problems.append(f"{e.id}: missing label")
        if len(split_terms(e.variants_nl)) < 3:
            problems.append(f"{e.id}: fewer than 3 Dutch variants")
    # A term (label or variant) may belong to one entry only, per language.
    for lang in ("nl", "en"):
        owners: dict[str, set[str]] = defaultdict(set)
        for e in entries:
            for term in [getattr(e, f"label_{lang}"), *split_terms(getattr(e, f"variants_{lang}"))]:
                owners[normalise(term)].add(e.id)
        for term, ids in sorted(owners.items()):
            if len(ids) > 1:
                problems.append(f"{lang} term {term!r} appears under {sorted(ids)}")
    per_group = Counter(e.group for e in entries)
    for group in GROUPS:
        if per_group[group] < MIN_PER_GROUP:
            problems.append(f"group {group} has {per_group[group]} entries (< {MIN_PER_GROUP})")
    if len(entries) < MIN_ENTRIES:
        problems.append(f"only {len(entries)} entries (< {MIN_ENTRIES})")
    unknown = set(ESCO_LABELS) - {e.id for e in entries}
    problems.extend(f"ESCO mapping for unknown id: {i}" for i in sorted(unknown))
    return problems


def esco_uris(esco_dir: Path) -> dict[str, str]:
    """Return skill id -> ESCO URI for the hand-checked mapping; fail on a label not found once."""
    by_label: dict[str, list[str]] = defaultdict(list)
    with (esco_dir / "skills_en.csv").open(newline="", encoding="utf-8") as handle:
        for record in csv.DictReader(handle):
            by_label[record["preferredLabel"].strip()].append(record["conceptUri"].strip())
    uris, missing = {}, []
    for skill_id, label in ESCO_LABELS.items():
        found = by_label.get(label, [])
        if len(found) != 1:
            missing.append(f"{skill_id}: ESCO label {label!r} found {len(found)} times")
        else:
            uris[skill_id] = found[0]
    if missing:
        raise SystemExit("ESCO mapping problems:\n" + "\n".join(missing))
    return uris


def dedupe(terms: list[str], *exclude: str) -> str:
    """Return the terms pipe-joined, without repeats and without the excluded (label) terms."""
    seen = {normalise(x) for x in exclude}
    kept = []
    for term in terms:
        if normalise(term) not in seen:
            seen.add(normalise(term))
            kept.append(term)
    return "|".join(kept)


def main(argv: list[str] | None = None) -> int:
    """Validate the vocabulary, attach ESCO URIs and write the skills file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("esco_dir", nargs="?", type=Path, default=DEFAULT_ESCO)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)

    entries = vocabulary()
    problems = validate(entries)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        print(f"{len(problems)} problem(s) in the skill vocabulary", file=sys.stderr)
        return 1
    uris = esco_uris(args.esco_dir)

    with args.out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=HEADER, lineterminator="\n")
        writer.writeheader()
        for e in entries:
            writer.writerow(
                {
                    "id": e.id,
                    "label_nl": e.label_nl,
                    "variants_nl": dedupe(split_terms(e.variants_nl), e.label_nl),
                    "label_en": e.label_en,
                    "variants_en": dedupe(split_terms(e.variants_en), e.label_en),
                    "esco_uri": uris.get(e.id, ""),
                    "group": e.group,
                }
            )
    reused = [u for u, n in Counter(uris.values()).items() if n > 1]
    print(
        f"wrote {len(entries)} skills to {args.out}: {len(uris)} with an ESCO URI, "
        f"{sum(len(split_terms(e.variants_nl)) for e in entries) / len(entries):.1f} Dutch variants "
        f"per entry on average; groups {dict(Counter(e.group for e in entries))}"
        + (f"; URIs used twice: {reused}" if reused else "")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
