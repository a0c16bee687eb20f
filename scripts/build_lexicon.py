"""Build the skills lexicon shipped in `ingest/data/skills_lexicon.json.gz`.

Run once by a maintainer (the output is committed; nothing reads the sources at run time):

    python scripts/build_lexicon.py --data ../shared/data

Sources (see `ingest/data/ATTRIBUTION.md`):
- O*NET 29.2 Technology Skills: 8,768 named tools and technologies with their Hot / In
  Demand flags, linked to 923 occupations. Strong on IT and office tools.
- ESCO v1.1.1 skills (skill/competence and knowledge): preferred label and alternative
  labels, linked to 3,007 occupations (essential and optional). Broad: nursing care,
  budgeting, welding, customer service...
- A curated table (below) for the technologies people write in many ways (k8s,
  postgres, JS, ML...) and for the surface forms that are ordinary English words ("Go",
  "Excel", "Spark") and therefore only count with technical context.

What is kept, and why:
- ESCO labels of more than five words are dropped: nobody writes "apply health and
  safety standards in the workplace" verbatim, and long phrases bloat the matcher.
- ESCO single lowercase words are kept only when they name a discipline or craft
  (-ology, -ics, -ing, -ship, -therapy, -try...) and are not generic ("design",
  "balance", "report" would fire on every text). Single capitalised words (tool and
  language names) are kept but must be written capitalised in the text.
- O*NET names get extra surface forms: the name without its vendor ("Autodesk AutoCAD"
  -> "AutoCAD"), without a trailing " software", and its trailing acronym split off
  ("Structured query language SQL" -> "SQL").
- Surfaces of one to three letters ("IT", "ML", "HR") only match in upper case (or as
  the source writes them, e.g. "iOS"), so "it", "ml" and "hr" in prose stay quiet.

IDF: each skill's document frequency is the share of occupations that list it, computed
per source (ESCO occupation-skill links; O*NET occupation-tool links) because the two
sources have different numbers of occupations and different coverage. A skill takes the
larger share among the sources that know it (common in either means common), smoothed
as p = (df + 0.5) / (N + 1); idf = ln(1 / p) / ln(N_max + 1), which lies in (0, 1]:
~0.1 for "Microsoft Excel" (listed by most occupations), ~1 for a tool listed by one.
Curated skills that no source links get the value of a skill linked once. ESCO links
occupations to specific forms ("communicate with customers") rather than to the generic
soft skill, so ESCO "transversal" skills get a share of at least 10% and a handful of
curated soft skills (COMMON_SKILLS) a fixed share.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import math
import re
import sys
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingest.skills import LEXICON_PATH, surface_key  # noqa: E402

ESCO_CLASSIFICATION = "esco/ESCO dataset - v1.1.1 - classification - en - csv.zip"
ESCO_RELATIONS = "esco/ESCO dataset - v1.1.1 - relations - csv.zip"
ONET_TECH = "onet/Technology Skills.txt"

MAX_WORDS = 5

# Canonical name, kind, aliases. Aliases here win over every other source, so common
# spellings land on one skill whatever the resume says.
CURATED: list[tuple[str, str, list[str]]] = [
    ("Python", "technology", ["python3", "python 3", "cpython"]),
    ("JavaScript", "technology", ["js", "javascript", "ecmascript", "es6", "vanilla js"]),
    ("TypeScript", "technology", []),
    (
        "Java",
        "technology",
        ["java se", "java ee", "j2ee", "jakarta ee", "oracle java", "core java"],
    ),
    ("C++", "technology", ["cpp", "c plus plus"]),
    ("C#", "technology", ["c sharp", "csharp"]),
    ("C", "technology", ["ansi c", "c programming", "c language"]),
    ("Go", "technology", ["golang", "go programming", "go lang", "go language"]),
    ("Rust", "technology", ["rust programming", "rust language", "rustlang"]),
    ("R", "technology", ["r programming", "r language", "r studio", "rstudio", "gnu r", "r shiny"]),
    ("Ruby", "technology", ["ruby programming", "ruby language"]),
    ("Ruby on Rails", "technology", ["rails", "ror", "ruby on rails"]),
    ("PHP", "technology", ["php7", "php 7", "php8"]),
    ("Swift", "technology", ["swift programming", "swift language", "apple swift"]),
    ("SwiftUI", "technology", []),
    ("Kotlin", "technology", []),
    ("Scala", "technology", []),
    ("Perl", "technology", []),
    ("Bash", "technology", ["bash scripting", "bash scripts"]),
    ("Shell scripting", "technology", ["shell scripts", "shell script", "unix shell", "shell"]),
    ("PowerShell", "technology", ["powershell scripting", "power shell"]),
    ("MATLAB", "technology", ["the mathworks matlab", "matlab"]),
    ("SQL", "technology", ["structured query language", "sql queries"]),
    ("PL/SQL", "technology", ["plsql"]),
    ("T-SQL", "technology", ["tsql", "transact-sql"]),
    ("NoSQL", "technology", ["no-sql"]),
    ("HTML", "technology", ["html5", "hypertext markup language"]),
    ("CSS", "technology", ["css3", "cascading style sheets"]),
    ("Sass", "technology", ["scss"]),
    ("XML", "technology", ["extensible markup language"]),
    ("JSON", "technology", ["javascript object notation"]),
    ("YAML", "technology", []),
    ("GraphQL", "technology", ["graph ql"]),
    (
        "REST APIs",
        "technology",
        [
            "rest",
            "restful",
            "rest api",
            "restful api",
            "restful apis",
            "restful services",
            "rest services",
            "rest apis",
        ],
    ),
    ("gRPC", "technology", []),
    (
        "Microservices",
        "technology",
        ["microservice", "micro-services", "microservices architecture"],
    ),
    ("React", "technology", ["react.js", "reactjs", "react js", "react native"]),
    ("Angular", "technology", ["angularjs", "angular.js", "angular 2+"]),
    ("Vue.js", "technology", ["vue", "vuejs", "vue js", "vue.js"]),
    ("Svelte", "technology", []),
    ("Next.js", "technology", ["nextjs"]),
    ("Node.js", "technology", ["node", "nodejs", "node js", "node.js"]),
    ("Express.js", "technology", ["expressjs", "express.js", "express"]),
    ("jQuery", "technology", []),
    ("Redux", "technology", []),
    ("Tailwind CSS", "technology", ["tailwind", "tailwindcss"]),
    ("Bootstrap", "technology", ["twitter bootstrap"]),
    ("Django", "technology", ["django rest framework", "drf"]),
    ("Flask", "technology", []),
    ("FastAPI", "technology", ["fast api"]),
    ("Spring", "technology", ["spring framework", "spring boot", "springboot", "spring mvc"]),
    ("Hibernate", "technology", []),
    (
        ".NET",
        "technology",
        [
            ".net core",
            ".net framework",
            "dotnet",
            "dot net",
            "asp.net",
            "asp.net core",
            "asp.net mvc",
        ],
    ),
    ("Laravel", "technology", []),
    ("Symfony", "technology", []),
    ("pandas", "technology", []),
    ("NumPy", "technology", []),
    ("SciPy", "technology", []),
    ("scikit-learn", "technology", ["sklearn", "scikit learn"]),
    ("TensorFlow", "technology", ["tensor flow", "tf2"]),
    ("PyTorch", "technology", ["torch"]),
    ("Keras", "technology", []),
    ("Apache Spark", "technology", ["spark", "pyspark", "spark sql", "spark streaming"]),
    ("Hadoop", "technology", ["apache hadoop", "hdfs", "mapreduce"]),
    ("Apache Kafka", "technology", ["kafka"]),
    ("Apache Airflow", "technology", ["airflow"]),
    ("Databricks", "technology", []),
    ("Snowflake", "technology", []),
    ("dbt", "technology", ["data build tool"]),
    ("ETL", "technology", ["extract transform load", "elt", "etl pipelines"]),
    ("PostgreSQL", "technology", ["postgres", "postgresql", "psql", "postgre"]),
    ("MySQL", "technology", []),
    ("Microsoft SQL Server", "technology", ["sql server", "mssql", "ms sql", "ms sql server"]),
    ("Oracle Database", "technology", ["oracle db", "oracle"]),
    ("SQLite", "technology", []),
    ("MongoDB", "technology", ["mongo"]),
    ("Redis", "technology", []),
    ("Elasticsearch", "technology", ["elastic search", "elk", "elk stack"]),
    ("Apache Cassandra", "technology", ["cassandra"]),
    (
        "Amazon Web Services",
        "technology",
        ["aws", "amazon web services aws software", "amazon aws"],
    ),
    ("Microsoft Azure", "technology", ["azure", "ms azure", "azure cloud"]),
    ("Google Cloud Platform", "technology", ["gcp", "google cloud"]),
    ("Docker", "technology", ["docker compose", "containerization", "containerisation"]),
    ("Kubernetes", "technology", ["k8s", "eks", "aks", "gke", "helm"]),
    ("Terraform", "technology", ["hashicorp terraform"]),
    ("Ansible", "technology", ["red hat ansible"]),
    ("Chef", "technology", ["chef infra", "opscode chef"]),
    ("Puppet", "technology", ["puppet labs"]),
    ("Jenkins", "technology", []),
    ("GitHub Actions", "technology", []),
    ("GitLab", "technology", ["gitlab ci"]),
    (
        "CI/CD",
        "technology",
        [
            "ci / cd",
            "cicd",
            "continuous integration",
            "continuous delivery",
            "continuous deployment",
        ],
    ),
    ("DevOps", "technology", ["dev ops"]),
    ("Git", "technology", ["github", "bitbucket", "version control"]),
    ("Linux", "technology", ["gnu/linux", "ubuntu", "red hat linux", "rhel", "centos", "debian"]),
    ("UNIX", "technology", []),
    ("Microsoft Windows", "technology", ["windows", "windows server", "windows 10", "windows 11"]),
    ("macOS", "technology", ["mac os", "os x"]),
    ("iOS", "technology", ["ios development"]),
    ("Android", "technology", ["android development", "android sdk"]),
    ("Flutter", "technology", []),
    ("VMware", "technology", ["vsphere", "esxi"]),
    ("TCP/IP", "technology", ["tcp / ip", "tcpip"]),
    (
        "Networking",
        "technology",
        ["computer networking", "network administration", "lan / wan", "lan/wan"],
    ),
    (
        "Cybersecurity",
        "technology",
        ["cyber security", "information security", "infosec", "it security"],
    ),
    ("Machine learning", "technology", ["ml", "machine-learning"]),
    ("Deep learning", "technology", ["deep neural networks", "neural networks"]),
    ("Artificial intelligence", "technology", ["ai"]),
    ("Natural language processing", "technology", ["nlp"]),
    ("Computer vision", "technology", []),
    ("Large language models", "technology", ["llm", "llms", "large language model"]),
    ("Data analysis", "knowledge", ["data analytics", "analytics", "data analyst"]),
    ("Data visualization", "knowledge", ["data visualisation", "dataviz"]),
    (
        "Statistics",
        "knowledge",
        ["statistical analysis", "statistical modeling", "statistical modelling"],
    ),
    ("Big data", "technology", []),
    ("Tableau", "technology", ["tableau software", "tableau desktop"]),
    ("Power BI", "technology", ["microsoft power bi", "powerbi"]),
    ("Looker", "technology", []),
    (
        "Microsoft Excel",
        "technology",
        ["excel", "ms excel", "excel spreadsheets", "advanced excel", "excel vba"],
    ),
    ("Microsoft Word", "technology", ["word", "ms word"]),
    ("Microsoft PowerPoint", "technology", ["powerpoint", "ms powerpoint", "power point"]),
    ("Microsoft Outlook", "technology", ["outlook", "ms outlook"]),
    ("Microsoft Access", "technology", ["access", "ms access"]),
    ("Microsoft Teams", "technology", ["teams", "ms teams"]),
    ("Microsoft Project", "technology", ["ms project"]),
    (
        "Microsoft Office",
        "technology",
        [
            "ms office",
            "microsoft office software",
            "office 365",
            "microsoft 365",
            "ms office suite",
        ],
    ),
    ("Microsoft SharePoint", "technology", ["sharepoint"]),
    ("Microsoft Visio", "technology", ["visio", "ms visio"]),
    ("Microsoft Dynamics", "technology", ["dynamics 365"]),
    ("VBA", "technology", ["visual basic for applications"]),
    (
        "Google Workspace",
        "technology",
        ["g suite", "gsuite", "google docs", "google sheets", "google drive"],
    ),
    ("Slack", "technology", []),
    ("Zoom", "technology", []),
    ("Jira", "technology", ["atlassian jira"]),
    ("Confluence", "technology", ["atlassian confluence"]),
    ("Salesforce", "technology", ["salesforce software", "salesforce crm", "sfdc"]),
    ("SAP", "technology", ["sap software", "sap erp", "sap s/4hana"]),
    ("QuickBooks", "technology", ["intuit quickbooks", "quick books"]),
    ("Adobe Photoshop", "technology", ["photoshop"]),
    ("Adobe Illustrator", "technology", ["illustrator"]),
    ("Adobe InDesign", "technology", ["indesign"]),
    ("Figma", "technology", []),
    ("AutoCAD", "technology", ["autodesk autocad", "auto cad"]),
    ("Selenium", "technology", []),
    (
        "Agile",
        "knowledge",
        [
            "agile methodologies",
            "agile methodology",
            "agile development",
            "agile software development",
        ],
    ),
    ("Scrum", "knowledge", ["scrum master", "scrum methodology"]),
    ("Kanban", "knowledge", []),
    ("Project management", "knowledge", ["project manager", "pmp", "program management"]),
    (
        "Customer service",
        "skill",
        ["customer support", "client service", "customer care", "customer-service"],
    ),
    (
        "Communication",
        "skill",
        [
            "communication skills",
            "communications skills",
            "written communication",
            "verbal communication",
        ],
    ),
    ("Teamwork", "skill", ["team work", "team player", "collaboration"]),
    ("Leadership", "skill", ["team leadership", "leadership skills"]),
    (
        "Problem solving",
        "skill",
        ["problem-solving", "problem solving skills", "troubleshooting skills"],
    ),
    ("Time management", "skill", ["time-management"]),
    ("Budgeting", "skill", ["budget management", "budget planning", "budgets"]),
    ("Nursing care", "skill", ["patient care", "nursing"]),
    ("Critical thinking", "skill", ["critical-thinking"]),
    ("Adaptability", "skill", ["flexibility", "adaptable"]),
    (
        "Attention to detail",
        "skill",
        ["detail-oriented", "detail oriented", "attention to details"],
    ),
    ("Analytical skills", "skill", ["analysis", "analytical thinking", "analytical"]),
    ("Supervision", "skill", ["supervisory", "supervising staff", "supervisor"]),
    ("Audio visual", "technology", ["audio-visual", "audiovisual", "av equipment"]),
    ("Troubleshooting", "skill", ["troubleshoot", "diagnostics", "diagnostic"]),
    ("Unit testing", "technology", ["unit tests", "junit", "pytest", "jest"]),
    (
        "UX design",
        "knowledge",
        ["ux", "user experience", "user experience design", "ui/ux", "ui / ux"],
    ),
    ("UI design", "knowledge", ["ui", "user interface design"]),
    ("SEO", "knowledge", ["search engine optimization", "search engine optimisation"]),
]

# Surface forms that are ordinary English words (or letters): they only count with
# technical context (see `ingest.skills`). Key: lowercase surface -> words that, right
# after it, make it technical (besides the general ones in ingest.skills).
AMBIGUOUS: dict[str, list[str]] = {
    "go": ["routines", "modules"],
    "r": ["packages", "package", "markdown", "shiny", "studio"],
    "c": [],
    "rust": [],
    "ruby": ["gems"],
    "swift": ["ui"],
    "java": ["ee", "se", "8", "11", "17", "21", "servlets", "beans"],
    "spark": ["streaming", "sql", "jobs", "cluster", "clusters"],
    "excel": [
        "spreadsheet",
        "spreadsheets",
        "macros",
        "vba",
        "formulas",
        "formulae",
        "pivot",
        "workbooks",
        "dashboards",
        "models",
        "modeling",
        "modelling",
    ],
    "access": ["database", "databases", "db", "queries"],
    "word": ["documents", "document", "templates", "processing"],
    "outlook": ["calendar", "email", "mail"],
    "teams": ["channels", "meetings"],
    "chef": ["cookbooks", "recipes", "server", "automation"],
    "puppet": ["manifests", "modules", "server", "automation"],
    "shell": ["scripting", "scripts", "script", "commands"],
    "make": ["files", "file", "targets"],
    "express": [],
    "flask": [],
    "react": ["native", "hooks", "components", "redux"],
    "angular": ["components", "material"],
    "spring": ["boot", "mvc", "batch", "security", "cloud", "data"],
    "agile": [
        "methodology",
        "methodologies",
        "methods",
        "development",
        "practices",
        "principles",
        "ceremonies",
        "coach",
        "delivery",
        "environment",
        "team",
        "teams",
        "framework",
        "transformation",
    ],
    "node": ["modules", "packages"],
    "oracle": ["database", "databases", "db", "sql", "forms", "ebs", "11g", "12c", "19c"],
    "rails": [],
    "slack": ["channels", "integrations", "bots"],
    "zoom": ["meetings", "webinars"],
    "jenkins": ["pipelines", "pipeline", "jobs"],
    "confluence": ["pages", "wiki"],
    "bootstrap": ["css", "framework", "templates"],
    "windows": ["server", "os", "10", "11", "7", "administration", "desktop"],
    "unity": ["3d", "engine", "game", "games"],
    "dart": [],
    "flutter": [],
    "elixir": [],
    "julia": [],
    "scala": [],
    "pascal": [],
    "perl": ["scripts", "scripting"],
    "bash": ["scripts", "scripting", "script"],
    "helm": ["charts", "chart"],
    "torch": [],
    "kafka": ["topics", "streams", "connect"],
    "airflow": ["dags", "dag"],
    "illustrator": [],
    "visio": ["diagrams"],
    "snowflake": ["schema", "warehouse"],
    "looker": [],
    "tableau": ["dashboards", "desktop", "server"],
    "selenium": ["webdriver", "grid", "tests"],
    "keras": [],
    "redux": [],
    "rest": ["api", "apis", "services", "endpoints"],
    "sap": ["erp", "hana", "fico", "abap", "s/4hana"],
    "office": ["365", "suite"],
    "project": [],
    "publisher": [],
    "dynamics": ["365", "crm", "ax", "nav"],
    "notes": [],
    "canvas": ["lms"],
    "eclipse": ["ide"],
    "scratch": [],
    "assembly": ["language"],
    "lisp": [],
    "ada": [],
    "logo": [],
    "scheme": [],
    "hack": [],
    "curl": [],
    "mocha": [],
    "harvest": [],
    "maven": ["builds", "build", "pom"],
    "groovy": [],
    "square": [],
    "blink": [],
    "loom": [],
    "seesaw": [],
    "box": [],
    "compass": [],
    "sage": [],
    "stripe": ["api", "payments"],
    "storm": [],
    "hive": ["ql", "queries", "tables"],
    "pig": ["latin"],
    "elastic": [],
    "cassandra": [],
    "gatsby": [],
    "ember": [],
    "backbone": [],
    "meteor": [],
    "mercury": [],
    "houdini": [],
    "maya": [],
    "blender": [],
    "nuke": [],
    "ionic": [],
    "atom": [],
    "sublime": [],
    "crystal": ["reports"],
    "less": [],
    "sass": [],
    "foundation": [],
    "material": [],
    "alpine": [],
    "apex": [],
    "prince2": [],
    "vim": [],
}
# Short acronyms that are not English words: they may be written in lower case too.
CASE_FREE_ACRONYMS = {
    "aws",
    "gcp",
    "sql",
    "css",
    "php",
    "sap",
    "git",
    "vba",
    "npm",
    "api",
    "seo",
    "crm",
    "erp",
    "etl",
    "jsp",
    "xml",
    "ssh",
    "dns",
    "tcp",
    "gis",
    "ios",
    "k8s",
    "sas",
    "jql",
    "hdfs",
    "dbt",
}

# Vendors whose name is routinely dropped ("Adobe Photoshop" -> "Photoshop").
VENDORS = [
    "Microsoft",
    "Adobe",
    "Oracle",
    "IBM",
    "Autodesk",
    "Intuit",
    "Google",
    "Apache",
    "Amazon",
    "Amazon Web Services",
    "AWS",
    "SAP",
    "The MathWorks",
    "MathWorks",
    "ESRI",
    "Atlassian",
    "Salesforce",
    "Cisco",
    "Apple",
    "Red Hat",
    "VMware",
    "Hewlett Packard",
    "HP",
    "Dell",
    "Bentley",
    "Dassault Systemes",
    "Siemens",
    "Epic Systems",
    "Cerner",
    "Corel",
    "Sage",
    "Blackbaud",
    "Trimble",
    "Hexagon",
    "SPSS",
    "SAS Institute",
    "Minitab",
    "Wolfram Research",
    "Facebook",
    "Meta",
    "Twitter",
    "Mozilla",
    "JetBrains",
    "Elastic",
    "MongoDB",
    "Tableau",
    "Splunk",
    "ServiceNow",
    "Workday",
    "Infor",
    "Epicor",
    "Unity Technologies",
    "Citrix",
    "Symantec",
    "McAfee",
    "Kronos",
    "Ultimate Software",
    "ADP",
    "Zoho",
    "HubSpot",
    "Shopify",
]

# Single lowercase ESCO words kept only with a discipline-like ending...
DISCIPLINE_SUFFIXES = (
    "ology",
    "ography",
    "ometry",
    "ics",
    "ing",
    "ship",
    "therapy",
    "try",
    "ture",
    "iatry",
    "nomy",
    "onomy",
    "sophy",
    "ism",
)
# ...and never these, which are generic or describe things rather than abilities.
GENERIC_WORDS = {
    "abstracts",
    "accompany",
    "breaking",
    "communicating",
    "copying",
    "engineering",
    "highlighting",
    "logging",
    "measuring",
    "packing",
    "reporting",
    "seeding",
    "shooting",
    "signing",
    "casting",
    "crafting",
    "betting",
    "bargaining",
    "climbing",
    "dancing",
    "prediction",
    "patterns",
    "processing",
    "drawing",
    "building",
    "training",
    "planning",
    "writing",
    "reading",
    "listening",
    "speaking",
    "thinking",
    "learning",
    "testing",
    "cleaning",
    "cooking",
    "driving",
    "selling",
    "buying",
    "teaching",
    "helping",
    "managing",
    "leading",
    "working",
    "making",
    "setting",
    "meeting",
    "mining",
    "heating",
    "cooling",
    "lighting",
    "housing",
    "clothing",
    "feeding",
    "wiring",
    "striping",
    "stripping",
    "altruism",
    "politics",
    "graphics",
    "metrics",
    "ethics",
    "mechanics",
    "dynamics",
    "basics",
    "topics",
    "physics",
    "statics",
    "optics",
    "ministry",
    "industry",
    "entry",
    "poetry",
    "country",
    "pastry",
    "registry",
    "gentry",
    "furniture",
    "future",
    "nature",
    "picture",
    "culture",
    "structure",
    "texture",
    "mixture",
    "posture",
    "capture",
    "feature",
    "lecture",
    "venture",
    "moisture",
    "fixture",
    "tapestry",
    "autism",
    "monasticism",
    "animism",
    "islamism",
    "occultism",
    "spiritualism",
    "aestheticism",
    "hinduism",
    "judaism",
    "christianity",
    "buddhism",
    "islam",
    "astrology",
    "numerology",
    "horoscopy",
    "soothsaying",
    "gambling",
    "wagering",
    "spawning",
    "breast-feeding",
    "curls",
    "gems",
    "jewels",
    "morality",
    "morals",
    "typology",
    "thatching",
    "refactoring",
    "parsing",
    "scripting",
    "recovery",
    "string",
    "sing",
    "swim",
    "everything",
    "something",
    "nothing",
}
FRAGMENT_WORDS = {"and", "or", "of", "the", "to", "for", "with", "in", "on", "a", "an", "by", "etc"}
# Soft skills every occupation needs, although ESCO links them to few occupations (it
# links the specific forms, "communicate with customers"): a fixed occupation share.
COMMON_SKILLS = {
    "Communication": 0.5,
    "Teamwork": 0.5,
    "Leadership": 0.3,
    "Problem solving": 0.4,
    "Time management": 0.4,
    "Customer service": 0.3,
    "Microsoft Office": 0.6,
    "Critical thinking": 0.3,
    "Adaptability": 0.3,
    "Attention to detail": 0.3,
    "Analytical skills": 0.3,
}
# ESCO "transversal" skills are by definition shared across occupations: at least this share.
TRANSVERSAL_SHARE = 0.1
# Alt labels that read as plain English in any text.
STOP_SURFACES = {"be responsible", "analyze", "analyse", "take responsibility", "be reliable"}
# A few single lowercase ESCO words worth keeping despite their ending.
KEEP_WORDS = {"nutrition", "massage", "yoga", "kaizen", "bookkeeping", "first-aid", "ergonomics"}


@dataclass
class SkillRec:
    name: str
    kind: str
    surfaces: dict[str, str] = field(default_factory=dict)  # key -> form as written
    esco: set[str] = field(default_factory=set)
    esco_related: set[str] = field(default_factory=set)  # concepts counted for DF only
    onet_occ: set[str] = field(default_factory=set)
    hot: bool = False
    in_demand: bool = False
    transversal: bool = False


class Builder:
    def __init__(self) -> None:
        self.skills: list[SkillRec] = []
        self.by_surface: dict[str, int] = {}
        self.by_esco: dict[str, int] = {}
        self.proper_single: set[str] = set()  # single-token surfaces that must be capitalised
        self.upper_only: set[str] = set()  # acronyms split off O*NET names

    def new(self, name: str, kind: str) -> int:
        self.skills.append(SkillRec(name=name, kind=kind))
        return len(self.skills) - 1

    def add_surface(self, idx: int, form: str) -> bool:
        form = " ".join(form.split())
        key = surface_key(form)
        if not key or len(key.split(" ")) > 8 or key in STOP_SURFACES:
            return False
        if key in self.by_surface:
            return False
        self.by_surface[key] = idx
        self.skills[idx].surfaces[key] = form
        return True


def _strip_qualifier(label: str) -> str:
    return re.sub(r"\s*\([^)]*\)\s*$", "", label).strip()


def _onet_forms(name: str) -> list[str]:
    """Surface forms of an O*NET tool name, full name first."""
    forms = [name]
    base = name
    # "SAP software" -> "SAP", but "Email software" must not become "Email"
    if base.endswith(" software") and re.search(r"[A-Z]", base[1 : -len(" software")]):
        base = base[: -len(" software")]
        forms.append(base)
    for vendor in sorted(VENDORS, key=len, reverse=True):
        rest = base[len(vendor) + 1 :]
        # "Google Drive" -> "Drive" would fire on every "drive"; keep a bare single word only
        # when it is visibly a product name ("AutoCAD", "QuickBooks", "SharePoint").
        if base.startswith(vendor + " ") and (
            len(rest.split()) > 1 or re.search(r"[A-Z0-9]", rest[1:])
        ):
            forms.append(rest)
            break
    acronym = _trailing_acronym(base)
    if acronym is not None:
        forms += [base[: -len(acronym)].strip(), acronym]
    return forms


def _trailing_acronym(name: str) -> str | None:
    """The acronym ending an O*NET name when it abbreviates the words before it:
    "Enterprise resource planning ERP" -> "ERP"; "Bing for Power BI" -> None."""
    words = name.split()
    if len(words) < 3 or not re.fullmatch(r"[A-Z][A-Z0-9]{1,6}", words[-1]):
        return None
    initials = [w[0].lower() for w in words[:-1]]
    content = [w[0].lower() for w in words[:-1] if w.lower() not in FRAGMENT_WORDS]
    return words[-1] if words[-1].lower() in ("".join(initials), "".join(content)) else None


def _onet_display(name: str) -> str:
    base = name.removesuffix(" software")
    acronym = _trailing_acronym(base)
    if acronym is not None:
        return f"{base[: -len(acronym)].strip()} ({acronym})"
    return name


def _keep_esco_label(label: str) -> bool:
    words = label.split()
    if not words or len(words) > MAX_WORDS:
        return False
    if words[0].lower() in FRAGMENT_WORDS or words[-1].lower() in FRAGMENT_WORDS:
        return False  # fragments such as "and procedures" exist among the alt labels
    if len(words) == 1:
        if label[0].isupper() or re.search(r"[A-Z0-9]", label):
            return len(label) >= 2
        low = label.lower()
        if low in KEEP_WORDS:
            return True
        return len(low) >= 5 and low.endswith(DISCIPLINE_SUFFIXES) and low not in GENERIC_WORDS
    return True


def read_csv_from_zip(path: Path, member_suffix: str) -> list[dict[str, str]]:
    with zipfile.ZipFile(path) as archive:
        (member,) = [n for n in archive.namelist() if n.endswith(member_suffix)]
        with archive.open(member) as handle:
            return list(csv.DictReader(io.TextIOWrapper(handle, "utf-8")))


def build(data: Path) -> dict[str, object]:
    b = Builder()

    # 1. Curated entries: their names and aliases claim their surfaces first.
    for name, kind, aliases in CURATED:
        idx = b.new(name, kind)
        for form in [name, *aliases]:
            b.add_surface(idx, form)

    # 2. O*NET Technology Skills.
    onet_rows = list(csv.DictReader((data / ONET_TECH).open(encoding="utf-8"), delimiter="\t"))
    onet_occupations = {row["O*NET-SOC Code"] for row in onet_rows}
    onet_index: dict[str, int] = {}
    for row in onet_rows:
        name = row["Example"].strip()
        if name not in onet_index:
            forms = _onet_forms(name)
            known = next(
                (b.by_surface[surface_key(f)] for f in forms if surface_key(f) in b.by_surface),
                None,
            )
            idx = b.new(_onet_display(name), "technology") if known is None else known
            acronym = _trailing_acronym(name.removesuffix(" software"))
            for form in forms:
                if not b.add_surface(idx, form) or len(form.split()) != 1:
                    continue
                if form == acronym or re.fullmatch(r"[A-Z]{4,}", form):
                    # acronyms are written in capitals; lower case they are words ("FIRST")
                    b.upper_only.add(surface_key(form))
                elif form != form.upper():
                    b.proper_single.add(surface_key(form))
            onet_index[name] = idx
        rec = b.skills[onet_index[name]]
        rec.onet_occ.add(row["O*NET-SOC Code"])
        rec.hot |= row["Hot Technology"] == "Y"
        rec.in_demand |= row["In Demand"] == "Y"

    # 3. ESCO skills: preferred labels first (they beat other concepts' alt labels).
    classification = data / ESCO_CLASSIFICATION
    esco_rows = [
        r
        for r in read_csv_from_zip(classification, "skills_en.csv")
        if r["skillType"] in ("skill/competence", "knowledge") and r["status"] == "released"
    ]
    digital = {
        r["conceptUri"] for r in read_csv_from_zip(classification, "digitalSkillsCollection_en.csv")
    }
    languages = {
        r["conceptUri"]
        for r in read_csv_from_zip(classification, "languageSkillsCollection_en.csv")
    }
    pending_alts: list[tuple[int, str]] = []
    for row in esco_rows:
        uri, pref = row["conceptUri"], row["preferredLabel"].strip()
        labels = [pref, _strip_qualifier(pref)]
        alts = [a.strip() for a in row["altLabels"].split("\n") if a.strip()]
        candidates = [lab for lab in labels + alts if _keep_esco_label(lab)]
        if not candidates:
            continue
        existing = next(
            (b.by_surface[surface_key(lab)] for lab in labels if surface_key(lab) in b.by_surface),
            None,
        )
        if existing is None:
            # A long preferred label still names the concept; its short alt labels match.
            kind = "knowledge" if row["skillType"] == "knowledge" else "skill"
            if uri in languages:
                kind = "language"
            elif uri in digital and pref[:1].isupper():
                kind = "technology"
            display = _strip_qualifier(pref) if pref[:1].isupper() else pref
            idx = b.new(display[:1].upper() + display[1:], kind)
        else:
            idx = existing
        b.skills[idx].esco.add(uri)
        b.skills[idx].transversal |= row["reuseLevel"] == "transversal"
        b.by_esco[uri] = idx
        for lab in labels:
            if re.fullmatch(r"[A-Z]{4,}", lab) and b.add_surface(idx, lab):
                b.upper_only.add(surface_key(lab))
            if (
                _keep_esco_label(lab)
                and b.add_surface(idx, lab)
                and len(lab.split()) == 1
                and lab[:1].isupper()
            ):
                b.proper_single.add(surface_key(lab))
        pending_alts += [(idx, alt) for alt in alts if _keep_esco_label(alt)]
        # "communication" or "teamwork" are alt labels of many ESCO concepts ("communicate
        # with customers"...): count their occupations towards the curated skill's DF
        # without merging the concepts themselves.
        for alt in alts:
            target = b.by_surface.get(surface_key(alt))
            if target is not None and target < len(CURATED) and target != idx:
                b.skills[target].esco_related.add(uri)
    for idx, alt in pending_alts:
        if not b.add_surface(idx, alt) or len(alt.split()) != 1:
            continue
        if re.fullmatch(r"[A-Z]{4,}", alt):
            b.upper_only.add(surface_key(alt))
        elif alt[:1].isupper():
            b.proper_single.add(surface_key(alt))

    # 4. Document frequencies over occupations, per source.
    related: dict[str, list[int]] = defaultdict(list)
    for i, rec in enumerate(b.skills):
        for uri in rec.esco_related:
            related[uri].append(i)
    esco_occ: dict[int, set[str]] = defaultdict(set)
    all_esco_occ: set[str] = set()
    for rel in read_csv_from_zip(data / ESCO_RELATIONS, "occupationSkillRelations.csv"):
        all_esco_occ.add(rel["occupationUri"])
        linked = b.by_esco.get(rel["skillUri"])
        if linked is not None:
            esco_occ[linked].add(rel["occupationUri"])
        for target in related.get(rel["skillUri"], ()):
            esco_occ[target].add(rel["occupationUri"])
    n_esco, n_onet = len(all_esco_occ), len(onet_occupations)
    n_max = max(n_esco, n_onet)

    def idf(idx: int) -> float:
        rec = b.skills[idx]
        shares = []
        if rec.esco or rec.esco_related:
            shares.append((len(esco_occ[idx]) + 0.5) / (n_esco + 1))
        if rec.onet_occ:
            shares.append((len(rec.onet_occ) + 0.5) / (n_onet + 1))
        if rec.name in COMMON_SKILLS:
            shares.append(COMMON_SKILLS[rec.name])
        if rec.transversal:
            shares.append(TRANSVERSAL_SHARE)
        p = max(shares) if shares else 1.5 / (n_max + 1)
        return round(min(1.0, math.log(1 / p) / math.log(n_max + 1)), 4)

    # Drop skills that ended up with no surface (all taken by earlier concepts).
    kept = [i for i, rec in enumerate(b.skills) if rec.surfaces]
    new_index = {old: new for new, old in enumerate(kept)}
    ids: set[str] = set()
    skills_out = []
    for old in kept:
        rec = b.skills[old]
        base = _slug(rec.name)
        sid, n = base, 2
        while sid in ids:
            sid, n = f"{base}-{n}", n + 1
        ids.add(sid)
        flags = (1 if rec.hot else 0) | (2 if rec.in_demand else 0)
        skills_out.append([sid, rec.name, rec.kind, idf(old), flags])

    surfaces = {key: new_index[idx] for key, idx in b.by_surface.items()}
    # Short alphabetic surfaces must be written in upper case or exactly as the source does.
    case_forms: dict[str, list[str]] = {}
    for old in kept:
        for key, form in b.skills[old].surfaces.items():
            if key in b.upper_only:
                case_forms[key] = [form.upper()]
            elif re.fullmatch(r"[a-z]{1,3}", key) and key not in CASE_FREE_ACRONYMS:
                # a form written with capitals ("iOS", "Go") is allowed as written
                allowed = {form.upper()} | ({form} if form != form.lower() else set())
                case_forms[key] = sorted(allowed | set(case_forms.get(key, [])))
    proper = sorted(k for k in b.proper_single if k in surfaces and k not in case_forms)
    ambiguous = {k: sorted(set(v)) for k, v in AMBIGUOUS.items() if k in surfaces}
    return {
        "version": 1,
        "built_from": "ESCO v1.1.1 (skills, occupation-skill relations); "
        "O*NET 29.2 Technology Skills; curated aliases in scripts/build_lexicon.py",
        "occupations": {"esco": n_esco, "onet": n_onet},
        "skills": skills_out,
        "surfaces": surfaces,
        "case_forms": case_forms,
        "proper": proper,
        "ambiguous": ambiguous,
    }


def _slug(name: str) -> str:
    text = name.lower().replace("c++", "c-plus-plus").replace("c#", "c-sharp")
    text = text.replace(".net", "dot-net").replace("f#", "f-sharp")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "skill"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=LEXICON_PATH)
    args = parser.parse_args()
    lexicon = build(args.data)
    payload = json.dumps(lexicon, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    # mtime=0: the same sources give a byte-identical file (clean diffs).
    with args.out.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as out:
        out.write(payload.encode("utf-8"))
    skills = lexicon["skills"]
    assert isinstance(skills, list)
    print(
        f"{len(skills)} skills, {len(lexicon['surfaces'])} surfaces "  # type: ignore[arg-type]
        f"-> {args.out} ({args.out.stat().st_size / 1e6:.2f} MB)"
    )


if __name__ == "__main__":
    main()
