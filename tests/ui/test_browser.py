"""The chat in a real browser: Debian's chromium driven by Playwright against a
`clearview serve --demo` started for this module (offline model, demo users).

Each step leaves a screenshot in `test-artifacts/ui/`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ViewportSize, expect
from sqlalchemy import select

from api.imports.demo import DEMO_CANDIDATE, DEMO_EMPLOYER
from core.db import session_scope
from core.models import CandidateProfile, Resume, ResumeSource, ResumeVersion, User
from tests.helpers.chat_page import TURN_MS, Chat, beside_playwright, scroll_to
from tests.helpers.server import Server, clearview_serve

FILES = Path(__file__).with_name("files")
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
# One worker runs the whole module: one server, and the demo data is loaded once.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("ui-browser")]

PHONE: ViewportSize = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, model_cache_dir: Path) -> Iterator[Server]:
    # Loading the 500 demo jobs takes 20-40 s on two cores.
    settings = {"CLEARVIEW_MODE": "dev", "CLEARVIEW_MODEL_CACHE_DIR": str(model_cache_dir)}
    with clearview_serve(
        tmp_path_factory.mktemp("ui-browser"), "--demo", settings=settings, timeout=240
    ) as server:
        yield server


def _current_resume(username: str) -> tuple[ResumeSource, str]:
    """(source, text) of the user's current resume version, read from the server's DB."""

    async def read() -> tuple[ResumeSource, str]:
        async with session_scope() as session:
            row = (
                await session.execute(
                    select(ResumeVersion.source, ResumeVersion.text)
                    .join(Resume, Resume.current_version_id == ResumeVersion.id)
                    .join(CandidateProfile, CandidateProfile.current_resume_id == Resume.id)
                    .join(User, User.id == CandidateProfile.user_id)
                    .where(User.username == username)
                )
            ).one()
        return row.source, row.text

    return beside_playwright(read())


def test_candidate_uploads_matches_rewrites_and_accepts(
    server: Server, browser: Browser, artifacts: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    context = browser.new_context(viewport=DESKTOP)
    chat = Chat(context.new_page(), artifacts, "candidate")
    chat.sign_in(server.base_url, DEMO_CANDIDATE)
    chat.sees("Mode: offline model")
    chat.shot("welcome")

    # A file the service cannot read is refused with the service's reason.
    chat.attach(FILES / "broken.pdf", "Here is my resume")
    chat.sees("I could not use broken.pdf")
    chat.sees("Please attach your resume as a PDF, DOCX or TXT file")
    chat.shot("upload-refused")

    chat.attach(FILES / "resume.txt", "Here is my resume, what skills do I have?")
    chat.sees("Uploaded resume.txt")
    chat.shot("uploaded")

    chat.say("Which jobs match my resume best?")
    chat.sees("Jobs that match your resume")
    expect(chat.page.get_by_text("Missing (required):").first).to_be_visible()
    expect(chat.page.get_by_text("Used job matching")).to_be_visible()
    chat.shot("job-cards")

    chat.say("Rewrite my resume for the first job")
    chat.sees("Your resume rewrite is ready.", timeout=90_000)
    chat.shot("notified")

    chat.press("View the rewrite")
    chat.sees("Your rewritten resume")
    chat.shot("diff")

    chat.press("Accept")
    chat.sees("Accepted: the rewritten version is now your current resume.")
    chat.shot("accepted")

    server.use_database(monkeypatch)
    source, text = _current_resume(DEMO_CANDIDATE)
    assert source is ResumeSource.rewritten
    assert "Responsible for managing" not in text  # the weak opener was rewritten
    context.close()


def test_candidate_chat_is_readable_at_phone_width(
    server: Server, browser: Browser, artifacts: Path
) -> None:
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True)
    chat = Chat(context.new_page(), artifacts, "phone")
    chat.sign_in(server.base_url, DEMO_CANDIDATE)
    chat.press("Jobs for me")
    chat.sees("Jobs that match your resume")
    chat.shot("job-cards")
    # Nothing runs off the side: the page does not scroll sideways.
    overflow = chat.page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    context.close()


def test_employer_finds_candidates(server: Server, browser: Browser, artifacts: Path) -> None:
    context = browser.new_context(viewport=DESKTOP)
    chat = Chat(context.new_page(), artifacts, "employer")
    chat.sign_in(server.base_url, DEMO_EMPLOYER)
    chat.sees("you are signed in as Employer")
    chat.shot("welcome")

    chat.say("Find candidates for our first job")
    chat.sees("Top candidates for")
    expect(chat.page.get_by_text("Used candidate matching")).to_be_visible()
    expect(chat.page.get_by_text("score", exact=False).first).to_be_visible()
    chat.shot("candidate-cards")
    context.close()


def test_candidate_gets_their_report_with_the_chart_inline(
    server: Server, browser: Browser, artifacts: Path
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    chat = Chat(context.new_page(), artifacts, "report")
    chat.sign_in(server.base_url, DEMO_CANDIDATE)
    chat.say("Download my report")
    chat.sees("Here is your report")
    chart = chat.page.locator('img[alt="chart"]').last
    expect(chart).to_be_visible(timeout=TURN_MS)
    scroll_to(chart)
    # The SVG drawn by the reports service loaded as an image (a broken one has no width).
    expect(chart).to_have_js_property("complete", True)
    assert chart.evaluate("img => img.naturalWidth") > 300
    expect(chat.page.get_by_text(".pdf").last).to_be_visible()
    scroll_to(chat.page.get_by_text("Here is your report").last)
    chat.shot("chart")
    context.close()


def test_a_free_form_conversation(server: Server, browser: Browser, artifacts: Path) -> None:
    """Requests typed the way people talk, one after the other in one chat: a search with
    a title and a place, "the third one", a career question with its source, a rewrite of
    that job whose diff changes something, and a request in German."""
    context = browser.new_context(viewport=DESKTOP)
    chat = Chat(context.new_page(), artifacts, "free-form")
    page = chat.page
    chat.sign_in(server.base_url, DEMO_CANDIDATE)
    chat.attach(FILES / "resume.txt", "my cv")  # this test's own current resume
    chat.sees("Uploaded resume.txt")

    chat.say("any systems administrator jobs in london?")
    chat.sees("Only jobs in london.")  # the search says what it applied...
    chat.sees('Jobs naming "systems administrator" in their title or skills come first')
    first = page.get_by_role("heading", name=re.compile(r"^1\. ")).last
    expect(first).to_contain_text("Systems Administrator")  # ...and did it
    chat.shot("search")

    third = page.get_by_role("heading", name=re.compile(r"^3\. ")).last
    title = third.inner_text().split(". ", 1)[1].strip()
    shown = page.get_by_text(title).count()
    chat.say("tell me more about the third one")
    chat.sees("How to close the gap")
    expect(page.get_by_text(title)).to_have_count(shown + 1)  # the third job, explained
    chat.shot("third-one")

    chat.say("what does a systems administrator do?")
    chat.sees("O*NET 29.2 Database")  # the answer names its sources
    chat.sees("ESCO")
    chat.shot("career")

    chat.say("rewrite my resume for that job")
    chat.sees("Your resume rewrite is ready.", timeout=90_000)
    chat.press("View the rewrite")
    chat.sees("Your rewritten resume")
    diff = page.locator("code").last.inner_text().splitlines()
    assert any(line.startswith("-") and not line.startswith("---") for line in diff), diff
    assert any(line.startswith("+") and not line.startswith("+++") for line in diff), diff
    chat.shot("rewrite-diff")

    chat.say("Zeig mir passende Stellen")
    chat.sees("Diese Stellen passen am besten zu deinem Lebenslauf")
    chat.sees("Es fehlt (Pflicht)")  # the cards' labels too
    chat.shot("german")
    context.close()
