"""Build the career knowledge shipped in `ingest/data/careers.json.gz`.

Run once by a maintainer (the output is committed; nothing reads the sources at run time):

    python scripts/build_careers.py --data ../shared/data

What the assistant answers career questions from (`ingest.careers`), per occupation:
- ESCO v1.1.1: the preferred label, the description, up to `MAX_ALT_TITLES` alternative
  labels, the essential skills and up to `MAX_OPTIONAL` optional skills (skill labels are
  stored once, in `skills`, and referred to by position).
- O*NET 29.2: the title, the description (Occupation Data), up to `MAX_ALT_TITLES`
  alternate titles (Alternate Titles, shortest first), up to `MAX_TECH` technology skills
  with their Hot Technology and In Demand flags (Technology Skills; flagged ones first),
  and up to `MAX_RELATED` related occupations (Related Occupations, in O*NET's order).
- For a title several O*NET occupations list, which of them it names (`_onet_choices`).

The title tables that link a written title to these occupations are the ones of
`ingest/data/occupations.json.gz` (`scripts/build_occupations.py`): not repeated here.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from build_lexicon import ESCO_CLASSIFICATION, ESCO_RELATIONS, read_csv_from_zip  # noqa: E402
from build_occupations import _esco, _onet, title_holders  # noqa: E402

from ingest.careers import CAREERS_PATH, VECTORS_PATH, get_careers, write_vectors  # noqa: E402
from ingest.embeddings import get_embedder  # noqa: E402
from ingest.occupations import get_occupations, title_key, title_words  # noqa: E402

# Everyday titles the rules of `_onet_choices` settle oddly (curated, like the ESCO ones
# of build_occupations): title -> O*NET-SOC code.
CURATED_ONET = {
    "teacher": "25-2031.00",  # Secondary School Teachers (ESCO's reading of "teacher")
    "care assistant": "31-1122.00",  # Personal Care Aides
    "carer": "31-1122.00",
    "mechanic": "49-3023.00",  # Automotive Service Technicians and Mechanics
    "sales assistant": "41-2031.00",  # Retail Salespersons
}
MAX_ALT_TITLES = 6
MAX_OPTIONAL = 10
MAX_TECH = 12
MAX_RELATED = 6
ONET = "onet"


def _tab(data: Path, name: str) -> list[dict[str, str]]:
    with (data / ONET / name).open(encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def _esco_part(data: Path) -> tuple[list[str], dict[str, list[object]]]:
    rows = _esco(data)
    skill_labels = {
        r["conceptUri"]: r["preferredLabel"]
        for r in read_csv_from_zip(data / ESCO_CLASSIFICATION, "skills_en.csv")
    }
    essential: dict[str, list[str]] = {}
    optional: dict[str, list[str]] = {}
    for rel in read_csv_from_zip(data / ESCO_RELATIONS, "occupationSkillRelations.csv"):
        label = skill_labels.get(rel["skillUri"])
        if label:
            table = essential if rel["relationType"] == "essential" else optional
            table.setdefault(rel["occupationUri"], []).append(label)
    used = sorted({s for table in (essential, optional) for ls in table.values() for s in ls})
    position = {label: i for i, label in enumerate(used)}
    occupations: dict[str, list[object]] = {}
    for row in rows:
        uri = row["conceptUri"]
        alternatives = sorted(
            (a for a in row["altLabels"].splitlines() if a.strip()), key=lambda a: (len(a), a)
        )
        occupations[uri.rsplit("/", 1)[-1]] = [
            row["preferredLabel"],
            " ".join(row["description"].split()),
            alternatives[:MAX_ALT_TITLES],
            sorted(position[s] for s in set(essential.get(uri, []))),
            sorted(position[s] for s in set(optional.get(uri, [])))[:MAX_OPTIONAL],
        ]
    return used, occupations


def _onet_part(data: Path) -> dict[str, list[object]]:
    alternates: dict[str, list[str]] = {}
    for row in _tab(data, "Alternate Titles.txt"):
        alternates.setdefault(row["O*NET-SOC Code"], []).append(row["Alternate Title"])
    tech: dict[str, list[tuple[str, bool, bool]]] = {}
    for row in _tab(data, "Technology Skills.txt"):
        flags = (row["Hot Technology"] == "Y", row["In Demand"] == "Y")
        tech.setdefault(row["O*NET-SOC Code"], []).append((row["Example"], *flags))
    related: dict[str, list[tuple[int, str]]] = {}
    for row in _tab(data, "Related Occupations.txt"):
        related.setdefault(row["O*NET-SOC Code"], []).append(
            (int(row["Index"]), row["Related O*NET-SOC Code"])
        )
    occupations: dict[str, list[object]] = {}
    for row in _tab(data, "Occupation Data.txt"):
        code = row["O*NET-SOC Code"]
        titles = sorted(set(alternates.get(code, [])), key=lambda t: (len(t), t))
        # In-demand and hot tools first: what employers ask for, not every tool ever used.
        tools = sorted(set(tech.get(code, [])), key=lambda t: (not t[2], not t[1], t[0]))
        occupations[code] = [
            row["Title"],
            " ".join(row["Description"].split()),
            titles[:MAX_ALT_TITLES],
            [[name, int(hot), int(demand)] for name, hot, demand in tools[:MAX_TECH]],
            [c for _, c in sorted(related.get(code, []))][:MAX_RELATED],
        ]
    return occupations


def _onet_choices(data: Path) -> dict[str, str]:
    """For a title several O*NET occupations list ("Truck Driver": Heavy and
    Tractor-Trailer Truck Drivers, Freight Forwarders...), the one it names
    (`title_holders`: most words shared with its own title, then most titles containing
    its words, the typical holder of the title: Registered Nurses for "nurse"), then the
    one sharing most words with the ESCO occupation it names, then the shortest; kept
    where that is not the first code, which the occupation table links."""
    titles = get_occupations()
    names = _onet(data)
    own = {code: set(title_words(found[0])) for code, found in names.items()}

    def closest_to_esco(key: str, code: str) -> tuple[int, ...]:
        link = titles.link(key)
        esco_words = set(title_words(link.occupation.name)) if link else set()
        return (-len(esco_words & own[code]), len(own[code]))

    listed: dict[str, set[str]] = {}
    for code, found in names.items():
        for name in found:
            listed.setdefault(title_key(name), set()).add(code)
    choices = {
        key: best
        for key, best in title_holders(names, closest_to_esco).items()
        if best != min(listed[key])
    }
    return choices | {title_key(title): code for title, code in CURATED_ONET.items()}


def build(data: Path) -> dict[str, object]:
    skills, esco = _esco_part(data)
    onet = _onet_part(data)
    choices = _onet_choices(data)
    print(
        f"{len(esco)} ESCO occupations ({len(skills)} skills); {len(onet)} O*NET occupations; "
        f"{len(choices)} shared O*NET titles settled"
    )
    return {"skills": skills, "esco": esco, "onet": onet, "onet_choices": choices}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, help="the shared data folder")
    parser.add_argument(
        "--vectors-only",
        action="store_true",
        help="only embed the shipped data again (after a change of the embedding model)",
    )
    args = parser.parse_args()
    if not args.vectors_only:
        if args.data is None:
            parser.error("--data is required unless --vectors-only")
        payload = json.dumps(build(args.data), separators=(",", ":"), ensure_ascii=False)
        with gzip.GzipFile(CAREERS_PATH, "wb", mtime=0) as f:
            f.write(payload.encode("utf-8"))
        print(f"wrote {CAREERS_PATH} ({CAREERS_PATH.stat().st_size // 1024} KB)")
    get_careers.cache_clear()
    write_vectors(get_embedder())
    print(f"wrote {VECTORS_PATH} ({VECTORS_PATH.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
