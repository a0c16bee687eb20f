"""Build the labelled reading corpus in tests/fixtures/reading/ (fictional people only).

Each resume is written from one record (jobs with real month dates, education, skills)
into one of thirteen layouts the way different people write them: LaTeX (classic one-column,
two-column with a sidebar, dates in a margin column), Word files (tables; heading styles), PDFs like
Google Docs or Canva exports (one and two columns), text pasted from a job portal,
Markdown, HTML, and resumes in German, French, Spanish and Portuguese. The label is
written next to it from the same record: the sections present, each job's title,
employer and dates as written, the years those dates cover, and the skills listed.

Run: .venv/bin/python scripts/make_reading_corpus.py   (needs pdflatex for the LaTeX set;
the output is committed, so tests and benches never run this).
"""

from __future__ import annotations

import html
import io
import json
import random
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "reading"
AS_OF = (2026, 12)  # "today" of the labels: spans that run to Present end here

# --- the people -----------------------------------------------------------------------

FIRST = [
    "Amara",
    "Lukas",
    "Ines",
    "Tomasz",
    "Priya",
    "Jonas",
    "Leila",
    "Mateo",
    "Sofia",
    "Daniel",
    "Hana",
    "Oskar",
    "Beatriz",
    "Kwame",
    "Elif",
    "Marco",
    "Nadia",
    "Pieter",
    "Yuki",
    "Carmen",
    "Olu",
    "Freya",
    "Rafael",
    "Anouk",
    "Dmitri",
    "Chloe",
    "Tariq",
    "Greta",
    "Luis",
    "Maren",
    "Idris",
    "Paula",
    "Hugo",
    "Zainab",
    "Emil",
    "Rosa",
    "Felix",
    "Aisha",
    "Bruno",
    "Ilse",
]
LAST = [
    "Okafor",
    "Brandt",
    "Moreau",
    "Kowalski",
    "Raman",
    "Lindqvist",
    "Haddad",
    "Ortega",
    "Ricci",
    "Novak",
    "Sato",
    "Berger",
    "Alves",
    "Mensah",
    "Yilmaz",
    "Conti",
    "Farouk",
    "Visser",
    "Tanaka",
    "Delgado",
    "Adeyemi",
    "Holm",
    "Costa",
    "Jansen",
    "Volkov",
    "Laurent",
    "Aziz",
    "Richter",
    "Navarro",
    "Eklund",
    "Bakr",
    "Ferreira",
    "Dubois",
    "Osei",
    "Weber",
]
CITIES = [
    "Leeds",
    "Rotterdam",
    "Lyon",
    "Austin, TX",
    "Porto",
    "Gdansk",
    "Denver, CO",
    "Bristol",
    "Valencia",
    "Graz",
    "Cork",
    "Malmo",
]


@dataclass
class Trade:
    titles: list[str]
    employers: list[str]
    bullets: list[str]
    skills: list[str]
    degrees: list[str]
    summary: str


TRADES: dict[str, Trade] = {
    "software": Trade(
        [
            "Software Engineer",
            "Senior Software Engineer",
            "Backend Developer",
            "Junior Developer",
            "Lead Engineer",
            "Full Stack Developer",
        ],
        [
            "Brightwave Labs",
            "Nordhaven Systems",
            "Quillstack Ltd",
            "Orbitline GmbH",
            "Tessellate Software",
            "Kitewire Inc.",
        ],
        [
            "Built a payments API in Python serving 2 million requests a day",
            "Cut page load time by 40% by moving rendering to the server",
            "Migrated 30 services from a VM fleet to Kubernetes",
            "Mentored four junior developers through code review and pairing",
            "Designed the PostgreSQL schema for the billing platform",
            "Automated releases with GitHub Actions, from weekly to daily deploys",
            "Wrote integration tests that caught 60% of regressions before release",
        ],
        [
            "Python",
            "Java",
            "PostgreSQL",
            "Docker",
            "Kubernetes",
            "AWS",
            "React",
            "Git",
            "TypeScript",
            "Terraform",
            "Redis",
            "Linux",
        ],
        ["BSc Computer Science", "MSc Software Engineering", "BEng Computer Engineering"],
        "Engineer who builds reliable backend services and ships small changes often.",
    ),
    "nursing": Trade(
        [
            "Registered Nurse",
            "Staff Nurse",
            "Charge Nurse",
            "Clinical Nurse Specialist",
            "Nursing Assistant",
        ],
        [
            "St. Aldric General Hospital",
            "Riverside Care Trust",
            "Meadowbank Clinic",
            "Northgate Medical Centre",
            "Harbourview Hospice",
        ],
        [
            "Cared for up to 8 patients per shift on a 30-bed surgical ward",
            "Administered medication and monitored vital signs for post-operative patients",
            "Trained 12 new staff on the electronic health record system",
            "Reduced patient falls by 25% with an hourly rounding programme",
            "Coordinated discharge plans with families and community teams",
        ],
        [
            "Patient Care",
            "Medication Administration",
            "Wound Care",
            "Triage",
            "BLS",
            "Electronic Health Records",
            "Infection Control",
            "Phlebotomy",
        ],
        ["BSc Nursing", "Diploma in Adult Nursing", "Associate Degree in Nursing"],
        "Compassionate nurse with acute and surgical ward experience.",
    ),
    "accounting": Trade(
        [
            "Accountant",
            "Senior Accountant",
            "Accounts Payable Clerk",
            "Financial Analyst",
            "Payroll Specialist",
            "Audit Associate",
        ],
        [
            "Hartley & Finch LLP",
            "Corvane Holdings",
            "Bluestone Retail Group",
            "Pemberton Audit Partners",
            "Greyfield Logistics",
        ],
        [
            "Prepared monthly management accounts for 4 business units",
            "Reconciled 60 bank accounts and cleared a backlog of 900 items",
            "Closed the books in 5 days instead of 9",
            "Processed payroll for 350 employees across two countries",
            "Supported the external audit with complete working papers",
        ],
        [
            "Excel",
            "SAP",
            "QuickBooks",
            "Financial Reporting",
            "Reconciliation",
            "IFRS",
            "Budgeting",
            "Payroll",
            "Sage",
        ],
        ["BA Accounting and Finance", "BCom Accounting", "ACCA Qualification"],
        "Qualified accountant focused on month-end close and clean audits.",
    ),
    "teaching": Trade(
        [
            "Teacher",
            "Mathematics Teacher",
            "Primary School Teacher",
            "Head of Science",
            "Teaching Assistant",
        ],
        [
            "Oakridge Academy",
            "Linden Primary School",
            "Westbrook High School",
            "Hollins College",
            "Marlow Community School",
        ],
        [
            "Taught mathematics to five classes of 30 students aged 11 to 16",
            "Raised pass rates in the final exams from 62% to 81%",
            "Planned lessons and marked coursework for Year 7 and Year 8",
            "Ran the after-school robotics club for 20 pupils",
            "Led a department of 6 teachers and introduced shared lesson plans",
        ],
        [
            "Lesson Planning",
            "Classroom Management",
            "Curriculum Design",
            "Assessment",
            "Google Classroom",
            "Differentiated Instruction",
            "Safeguarding",
        ],
        ["BEd Primary Education", "PGCE Secondary Mathematics", "BSc Mathematics"],
        "Teacher who makes mathematics concrete and keeps every pupil on board.",
    ),
    "hospitality": Trade(
        [
            "Sous Chef",
            "Line Cook",
            "Head Chef",
            "Restaurant Manager",
            "Barista",
            "Front of House Supervisor",
        ],
        [
            "The Copper Pot",
            "Saltmarsh Bistro",
            "Hotel Rivage",
            "Juniper & Thyme",
            "Harbour Street Kitchen",
        ],
        [
            "Ran the grill and sauce sections for 180 covers a night",
            "Cut food waste by 18% with weekly stock counts and a new prep list",
            "Trained 6 commis chefs on knife skills and food safety",
            "Designed a seasonal menu that raised average spend by 12%",
            "Kept a 5-star food hygiene rating through three inspections",
        ],
        [
            "Food Safety",
            "Menu Planning",
            "Stock Control",
            "Team Leadership",
            "Inventory Management",
            "HACCP",
            "Customer Service",
        ],
        [
            "Diploma in Culinary Arts",
            "NVQ Level 3 Professional Cookery",
            "BA Hospitality Management",
        ],
        "Chef with ten years in busy kitchens, calm under pressure.",
    ),
    "sales": Trade(
        [
            "Sales Representative",
            "Account Manager",
            "Sales Manager",
            "Business Development Executive",
            "Customer Success Manager",
        ],
        [
            "Verdant Supplies",
            "Atlas Office Solutions",
            "Northwind Traders",
            "Pinecrest Media",
            "Solent Telecom",
        ],
        [
            "Grew territory revenue from 1.2M to 2.0M in two years",
            "Managed 45 key accounts with a 95% renewal rate",
            "Opened 30 new accounts in the education sector",
            "Ran product demos for prospects and closed 40% of them",
            "Kept the CRM pipeline current for a team of 8",
        ],
        [
            "Salesforce",
            "Negotiation",
            "Account Management",
            "CRM",
            "Lead Generation",
            "Cold Calling",
            "Microsoft Office",
        ],
        ["BA Business Administration", "BSc Marketing", "HND Business"],
        "Sales professional who builds long customer relationships.",
    ),
    "logistics": Trade(
        [
            "Warehouse Supervisor",
            "Logistics Coordinator",
            "Forklift Operator",
            "Supply Chain Analyst",
            "Operations Manager",
            "Delivery Driver",
        ],
        [
            "Meridian Freight",
            "Castleford Distribution",
            "Quayside Logistics",
            "Redline Couriers",
            "Anvil Parts Depot",
        ],
        [
            "Supervised a team of 14 pickers across two shifts",
            "Raised order accuracy to 99.6% with barcode checks at packing",
            "Planned routes for 20 vans and cut fuel costs by 9%",
            "Ran weekly cycle counts for 8,000 stock lines",
            "Trained staff on manual handling and forklift safety",
        ],
        [
            "Inventory Management",
            "Forklift",
            "SAP",
            "Route Planning",
            "Excel",
            "Health and Safety",
            "Warehouse Management Systems",
        ],
        ["BSc Logistics and Supply Chain", "Certificate in Warehousing", "HNC Business"],
        "Operations lead who keeps goods moving on time and safely.",
    ),
    "design": Trade(
        ["Graphic Designer", "UX Designer", "Product Designer", "Junior Designer", "Art Director"],
        [
            "Fernleaf Studio",
            "Mosaic Creative",
            "Paperkite Agency",
            "Lumen Digital",
            "Harrow & Vane",
        ],
        [
            "Designed brand identities for 25 small businesses",
            "Ran usability tests with 40 users and simplified checkout to 3 steps",
            "Built the design system used by 5 product teams",
            "Produced print and social campaigns for a national retailer",
            "Raised sign-up conversion by 15% with a redesigned landing page",
        ],
        [
            "Figma",
            "Adobe Photoshop",
            "Adobe Illustrator",
            "InDesign",
            "User Research",
            "Prototyping",
            "Typography",
        ],
        ["BA Graphic Design", "BA Visual Communication", "MA Interaction Design"],
        "Designer who turns research into interfaces people enjoy using.",
    ),
    "data": Trade(
        [
            "Data Analyst",
            "Data Scientist",
            "Business Intelligence Analyst",
            "Senior Data Analyst",
            "Analytics Engineer",
        ],
        [
            "Cobalt Insights",
            "Greenleaf Insurance",
            "Helix Health Analytics",
            "Marlowe Bank",
            "Sundial Retail",
        ],
        [
            "Built Power BI dashboards used by 200 managers every week",
            "Wrote SQL models that replaced 15 manual spreadsheets",
            "Forecast weekly demand with a model 20% more accurate than the old one",
            "Ran A/B tests for the pricing team and reported results to the board",
            "Cleaned and joined claims data from 3 legacy systems",
        ],
        ["SQL", "Python", "Power BI", "Tableau", "Excel", "Statistics", "pandas", "R"],
        ["MSc Data Science", "BSc Statistics", "BSc Economics"],
        "Analyst who answers business questions with clean data and clear charts.",
    ),
    "trades": Trade(
        [
            "Electrician",
            "Maintenance Technician",
            "Apprentice Electrician",
            "Plumber",
            "HVAC Technician",
        ],
        [
            "Brightspark Electrical",
            "Kingsway Facilities",
            "Ironbridge Building Services",
            "Halden Plumbing & Heating",
            "Coastline Maintenance",
        ],
        [
            "Installed and tested wiring in 40 new-build homes",
            "Carried out planned maintenance on boilers and air handling units",
            "Cut call-out response time to under 2 hours",
            "Diagnosed faults on three-phase motors and control panels",
            "Completed all work to regulations with zero failed inspections",
        ],
        [
            "Electrical Installation",
            "Fault Finding",
            "PLC",
            "Preventive Maintenance",
            "Health and Safety",
            "AutoCAD",
            "HVAC",
        ],
        [
            "City & Guilds Level 3 Electrical Installation",
            "NVQ Level 3 Plumbing",
            "HNC Electrical Engineering",
        ],
        "Qualified tradesperson with a clean safety record.",
    ),
}

# Headings as people write them, per kind and language; the label uses the kind.
HEADINGS: dict[str, dict[str, list[str]]] = {
    "en": {
        "summary": [
            "Summary",
            "Professional Summary",
            "Profile",
            "About Me",
            "Career Summary",
            "Objective",
            "Personal Statement",
        ],
        "experience": [
            "Experience",
            "Work Experience",
            "Professional Experience",
            "Employment History",
            "Work History",
            "Career History",
            "Employment",
        ],
        "education": [
            "Education",
            "Academic Background",
            "Education and Training",
            "Qualifications",
            "Education & Training",
        ],
        "skills": [
            "Skills",
            "Technical Skills",
            "Core Competencies",
            "Key Skills",
            "Areas of Expertise",
            "Skills & Abilities",
            "Strengths",
        ],
        "languages": ["Languages"],
        "certifications": ["Certifications", "Licenses & Certifications", "Certificates"],
    },
    "de": {
        "summary": ["Profil", "Kurzprofil", "Über mich"],
        "experience": ["Berufserfahrung", "Beruflicher Werdegang", "Berufspraxis"],
        "education": ["Ausbildung", "Bildungsweg", "Studium und Ausbildung"],
        "skills": ["Kenntnisse", "Fähigkeiten", "Kompetenzen", "EDV-Kenntnisse"],
        "languages": ["Sprachen", "Sprachkenntnisse"],
        "certifications": ["Zertifikate", "Weiterbildung"],
    },
    "fr": {
        "summary": ["Profil", "Résumé", "À propos"],
        "experience": [
            "Expérience professionnelle",
            "Expériences professionnelles",
            "Parcours professionnel",
        ],
        "education": ["Formation", "Formations", "Diplômes"],
        "skills": ["Compétences", "Compétences techniques", "Savoir-faire"],
        "languages": ["Langues"],
        "certifications": ["Certifications"],
    },
    "es": {
        "summary": ["Perfil", "Perfil profesional", "Resumen"],
        "experience": ["Experiencia laboral", "Experiencia profesional", "Experiencia"],
        "education": ["Formación", "Educación", "Formación académica"],
        "skills": ["Habilidades", "Competencias", "Conocimientos"],
        "languages": ["Idiomas"],
        "certifications": ["Certificaciones", "Cursos"],
    },
    "pt": {
        "summary": ["Perfil", "Resumo profissional", "Sobre mim"],
        "experience": ["Experiência profissional", "Experiência", "Histórico profissional"],
        "education": ["Formação acadêmica", "Educação", "Formação"],
        "skills": ["Competências", "Habilidades", "Conhecimentos"],
        "languages": ["Idiomas"],
        "certifications": ["Certificações", "Cursos"],
    },
}
MONTHS = {
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    "de": [
        "Januar",
        "Februar",
        "März",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
    ],
    "fr": [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ],
    "es": [
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ],
    "pt": [
        "janeiro",
        "fevereiro",
        "março",
        "abril",
        "maio",
        "junho",
        "julho",
        "agosto",
        "setembro",
        "outubro",
        "novembro",
        "dezembro",
    ],
}
PRESENT = {"en": "Present", "de": "heute", "fr": "aujourd'hui", "es": "actualidad", "pt": "atual"}
FOREIGN_TITLES = {
    "de": [
        ("Softwareentwickler", "software"),
        ("Krankenpfleger", "nursing"),
        ("Buchhalterin", "accounting"),
        ("Lagerleiter", "logistics"),
        ("Koch", "hospitality"),
    ],
    "fr": [
        ("Développeur logiciel", "software"),
        ("Infirmière", "nursing"),
        ("Comptable", "accounting"),
        ("Chef de cuisine", "hospitality"),
        ("Analyste de données", "data"),
    ],
    "es": [
        ("Desarrollador de software", "software"),
        ("Enfermera", "nursing"),
        ("Contable", "accounting"),
        ("Cocinero", "hospitality"),
        ("Diseñadora gráfica", "design"),
    ],
    "pt": [
        ("Engenheiro de software", "software"),
        ("Enfermeira", "nursing"),
        ("Contador", "accounting"),
        ("Analista de dados", "data"),
        ("Eletricista", "trades"),
    ],
}
FOREIGN_BULLETS = {
    "de": [
        "Verantwortung für ein Team von 6 Mitarbeitern",
        "Einführung eines neuen Systems",
        "Betreuung von 40 Kunden",
        "Senkung der Kosten um 15%",
    ],
    "fr": [
        "Gestion d'une équipe de 6 personnes",
        "Mise en place d'un nouvel outil",
        "Suivi de 40 clients",
        "Réduction des coûts de 15%",
    ],
    "es": [
        "Gestión de un equipo de 6 personas",
        "Implantación de un nuevo sistema",
        "Atención a 40 clientes",
        "Reducción de costes del 15%",
    ],
    "pt": [
        "Gestão de uma equipa de 6 pessoas",
        "Implementação de um novo sistema",
        "Atendimento a 40 clientes",
        "Redução de custos em 15%",
    ],
}


@dataclass
class Job:
    title: str
    employer: str
    city: str
    start: tuple[int, int]
    end: tuple[int, int] | None  # None: to the present
    bullets: list[str]


@dataclass
class Person:
    name: str
    email: str
    phone: str
    city: str
    lang: str
    headline: str
    summary: str | None
    jobs: list[Job]
    education: list[tuple[str, str, int, int]]  # degree, school, start year, end year
    skills: list[str] | None
    languages: list[str] | None
    certifications: list[str] | None
    headings: dict[str, str] = field(default_factory=dict)


def make_person(rng: random.Random, lang: str, n: int) -> Person:
    first, last = FIRST[n % len(FIRST)], LAST[(n * 7) % len(LAST)]
    if lang == "en":
        trade_name = rng.choice(sorted(TRADES))
        trade = TRADES[trade_name]
        title_pool = trade.titles
    else:
        local_title, trade_name = rng.choice(FOREIGN_TITLES[lang])
        trade = TRADES[trade_name]
        title_pool = [local_title]
    # jobs, most recent first; sometimes a gap, sometimes an overlap
    count = rng.choice([1, 2, 2, 3, 3, 3, 4, 4, 5])
    year, month = AS_OF[0], rng.randint(1, 11)
    jobs: list[Job] = []
    current = rng.random() < 0.6
    end: tuple[int, int] | None = (
        None if current else (year - rng.randint(0, 1), rng.randint(1, 12))
    )
    employers = rng.sample(trade.employers, k=min(count, len(trade.employers)))
    for i in range(count):
        length = rng.randint(8, 50)
        last_month = end or (AS_OF[0], AS_OF[1])
        start_index = last_month[0] * 12 + last_month[1] - 1 - length
        start = (start_index // 12, start_index % 12 + 1)
        bullets = rng.sample(
            trade.bullets if lang == "en" else FOREIGN_BULLETS[lang], k=rng.randint(2, 4)
        )
        jobs.append(
            Job(
                rng.choice(title_pool),
                employers[i % len(employers)],
                rng.choice(CITIES),
                start,
                end,
                bullets,
            )
        )
        gap = rng.choice([0, 0, 1, 2, 4, -2])
        end_index = start_index - 1 - gap
        end = (end_index // 12, end_index % 12 + 1)
    del year, month
    edu_end = jobs[-1].start[0] - rng.randint(0, 1)
    education = [
        (
            rng.choice(trade.degrees),
            rng.choice(
                [
                    "University of Eastmoor",
                    "Northfield College",
                    "Université de Rivemont",
                    "Technische Hochschule Altenberg",
                    "Universidad de Loma Clara",
                    "Instituto Politécnico do Vale",
                    "Kingsbridge Institute",
                    "Lakeside Community College",
                ]
            ),
            edu_end - 3,
            edu_end,
        )
    ]
    skills = rng.sample(trade.skills, k=rng.randint(4, min(8, len(trade.skills))))
    has = {
        "summary": rng.random() < 0.75,
        "skills": rng.random() < 0.9,
        "languages": rng.random() < 0.35,
        "certifications": rng.random() < 0.25,
    }
    langs = {
        "en": ["English (native)", "Spanish (B1)"],
        "de": ["Deutsch (Muttersprache)", "Englisch (C1)"],
        "fr": ["Français (langue maternelle)", "Anglais (B2)"],
        "es": ["Español (nativo)", "Inglés (B2)"],
        "pt": ["Português (nativo)", "Inglês (C1)"],
    }[lang]
    headings = {kind: rng.choice(options) for kind, options in HEADINGS[lang].items()}
    return Person(
        name=f"{first} {last}",
        email=f"{first.lower()}.{last.lower()}@example.com",
        phone=rng.choice(["+44 7700 900{:03d}", "(555) 010-{:04d}", "+49 151 2345{:04d}"]).format(
            n
        ),
        city=rng.choice(CITIES),
        lang=lang,
        headline=jobs[0].title,
        summary=trade.summary if has["summary"] else None,
        jobs=jobs,
        education=education,
        skills=skills if has["skills"] else None,
        languages=langs if has["languages"] else None,
        certifications=(
            ["First Aid at Work (2021)", "Project Management Foundations (2022)"]
            if has["certifications"]
            else None
        ),
        headings=headings,
    )


# --- dates as people write them -------------------------------------------------------

DATE_STYLES = ["Mon YYYY", "Month YYYY", "MM/YYYY", "YYYY", "Mon'YY", "Mon-YYYY", "YYYY.MM"]


def fmt_date(d: tuple[int, int] | None, style: str, lang: str, *, end: bool = False) -> str:
    if d is None:
        if lang == "en":
            return random.choice(["Present", "Present", "Current", "till date", "Now", "Ongoing"])
        return PRESENT[lang]
    y, m = d
    name = MONTHS[lang][m - 1]
    if style == "Mon YYYY":
        short = name[:3] if lang == "en" else name[:4].rstrip(".") + "."
        return f"{short} {y}" if lang == "en" else f"{name} {y}"
    if style == "Month YYYY":
        return f"{name} {y}"
    if style == "MM/YYYY":
        return f"{m:02d}/{y}"
    if style == "YYYY":
        return str(y)
    if style == "Mon'YY":
        return f"{name[:3]}'{y % 100:02d}" if lang == "en" else f"{name} {y}"
    if style == "Mon-YYYY":
        return f"{name[:3]}-{y}" if lang == "en" else f"{name} {y}"
    return f"{y}.{m:02d}"


def written_span(job: Job, style: str) -> tuple[str, str]:
    """Start and end as the label records them (what the text says, at its precision)."""

    def one(d: tuple[int, int] | None) -> str:
        if d is None:
            return "present"
        return str(d[0]) if style == "YYYY" else f"{d[0]}-{d[1]:02d}"

    return one(job.start), one(job.end)


def years_of(spans: list[tuple[str, str]]) -> float:
    """Union of the written spans up to AS_OF, as people count them: a month range is
    inclusive ("Jan - Mar" is three months), a year-only end is exclusive ("2019 - 2023"
    is four years)."""
    months: list[tuple[int, int]] = []
    for start, end in spans:
        first = int(start[:4]) * 12 + (int(start[5:7]) - 1 if len(start) > 4 else 0)
        if end == "present":
            last = AS_OF[0] * 12 + AS_OF[1]
        elif len(end) == 4:
            last = int(end) * 12 if int(end) > int(start[:4]) else int(end) * 12 + 12
        else:
            last = int(end[:4]) * 12 + int(end[5:7])
        months.append((first, max(last, first + 1)))
    months.sort()
    total, cur_s, cur_e = 0, None, None
    for s, e in months:
        if cur_e is None or s > cur_e:
            if cur_e is not None and cur_s is not None:
                total += cur_e - cur_s
            cur_s, cur_e = s, e
        else:
            cur_e = max(cur_e, e)
    if cur_e is not None and cur_s is not None:
        total += cur_e - cur_s
    return round(total / 12, 2)


# --- layouts --------------------------------------------------------------------------


def dash(rng: random.Random) -> str:
    return rng.choice([" - ", " – ", " — ", " to ", "–"])


def tex(s: str) -> str:
    return (
        s.replace("\\", r"\textbackslash{}")
        .replace("&", r"\&")
        .replace("%", r"\%")
        .replace("#", r"\#")
        .replace("_", r"\_")
        .replace("$", r"\$")
    )


def sections_in_order(p: Person, rng: random.Random) -> list[str]:
    order = ["summary", "experience", "education", "skills", "certifications", "languages"]
    if rng.random() < 0.3:
        order = ["summary", "skills", "experience", "education", "certifications", "languages"]
    present = {
        "summary": p.summary,
        "experience": p.jobs,
        "education": p.education,
        "skills": p.skills,
        "certifications": p.certifications,
        "languages": p.languages,
    }
    return [k for k in order if present[k]]


def job_dates(job: Job, style: str, lang: str, rng: random.Random, sep: str) -> str:
    return fmt_date(job.start, style, lang) + sep + fmt_date(job.end, style, lang, end=True)


def render_latex_classic(p: Person, rng: random.Random, style: str) -> str:
    sep = rng.choice([" -- ", " --- ", " -- "])
    body = [
        r"\documentclass[10pt,a4paper]{article}",
        r"\usepackage[margin=0.8in]{geometry}",
        r"\usepackage{titlesec}",
        r"\usepackage{enumitem}",
        r"\pagestyle{empty}",
        r"\titleformat{\section}{\large\scshape\raggedright}{}{0em}{}[\titlerule]",
        r"\begin{document}",
        r"\begin{center}{\Huge \textbf{" + tex(p.name) + r"}}\\[4pt]",
        tex(p.city) + r" $|$ " + tex(p.phone) + r" $|$ \texttt{" + tex(p.email) + r"}",
        r"\end{center}",
    ]
    for kind in sections_in_order(p, rng):
        body.append(r"\section*{" + tex(p.headings[kind]) + "}")
        if kind == "summary":
            body.append(tex(p.summary or ""))
        elif kind == "experience":
            for j in p.jobs:
                body.append(
                    r"\noindent\textbf{"
                    + tex(j.title)
                    + r"} \hfill "
                    + tex(job_dates(j, style, p.lang, rng, sep))
                    + r"\\"
                )
                body.append(
                    r"\textit{" + tex(j.employer) + r"} \hfill \textit{" + tex(j.city) + "}"
                )
                body.append(r"\begin{itemize}[leftmargin=*,noitemsep,topsep=2pt]")
                body += [r"\item " + tex(b) for b in j.bullets]
                body.append(r"\end{itemize}")
        elif kind == "education":
            for deg, school, s, e in p.education:
                body.append(
                    r"\noindent\textbf{"
                    + tex(school)
                    + r"} \hfill "
                    + f"{s}{sep}{e}"
                    + r"\\ "
                    + tex(deg)
                    + r"\par"
                )
        elif kind == "skills":
            body.append(r"\noindent " + ", ".join(tex(s) for s in p.skills or []))
        else:
            items = p.certifications if kind == "certifications" else p.languages
            body.append(r"\begin{itemize}[leftmargin=*,noitemsep]")
            body += [r"\item " + tex(i) for i in items or []]
            body.append(r"\end{itemize}")
    body.append(r"\end{document}")
    return "\n".join(body)


def render_latex_twocol(p: Person, rng: random.Random, style: str) -> str:
    sep = " -- "
    side = ["education", "skills", "languages", "certifications"]
    body = [
        r"\documentclass[10pt,a4paper]{article}",
        r"\usepackage[margin=0.6in]{geometry}",
        r"\usepackage{paracol}",
        r"\usepackage{enumitem}",
        r"\usepackage{xcolor}",
        r"\pagestyle{empty}",
        r"\columnratio{0.33}",
        r"\newcommand{\cvsection}[1]{\vspace{6pt}{\large\bfseries\color{teal}\MakeUppercase{#1}}\par\vspace{2pt}\hrule\vspace{4pt}}",
        r"\begin{document}",
        r"{\Huge\bfseries " + tex(p.name) + r"}\par",
        r"{\large " + tex(p.headline) + r"}\par\smallskip",
        tex(p.email) + r" \quad " + tex(p.phone) + r" \quad " + tex(p.city) + r"\par",
        r"\begin{paracol}{2}",
    ]
    for kind in side:
        if kind not in sections_in_order(p, rng):
            continue
        body.append(r"\cvsection{" + tex(p.headings[kind]) + "}")
        if kind == "education":
            for deg, school, s, e in p.education:
                body.append(
                    r"\textbf{" + tex(deg) + r"}\\" + tex(school) + r"\\" + f"{s}{sep}{e}" + r"\par"
                )
        elif kind == "skills":
            body += [tex(s) + r"\\" for s in p.skills or []]
        else:
            body += [
                tex(i) + r"\\"
                for i in (p.languages if kind == "languages" else p.certifications) or []
            ]
    body.append(r"\switchcolumn")
    for kind in ("summary", "experience"):
        if kind == "summary" and not p.summary:
            continue
        body.append(r"\cvsection{" + tex(p.headings[kind]) + "}")
        if kind == "summary":
            body.append(tex(p.summary or "") + r"\par")
        else:
            for j in p.jobs:
                body.append(r"{\bfseries " + tex(j.title) + r"}\par")
                body.append(
                    r"{\color{teal}"
                    + tex(j.employer)
                    + r"} \hfill {\small "
                    + tex(job_dates(j, style, p.lang, rng, sep))
                    + r"}\par"
                )
                body.append(r"\begin{itemize}[leftmargin=*,noitemsep,topsep=1pt]")
                body += [r"\item " + tex(b) for b in j.bullets]
                body.append(r"\end{itemize}")
    body += [r"\end{paracol}", r"\end{document}"]
    return "\n".join(body)


def render_latex_tabular(p: Person, rng: random.Random, style: str) -> str:
    """Dates in a left margin column and small capitals headings (the moderncv look,
    without its icon fonts)."""
    body = [
        r"\documentclass[11pt,a4paper]{article}",
        r"\usepackage[margin=0.9in]{geometry}",
        r"\usepackage{array}",
        r"\pagestyle{empty}",
        r"\setlength{\parindent}{0pt}",
        r"\begin{document}",
        r"{\LARGE\scshape " + tex(p.name) + r"}\par",
        r"{\itshape " + tex(p.headline) + r"}\par\medskip",
        tex(p.email) + r" \textbullet{} " + tex(p.phone) + r"\par",
    ]
    for kind in sections_in_order(p, rng):
        body.append(r"\par\bigskip{\large\scshape " + tex(p.headings[kind]) + r"}\par\smallskip")
        body.append(r"\begin{tabular}{>{\raggedleft\small}p{3.2cm}p{12cm}}")
        if kind == "summary":
            body.append(r" & " + tex(p.summary or "") + r"\\")
        elif kind == "experience":
            for j in p.jobs:
                bullets = "".join(r"\newline\textbullet{} " + tex(b) for b in j.bullets)
                body.append(
                    tex(job_dates(j, style, p.lang, rng, "--"))
                    + r" & \textbf{"
                    + tex(j.title)
                    + r"}, \textit{"
                    + tex(j.employer)
                    + "}, "
                    + tex(j.city)
                    + bullets
                    + r"\\[4pt]"
                )
        elif kind == "education":
            for deg, school, s, e in p.education:
                body.append(f"{s}--{e}" + r" & \textbf{" + tex(deg) + "}, " + tex(school) + r"\\")
        elif kind == "skills":
            body.append(r" & " + ", ".join(tex(s) for s in p.skills or []) + r"\\")
        else:
            for i in (p.languages if kind == "languages" else p.certifications) or []:
                body.append(r" & " + tex(i) + r"\\")
        body.append(r"\end{tabular}")
    body.append(r"\end{document}")
    return "\n".join(body)


def compile_latex(source: str) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "cv.tex").write_text(source, encoding="utf-8")
        proc = subprocess.run(
            ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "cv.tex"],
            cwd=tmp,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if proc.returncode != 0:
            raise RuntimeError(proc.stdout[-2000:])
        return Path(tmp, "cv.pdf").read_bytes()


def render_docx_table(p: Person, rng: random.Random, style: str) -> bytes:
    import docx
    from docx.shared import Pt

    d = docx.Document()
    header = d.add_table(rows=1, cols=2)
    header.cell(0, 0).text = p.name
    header.cell(0, 1).text = f"{p.email}\n{p.phone}\n{p.city}"
    for kind in sections_in_order(p, rng):
        par = d.add_paragraph()
        run = par.add_run(p.headings[kind].upper() if rng.random() < 0.5 else p.headings[kind])
        run.bold = True
        run.font.size = Pt(13)
        if kind == "summary":
            d.add_paragraph(p.summary or "")
        elif kind == "experience":
            t = d.add_table(rows=0, cols=2)
            for j in p.jobs:
                row = t.add_row().cells
                row[0].text = job_dates(j, style, p.lang, rng, dash(rng))
                row[1].text = f"{j.title}\n{j.employer}, {j.city}"
                for b in j.bullets:
                    row[1].add_paragraph("• " + b)
        elif kind == "education":
            t = d.add_table(rows=0, cols=2)
            for deg, school, s, e in p.education:
                row = t.add_row().cells
                row[0].text = f"{s} - {e}"
                row[1].text = f"{deg}\n{school}"
        elif kind == "skills":
            skills = p.skills or []
            cols = 3
            t = d.add_table(rows=(len(skills) + cols - 1) // cols, cols=cols)
            for i, s in enumerate(skills):
                t.cell(i // cols, i % cols).text = s
        else:
            for i in (p.languages if kind == "languages" else p.certifications) or []:
                d.add_paragraph(i, style="List Bullet")
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def render_docx_headings(p: Person, rng: random.Random, style: str) -> bytes:
    import docx

    d = docx.Document()
    d.add_heading(p.name, level=0)
    d.add_paragraph(f"{p.email} · {p.phone} · {p.city}")
    for kind in sections_in_order(p, rng):
        d.add_heading(p.headings[kind], level=1)
        if kind == "summary":
            d.add_paragraph(p.summary or "")
        elif kind == "experience":
            for j in p.jobs:
                form = rng.choice(["comma", "at", "pipe"])
                dates = job_dates(j, style, p.lang, rng, dash(rng))
                if form == "comma":
                    d.add_paragraph().add_run(f"{j.title}, {j.employer} ({dates})").bold = True
                elif form == "at":
                    d.add_paragraph().add_run(f"{j.title} at {j.employer}").bold = True
                    d.add_paragraph(f"{dates} | {j.city}")
                else:
                    d.add_paragraph().add_run(f"{j.employer} | {j.city}").bold = True
                    d.add_paragraph(f"{j.title} | {dates}")
                for b in j.bullets:
                    d.add_paragraph(b, style="List Bullet")
        elif kind == "education":
            for deg, school, s, e in p.education:
                d.add_paragraph(f"{deg}, {school}, {s}{dash(rng)}{e}")
        elif kind == "skills":
            d.add_paragraph(rng.choice([", ", " · ", " | "]).join(p.skills or []))
        else:
            for i in (p.languages if kind == "languages" else p.certifications) or []:
                d.add_paragraph(i, style="List Bullet")
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


def _pdf(twocol: bool) -> object:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_font("Body", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("Body", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.add_font("Body", "I", str(FONT_DIR / "DejaVuSans-Oblique.ttf"))
    pdf.add_page()
    return pdf


def render_gdocs_pdf(p: Person, rng: random.Random, style: str) -> bytes:
    from fpdf import FPDF

    pdf = _pdf(False)
    assert isinstance(pdf, FPDF)
    pdf.set_font("Body", "B", 20)
    pdf.cell(0, 10, p.name, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Body", "", 10)
    pdf.cell(0, 6, f"{p.city} • {p.phone} • {p.email}", new_x="LMARGIN", new_y="NEXT")
    caps = rng.random() < 0.5
    bullet = rng.choice(["●", "•", "-", "▪"])
    for kind in sections_in_order(p, rng):
        pdf.ln(3)
        pdf.set_font("Body", "B", 12)
        heading = p.headings[kind].upper() if caps else p.headings[kind]
        pdf.cell(0, 7, heading, new_x="LMARGIN", new_y="NEXT")
        pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
        pdf.ln(1)
        pdf.set_font("Body", "", 10)
        if kind == "summary":
            pdf.multi_cell(0, 5, p.summary or "", new_x="LMARGIN", new_y="NEXT")
        elif kind == "experience":
            for j in p.jobs:
                pdf.set_font("Body", "B", 10.5)
                pdf.cell(
                    120,
                    6,
                    f"{j.employer}, {j.city} — {j.title}"
                    if rng.random() < 0.5
                    else f"{j.title}, {j.employer}",
                )
                pdf.set_font("Body", "I", 10)
                pdf.cell(
                    0,
                    6,
                    job_dates(j, style, p.lang, rng, dash(rng)),
                    align="R",
                    new_x="LMARGIN",
                    new_y="NEXT",
                )
                pdf.set_font("Body", "", 10)
                for b in j.bullets:
                    pdf.multi_cell(0, 5, f"  {bullet} {b}", new_x="LMARGIN", new_y="NEXT")
        elif kind == "education":
            for deg, school, s, e in p.education:
                pdf.cell(120, 5, f"{school} — {deg}")
                pdf.cell(0, 5, f"{s} – {e}", align="R", new_x="LMARGIN", new_y="NEXT")
        elif kind == "skills":
            pdf.multi_cell(0, 5, ", ".join(p.skills or []), new_x="LMARGIN", new_y="NEXT")
        else:
            for i in (p.languages if kind == "languages" else p.certifications) or []:
                pdf.cell(0, 5, f"{bullet} {i}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(-12)
    pdf.set_font("Body", "", 8)
    pdf.cell(0, 5, f"{p.name} – Resume", align="C")
    return bytes(pdf.output())


def render_builder_pdf(p: Person, rng: random.Random, style: str) -> bytes:
    """An online resume builder's export: headings ruled with underscores, and the dates
    in a narrow column beside each job, the start above the header line and the end
    beside the first line of the description, so the text comes out as start / header /
    end + description."""
    from fpdf import FPDF

    pdf = _pdf(False)
    assert isinstance(pdf, FPDF)
    pdf.set_font("Body", "B", 16)
    pdf.cell(0, 9, p.headline.upper(), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Body", "", 9.5)
    pdf.cell(0, 5, f"{p.email} | {p.phone} | {p.city}", new_x="LMARGIN", new_y="NEXT")
    rule = rng.random() < 0.5
    column = 28  # the dates column, in mm
    for kind in sections_in_order(p, rng):
        pdf.ln(3)
        pdf.set_font("Body", "B", 11)
        heading = p.headings[kind] + ("_" * 48 if rule else "")
        pdf.cell(0, 6, heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Body", "", 9.5)
        if kind == "summary":
            pdf.multi_cell(0, 5, p.summary or "", new_x="LMARGIN", new_y="NEXT")
        elif kind == "experience":
            for j in p.jobs:
                pdf.cell(column, 5, fmt_date(j.start, style, p.lang), new_x="LMARGIN", new_y="NEXT")
                pdf.set_font("Body", "B", 9.5)
                pdf.cell(
                    0, 5, f"{j.employer}   {j.city}   {j.title}", new_x="LMARGIN", new_y="NEXT"
                )
                pdf.set_font("Body", "", 9.5)
                pdf.cell(column, 5, fmt_date(j.end, style, p.lang, end=True))
                for number, b in enumerate(j.bullets):
                    if number:
                        pdf.set_x(pdf.l_margin + column)
                    pdf.multi_cell(0, 5, b, new_x="LMARGIN", new_y="NEXT")
                pdf.ln(1)
        elif kind == "education":
            for deg, school, _s, e in p.education:
                pdf.cell(column, 5, str(e))
                pdf.cell(0, 5, f"{deg}: {school}", new_x="LMARGIN", new_y="NEXT")
        elif kind == "skills":
            pdf.multi_cell(0, 5, ", ".join(p.skills or []), new_x="LMARGIN", new_y="NEXT")
        else:
            for i in (p.languages if kind == "languages" else p.certifications) or []:
                pdf.cell(0, 5, i, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def render_canva_twocol(p: Person, rng: random.Random, style: str) -> bytes:
    from fpdf import FPDF

    pdf = _pdf(True)
    assert isinstance(pdf, FPDF)
    side_w = 62
    pdf.set_fill_color(40, 60, 90)
    pdf.rect(0, 0, side_w, 297, style="F")
    pdf.set_text_color(255, 255, 255)
    pdf.set_xy(6, 12)
    pdf.set_font("Body", "B", 16)
    pdf.multi_cell(side_w - 10, 8, p.name, new_x="LEFT", new_y="NEXT")
    pdf.set_font("Body", "", 8.5)
    pdf.multi_cell(side_w - 10, 5, f"{p.email}\n{p.phone}\n{p.city}", new_x="LEFT", new_y="NEXT")
    order = sections_in_order(p, rng)
    for kind in ("skills", "education", "languages", "certifications"):
        if kind not in order:
            continue
        pdf.ln(4)
        pdf.set_font("Body", "B", 11)
        pdf.multi_cell(side_w - 10, 6, p.headings[kind].upper(), new_x="LEFT", new_y="NEXT")
        pdf.set_font("Body", "", 8.5)
        if kind == "education":
            for deg, school, s, e in p.education:
                pdf.multi_cell(
                    side_w - 10, 4.5, f"{deg}\n{school}\n{s} - {e}", new_x="LEFT", new_y="NEXT"
                )
        else:
            items = {
                "skills": p.skills,
                "languages": p.languages,
                "certifications": p.certifications,
            }[kind] or []
            for i in items:
                pdf.multi_cell(side_w - 10, 4.5, i, new_x="LEFT", new_y="NEXT")
    pdf.set_text_color(30, 30, 30)
    pdf.set_left_margin(side_w + 8)
    pdf.set_xy(side_w + 8, 14)
    pdf.set_font("Body", "B", 13)
    pdf.cell(0, 7, p.headline, new_x="LMARGIN", new_y="NEXT")
    for kind in ("summary", "experience"):
        if kind not in order:
            continue
        pdf.ln(3)
        pdf.set_font("Body", "B", 12)
        pdf.cell(0, 7, p.headings[kind], new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Body", "", 9.5)
        if kind == "summary":
            pdf.multi_cell(0, 5, p.summary or "", new_x="LMARGIN", new_y="NEXT")
            continue
        for j in p.jobs:
            pdf.set_font("Body", "B", 10)
            pdf.cell(0, 5.5, j.title, new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("Body", "I", 9)
            pdf.cell(
                0,
                5,
                f"{j.employer} | {job_dates(j, style, p.lang, rng, dash(rng))}",
                new_x="LMARGIN",
                new_y="NEXT",
            )
            pdf.set_font("Body", "", 9.5)
            for b in j.bullets:
                pdf.multi_cell(0, 4.8, f"• {b}", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def render_portal_text(p: Person, rng: random.Random, style: str) -> str:
    """Text pasted from a job portal's resume builder: capitals, headings with an extra
    word, labelled fields, bullets damaged by a wrong encoding on the way."""
    mojibake = rng.random() < 0.5
    bullet = "â€¢ " if mojibake else rng.choice(["• ", "* ", "- ", ""])
    extra = {
        "experience": rng.choice(["Experience Details", "Work Experience", "Employment History"]),
        "education": rng.choice(["Education Details", "Education", "Academic Qualification"]),
        "skills": rng.choice(["Skill Set", "Skills", "Technical Skills", "Skills Details"]),
        "summary": rng.choice(["Career Objective", "Profile Summary", "Summary"]),
        "languages": "Languages Known",
        "certifications": "Certifications",
    }
    lines = [p.name.upper(), f"{p.city} | {p.phone}", p.email, ""]
    labelled = rng.random() < 0.5
    for kind in sections_in_order(p, rng):
        heading = extra[kind].upper() if rng.random() < 0.7 else extra[kind]
        if kind == "skills" and rng.random() < 0.5:
            lines += [heading + " " + " ".join(bullet + s for s in p.skills or []), ""]
            continue
        lines.append(heading)
        if kind == "summary":
            lines.append(p.summary or "")
        elif kind == "experience":
            for j in p.jobs:
                if labelled:
                    lines.append(f"Company: {j.employer}")
                    lines.append(f"Designation: {j.title}")
                    lines.append(
                        f"Duration : {job_dates(j, style, p.lang, rng, ' to ')}".replace(
                            "Present", rng.choice(["till now", "Present"])
                        )
                    )
                else:
                    lines.append(f"{j.title} {job_dates(j, style, p.lang, rng, dash(rng))}")
                    lines.append(f"{j.employer} - {j.city}")
                lines += [bullet + b for b in j.bullets]
                lines.append("")
        elif kind == "education":
            for deg, school, _s, e in p.education:
                lines.append(f"{deg} | {school} | {e}")
        elif kind == "skills":
            lines += [bullet + s for s in p.skills or []]
        else:
            lines += [
                bullet + i for i in (p.languages if kind == "languages" else p.certifications) or []
            ]
        lines.append("")
    return "\n".join(lines)


def render_markdown(p: Person, rng: random.Random, style: str) -> str:
    lines = [f"# {p.name}", f"{p.headline} · {p.city} · {p.email}", ""]
    for kind in sections_in_order(p, rng):
        lines += [f"## {p.headings[kind]}", ""]
        if kind == "summary":
            lines.append(p.summary or "")
        elif kind == "experience":
            for j in p.jobs:
                lines.append(f"### {j.title} — {j.employer}")
                lines.append(f"*{job_dates(j, style, p.lang, rng, dash(rng))}* · {j.city}")
                lines += [f"- {b}" for b in j.bullets]
                lines.append("")
        elif kind == "education":
            lines += [f"- **{deg}**, {school} ({s}–{e})" for deg, school, s, e in p.education]
        elif kind == "skills":
            lines.append(", ".join(p.skills or []))
        else:
            lines += [
                f"- {i}" for i in (p.languages if kind == "languages" else p.certifications) or []
            ]
        lines.append("")
    return "\n".join(lines)


def render_html(p: Person, rng: random.Random, style: str) -> str:
    e = html.escape
    parts = [
        f"<!DOCTYPE html><html><head><title>{e(p.name)}</title><style>h2{{color:#246}}</style>"
        f"</head><body><h1>{e(p.name)}</h1><p>{e(p.email)} | {e(p.phone)}</p>"
    ]
    for kind in sections_in_order(p, rng):
        parts.append(f"<h2>{e(p.headings[kind])}</h2>")
        if kind == "summary":
            parts.append(f"<p>{e(p.summary or '')}</p>")
        elif kind == "experience":
            for j in p.jobs:
                parts.append(
                    f"<div class='job'><h3>{e(j.title)}</h3><p><b>{e(j.employer)}</b>, "
                    f"{e(j.city)} <span class='d'>{e(job_dates(j, style, p.lang, rng, dash(rng)))}"
                    "</span></p><ul>"
                    + "".join(f"<li>{e(b)}</li>" for b in j.bullets)
                    + "</ul></div>"
                )
        elif kind == "education":
            parts += [
                f"<p>{e(deg)}, {e(school)}, {s} - {en}</p>" for deg, school, s, en in p.education
            ]
        elif kind == "skills":
            parts.append("<ul>" + "".join(f"<li>{e(s)}</li>" for s in p.skills or []) + "</ul>")
        else:
            items = (p.languages if kind == "languages" else p.certifications) or []
            parts.append("<ul>" + "".join(f"<li>{e(i)}</li>" for i in items) + "</ul>")
    parts.append("</body></html>")
    return "\n".join(parts)


# layout name -> (renderer, file extension, languages it is used with)
LAYOUTS = {
    "latex_classic": (render_latex_classic, "pdf", ["en"]),
    "latex_twocol": (render_latex_twocol, "pdf", ["en"]),
    "latex_tabular": (render_latex_tabular, "pdf", ["en"]),
    "docx_table": (render_docx_table, "docx", ["en"]),
    "docx_headings": (render_docx_headings, "docx", ["en"]),
    "gdocs_pdf": (render_gdocs_pdf, "pdf", ["en"]),
    "canva_twocol": (render_canva_twocol, "pdf", ["en"]),
    "portal_text": (render_portal_text, "txt", ["en"]),
    "markdown": (render_markdown, "md", ["en"]),
    "html": (render_html, "html", ["en"]),
    "foreign": (render_gdocs_pdf, "pdf", ["de", "fr", "es", "pt"]),
    "foreign_docx": (render_docx_headings, "docx", ["de", "fr", "es", "pt"]),
    "builder_pdf": (render_builder_pdf, "pdf", ["en"]),
}
PER_LAYOUT = 6


# --- job posts ------------------------------------------------------------------------

JOB_FORMATS = ["txt", "md", "html", "jsonld", "jobposting", "jsonresume"]
EMPLOYMENT = [
    ("full-time", "FULL_TIME", "Full-time"),
    ("part-time", "PART_TIME", "Part-time"),
    ("contract", "CONTRACTOR", "Contract"),
]


def render_job(fmt: str, rng: random.Random, n: int) -> tuple[str, str, dict[str, object]]:
    trade = TRADES[sorted(TRADES)[n % len(TRADES)]]
    title = rng.choice(trade.titles)
    company = rng.choice(trade.employers)
    years = rng.choice([1, 2, 3, 5, None])
    required = rng.sample(trade.skills, k=3)
    preferred = [s for s in trade.skills if s not in required][:2]
    kind, schema_kind, words = rng.choice(EMPLOYMENT)
    city = rng.choice(CITIES)
    duties = rng.sample(trade.bullets, k=3)
    years_line = f"{years}+ years of experience as a {title.lower()}" if years else None
    req_lines = [f"Experience with {s}" for s in required] + ([years_line] if years_line else [])
    label: dict[str, object] = {
        "format": fmt,
        "title": title,
        "min_years": years,
        "employment_type": kind,
        "required": required,
    }
    if fmt == "txt":
        text = "\n".join(
            [
                title.upper(),
                f"{company} - {city} - {words}",
                "",
                "About the role",
                trade.summary,
                "",
                "What you'll do",
                *duties,
                "",
                "What we're looking for",
                *req_lines,
                "",
                "Nice to have",
                *preferred,
                "",
                "We offer a pension and 28 days off.",
            ]
        )
        return "txt", text, label
    if fmt == "md":
        text = "\n".join(
            [
                f"**Job Title:** {title}",
                f"**Company:** {company}",
                f"**Location:** {city}",
                f"**Employment Type:** {words}",
                "",
                "## Responsibilities",
                *(f"- {d}" for d in duties),
                "",
                "## Requirements",
                *(f"- {r}" for r in req_lines),
                "",
                "## Preferred Qualifications",
                *(f"- {p}" for p in preferred),
            ]
        )
        return "md", text, label
    if fmt == "html":
        e = html.escape
        text = (
            f"<!DOCTYPE html><html><body><h1>{e(title)}</h1><p>{e(company)} &middot; {e(city)}"
            f" &middot; {e(words)}</p><h2>Responsibilities</h2><ul>"
            + "".join(f"<li>{e(d)}</li>" for d in duties)
            + "</ul><h2>Requirements</h2><ul>"
            + "".join(f"<li>{e(r)}</li>" for r in req_lines)
            + "</ul><h2>Nice to have</h2><ul>"
            + "".join(f"<li>{e(p)}</li>" for p in preferred)
            + "</ul></body></html>"
        )
        return "html", text, label
    posting = {
        "@context": "https://schema.org/",
        "@type": "JobPosting",
        "title": title,
        "description": "<p>"
        + html.escape(trade.summary)
        + "</p><ul>"
        + "".join(f"<li>{html.escape(d)}</li>" for d in duties)
        + "</ul>",
        "hiringOrganization": {"@type": "Organization", "name": company},
        "jobLocation": {
            "@type": "Place",
            "address": {"@type": "PostalAddress", "addressLocality": city},
        },
        "employmentType": schema_kind,
        "skills": ", ".join(required),
        "qualifications": [r for r in req_lines if not r.startswith(str(years))],
        "datePosted": "2026-11-02",
    }
    if years:
        posting["experienceRequirements"] = {
            "@type": "OccupationalExperienceRequirements",
            "monthsOfExperience": years * 12,
        }
    if fmt == "jsonld":
        text = (
            "<!DOCTYPE html><html><head><title>" + html.escape(title) + "</title>"
            '<script type="application/ld+json">' + json.dumps(posting) + "</script></head>"
            "<body><nav>Home | Jobs | Sign in</nav><h1>" + html.escape(title) + "</h1>"
            "<p>Apply now!</p></body></html>"
        )
        return "html", text, label
    if fmt == "jobposting":
        return "json", json.dumps(posting, indent=2), label
    job = {
        "title": title,
        "company": company,
        "type": words,
        "location": {"city": city},
        "remote": rng.choice(["Full", "Hybrid", "None"]),
        "description": trade.summary,
        "responsibilities": duties,
        "qualifications": req_lines,
        "skills": [{"name": "Core", "keywords": required}],
    }
    return "json", json.dumps(job, indent=2), label


def make_jobs() -> int:
    jobs = OUT / "jobs"
    jobs.mkdir(parents=True, exist_ok=True)
    for old in jobs.iterdir():
        old.unlink()
    labels: dict[str, dict[str, object]] = {}
    for n in range(30):
        fmt = JOB_FORMATS[n % len(JOB_FORMATS)]
        rng = random.Random(f"job-{n}")
        ext, text, label = render_job(fmt, rng, n)
        name = f"{n:03d}_{fmt}.{ext}"
        (jobs / name).write_text(text + "\n", encoding="utf-8")
        labels[name] = label
    meta = {
        "about": "Fictional job posts written by scripts/make_reading_corpus.py.",
        "jobs": labels,
    }
    (OUT / "jobs.json").write_text(json.dumps(meta, indent=1) + "\n")
    return len(labels)


def main() -> None:
    # `--layouts a,b` writes those layouts again and keeps every other file and label
    only = (
        set(sys.argv[sys.argv.index("--layouts") + 1].split(","))
        if "--layouts" in sys.argv
        else None
    )
    wanted = set(LAYOUTS) if only is None else only
    if any(layout.startswith("latex") for layout in wanted) and shutil.which("pdflatex") is None:
        sys.exit("pdflatex is needed (apt-get install texlive-latex-extra)")
    resumes = OUT / "resumes"
    resumes.mkdir(parents=True, exist_ok=True)
    labels: dict[str, dict[str, object]] = {}
    if only is None:
        for old in resumes.iterdir():
            old.unlink()
    else:
        kept = json.loads((OUT / "resumes.json").read_text(encoding="utf-8"))["resumes"]
        labels = {name: label for name, label in kept.items() if label["layout"] not in only}
    n = 0
    for layout, (render, ext, langs) in LAYOUTS.items():
        if layout not in wanted:
            n += PER_LAYOUT
            continue
        for i in range(PER_LAYOUT):
            rng = random.Random(f"{layout}-{i}")
            random.seed(f"{layout}-{i}")
            lang = langs[i % len(langs)]
            person = make_person(rng, lang, n)
            style = rng.choice(DATE_STYLES if lang == "en" else ["Month YYYY", "MM/YYYY", "YYYY"])
            out = render(person, rng, style)  # type: ignore[operator]
            if layout.startswith("latex"):
                out = compile_latex(str(out))
            name = f"{n:03d}_{layout}_{lang}.{ext}"
            data = out if isinstance(out, bytes) else str(out).encode("utf-8")
            (resumes / name).write_bytes(data)
            spans = [written_span(j, style) for j in person.jobs]
            labels[name] = {
                "layout": layout,
                "lang": lang,
                "sections": sorted(
                    k
                    for k in (
                        "summary",
                        "experience",
                        "education",
                        "skills",
                        "certifications",
                        "languages",
                    )
                    if getattr(person, {"experience": "jobs"}.get(k, k))
                ),
                "jobs": [
                    {"title": j.title, "employer": j.employer, "start": s, "end": e}
                    for j, (s, e) in zip(person.jobs, spans, strict=True)
                ],
                "years": years_of(spans),
                "skills": person.skills or [],
            }
            n += 1
    meta = {
        "about": "Fictional resumes written by scripts/make_reading_corpus.py; labels from "
        "the records they were written from. Years are counted up to as_of.",
        "as_of": f"{AS_OF[0]}-{AS_OF[1]:02d}-01",
        "resumes": labels,
    }
    (OUT / "resumes.json").write_text(json.dumps(meta, indent=1, ensure_ascii=False) + "\n")
    jobs = make_jobs() if only is None else 0
    print(f"{len(labels)} resumes in {len(LAYOUTS)} layouts, {jobs} job posts -> {OUT}")


if __name__ == "__main__":
    main()
