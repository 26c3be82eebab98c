"""The app in a real browser: cited chat answer, plan and export, tampered badge, catalogue text shown as text."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import shot

pytestmark = pytest.mark.e2e

HOSTILE_DESCRIPTION = "<script>alert(1)</script><b>bold</b>"
HOSTILE = f"""credentials:
  - id: hostile-course
    title: Hostile Course
    type: course
    provider: Evil Corp
    source: https://evil.example
    description: "{HOSTILE_DESCRIPTION}"
"""


def _expect() -> Any:
    from playwright.sync_api import expect

    return expect


def _idle(page: Any) -> None:
    """Wait until Streamlit has finished the current script run."""
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)


def test_chat_answer_is_cited_and_opens_the_record(page: Any, app_url: str) -> None:
    expect = _expect()
    page.goto(app_url)
    expect(page.get_by_role("heading", name="Ask Stackwise")).to_be_visible()
    shot(page, "01-chat-empty")
    box = page.get_by_placeholder("Ask about credentials, plans, occupations or badges")
    box.fill("Which credentials teach SQL for data analytics?")
    box.press("Enter")
    expect(page.get_by_text("Sources (")).to_be_visible(timeout=120_000)  # the first answer also loads the intent model
    _idle(page)
    answer = page.locator('[data-testid="stChatMessage"]').last
    expect(answer).to_contain_text("Acme Data Analytics Basics")
    shot(page, "02-chat-answer", full_page=True)
    answer.get_by_role("button", name="Open").first.click()
    expect(page).to_have_url(f"{app_url}/catalogue")
    expect(page.get_by_role("button", name="Back to the catalogue")).to_be_visible()
    shot(page, "03-catalogue-record")


def test_plan_is_built_and_exported(page: Any, app_url: str, tmp_path: Path) -> None:
    expect = _expect()
    page.goto(f"{app_url}/plan")
    expect(page.get_by_role("heading", name="Plan a stackable path")).to_be_visible()
    target = page.get_by_role("combobox", name="Target occupation")
    target.click()
    page.get_by_role("option", name="Business Intelligence Analysts").click()
    page.get_by_role("button", name="Make a plan").click()
    expect(page.get_by_text("Total cost")).to_be_visible()
    _idle(page)
    page.get_by_text("What if…").scroll_into_view_if_needed()
    shot(page, "04-plan")
    page.locator('[data-testid="stPlotlyChart"]').last.scroll_into_view_if_needed()
    shot(page, "04b-plan-charts")
    page.get_by_role("tab", name="Alternatives").click()
    shot(page, "05-plan-alternatives")
    page.get_by_role("tab", name="Save and export").click()
    with page.expect_download() as markdown:
        page.get_by_role("button", name="Download Markdown").click()
    text = Path(markdown.value.path()).read_text(encoding="utf-8")
    assert text.startswith("# Stackwise learning plan") and "## Steps" in text and "Total cost:" in text
    with page.expect_download() as as_json:
        page.get_by_role("button", name="Download JSON").click()
    plan = json.loads(Path(as_json.value.path()).read_text(encoding="utf-8"))
    assert plan["steps"] and {"credential_id", "start_week", "end_week"} <= set(plan["steps"][0])
    assert plan["steps"][0]["title"] in text
    page.get_by_label("New learner's name").fill("Ana")
    page.get_by_role("button", name="Save plan").click()
    expect(page.get_by_text("Saved “")).to_be_visible()
    shot(page, "06-plan-saved")
    page.goto(f"{app_url}/advisers")
    expect(page.get_by_text("Saved plans (1)")).to_be_visible()
    _idle(page)
    shot(page, "07-advisers", full_page=True)


def test_tampered_badge_is_rejected(page: Any, app_url: str) -> None:
    badges = pytest.importorskip("assistant.badges", reason="the badges module is not installed")
    assert badges.verify_badge
    from cryptography.hazmat.primitives.asymmetric import ed25519
    from test_badges_helpers import did_key, ob3_credential, sign_data_integrity

    expect = _expect()
    key = ed25519.Ed25519PrivateKey.generate()
    tampered = copy.deepcopy(sign_data_integrity(ob3_credential(did_key(key)), key))
    tampered["credentialSubject"]["achievement"]["name"] = "Advanced Data Science"
    page.goto(f"{app_url}/badge")
    expect(page.get_by_role("heading", name="Badge check")).to_be_visible()
    page.locator('input[type="file"]').first.set_input_files({"name": "tampered.json", "mimeType": "application/json", "buffer": json.dumps(tampered).encode()})
    expect(page.get_by_text("tampered.json")).to_be_visible()
    page.get_by_role("button", name="Check this file").click()
    verdict = page.locator('[data-testid="stAlertContentError"]').first
    expect(verdict).to_contain_text("INVALID")
    _idle(page)
    assert page.locator('[data-testid="stAlertContentSuccess"]').count() == 0
    assert "VERIFIED" not in page.locator("main").inner_text()
    shot(page, "08-badge-tampered")
    page.get_by_text("EU micro-credential standard elements").scroll_into_view_if_needed()
    shot(page, "08b-badge-checks")


def test_catalogue_text_is_shown_as_text_never_as_html(page: Any, app_url: str, tmp_path: Path) -> None:
    expect = _expect()
    upload = tmp_path / "catalogue.yaml"
    upload.write_text(HOSTILE, encoding="utf-8")
    page.goto(f"{app_url}/ingest")
    expect(page.get_by_role("heading", name="Ingest catalogue files")).to_be_visible()
    page.locator('input[type="file"]').first.set_input_files(str(upload))
    expect(page.get_by_text("catalogue.yaml")).to_be_visible()
    page.get_by_role("button", name="Ingest").click()
    expect(page.get_by_text("Ingested.")).to_be_visible()
    shot(page, "09-ingest-report")
    page.goto(f"{app_url}/catalogue?record=hostile-course")
    expect(page.get_by_role("heading", name="Hostile Course")).to_be_visible()
    _idle(page)
    main = page.locator("main")
    expect(main.get_by_text(HOSTILE_DESCRIPTION)).to_be_visible()  # the tags are visible characters
    assert main.locator("b", has_text="bold").count() == 0
    assert main.locator("script").count() == 0
    assert page.dialogs == []  # type: ignore[attr-defined]
    shot(page, "10-catalogue-hostile")
    page.goto(f"{app_url}/catalogue")
    expect(page.get_by_role("heading", name="Catalogue")).to_be_visible()
    _idle(page)
    shot(page, "11-catalogue-browse", full_page=True)
