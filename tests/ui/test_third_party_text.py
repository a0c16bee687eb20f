"""What an employer typed reaches candidates' chats as plain text: no image, no link, no
heading, whatever the job title says."""

from __future__ import annotations

import json
import re

from langchain_core.messages import ToolMessage
from markdown_it import MarkdownIt

from agents.offline import render as offline_render
from tools.markdown import inline
from ui import render

HOSTILE = (
    "Analyst ![pixel](https://evil.example/p.png)\n# Session expired\n"
    "[sign in again](https://evil.example/login) <https://evil.example/x> "
    "www.evil.example phish@evil.example **urgent** `code`"
)
MATCH = {
    "rank": 1,
    "score": 0.8,
    "job_id": "j1",
    "title": HOSTILE,
    "company": "[Acme](https://evil.example)",
    "location": "> quoted",
    "matched_skills": ["![s](https://evil.example/s.png)", "C++", "C#"],
    "missing_required": [],
    "missing_preferred": [],
    "reasons": ["Has [link](https://evil.example)"],
}


def _assert_inert(markdown: str) -> None:
    html = MarkdownIt("commonmark").render(markdown)
    for tag in ("<img", "<a ", "<h1", "<h2", "<blockquote", "<strong>urgent", "<code>code"):
        assert tag not in html, (tag, markdown)
    # Nothing a GFM linkifier would turn into a link either.
    assert not re.search(r"https?://|www\.evil|phish@", markdown), markdown


def test_match_cards_and_alerts_show_employer_text_as_plain_text() -> None:
    card = render.match_cards([MATCH], "jobs", "Jobs")
    _assert_inert(card)
    assert card.count("\n") == render.match_cards([{**MATCH, "title": "x"}], "jobs", "J").count(
        "\n"
    )  # the title stays on its one line
    assert "C++" in card and "C\\#" in card  # still reads the same once rendered
    alert = render.job_alert_card({**MATCH, "job_url": "https://jobs.example.org/1"})
    assert "New job for you: Analyst" in alert
    # Our own link to the posting is the only link.
    html = MarkdownIt("commonmark").render(alert)
    assert html.count("<a ") == 1 and "evil" not in html.split("<a ", 1)[1].split(">", 1)[0]


def test_contact_questions_show_employer_text_as_plain_text() -> None:
    request = {"company": HOSTILE, "job_title": HOSTILE, "status": "pending", "id": "r1"}
    _assert_inert(render.contact_question(request))
    text, _actions = render.contact_requests([request, {**request, "id": "r2"}])
    _assert_inert(text)


def test_the_offline_assistant_shows_employer_text_as_plain_text() -> None:
    message = ToolMessage(
        content=json.dumps({"matches": [MATCH]}), name="find_matching_jobs", tool_call_id="c1"
    )
    answer = offline_render(message)
    _assert_inert(answer)
    assert "Analyst" in answer


def test_plain_text_reads_the_same_once_rendered() -> None:
    title = "Sr. C# / C++ Engineer (m/f/d) - 100% remote"
    html = MarkdownIt("commonmark").render(inline(title))
    assert html.strip() == f"<p>{title}</p>"
