"""A small seeded world for the task, worker and alert tests: five jobs of one
organisation and five opted-in candidates of their own, indexed by the real upload and
job flows."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from tests.helpers.upload import upload_resume
from tests.plugins.api import Key, MakeKey

JOB_TEXTS = [
    ("Python Developer", "Build APIs in Python and Django on PostgreSQL. Docker preferred.", ["Python", "Django", "PostgreSQL"]),
    ("Data Engineer", "ETL pipelines with Python, SQL and Airflow; Spark a plus.", ["Python", "SQL", "Airflow"]),
    ("Registered Nurse", "Patient care in a hospital ward; BLS certification required.", ["Patient Care"]),
    ("Frontend Developer", "React and TypeScript interfaces; CSS and accessibility.", ["React", "TypeScript"]),
    ("DevOps Engineer", "Kubernetes, Terraform and AWS; Linux administration.", ["Kubernetes", "Terraform"]),
]  # fmt: skip

RESUME_TEXTS = [
    "Summary\nBackend developer.\n\nExperience\nPython Developer at Acme (2018 - 2023)\n- Responsible for building REST APIs in Python and Django\n- Duties included tuning PostgreSQL queries\n\nEducation\nBSc Computer Science\n\nSkills\nDocker, PostgreSQL, Python, Django\n",
    "Summary\nData engineer.\n\nExperience\nData Engineer at Globex (2019 - 2024)\n- Responsible for maintaining ETL pipelines in SQL and Airflow\n- Helped with migrating jobs to Spark\n\nSkills\nSQL, Airflow, Python, Spark\n",
    "Summary\nNurse with ward experience.\n\nExperience\nRegistered Nurse at City Hospital (2015 - 2022)\n- Responsible for patient care on a surgical ward\n\nCertifications\nBLS\n",
    "Experience\nFrontend Developer at Initech (2020 - 2024)\n- Built React and TypeScript interfaces\n- Was involved in accessibility audits\n\nSkills\nCSS, TypeScript, React\n",
    "Experience\nSystems Administrator at Umbrella (2016 - 2021)\n- Responsible for managing Linux servers\n- Utilized Terraform in order to provision AWS\n\nSkills\nLinux, AWS, Terraform, Kubernetes\n",
]


@dataclass(frozen=True)
class World:
    employer: Key
    candidates: list[Key]
    job_ids: list[str]
    resume_ids: list[str]


async def seed(http: httpx.AsyncClient, new_key: MakeKey, org: str = "org-a") -> World:
    """Five jobs of `org` and five opted-in candidates of their own organisation, indexed."""
    employer = await new_key(org, "employer")
    jobs = [
        {"external_id": f"job-{n}", "title": title, "description": text, "required_skills": skills}
        for n, (title, text, skills) in enumerate(JOB_TEXTS)
    ]
    answer = await http.post("/api/v1/jobs/bulk", json={"jobs": jobs}, headers=employer.headers)
    assert answer.status_code == 200, answer.text
    job_ids = list(answer.json()["ids"].values())
    candidates, resume_ids = [], []
    for n, text in enumerate(RESUME_TEXTS):
        key = await new_key(f"{org}-people-{n}", "candidate")
        resume_ids.append(await upload_resume(http, key, text))
        candidates.append(key)
    return World(employer, candidates, job_ids, resume_ids)
