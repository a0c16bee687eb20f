"""Small synthetic jobs and resumes for the matching tests (a dozen, written by hand)."""

from __future__ import annotations

from typing import Any

JOBS: list[dict[str, Any]] = [
    {
        "external_id": "py-backend",
        "title": "Senior Python Backend Engineer",
        "company": "Northwind Labs",
        "location": "Berlin, Germany",
        "description": "Build REST APIs in Python with FastAPI and PostgreSQL. Run services "
        "on Kubernetes and AWS. At least 4 years of experience required.",
        "required_skills": ["Python", "FastAPI", "PostgreSQL", "Kubernetes"],
        "preferred_skills": ["Go", "Terraform"],
        "min_years": 4,
        "salary_min": 70000,
        "salary_max": 90000,
    },
    {
        "external_id": "data-eng",
        "title": "Data Engineer",
        "company": "Evergreen Analytics",
        "location": "Remote",
        "remote": True,
        "description": "Build ETL pipelines in Python and SQL with Airflow and Spark.",
        "required_skills": ["Python", "SQL", "Airflow"],
        "preferred_skills": ["Apache Spark"],
        "min_years": 3,
        "salary_min": 60000,
        "salary_max": 75000,
    },
    {
        "external_id": "frontend",
        "title": "Frontend Developer",
        "company": "Tidewater Media",
        "location": "London, UK",
        "description": "Build web apps in TypeScript and React; CSS and accessibility.",
        "required_skills": ["TypeScript", "React", "CSS"],
    },
    {
        "external_id": "nurse",
        "title": "Registered Nurse",
        "company": "Bluebird Health",
        "location": "Toronto, Canada",
        "description": "Provide patient care on a busy ward. Medication administration, "
        "patient assessment and wound care. Registered nurse licence required.",
        "required_skills": ["Patient care", "Medication administration", "Wound care"],
        "min_years": 2,
    },
    {
        "external_id": "accountant",
        "title": "Accountant",
        "company": "Meridian Finance",
        "location": "Chicago, IL",
        "description": "Prepare financial statements, reconcile accounts, accounts payable "
        "and accounts receivable, general ledger. 3 years of experience required.",
    },
    {
        "external_id": "devops",
        "title": "DevOps Engineer",
        "company": "Copperline Logistics",
        "location": "Lisbon, Portugal",
        "description": "Operate Kubernetes clusters on AWS with Terraform; CI/CD with GitHub "
        "Actions; Docker; Python scripting. Remote work possible.",
        "required_skills": ["Kubernetes", "AWS", "Terraform", "Docker"],
        "preferred_skills": ["Python"],
        "remote": True,
    },
    {
        "external_id": "chef",
        "title": "Sous Chef",
        "company": "Pinecrest Retail",
        "location": "Madrid, Spain",
        "description": "Lead a kitchen brigade, plan menus, food safety and stock control.",
    },
    {
        "external_id": "ml-eng",
        "title": "Machine Learning Engineer",
        "company": "Harbor Civic Tech",
        "location": "Boston, MA",
        "description": "Train and deploy models with Python, PyTorch and scikit-learn; MLOps.",
        "required_skills": ["Python", "PyTorch", "Machine learning"],
    },
    {
        "external_id": "teacher",
        "title": "Primary School Teacher",
        "company": "Lumen Learning Co-op",
        "location": "Nairobi, Kenya",
        "description": "Teach a primary class; lesson planning and classroom management.",
    },
    {
        "external_id": "support",
        "title": "IT Support Technician",
        "company": "Summit Public Services",
        "location": "Austin, TX",
        "description": "Troubleshoot Windows desktops, networking and printers; help desk.",
        "required_skills": ["Troubleshooting", "Microsoft Windows", "Networking"],
    },
    {
        "external_id": "hidden",
        "title": "Python Backend Engineer (draft)",
        "company": "Northwind Labs",
        "location": "Berlin, Germany",
        "description": "Draft posting: Python, FastAPI, PostgreSQL, Kubernetes, AWS.",
        "required_skills": ["Python", "FastAPI", "PostgreSQL"],
        "published": False,
    },
]

RESUME = """Jordan Smith
jordan.smith@mail.com | +1 555 0100
Summary: Backend engineer, 6 years building Python services. He leads his team's API work.
Date of birth: 12 March 1990

Experience
Senior Software Engineer, Acme Corp (2018 - 2024)
- Built REST APIs in Python with FastAPI and PostgreSQL serving 2M requests/day
- Ran services on Kubernetes and AWS; cut cloud cost by 30%

Skills: Python, FastAPI, PostgreSQL, Docker, Kubernetes, AWS, Redis
Education: BSc Computer Science
"""

# The same resume for another person: name, email, phone, pronouns and birth date differ.
RESUME_SWAPPED = (
    RESUME.replace("Jordan Smith", "Aisha Okonkwo")
    .replace("jordan.smith@mail.com", "aisha.okonkwo@example.org")
    .replace("+1 555 0100", "+44 20 7946 0000")
    .replace("He leads his", "She leads her")
    .replace("12 March 1990", "1 January 1968")
)

NURSE_RESUME = """Maria Garcia
maria.garcia@example.com
Registered nurse with 5 years on medical wards.
Experience
Staff Nurse, City Hospital (2019 - 2024)
- Patient care, medication administration, wound care and patient assessment
Skills: Patient care, Medication administration, Wound care
"""
