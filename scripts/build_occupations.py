"""Build the occupation table shipped in `ingest/data/occupations.json.gz`.

Run once by a maintainer (the output is committed; nothing reads the sources at run time):

    python scripts/build_occupations.py --data ../shared/data

Sources (see `ingest/data/ATTRIBUTION.md`):
- ESCO v1.1.1 occupations: 3,007 occupations with their code (ISCO-08 unit group, then
  ESCO's levels) and their preferred and alternative English labels.
- O*NET 29.2 Occupation Data and Alternate Titles (56,560 titles): US titles that ESCO
  lacks ("Staff RN", "QA Tester"). O*NET and ESCO have no crosswalk in these files, so an
  O*NET occupation is carried over to the ESCO occupation that most of its titles name
  exactly (at least two agreeing titles, and more than a third of those that match
  anything); its other titles then link there too (a title several O*NET occupations list,
  from the one it names only: `title_holders`). A title ESCO knows keeps ESCO's link.

A short curated table (`CURATED`) settles a few everyday titles ESCO files oddly.
A title that several ESCO occupations share goes to the one whose preferred label it is,
else to the first in URI order (deterministic).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import sys
import zipfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingest.occupations import OCCUPATIONS_PATH, title_key, title_words  # noqa: E402

ESCO_ZIP = "esco/ESCO dataset - v1.1.1 - classification - en - csv.zip"
# Everyday titles ESCO leaves ambiguous or files oddly ("teacher" is an alternative label
# of politics lecturer only; "nurse" of nurse assistant): curated, title -> ESCO label.
# Shipped as such: a curated one-word title is trusted to name its occupation.
CURATED = {
    "nurse": "nurse responsible for general care",
    "staff nurse": "nurse responsible for general care",
    "registered nurse": "nurse responsible for general care",
    "registered general nurse": "nurse responsible for general care",
    "rgn": "nurse responsible for general care",
    "rn": "nurse responsible for general care",
    "rmn": "nurse responsible for general care",  # UK: registered mental health nurse
    "carer": "social care worker",
    "teacher": "secondary school teacher",
    "developer": "software developer",
    "java developer": "software developer",
    "care assistant": "social care worker",
    "support worker": "social care worker",
}
MIN_AGREEING = 2
MIN_SHARE = 1 / 3
# Cosine of an O*NET occupation title and an ESCO label from which the two are taken as
# the same occupation. Read on a sample of 40: above it mostly right ("Carpet Installers"
# / "carpet fitter" 0.70, "Producers and Directors" / "producer" 0.76); below it mostly
# wrong ("Legislators" / "lawyer" 0.62, "Coaches and Scouts" / "sports coach" 0.57 aside).
MIN_SIMILARITY = 0.7


def _esco(data: Path) -> list[dict[str, str]]:
    with zipfile.ZipFile(data / ESCO_ZIP) as archive:
        raw = archive.read("occupations_en.csv").decode("utf-8")
    rows = [r for r in csv.DictReader(io.StringIO(raw)) if r["code"]]
    return sorted(rows, key=lambda r: r["conceptUri"])


def _onet(data: Path) -> dict[str, list[str]]:
    titles: dict[str, list[str]] = {}
    for name, column in (
        ("Occupation Data.txt", "Title"),
        ("Alternate Titles.txt", "Alternate Title"),
    ):
        with (data / "onet" / name).open(encoding="utf-8") as f:
            for row in csv.DictReader(f, delimiter="\t"):
                titles.setdefault(row["O*NET-SOC Code"], []).append(row[column])
    return titles


def title_holders(
    onet: dict[str, list[str]], tiebreak: Callable[[str, str], tuple[int, ...]] = lambda k, c: ()
) -> dict[str, str]:
    """For each title several O*NET occupations list, the one it names: the one whose own
    title shares most words with it, then the one with most titles containing its words,
    then `tiebreak(title, code)`, then the first code. "Systems Administrator" is listed
    by Database Administrators and by Network and Computer Systems Administrators; carried
    from whichever came first, a system administrator was linked to ESCO's database
    administrator."""
    own = {code: set(title_words(names[0])) for code, names in onet.items()}
    all_words = {code: [set(title_words(n)) for n in names] for code, names in onet.items()}
    listed: dict[str, set[str]] = {}
    for code, names in onet.items():
        for name in names:
            listed.setdefault(title_key(name), set()).add(code)
    holders = {}
    for key, codes in sorted(listed.items()):
        if len(codes) > 1:
            words = set(key.split())
            holders[key] = min(
                sorted(codes),
                key=lambda c: (
                    -len(words & own[c]),
                    -sum(words <= t for t in all_words[c]),
                    *tiebreak(key, c),
                ),
            )
    return holders


def _agreed(votes: Counter[int]) -> bool:
    count, total = votes.most_common(1)[0][1], sum(votes.values())
    return count >= MIN_AGREEING and count / total > MIN_SHARE


def _carried_by_meaning(
    unvoted: list[tuple[str, list[str]]], rows: list[dict[str, str]]
) -> list[tuple[str, list[str], int]]:
    """O*NET occupations whose titles ESCO does not name: (code, titles, the ESCO
    occupation nearest in meaning) by the local embedding model (occupation title against
    ESCO's preferred label), when that is near enough to trust."""
    from ingest.embeddings import get_embedder  # heavy; only this step needs it

    embedder = get_embedder()
    esco_vectors = embedder.embed([r["preferredLabel"] for r in rows])
    onet_vectors = embedder.embed([names[0] for _, names in unvoted])
    similarity = onet_vectors @ esco_vectors.T
    carried = []
    for (code, names), row in zip(unvoted, similarity, strict=True):
        best = int(row.argmax())
        if float(row[best]) >= MIN_SIMILARITY:
            carried.append((code, names, best))
    return carried


def build(data: Path) -> dict[str, object]:
    rows = _esco(data)
    occupations = [
        [r["code"], r["preferredLabel"], r["conceptUri"].rsplit("/", 1)[-1]] for r in rows
    ]
    titles: dict[str, int] = {}
    preferred: set[str] = set()
    for idx, row in enumerate(rows):
        key = title_key(row["preferredLabel"])
        if key and (key not in titles or key not in preferred):
            titles[key] = idx
            preferred.add(key)
    # An alternative label several occupations share ("teacher") goes to the broadest of
    # them (the shortest code), which is the safest reading of a bare title.
    shared: dict[str, list[int]] = {}
    for idx, row in enumerate(rows):
        for label in row["altLabels"].splitlines():
            key = title_key(label)
            if key and key not in preferred:
                shared.setdefault(key, []).append(idx)
    for key, owners in shared.items():
        titles[key] = min(owners, key=lambda i: (len(rows[i]["code"]), rows[i]["code"]))
    by_label = {row["preferredLabel"]: idx for idx, row in enumerate(rows)}
    titles.update({key: by_label[label] for key, label in CURATED.items()})
    esco = dict(titles)
    esco_titles = len(esco)
    unvoted: list[tuple[str, list[str]]] = []
    voted: list[tuple[str, list[str], int]] = []
    onet = _onet(data)
    for code, names in sorted(onet.items()):
        votes = Counter(esco[k] for k in map(title_key, names) if k in esco)
        if votes and _agreed(votes):
            voted.append((code, names, votes.most_common(1)[0][0]))
        else:
            unvoted.append((code, names))
    carries = voted + _carried_by_meaning(unvoted, rows)
    # A title several O*NET occupations list is carried from the one it names first; from
    # the others only when that one has no ESCO occupation to carry it to.
    holders = title_holders(onet)
    carried = 0
    for owned_only in (True, False):
        for code, names, best in carries:
            for key in map(title_key, names):
                if key and key not in titles and (not owned_only or holders.get(key, code) == code):
                    titles[key] = best
                    carried += 1
    print(
        f"{len(occupations)} occupations; {esco_titles} ESCO titles; {carried} O*NET titles carried over"
    )
    # O*NET's own families: the same titles, linked to O*NET-SOC codes, whose major group
    # is a field of work (29 healthcare practitioners, 43 office support, 41 sales...) where
    # ESCO's ISCO code is a skill level first: together they say "related" both ways.
    families = sorted(onet)
    onet_titles: dict[str, int] = {}
    for idx, code in enumerate(families):
        for name in onet[code]:
            key = title_key(name)
            if key:
                onet_titles.setdefault(key, idx)
    print(f"{len(families)} O*NET occupations; {len(onet_titles)} O*NET titles")
    return {
        "occupations": occupations,
        "titles": dict(sorted(titles.items())),
        "onet": [[code, onet[code][0]] for code in families],
        "onet_titles": dict(sorted(onet_titles.items())),
        "curated": sorted(CURATED),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="the shared data folder")
    args = parser.parse_args()
    payload = json.dumps(build(args.data), separators=(",", ":"), ensure_ascii=False)
    with gzip.GzipFile(OCCUPATIONS_PATH, "wb", mtime=0) as f:
        f.write(payload.encode("utf-8"))
    print(f"wrote {OCCUPATIONS_PATH} ({OCCUPATIONS_PATH.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
