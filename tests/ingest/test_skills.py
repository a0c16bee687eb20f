"""Skills lexicon: precision on ordinary words that are also technologies, recall on real
technical usage, normalisation of explicit names, IDF weights."""

from __future__ import annotations

import gzip
import json
import time

import pytest

from ingest.skills import LEXICON_PATH, SkillLexicon, get_lexicon, tokenize


@pytest.fixture(scope="module")
def lexicon() -> SkillLexicon:
    return get_lexicon()


def names(lexicon: SkillLexicon, text: str, *, skill_list: bool = False) -> set[str]:
    return {m.name for m in lexicon.extract(text, skill_list=skill_list)}


# (sentence, skills that must be found, skills that must NOT be found)
CASES: list[tuple[str, set[str], set[str]]] = [
    # --- precision: everyday English
    ("I go to work by bus every day.", set(), {"Go"}),
    ("Go to the settings page and click save.", set(), {"Go"}),
    ("We excel at service and hospitality.", set(), {"Microsoft Excel"}),
    ("Excel at every task you are given.", set(), {"Microsoft Excel"}),
    ("Gave field staff access to customers and partners.", set(), {"Microsoft Access"}),
    ("Access to the building requires a badge.", set(), {"Microsoft Access"}),
    ("Known for swift delivery of orders.", set(), {"Swift"}),
    ("Swift Delivery Ltd, warehouse operative", set(), {"Swift"}),
    ("Brought a spark of creativity to the team.", set(), {"Apache Spark"}),
    ("Managed R&D budgeting for two labs.", {"Budgeting"}, {"R"}),
    ("Reported to C-level executives weekly.", set(), {"C"}),
    ("We always had a plan B/C ready.", set(), {"C"}),
    ("Cleaned the rust off old machinery.", set(), {"Rust"}),
    ("Worked as a sous chef in a busy kitchen.", set(), {"Chef"}),
    ("Ran puppet shows for children.", set(), {"Puppet"}),
    ("Bought a ruby ring and a cup of java.", set(), {"Ruby", "Java"}),
    ("Collected sea shells on the shore.", set(), {"Shell scripting"}),
    ("Make sure every order ships on time.", set(), {"Make"}),
    ("Used express delivery for urgent parcels.", set(), {"Express.js"}),
    ("Carried a flask of coffee on night shifts.", set(), {"Flask"}),
    ("Checked every word of the contract.", set(), {"Microsoft Word"}),
    ("The outlook for 2024 is positive.", set(), {"Microsoft Outlook"}),
    ("Our Teams met every Friday.", set(), {"Microsoft Teams"}),
    ("Please react quickly to customer complaints.", set(), {"React"}),
    ("I led it, and it worked; dosage 500 ml.", set(), {"Computer technology", "Machine learning"}),
    ("An agile and friendly team member.", set(), {"Agile"}),
    ("Spring and summer were our busiest seasons.", set(), {"Spring"}),
    # --- recall: technical usage
    ("Go developer building gRPC services.", {"Go", "gRPC"}, set()),
    ("Backend written in Go, deployed with k8s.", {"Go", "Kubernetes"}, set()),
    ("Five years of Golang in production.", {"Go"}, set()),
    ("Statistical models in R and Python.", {"R", "Python"}, set()),
    ("R programming for survey analysis.", {"R"}, set()),
    (
        "Advanced MS Excel and Microsoft Access reporting.",
        {"Microsoft Excel", "Microsoft Access"},
        set(),
    ),
    ("Built Excel spreadsheets for the finance team.", {"Microsoft Excel"}, set()),
    (
        "Proficient in Excel, Word and Outlook.",
        {"Microsoft Excel", "Microsoft Word", "Microsoft Outlook"},
        set(),
    ),
    ("Languages: Go, Rust, C", {"Go", "Rust", "C"}, set()),
    ("Firmware in C and C++ for ARM boards.", {"C", "C++"}, set()),
    ("C#, .NET and ASP.NET Core web APIs.", {"C#", ".NET"}, set()),
    (
        "Node.js and Express APIs with PostgreSQL (postgres).",
        {"Node.js", "Express.js", "PostgreSQL"},
        set(),
    ),
    (
        "CI/CD pipelines on AWS and GCP with Terraform.",
        {"CI/CD", "Amazon Web Services", "Google Cloud Platform", "Terraform"},
        set(),
    ),
    ("Data pipelines with Apache Spark and Kafka.", {"Apache Spark", "Apache Kafka"}, set()),
    ("Python, Java, Swift, Ruby on Rails", {"Python", "Java", "Swift", "Ruby on Rails"}, set()),
    (
        "Configuration management with Chef, Puppet and Ansible.",
        {"Chef", "Puppet", "Ansible"},
        set(),
    ),
    (
        "Applied ML and NLP to support tickets; JS front end.",
        {"Machine learning", "Natural language processing", "JavaScript"},
        set(),
    ),
    ("Agile/Scrum delivery with Jira.", {"Agile", "Scrum", "Jira"}, set()),
    (
        "Customer service, project management and budgeting.",
        {"Customer service", "Project management", "Budgeting"},
        set(),
    ),
    ("Registered nurse providing nursing care on a surgical ward.", {"Nursing care"}, set()),
    (
        "Flask and FastAPI microservices in Docker.",
        {"Flask", "FastAPI", "Microservices", "Docker"},
        set(),
    ),
]


@pytest.mark.parametrize(("sentence", "present", "absent"), CASES, ids=[c[0][:40] for c in CASES])
def test_precision_and_recall_on_tricky_words(
    lexicon: SkillLexicon, sentence: str, present: set[str], absent: set[str]
) -> None:
    found = names(lexicon, sentence)
    assert present <= found, f"missing {present - found} in {found}"
    assert not (absent & found), f"false positives {absent & found}"


def test_skill_list_context_lets_ambiguous_words_count(lexicon: SkillLexicon) -> None:
    assert names(lexicon, "Excel\nWord\nAccess", skill_list=True) == {
        "Microsoft Excel",
        "Microsoft Word",
        "Microsoft Access",
    }
    # ...but even in a list, a lowercase verb or a glued form is not a skill
    assert names(lexicon, "go-to person; excel at teamwork", skill_list=True) == {"Teamwork"}


def test_mentions_carry_offsets_into_the_text(lexicon: SkillLexicon) -> None:
    text = "Shipped Kubernetes (k8s) operators in Go and PostgreSQL."
    mentions = lexicon.extract(text)
    assert [text[m.start : m.end] for m in mentions] == [
        "Kubernetes",
        "k8s",
        "Go",
        "PostgreSQL",
    ]
    assert [m.skill_id for m in mentions][:2] == ["kubernetes", "kubernetes"]


def test_longest_match_wins(lexicon: SkillLexicon) -> None:
    text = "Ruby on Rails and Microsoft SQL Server"
    assert [text[m.start : m.end] for m in lexicon.extract(text)] == [
        "Ruby on Rails",
        "Microsoft SQL Server",
    ]


def test_tokenizer_keeps_symbols_that_name_languages() -> None:
    assert [t for t, _, _ in tokenize("C++, C#, .NET, Node.js, CI/CD, R&D, C-level")] == [
        "C++",
        "C#",
        ".NET",
        "Node.js",
        "CI",
        "/",
        "CD",
        "R&D",
        "C",
        "-",
        "level",
    ]


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("k8s", "Kubernetes"),
        ("postgres", "PostgreSQL"),
        ("JS", "JavaScript"),
        ("ML", "Machine learning"),
        ("Go", "Go"),
        ("excel", "Microsoft Excel"),
        ("Structured query language SQL", "SQL"),
        ("Autodesk AutoCAD", "AutoCAD"),
        ("Python (programming language)", "Python"),
        ("project management", "Project management"),
        ("Customer Service.", "Customer service"),
        ("RESTful APIs", "REST APIs"),
    ],
)
def test_normalise_explicit_names(lexicon: SkillLexicon, raw: str, canonical: str) -> None:
    skill = lexicon.normalise(raw)
    assert skill is not None and skill.name == canonical


def test_normalise_rejects_non_skills(lexicon: SkillLexicon) -> None:
    assert lexicon.normalise("walking my dog on sundays") is None
    assert lexicon.normalise("") is None


def test_canonical_names_round_trip(lexicon: SkillLexicon) -> None:
    for name in ["Microsoft Excel", "CI/CD", ".NET", "Nursing care", "Ruby on Rails"]:
        skill = lexicon.normalise(name)
        assert skill is not None and skill.name == name


def test_idf_orders_common_below_rare(lexicon: SkillLexicon) -> None:
    skills = {
        name: lexicon.normalise(name)
        for name in ["Microsoft Excel", "Communication", "Python", "Kubernetes"]
    }
    idf = {name: lexicon.idf(skill.id) for name, skill in skills.items() if skill is not None}
    assert len(idf) == 4
    assert all(0 < v <= 1 for v in idf.values())
    assert idf["Microsoft Excel"] < idf["Python"] < idf["Kubernetes"]
    assert idf["Communication"] < idf["Kubernetes"]
    assert lexicon.idf("no-such-skill") == 1.0


def test_o_net_hot_technology_flags_survive(lexicon: SkillLexicon) -> None:
    python = lexicon.normalise("Python")
    assert python is not None and python.hot and python.kind == "technology"


def test_lexicon_is_cached_and_small() -> None:
    assert get_lexicon() is get_lexicon()
    assert LEXICON_PATH.stat().st_size < 5_000_000
    with gzip.open(LEXICON_PATH, "rt", encoding="utf-8") as handle:
        data = json.load(handle)
    assert len(data["skills"]) > 10_000  # ESCO and O*NET both made it in
    assert "esco" in data["occupations"] and "onet" in data["occupations"]


def test_extraction_handles_a_large_batch(lexicon: SkillLexicon) -> None:
    """Sanity, not a benchmark: 500 postings of ~2 KB go through without trouble."""
    posting = (
        "We are hiring a backend engineer. You will build REST APIs in Python and Go, "
        "run PostgreSQL and Redis on AWS, and deploy with Docker and Kubernetes. "
        "Nice to have: Terraform, Kafka, and a taste for clean code. "
    ) * 8
    started = time.perf_counter()
    counts = {len(lexicon.extract(posting)) for _ in range(500)}
    elapsed = time.perf_counter() - started
    assert counts == {len(lexicon.extract(posting))} and min(counts) >= 80
    print(f"extract: {elapsed / 500 * 1000:.3f} ms per {len(posting)} chars")
