"""Career answers: an occupation's knowledge from O*NET and ESCO (retrieved from Chroma),
and what the platform's published jobs ask for and pay, with how many were counted.

The knowledge lookup is synchronous (Chroma, the embedder) and runs in a worker thread.
"""

from __future__ import annotations

import asyncio
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache

from sqlalchemy.ext.asyncio import AsyncSession

from api.careers.repository import CareersRepository
from api.careers.schemas import (
    DemandOut,
    EscoOut,
    OccupationOut,
    OnetOut,
    PayStats,
    SalariesOut,
    SkillCount,
    Source,
    Technology,
)
from core.settings import get_settings
from ingest.careers import (
    ESCO_ATTRIBUTION,
    ESCO_SOURCE,
    ONET_ATTRIBUTION,
    ONET_SOURCE,
    CareerIndex,
    EscoOccupation,
    OnetOccupation,
    get_careers,
)
from ingest.embeddings import get_embedder
from ingest.index import make_client
from ingest.occupations import closeness, get_occupations
from ingest.skills import get_lexicon

ESCO_URI = "http://data.europa.eu/esco/occupation/"
# Jobs whose title names the same or a closely related occupation (same ESCO group)
# count as comparable pay.
COMPARABLE = 0.8
# Fewer comparable jobs than this: the field (ISCO unit group) is counted instead.
MIN_COMPARABLE = 3
FIELD = 0.7

Pay = tuple[float | None, float | None]


def jobs_source(count: int) -> Source:
    return Source(name=f"{count} job{'s' if count != 1 else ''} on ClearView")


@lru_cache(maxsize=4)
def _career_index(chroma_location: str) -> CareerIndex:
    return CareerIndex(make_client(get_settings()), get_embedder())


def get_career_index() -> CareerIndex:
    """The career index of the configured Chroma (one per store: tests switch stores)."""
    return _career_index(get_settings().chroma_location)


def _onet_out(onet: OnetOccupation) -> OnetOut:
    knowledge = get_careers()
    related = [knowledge.onet[c].title for c in onet.related if c in knowledge.onet]
    return OnetOut(
        code=onet.code,
        title=onet.title,
        description=onet.description,
        alt_titles=list(onet.alt_titles),
        technology=[
            Technology(name=t.name, hot=t.hot, in_demand=t.in_demand) for t in onet.technology
        ],
        related=related,
        source=Source(name=ONET_SOURCE, attribution=ONET_ATTRIBUTION),
    )


def _esco_out(esco: EscoOccupation) -> EscoOut:
    return EscoOut(
        uri=ESCO_URI + esco.uri_id,
        label=esco.label,
        description=esco.description,
        alt_titles=list(esco.alt_titles),
        essential_skills=list(esco.essential_skills),
        optional_skills=list(esco.optional_skills),
        source=Source(name=ESCO_SOURCE, attribution=ESCO_ATTRIBUTION),
    )


def _skill_key(name: str) -> str:
    skill = get_lexicon().normalise(name)
    return skill.id if skill else " ".join(name.lower().split())


def _stats(values: Sequence[float]) -> PayStats | None:
    if not values:
        return None
    if len(values) == 1:
        return PayStats(low=values[0], median=values[0], high=values[0])
    low, median, high = statistics.quantiles(values, n=4, method="inclusive")
    return PayStats(low=low, median=median, high=high)


class CareerService:
    async def occupation(self, query: str) -> OccupationOut:
        found = await asyncio.to_thread(get_career_index().find, query)
        if found is None:
            return OccupationOut(query=query, found_by=None, similarity=None, onet=None, esco=None)
        return OccupationOut(
            query=query,
            found_by=found.how,
            similarity=round(found.similarity, 3),
            onet=_onet_out(found.onet) if found.onet else None,
            esco=_esco_out(found.esco) if found.esco else None,
        )

    async def demand(self, session: AsyncSession, skills: Sequence[str]) -> DemandOut:
        """How many published jobs ask for each skill (every skill asked for when none
        is given), most asked for first."""
        jobs = await CareersRepository(session).published_skills()
        counts: Counter[str] = Counter()
        names: dict[str, str] = {}
        for required, preferred in jobs:
            keys = set()
            for name in [*required, *preferred]:
                key = _skill_key(name)
                names.setdefault(key, name)
                keys.add(key)
            counts.update(keys)
        if skills:
            wanted = {_skill_key(s): s for s in skills}
            ranked = [SkillCount(skill=name, jobs=counts[key]) for key, name in wanted.items()]
        else:
            ranked = [SkillCount(skill=names[k], jobs=n) for k, n in counts.items()]
        ranked.sort(key=lambda c: (-c.jobs, c.skill.lower()))
        return DemandOut(jobs=len(jobs), skills=ranked[:50], source=jobs_source(len(jobs)))

    async def salaries(
        self, session: AsyncSession, title: str, currency: str | None = None
    ) -> SalariesOut:
        """Pay of the published jobs whose title names the same (or a closely related)
        occupation as `title`; the wider field when too few do."""
        titles = get_occupations()
        link = titles.link(title)
        rows = await CareersRepository(session).published_pay()
        # (closeness to the asked occupation, currency, pay) of each job, its title linked once
        scored: list[tuple[float, str, Pay]] = []
        if link is not None:
            for row_title, low, high, row_currency in rows:
                other = titles.link(row_title)
                value = closeness(link.occupation, other.occupation) if other else 0.0
                scored.append((value, (row_currency or "").upper(), (low, high)))
        if currency is None:
            # never quartiles of mixed currencies: the one most of the field's jobs state
            currency = _usual_currency(c for value, c, _ in scored if value >= FIELD)
        near: dict[float, list[Pay]] = {COMPARABLE: [], FIELD: []}
        for value, row_currency, pay in scored:
            if currency and row_currency not in ("", currency.upper()):
                continue
            for threshold, bucket in near.items():
                if value >= threshold:
                    bucket.append(pay)
        comparable = near[COMPARABLE]
        if len(comparable) < MIN_COMPARABLE:
            comparable = near[FIELD]
        mins = sorted(float(low) for low, _ in comparable if low is not None)
        maxes = sorted(float(high) for _, high in comparable if high is not None)
        return SalariesOut(
            title=title,
            occupation=link.occupation.name if link else None,
            currency=currency,
            jobs=len(comparable),
            salary_min=_stats(mins),
            salary_max=_stats(maxes),
            source=jobs_source(len(comparable)),
        )


def _usual_currency(currencies: Iterable[str]) -> str | None:
    """The currency most of these jobs state (ties: the first alphabetically), or None
    when none states one."""
    counts = Counter(c for c in currencies if c)
    if not counts:
        return None
    return min(counts, key=lambda c: (-counts[c], c))


career_service = CareerService()
