"""Lexical relevance with a FIXED term-rarity table.

BM25 normally takes its IDF from the collection being searched, so adding unrelated jobs
would change every score. Here document frequencies come from a fixed corpus of
job-domain English (ESCO occupation and skill descriptions, O*NET occupation descriptions
and technology examples), built once by `python -m api.matching.lexical ../shared/data`
into `api/matching/data/term_df.json.gz` (attribution in `data/ATTRIBUTION.md`). The
same pair of texts then gets the same score whatever else is indexed.

The score is BM25 with the job as the query and the resume as the document, as a share of
the job's own maximum (every query term saturated), calibrated so that a resume covering
FULL_MATCH_SHARE of it scores 1 (see `calibrate` and ADR 0003). A job's query leaves out
headings and recruiting boilerplate and counts its summary and benefits at half weight.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import math
import re
import sys
import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import lru_cache
from pathlib import Path

from ingest.parsing import Section, job_sections

DF_PATH = Path(__file__).resolve().parent / "data" / "term_df.json.gz"

# BM25's usual constants; AVG_DOC_LEN is a fixed typical resume length in terms (not the
# collection's running average, which would make scores drift as resumes arrive).
K1 = 1.2
B = 0.75
AVG_DOC_LEN = 250.0
# A job is summarised by its most distinctive terms (by tf x idf): enough to describe a
# posting, small enough to keep in the vector index's metadata.
QUERY_TERMS = 128
# Terms kept for a resume (most frequent first); real resumes stay far below it.
DOC_TERMS = 1500

_WORD_RE = re.compile(r"[a-z][a-z0-9+#]*(?:[.\-'][a-z0-9+#]+)*")
_STOPWORDS_TEXT = """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each etc
    few for from further had has have having here how i if in into is it its itself just
    may me might more most must my no nor not now of off on once only or other our ours out
    over own per same shall should so some such than that the their theirs them then there
    these they this those through to too under until up upon us very via was we were what
    when where which while who whom why will with within without would you your yours
    able ability across e.g i.e including include includes using use used well work works
    working job role position candidate candidates company team new good strong excellent
    year years experience experienced skill skills required requirements preferred plus
    responsibilities responsible knowledge etc ensure one two three four five name email
    phone"""
_STOPWORDS = frozenset(_STOPWORDS_TEXT.split())
# Recruiting boilerplate (stems): qualifiers and headings every posting uses, which say how
# much of something is wanted, not what. The fixed table comes from taxonomy prose, where
# these words are rare, so it would rate them as distinctive as a technology; they are left
# out of a job's query (a resume may still contain them: that costs nothing).
_POSTING_WORDS_TEXT = """summary title description requirement qualification duty
    responsibility proficient proficiency familiar familiarity solid proven demonstrat
    demonstrable ideal passionate minimum least seeking opportunity join looking like
    similar perfect high successful exceptional outstanding great desire desired prefer
    understand understanding expertise expert competent competency capability capable
    dedicated motivated other whose"""
_POSTING_WORDS = frozenset(_POSTING_WORDS_TEXT.split())
# How much each section of a posting counts towards its query: the summary and the benefits
# describe the employer and the offer, the other sections the work and the person wanted.
SECTION_WEIGHTS = {"summary": 0.5, "benefits": 0.5}
# Share of a job's (saturated) query weight at which a resume counts as a full lexical
# match. A posting's query also holds terms no resume repeats (products, mission, place),
# so a resume that fits well covers about half of it, not all; without this calibration the
# lexical term spans only a fraction of [0, 1] and weighs far less than its nominal weight.
FULL_MATCH_SHARE = 0.5


@lru_cache(maxsize=1 << 16)
def _stem(word: str) -> str:
    """A deliberately light stemmer: plurals and the commonest verb endings only, so that
    "developers"/"developer" and "managed"/"managing" meet but technical names survive."""
    if len(word) <= 4 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 5:
        return word[:-3] + "y"
    if word.endswith("ing") and len(word) > 6:
        return _undouble(word[:-3])
    if word.endswith("ed") and len(word) > 5:
        return _undouble(word[:-2])
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _undouble(stem: str) -> str:
    # "running" -> "runn" -> "run"; "planned" -> "plann" -> "plan" (but "install" stays)
    if len(stem) > 3 and stem[-1] == stem[-2] and stem[-1] not in "lsz":
        return stem[:-1]
    return stem


def terms(text: str) -> list[str]:
    """The lexical terms of `text`: lowercase words, stopwords and placeholders dropped,
    lightly stemmed."""
    # stems are cached: a vocabulary is small, texts repeat its words endlessly
    stem = _stem
    return [
        stem(word)
        for word in _WORD_RE.findall(text.lower())
        if len(word) >= 2 and word not in _STOPWORDS
    ]


class TermTable:
    """Document frequencies of a fixed corpus -> BM25 IDF weights."""

    def __init__(self, docs: int, df: Mapping[str, int]) -> None:
        self.docs = docs
        self._df = df
        # Unseen terms count as seen once: rare (informative), but not above real rarities.
        self.unseen_idf = self._idf(1)

    def _idf(self, df: int) -> float:
        return math.log(1.0 + (self.docs - df + 0.5) / (df + 0.5))

    def idf(self, term: str) -> float:
        df = self._df.get(term)
        return self._idf(df) if df else self.unseen_idf


@lru_cache(maxsize=1)
def get_term_table() -> TermTable:
    with gzip.open(DF_PATH, "rt", encoding="utf-8") as handle:
        data = json.load(handle)
    return TermTable(int(data["docs"]), data["df"])


def _tf_weight(tf: float) -> float:
    # 1 + ln tf, continued linearly below one occurrence (a term seen only in a
    # half-weight section counts half)
    return 1.0 + math.log(tf) if tf >= 1.0 else tf


def query_weights(
    text: str, table: TermTable | None = None, *, sections: Sequence[Section] | None = None
) -> dict[str, float]:
    """A job's query: its QUERY_TERMS most distinctive terms with weight
    (1 + ln tf) x idf, tf counted per section with SECTION_WEIGHTS, headings and
    recruiting boilerplate left out. Ties are broken by the term itself, so the choice is
    stable. `sections`: `job_sections(text)`, when the caller has them already."""
    table = table or get_term_table()
    counts: dict[str, float] = {}
    for section in sections if sections is not None else job_sections(text):
        share = SECTION_WEIGHTS.get(section.kind, 1.0)
        for term in terms(section.text):
            if term not in _POSTING_WORDS:
                counts[term] = counts.get(term, 0.0) + share
    weighted = [(term, _tf_weight(tf) * table.idf(term)) for term, tf in counts.items()]
    weighted.sort(key=lambda item: (-item[1], item[0]))
    return {term: round(weight, 6) for term, weight in weighted[:QUERY_TERMS]}


def doc_counts(text: str) -> tuple[dict[str, int], int]:
    """A resume's term counts (the DOC_TERMS most frequent) and its length in terms."""
    all_terms = terms(text)
    counts = Counter(all_terms)
    top = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:DOC_TERMS]
    return dict(top), len(all_terms)


def calibrate(share: float) -> float:
    """The lexical score of a resume covering `share` of a job's query weight."""
    return min(1.0, share / FULL_MATCH_SHARE)


def bm25(
    query: Mapping[str, float],
    counts: Mapping[str, int],
    length: int,
    listed: frozenset[str] = frozenset(),
    listed_credit: float = 1.0,
) -> float:
    """BM25 of a resume (`counts`, `length`) for a job's query, as a share of its maximum
    (every query term saturated), calibrated (`calibrate`) into [0, 1]. Terms in `listed`
    (seen only in lists of names) count `listed_credit` of their value."""
    total = sum(query.values())
    if total <= 0.0:
        return 0.0
    norm = K1 * (1.0 - B + B * length / AVG_DOC_LEN)
    got = 0.0
    for term in sorted(query):  # a fixed summation order: bit-identical floats every time
        tf = counts.get(term)
        if tf:
            value = query[term] * tf / (tf + norm)
            got += value * listed_credit if term in listed else value
    return calibrate(got / total)


# --- building the table (run once, by hand) ------------------------------------------------


def _esco_docs(zip_path: Path) -> Iterator[str]:
    with zipfile.ZipFile(zip_path) as archive:
        for member in ("occupations_en.csv", "skills_en.csv"):
            with archive.open(member) as raw:
                for row in csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8")):
                    yield " ".join(
                        row.get(k) or "" for k in ("preferredLabel", "altLabels", "description")
                    )


def _onet_docs(folder: Path) -> Iterator[str]:
    by_code: dict[str, list[str]] = {}
    with (folder / "Technology Skills.txt").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            by_code.setdefault(row["O*NET-SOC Code"], []).append(row["Example"])
    with (folder / "Occupation Data.txt").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            yield f"{row['Title']} {row['Description']}"
    for examples in by_code.values():
        yield " ".join(examples)


def build(docs: Iterable[str]) -> dict[str, object]:
    df: Counter[str] = Counter()
    count = 0
    for doc in docs:
        count += 1
        df.update(set(terms(doc)))
    # Terms seen once carry no more information than unseen ones: leave them out.
    return {"docs": count, "df": {t: n for t, n in sorted(df.items()) if n >= 2}}


def main(shared_data: Path) -> None:
    esco = next((shared_data / "esco").glob("*classification*.zip"))
    table = build([*_esco_docs(esco), *_onet_docs(shared_data / "onet")])
    DF_PATH.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(DF_PATH, "wt", encoding="utf-8", compresslevel=9) as handle:
        json.dump(table, handle, separators=(",", ":"))
    df = table["df"]
    assert isinstance(df, dict)
    print(f"{DF_PATH}: {table['docs']} documents, {len(df)} terms")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("../shared/data"))
