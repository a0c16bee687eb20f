"""The offline model drives every flow end to end: real services, real checkpointer."""

from __future__ import annotations

import httpx
import pytest

from agents.chat import Assistant
from tests.plugins.agents import World, names, open_to_employers, say, top_matches


async def test_chat_endpoint_names_a_top_match(world: World) -> None:
    async with httpx.AsyncClient(base_url=world.base, timeout=60) as http:
        top = (
            await http.post(
                "/api/v1/match/jobs",
                json={"resume_id": world.resume_id, "top_k": 3},
                headers=world.candidate.headers,
            )
        ).json()["matches"]
        r = await http.post(
            "/api/v1/chat",
            json={"conversation_id": "c1", "message": "Which jobs match my resume best?"},
            headers=world.candidate.headers,
        )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["conversation_id"] == "c1" and body["mode"] == "offline"
    assert body["language"] == "en"
    assert top[0]["title"] in body["reply"], body["reply"]
    # Integrators get the items the chat showed, not only its text.
    [result] = body["results"]
    assert result["kind"] == "jobs" and result["tool"] == "find_matching_jobs"
    assert [m["job_id"] for m in result["items"]][:1] == [top[0]["job_id"]]


@pytest.mark.parametrize(
    "message",
    ["Which jobs match my resume best?", "Find me some jobs", "What roles would suit me?"],
)
async def test_candidate_finds_jobs(assistant: Assistant, world: World, message: str) -> None:
    calls, reply = await say(assistant, world.candidate, "find", message)
    assert names(calls) == ["find_matching_jobs"]
    assert "Backend Python Engineer" in reply and "score" in reply


@pytest.mark.parametrize(
    ("message", "title"),
    [
        ("Explain the first one", None),  # None: whichever ranks first
        ("Why do I match the Data Engineer job?", "Data Engineer"),
        (
            "What skills am I missing for the Frontend React Developer role?",
            "Frontend React Developer",
        ),
    ],
)
async def test_candidate_explains_a_match(
    assistant: Assistant, world: World, message: str, title: str | None
) -> None:
    await say(assistant, world.candidate, "explain", "Which jobs match my resume best?")
    calls, reply = await say(assistant, world.candidate, "explain", message)
    assert names(calls) == ["explain_match"]
    if title is None:
        title = (await top_matches(world))[0]["title"]
    assert calls[0]["args"] == {"job_id": world.job_ids[title]}
    assert title in reply and "How to close the gap" in reply


async def test_explaining_without_a_list_fetches_one_first(
    assistant: Assistant, world: World
) -> None:
    calls, reply = await say(
        assistant, world.candidate, "x", "Explain my match for the Data Engineer job"
    )
    assert names(calls) == ["find_matching_jobs", "explain_match"]
    assert calls[1]["args"] == {"job_id": world.job_ids["Data Engineer"]}
    assert "Required skills you miss" in reply


@pytest.mark.parametrize(
    "message", ["Critique my resume", "How can I improve my CV?", "Is my resume any good?"]
)
async def test_candidate_gets_a_critique(assistant: Assistant, world: World, message: str) -> None:
    calls, reply = await say(assistant, world.candidate, "crit", message)
    assert names(calls) == ["critique_my_resume"]
    assert "/100" in reply


@pytest.mark.parametrize("message", ["What's in my resume?", "Summarise my CV"])
async def test_candidate_reads_resume(assistant: Assistant, world: World, message: str) -> None:
    calls, reply = await say(assistant, world.candidate, "read", message)
    assert names(calls) == ["read_my_resume"]
    assert "Python" in reply


@pytest.mark.parametrize(
    "message",
    [
        "can I download my resume?",
        "export my cv please",
        "I want to take my CV to another website",
        "save my resume as a file",
    ],
)
async def test_candidate_exports_resume_as_a_json_resume_file(
    assistant: Assistant, world: World, message: str
) -> None:
    calls, reply = await say(assistant, world.candidate, "export", message)
    assert names(calls) == ["export_my_resume"]
    [call] = calls
    assert "JSON Resume file (resume.json)" in reply
    assert f"{call['result']['work']} job(s)" in reply and call["result"]["work"] >= 1
    # The file the chat attaches: fetched with the candidate's own key from the tool's link.
    link = call["result"]["file"]
    async with httpx.AsyncClient(base_url=world.base) as http:
        got = await http.get(link["path"], params=link["params"], headers=world.candidate.headers)
    assert got.status_code == 200 and 'filename="resume.json"' in got.headers["content-disposition"]
    assert len(got.json()["work"]) == call["result"]["work"]


async def test_visibility_needs_confirmation(assistant: Assistant, world: World) -> None:
    calls, reply = await say(assistant, world.candidate, "vis", "Let employers find me")
    assert names(calls) == ["set_visibility"] and "yes" in reply.lower()
    async with httpx.AsyncClient(base_url=world.base) as http:
        me = (await http.get("/api/v1/candidates/me", headers=world.candidate.headers)).json()
        assert me["open_to_employers"] is False  # asked, not done
        calls, reply = await say(assistant, world.candidate, "vis", "yes please")
        assert calls[0]["args"] == {"open_to_employers": True, "confirmed": True}
        assert "employers can now find you" in reply
        me = (await http.get("/api/v1/candidates/me", headers=world.candidate.headers)).json()
        assert me["open_to_employers"] is True


async def test_delete_declined_keeps_data(assistant: Assistant, world: World) -> None:
    calls, reply = await say(assistant, world.candidate, "del", "Delete all my data")
    assert names(calls) == ["delete_my_data"] and "cannot be undone" in reply
    calls, reply = await say(assistant, world.candidate, "del", "no, keep it")
    assert calls == [] and "left everything" in reply
    async with httpx.AsyncClient(base_url=world.base) as http:
        r = await http.get(f"/api/v1/resumes/{world.resume_id}", headers=world.candidate.headers)
    assert r.status_code == 200


async def test_a_bare_yes_without_a_question_does_nothing(
    assistant: Assistant, world: World
) -> None:
    calls, reply = await say(assistant, world.candidate, "y", "yes")
    assert calls == [] and "I can" in reply


async def test_rewrite_request_targets_the_chosen_job(assistant: Assistant, world: World) -> None:
    await say(assistant, world.candidate, "rw", "Which jobs match my resume best?")
    calls, _ = await say(assistant, world.candidate, "rw", "Tailor my resume for the second job")
    assert names(calls) == ["request_rewrite"]
    assert calls[0]["args"] == {"job_id": (await top_matches(world))[1]["job_id"]}


async def test_candidate_never_reaches_employer_tools(assistant: Assistant, world: World) -> None:
    for message in [
        "Find candidates for the Data Engineer job",
        "Show our hiring funnel",
        "Create a job: Title: Chef\nCook food in our kitchen every day for guests.",
    ]:
        calls, _ = await say(assistant, world.candidate, "role", message)
        assert not set(names(calls)) & {"find_candidates", "hiring_funnel", "create_job"}


JOB_AD = (
    "Create a job from this description:\nTitle: Site Reliability Engineer\n"
    "We keep our platform up. Required: Kubernetes, Terraform, Python and Linux. "
    "Nice to have: Prometheus. 5+ years of experience. Remote."
)


async def test_employer_creates_a_job_from_a_pasted_description(
    assistant: Assistant, world: World
) -> None:
    calls, reply = await say(assistant, world.employer, "job", JOB_AD)
    assert names(calls) == ["create_job"]
    assert calls[0]["args"]["title"] == "Site Reliability Engineer"
    assert 'Publish the job "Site Reliability Engineer"?' in reply  # nothing published yet
    calls, reply = await say(assistant, world.employer, "job", "List our jobs")
    assert "Site Reliability Engineer" not in reply
    calls, reply = await say(assistant, world.employer, "job", JOB_AD)
    calls, reply = await say(assistant, world.employer, "job", "yes")
    assert names(calls) == ["create_job"] and calls[0]["args"]["confirmed"] is True
    assert 'Created and published "Site Reliability Engineer"' in reply
    calls, reply = await say(assistant, world.employer, "job", "List our jobs")
    assert names(calls) == ["list_my_jobs"] and "Site Reliability Engineer" in reply


async def test_employer_changes_a_jobs_salary(assistant: Assistant, world: World) -> None:
    calls, reply = await say(
        assistant, world.employer, "pay", "change the salary on the Data Engineer job to £60-70k"
    )
    assert names(calls) == ["update_job"]
    assert "salary 60,000-70,000 GBP a year" in reply
    async with httpx.AsyncClient(base_url=world.base, timeout=60) as http:
        job = (
            await http.get(
                f"/api/v1/jobs/{world.job_ids['Data Engineer']}", headers=world.employer.headers
            )
        ).json()
    assert (job["salary_min"], job["salary_max"], job["currency"]) == (60000, 70000, "GBP")
    assert job["published"] is True  # nothing else changed


async def test_employer_lists_their_jobs_in_one_place(assistant: Assistant, world: World) -> None:
    calls, reply = await say(assistant, world.employer, "where", "show me just our Berlin jobs")
    assert names(calls) == ["list_my_jobs"] and calls[0]["args"] == {"location": "berlin"}
    assert "1 job(s) in berlin" in reply and "Data Engineer" in reply
    assert "Backend Python Engineer" not in reply
    calls, reply = await say(assistant, world.employer, "drafts", "list our drafts")
    assert calls[0]["args"] == {"published": False}
    assert reply.startswith("Your organisation has no draft job(s).")  # all three published


@pytest.mark.parametrize(
    "message",
    [
        "Find candidates for the Backend Python Engineer job",
        'Who fits our "Backend Python Engineer" role best?',
        "Show me the top 3 applicants for the Backend Python Engineer position",
    ],
)
async def test_employer_finds_opted_in_candidates(
    assistant: Assistant, world: World, message: str
) -> None:
    await open_to_employers(world)
    calls, reply = await say(assistant, world.employer, "cands", message)
    assert names(calls) == ["find_candidates"]
    assert f"Candidate {world.resume_id[:8]}" in reply


async def test_employer_sees_no_hidden_candidate(assistant: Assistant, world: World) -> None:
    calls, reply = await say(
        assistant, world.employer, "hidden", "Find candidates for the Backend Python Engineer job"
    )
    assert names(calls) == ["find_candidates"]
    assert world.resume_id[:8] not in reply and "No opted-in candidate" in reply


async def test_employer_compares_two_candidates(assistant: Assistant, world: World) -> None:
    calls, _ = await say(
        assistant, world.employer, "cmp", "Compare candidates 1 and 2 for the Data Engineer job"
    )
    assert names(calls) == ["compare_candidates"]
    assert calls[0]["args"] == {"job": "Data Engineer", "first": "1", "second": "2"}


@pytest.mark.parametrize(
    "message",
    [
        "Show our hiring funnel",
        "Give me the stats for the last 7 days",
        "How are we doing this month?",
    ],
)
async def test_employer_gets_the_funnel(assistant: Assistant, world: World, message: str) -> None:
    calls, reply = await say(assistant, world.employer, "funnel", message)
    assert names(calls) == ["hiring_funnel"]
    assert "resumes uploaded" in reply
