"""Build the committed demo data set from the rjdb development file (run once, by hand).

    python scripts/build_demo_data.py ../shared/data/rjdb/rjdb_dev.jsonl

rjdb (Megagon Labs, CC BY-SA 4.0) holds synthetic job descriptions, each with a matching
and a near-miss resume; names and e-mails in it are fake. The demo keeps every job
description and the first 60 matching resumes, and adds a company, a location and a
remote flag chosen deterministically from the row number, so the demo can show location
filters. The output keeps rjdb's licence and attribution (ingest/data/demo/ATTRIBUTION.md).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ingest.parsing.job import parse_job

OUT = Path(__file__).resolve().parents[1] / "ingest" / "data" / "demo"
COMPANIES = [
    "Northwind Labs",
    "Bluebird Health",
    "Copperline Logistics",
    "Evergreen Analytics",
    "Harbor Civic Tech",
    "Lumen Learning Co-op",
    "Meridian Finance",
    "Oakridge Manufacturing",
    "Pinecrest Retail",
    "Riverbend Energy",
    "Summit Public Services",
    "Tidewater Media",
]
LOCATIONS = [
    "Berlin, Germany",
    "Lisbon, Portugal",
    "London, UK",
    "Toronto, Canada",
    "Austin, TX",
    "Chicago, IL",
    "Nairobi, Kenya",
    "Bangalore, India",
    "Madrid, Spain",
    "Boston, MA",
]
DEMO_RESUMES = 60


def main(source: Path) -> None:
    rows = [json.loads(line) for line in source.read_text().splitlines() if line.strip()]
    OUT.mkdir(parents=True, exist_ok=True)
    with (OUT / "jobs.jsonl").open("w") as jobs:
        for number, row in enumerate(rows):
            description = row["Job-Description"].strip()
            remote = number % 4 == 0
            job = {
                "external_id": f"rjdb-{number:03d}",
                # The product's own reading of a post's title ("**Job Title:**" on a line
                # of its own, "Title: ...", a numbered first line).
                "title": parse_job(description).title,
                "company": COMPANIES[number % len(COMPANIES)],
                "location": "Remote" if remote else LOCATIONS[number % len(LOCATIONS)],
                "remote": remote,
                "description": description,
                "required_skills": row["Skills"],
            }
            jobs.write(json.dumps(job, ensure_ascii=False) + "\n")
    with (OUT / "resumes.jsonl").open("w") as resumes:
        for number, row in enumerate(rows[:DEMO_RESUMES]):
            resume = {
                "external_id": f"rjdb-resume-{number:03d}",
                "text": row["Resume-matched"].strip(),
            }
            resumes.write(json.dumps(resume, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} jobs and {DEMO_RESUMES} resumes to {OUT}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
