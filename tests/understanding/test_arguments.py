"""The arguments the offline model passes to a tool, read from requests as people type
them: each case is one a writer who had not seen the rules typed, and one the model once
read wrong."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.messages import HumanMessage

from agents.offline import OfflineChatModel
from agents.offline.slots import spelt_numbers
from bench._utterances import CONTACTS, conversation
from tools import ROLE_TOOLS


def call(text: str, role: str = "candidate") -> tuple[str, dict[str, Any]]:
    model = OfflineChatModel(tool_names=[t.name for t in ROLE_TOOLS[role]], role=role)
    decided = model.decide([HumanMessage(text)])
    assert decided.tool_calls, decided.content
    return decided.tool_calls[0]["name"], decided.tool_calls[0]["args"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the per-day cap is not a score ("no more than 3" once read as min_score 0.03)
        (
            "send me alerts but only for jobs that are at least a 70% match, and no more than 3 a day",
            {"min_score": 0.7, "max_per_day": 3},
        ),
        # the number said to be enough wins over the number complained about
        ("ur sending me like 10 job emails a day, one is plenty thx", {"max_per_day": 1}),
        ("alerts above 0.8, max 2 a day", {"min_score": 0.8, "max_per_day": 2, "query": None}),
        # a kind of job: only jobs so titled
        (
            "send me alerts for warehouse supervisor jobs, max 2 a day",
            {"query": "warehouse supervisor", "max_per_day": 2},
        ),
        ("turn on alerts for remote jobs", {"query": None, "remote": True}),
    ],
)
def test_alert_settings(text: str, expected: dict[str, Any]) -> None:
    name, args = call(text)
    assert name == "set_job_alerts"
    assert {k: args.get(k) for k in expected} == expected


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("write a job ad for a forklift driver", "forklift driver"),
        (
            "I run a small bakery and need someone for early mornings. Can you write the ad "
            "for me? Just call it Baker.",
            "Baker",
        ),
        ("Rédige une offre d'emploi pour un poste de comptable", "comptable"),
        # what follows the title is not part of it
        (
            "Our TA lead wants a draft ad for a Healthcare Assistant before anything goes live",
            "Healthcare Assistant",
        ),
    ],
)
def test_a_job_post_draft_is_for_the_title_named(text: str, title: str) -> None:
    assert call(text, "employer") == ("draft_job_post", {"title": title})


@pytest.mark.parametrize(
    ("text", "query"),
    [
        ("show me all our nursing vacancies", "nursing"),
        ("any jobs of ours mentioning forklift?", "forklift"),
        ("list our open jobs", None),
    ],
)
def test_an_employers_own_jobs_filtered_by_what_they_said(text: str, query: str | None) -> None:
    name, args = call(text, "employer")
    assert name == "list_my_jobs"
    assert args.get("query") == query


@pytest.mark.parametrize(
    ("text", "filters"),
    [
        ("show me just our Manchester jobs", {"location": "manchester"}),
        (
            "Can you pull up all the roles we currently have live? Only the published ones, not drafts.",
            {"published": True},
        ),
        ("list our drafts", {"published": False}),
        (
            "which of our jobs in Leeds are still unpublished?",
            {"location": "leeds", "published": False},
        ),
        # a question about one job's status lists them all, with their status
        ("is the warehouse operative job still live or did someone close it?", {}),
        ("show me all our nursing vacancies", {"query": "nursing"}),
    ],
)
def test_an_employers_own_jobs_by_place_and_state(text: str, filters: dict[str, object]) -> None:
    name, args = call(text, "employer")
    assert name == "list_my_jobs"
    assert args == filters


@pytest.mark.parametrize(
    ("text", "pay"),
    [
        (
            "change the salary on the marketing manager job to 55k",
            {"salary_min": 55000, "salary_max": 55000},
        ),
        (
            "set the pay for the nurse job to £30-35k",
            {"salary_min": 30000, "salary_max": 35000, "currency": "GBP"},
        ),
    ],
)
def test_a_pay_change_states_the_new_salary(text: str, pay: dict[str, Any]) -> None:
    name, args = call(text, "employer")
    assert name == "update_job"
    assert {k: args[k] for k in pay} == pay


def test_an_hourly_pay_change_is_asked_back_not_converted() -> None:
    tools = [t.name for t in ROLE_TOOLS["employer"]]
    model = OfflineChatModel(tool_names=tools, role="employer")
    decided = model.decide(
        [HumanMessage("Change the salary on our Forklift Driver posting to £13/hour.")]
    )
    assert not decided.tool_calls
    assert "yearly salary" in str(decided.content)


@pytest.mark.parametrize(
    ("text", "company", "accept"),
    [
        # a "no" in other words is a decline, of the request named by its job
        ("the sales one — no thanks, I'm never going back to sales", "Initech", False),
        ("nah, tell Globex no", "Globex", False),
        ("yes to globex", "Globex", True),
    ],
)
def test_a_contact_answer_says_which_request_and_which_way(
    text: str, company: str, accept: bool
) -> None:
    tools = [t.name for t in ROLE_TOOLS["candidate"]]
    model = OfflineChatModel(tool_names=tools, role="candidate")
    [call] = model.decide(conversation(text, "contacts")).tool_calls
    assert call["name"] == "answer_contact_request"
    chosen = next(c for c in CONTACTS if c["id"] == call["args"]["request_id"])
    assert chosen["company"] == company and call["args"]["accept"] is accept


def test_a_rename_says_the_new_title() -> None:
    name, args = call("change the title of the warehouse job to Warehouse Team Leader", "employer")
    assert name == "update_job"
    assert args["title"] == "Warehouse Team Leader" and "published" not in args


def test_pulling_up_candidates_is_a_search_not_an_unpublish() -> None:
    name, args = call(
        "pull up the candidates for the nurse role, only ones with nmc registration", "employer"
    )
    assert name == "find_candidates" and "published" not in args


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a city named without "in", right after what is sought
        ("chef jobs london", {"query": "chef", "location": "london"}),
        ("marketing internship berlin", {"query": "marketing", "location": "berlin"}),
        # a town that is also a word is no place before the job noun
        ("nice jobs near me", {"location": None}),
        # "go back to work" names no job; the tutoring jobs do
        (
            "I'm a retired maths teacher and would like to go back to work a couple of days a "
            "week. Are there any part-time tutoring jobs in Bristol?",
            {"query": "tutoring", "location": "bristol"},
        ),
        # a sentence before the request is not its keywords
        (
            "im done with picking boxes lol. show me jobs that fit my cv",
            {"query": None},
        ),
        # a lower-case word after "in" is a place only when it is the name of one
        ("I've just finished a PhD in medieval history, any research jobs?", {"location": None}),
        ("ich suche einen job als krankenpfleger in münchen", {"location": "münchen"}),
        ("estate agent roles in north london", {"location": "north london"}),
        # in a long message, the sentence that asks
        (
            "i am from eritrea, in uk 8 month. before i work kitchen in asmara. now i want "
            "cleaner job in leicester please, any hours ok",
            {"location": "leicester", "query": "cleaner"},
        ),
        # a job title on its own is what is sought
        (
            "junior data analyst, manchester area, give me ten",
            {"query": "data analyst", "location": "manchester", "top_k": 10},
        ),
        ("3 remote customer service jobs, contract is fine", {"top_k": 3, "remote": True}),
        ("senior sommelier positions, London or close by, 45k+", {"location": "london"}),
    ],
)
def test_a_job_search_reads_what_and_where(text: str, expected: dict[str, Any]) -> None:
    name, args = call(text)
    assert name == "find_matching_jobs"
    assert {k: args.get(k) for k in expected} == expected


@pytest.mark.parametrize(
    "text",
    ["find me a cleaner in croydon", "I need a chef with at least 3 years experience in Brighton"],
)
def test_an_employer_asking_for_a_person_by_occupation_searches_candidates(text: str) -> None:
    model = OfflineChatModel(tool_names=[t.name for t in ROLE_TOOLS["employer"]], role="employer")
    decided = model.decide([HumanMessage(text)])
    # the search needs one of the employer's jobs: it lists them first when none is known
    assert decided.response_metadata["understanding"]["intent"] == "find_candidates"


def test_a_job_post_draft_takes_the_title_after_a_colon() -> None:
    assert call("draft job post: senior backend engineer, fintech, quick pls", "employer") == (
        "draft_job_post",
        {"title": "senior backend engineer"},
    )


@pytest.mark.parametrize(
    ("text", "tool"),
    [
        ("Which skills am I missing for jobs like mine?", "skills_to_learn"),
        ("which jobs did u find on my cv, did it get the forklift one", "read_my_resume"),
        ("how is my profile doing? any views?", "get_my_report"),
    ],
)
def test_candidate_requests_read_as_asked(text: str, tool: str) -> None:
    assert call(text)[0] == tool


def test_a_career_question_about_one_named_earlier_is_about_that_occupation() -> None:
    name, args = call(
        "We're a small dental surgery hiring a practice manager for the first time - what "
        "skills does a good one need?",
        "employer",
    )
    assert name == "occupation_info" and args["occupation"] == "practice manager"


def _decide(text: str, role: str, context: str | None) -> tuple[str | None, dict[str, Any], str]:
    model = OfflineChatModel(tool_names=[t.name for t in ROLE_TOOLS[role]], role=role)
    decided = model.decide(conversation(text, context))
    call = decided.tool_calls[0] if decided.tool_calls else None
    return (call["name"], call["args"], "") if call else (None, {}, str(decided.content))


def _assert_decides(
    text: str, role: str, context: str | None, tool: str, args: dict[str, Any] | None
) -> None:
    """The tool called and, when `args` is given, those of its arguments."""
    name, got, reply = _decide(text, role, context)
    assert name == tool, reply
    if args is not None:
        assert {k: got.get(k) for k in args} == args


def test_a_job_named_by_a_word_of_its_title_is_that_job_and_none_named_is_asked() -> None:
    # the list shows Data Engineer, Staff Nurse, Warehouse Operative
    assert _decide("unpublish the warehouse one, we've filled it", "employer", "org_jobs")[:2] == (
        "update_job",
        {"job": f"{203:032x}", "published": False},
    )
    # none of them named: never the first on a guess
    tool, _, reply = _decide("unpublish it", "employer", "org_jobs")
    assert tool is None and reply.startswith("Which job?")
    # a job the list does not show is named by its title, never another one's id
    assert _decide("Close the forklift driver posting, we hired someone", "employer", None)[:2] == (
        "update_job",
        {"job": "forklift driver", "published": False},
    )


def test_a_contact_answer_for_an_employer_not_listed_is_asked_back() -> None:
    assert _decide("accept the one from hotel miramar pls", "candidate", None)[0] == (
        "get_contact_requests"
    )
    tool, _, reply = _decide("accept the one from hotel miramar pls", "candidate", "contacts")
    assert tool is None and reply.startswith("Which request?")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Indian salaries in lakhs a year
        ("SAP FICO consultant jobs in Bangalore, min 12 LPA", {"salary_min": 1_200_000}),
        # an hourly rate without a currency is pay, a licence class is no count
        ("any sparky work around brisbane? after 45 an hour", {"salary_min": 45}),
        ("hgv class 1 driving jobs manchester", {"top_k": None}),
        ("got anything for me today?", {"query": None}),
    ],
)
def test_search_slots_as_people_write_them(text: str, expected: dict[str, Any]) -> None:
    model = OfflineChatModel(tool_names=[t.name for t in ROLE_TOOLS["candidate"]], role="candidate")
    decided = model.decide([HumanMessage(text)])
    slots = decided.response_metadata["understanding"]["slots"]
    assert decided.tool_calls[0]["name"] == "find_matching_jobs"
    assert {k: slots.get(k) for k in expected} == expected


def test_a_quoted_new_title_is_kept_as_written_in_another_language() -> None:
    name, args, _ = _decide(
        "Changez le titre du poste d'aide-soignant en « Aide-soignant de nuit »", "employer", None
    )
    assert name == "update_job" and args["title"] == "Aide-soignant de nuit"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # fragments only, one of them a field: a search
        ("NYC, nursing, 40/hr minimum", {"query": "nursing", "location": "nyc", "salary_min": 40}),
        # what is not needed is not sought
        (
            "Any junior data analyst positions in Edinburgh? Doesn't need to be permanent, "
            "a contract would be fine",
            {"employment_type": "contract"},
        ),
        ("full stack developer jobs in leeds", {"query": "full stack developer"}),
        # who they are is not what they seek
        (
            "I've been a primary teacher for 22 years. Is there anything in corporate "
            "training, preferably remote?",
            {"query": "corporate training"},
        ),
        ("Busco trabajo de jefe de cocina en Madrid", {"query": "jefe de cocina"}),
    ],
)
def test_more_searches_as_people_write_them(text: str, expected: dict[str, Any]) -> None:
    test_search_slots_as_people_write_them(text, expected)


def test_a_pasted_ad_is_created_without_the_request_around_it() -> None:
    name, args = call(
        "We're a 12-bed care home in Cornwall and need to advertise. Here's the ad: Night Care "
        "Assistant, 3 nights/week, £12.50/hr, NVQ Level 2 preferred. Duties include personal "
        "care and medication rounds, and keeping accurate care records. Must have a DBS or be "
        "willing to get one. Please put it up.",
        "employer",
    )
    assert name == "create_job"
    assert args["description"].startswith("Night Care Assistant")
    assert args["description"].endswith("willing to get one.")


def test_a_pay_question_names_the_job_it_is_about() -> None:
    name, args = call(
        "Is £28,000 enough for our staff nurse post these days? Be honest", "employer"
    )
    assert (name, args) == ("salary_benchmark", {"job": "staff nurse"})


@pytest.mark.parametrize(
    ("text", "context", "tool", "args"),
    [
        ("make #1 live", "org_jobs", "update_job", {"job": f"{201:032x}", "published": True}),
        ("unpublish 2", "org_jobs", "update_job", {"job": f"{202:032x}", "published": False}),
        ("Kontaktanfrage an Nummer 4 schicken", "candidates", "request_contact", None),
        (
            "applications vs hires over the last 90 days, the MD always asks about drop-off "
            "after interview",
            None,
            "hiring_funnel",
            {"days": 90},
        ),
        ("Entwirf eine Stellenanzeige für einen Berufskraftfahrer", None, "draft_job_post", None),
        ("what do hgv class 1 drivers earn these days", None, "occupation_info", None),
    ],
)
def test_employer_requests_of_the_sixth_round(
    text: str, context: str | None, tool: str, args: dict[str, Any] | None
) -> None:
    _assert_decides(text, "employer", context, tool, args)


@pytest.mark.parametrize(
    ("text", "tool"),
    [
        ("diff pls", "show_rewrite"),
        ("Looks good actually, save the new version over the old one please", "accept_rewrite"),
        ("nah bin it the old one was better", "reject_rewrite"),
        ("Die überarbeitete Version passt, bitte übernehmen.", "accept_rewrite"),
        ("envoyez-moi des alertes pour les postes de pharmacien", "set_job_alerts"),
        # dictated: "right me" is "write me", "full stop" a full stop
        ("Could you right me a short summary for the top of my CV full stop", "draft_summary"),
        ("ok im ready now. let companies find me", "set_visibility"),
    ],
)
def test_candidate_requests_of_the_sixth_round(text: str, tool: str) -> None:
    assert _decide(text, "candidate", None)[0] == tool


@pytest.mark.parametrize(
    ("text", "role", "tool"),
    [
        (
            "who's been trying to contact me? got a notification",
            "candidate",
            "get_contact_requests",
        ),
        ("any recruiters reached out to me yet?", "candidate", "get_contact_requests"),
        ("What exactly does a quantity surveyor do day to day?", "candidate", "occupation_info"),
        ("what skills do I need to become a site foreman", "candidate", "occupation_info"),
        ("Could you punch up the summary at the top of my resume?", "candidate", "draft_summary"),
        ("¿Me podrías mejorar el resumen de mi CV? Es muy soso", "candidate", "draft_summary"),
        ("Zeig mir bitte, was sich an meinem Lebenslauf geändert hat", "candidate", "show_rewrite"),
        ("cómo me convierto en enfermera en México?", "candidate", "occupation_info"),
        (
            "Is a teacher's aide salary of $17/hr in Ohio decent or are we lowballing?",
            "employer",
            "salary_benchmark",
        ),
        (
            "Armame un aviso para un puesto de ayudante de cocina, borrador nomás",
            "employer",
            "draft_job_post",
        ),
    ],
)
def test_requests_of_the_sixth_round_in_other_words(text: str, role: str, tool: str) -> None:
    assert _decide(text, role, None)[0] == tool


def test_hindi_in_latin_letters_is_told_which_languages_are_understood() -> None:
    tool, _, reply = _decide(
        "mujhe Delhi mein driver ki naukri chahiye, koi hai kya?", "candidate", None
    )
    assert tool is None and "English" not in reply and reply


@pytest.mark.parametrize(
    ("text", "role", "tool"),
    [
        ("whats a dental nurse actually do day to day", "candidate", "occupation_info"),
        ("¿Cómo se llega a ser orientadora laboral?", "candidate", "occupation_info"),
        ("Yes, save that one as my CV.", "candidate", "accept_rewrite"),
        ("of the stuff on my cv whats hottest right now", "candidate", "my_skills_in_demand"),
        (
            "¿Qué habilidades debería aprender para trabajos como el mío?",
            "candidate",
            "skills_to_learn",
        ),
        ("Jobalarme aus. Danke.", "candidate", "stop_job_alerts"),
        (
            "Je garde la version réécrite de mon CV, elle est parfaite.",
            "candidate",
            "accept_rewrite",
        ),
        (
            "I got hired!! so I won't be needing those daily job emails anymore, turn them off",
            "candidate",
            "stop_job_alerts",
        ),
        (
            "I've uploaded my CV but I don't know what it says about me. Could you tell me what "
            "you picked up from it? Skills, jobs, all that.",
            "candidate",
            "read_my_resume",
        ),
        (
            "Volunteer Coordinator (part-time, 20 hrs/week) - Hope Street Charity Shops\nRecruit, "
            "train and support our team of 40 volunteers across three shops. Keep rotas, run "
            "inductions. £13.10/hr.\nCan you put that live please",
            "employer",
            "create_job",
        ),
    ],
)
def test_requests_of_the_seventh_round(text: str, role: str, tool: str) -> None:
    assert _decide(text, role, None)[0] == tool


def test_an_hourly_pay_change_with_pence_is_asked_back() -> None:
    tool, _, reply = _decide("change the salary on the cleaner job to £12.50/hr", "employer", None)
    assert tool is None and "12.5 is pay per hour" in reply


@pytest.mark.parametrize(
    ("text", "role", "context", "tool", "args"),
    [
        # an item of the list named by its place or its company
        ("reopen the Manchester one", "employer", "org_jobs", "update_job", {"job": f"{202:032x}"}),
        (
            "what am I missing for the Madrid one",
            "candidate",
            "jobs",
            "explain_match",
            {"job_id": f"{104:032x}"},
        ),
        (
            "why does the Northwind one match me?",
            "candidate",
            "jobs",
            "explain_match",
            {"job_id": f"{101:032x}"},
        ),
        (
            "Under GDPR I'd like all my personal data erased from your platform.",
            "candidate",
            None,
            "delete_my_data",
            None,
        ),
        (
            "Hi, I'd like to add a second job please, same as the cook one but for weekends: "
            "'Weekend Cook – Greenway Care Home, Sat & Sun 8am-4pm, £12/h, food hygiene level 2 required.'",
            "employer",
            None,
            "create_job",
            None,
        ),
        (
            "Bitte die Stelle 'Hausmeister' schließen, wir haben jemanden gefunden.",
            "employer",
            None,
            "update_job",
            {"published": False},
        ),
    ],
)
def test_requests_of_the_eighth_round(
    text: str, role: str, context: str | None, tool: str, args: dict[str, Any] | None
) -> None:
    _assert_decides(text, role, context, tool, args)


@pytest.mark.parametrize(
    ("said", "read"),
    [
        ("paying at least fifteen quid an hour", "paying at least 15 quid an hour"),
        ("nothing below thirty grand", "nothing below 30000"),
        ("forty-five thousand euro or more", "45000 euro or more"),
        ("funnel stats, last ninety days", "funnel stats, last 90 days"),
        ("top three lead UX jobs paris", "top 3 lead UX jobs paris"),
        # not a count: "one" as a pronoun, "one day" as a plan
        ("what am I missing for the last one", "what am I missing for the last one"),
        ("one day im turning them off", "one day im turning them off"),
    ],
)
def test_numbers_said_in_words_are_read_where_they_count(said: str, read: str) -> None:
    assert spelt_numbers(said) == read


def test_the_alert_limit_is_the_number_asked_for_not_the_one_complained_about() -> None:
    name, args = call(
        "The alerts drive me mad, I get about ten a day. Can you change it so I only get ones "
        "that are at least an 80% match, and no more than 2 a day?"
    )
    assert name == "set_job_alerts" and args["max_per_day"] == 2 and args["min_score"] == 0.8
