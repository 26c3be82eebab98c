"""Real Open Badges from other projects (shared/data): the verdict each must get offline with the shipped contexts.

Expected verdicts follow Stackwise's rule, not the source project's: "verified" only when every check ran and
passed. So a credential whose key is only named by a URL fragment or a header JWK, a hosted OB 2.0 assertion,
a did:web issuer without its DID document, or a status list that is elsewhere is "unverified" offline.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from assistant.badges import VerifyOptions, verify_file
from assistant.errors import BadgeFormatError

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
NOW = datetime(2026, 1, 1, tzinfo=UTC)
DCC = "openbadges3/dcc-vc-test-fixtures/verifiableCredentials"
VAL = "openbadges3/1edtech-validator/ob30"
OB2 = "openbadges2/1edtech-validator/ob20"

CASES = {
    f"{DCC}/v2/ed25519/didKey/legacy-noStatus-noExpiry.json": "verified",
    f"{DCC}/v2/ed25519/didKey/legacy-noStatus-noExpiry-tampered.json": "invalid",
    f"{DCC}/v2/ed25519/didKey/legacy-noStatus-expired.json": "expired",
    f"{DCC}/v2/dataIntegrityProof/didKey/legacyRegistry-noStatus-noExpiry-OBSpecExample.json": "verified",
    f"{DCC}/v2/dataIntegrityProof/didKey/oidf-noStatus-notExpired-notYetValid.json": "invalid",
    f"{DCC}/v2/dataIntegrityProof/didKey/noRegsitry-revokedStatus-notExpired.json": "unverified",
    f"{DCC}/v2/bothSignatureTypes/didkey/legacy-noStatus-noExpiry.json": "verified",
    f"{DCC}/v1/bothSignatureTypes/didKey/legacy-noStatus-noExpiry.json": "verified",
    f"{DCC}/v1/ed25519/didKey/mixedRegistry-validStatus-noExpiry.json": "unverified",
    f"{DCC}/v2/ed25519/didWeb/oidf-noStatus-notExpired.json": "unverified",
    f"{DCC}/v2/ed25519/didWeb/badDidWeb.json": "unverified",
    f"{VAL}/simple.json": "unverified",
    f"{VAL}/simple-err-proof-value.json": "invalid",
    f"{VAL}/simple-err-type.json": "invalid",
    f"{VAL}/simple-err-expired.json": "expired",
    f"{VAL}/simple-err-issued.json": "invalid",
    f"{VAL}/simple-noproof.json": "invalid",
    f"{VAL}/simple-multiple-proofs.json": "unverified",
    f"{VAL}/simple-err-proof-method.json": "invalid",
    f"{VAL}/extracted-from-baked/simple-jwt.png.jwt": "unverified",
    f"{OB2}/basic-assertion.json": "unverified",
    f"{OB2}/basic-assertion-expired.json": "expired",
    f"{OB2}/basic-assertion-invalid-context.json": "invalid",
    f"{OB2}/simple.jwt": "unverified",
    "baked/ob3/simple-json.svg": "unverified",
    "baked/ob3/simple-jwt.png": "unverified",
    "baked/ob2/simple-badge.png": "unverified",
}
NOT_BADGES = ["baked/ob1-svg/unbaked.png", "baked/ob1-svg/bad-json.svg", "baked/ob2/robotics-badge-unbaked.png", f"{OB2}/redirected-validation-subject.json"]


def _require(relative: str) -> Path:
    path = DATA / relative
    if not path.exists():
        pytest.skip(f"shared data not available ({path}); these cases need ../shared/data")
    return path


@pytest.mark.parametrize(("relative", "expected"), sorted(CASES.items()))
def test_shared_badge_verdict(relative: str, expected: str) -> None:
    result = verify_file(_require(relative), VerifyOptions(now=NOW))
    assert result.verdict == expected, [c.model_dump() for c in result.checks]


@pytest.mark.parametrize("relative", NOT_BADGES)
def test_shared_non_badges_are_rejected(relative: str) -> None:
    with pytest.raises(BadgeFormatError):
        verify_file(_require(relative), VerifyOptions(now=NOW))


def test_did_web_credential_verifies_with_its_did_document() -> None:
    path = _require(f"{DCC}/v2/ed25519/didWeb/oidf-noStatus-notExpired.json")
    result = verify_file(path, VerifyOptions(now=NOW, did_documents=[DATA / "openbadges3/dcc-vc-test-fixtures/dids"]))
    assert result.verdict == "verified"


def test_spec_test_vector_canonical_document_hash() -> None:
    import hashlib
    import json

    from assistant.badges._contexts import ContextCache
    from assistant.badges._proofs import canonize_rdfc

    signed = json.loads(_require("openbadges3/1edtech-spec/ob3-ldp-testvector-signed.json").read_text())
    expected = _require("openbadges3/1edtech-spec/test-vectors/obv3p0/document-canon.txt").read_text()
    document = {k: v for k, v in signed.items() if k != "proof"}
    canonical = canonize_rdfc(document, ContextCache())
    assert canonical.strip() == expected.strip()
    assert hashlib.sha256(canonical.encode()).hexdigest().startswith("87f65a76")


def test_revoked_status_on_real_list_with_a_served_copy(monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    from assistant.badges import _network

    listing = json.loads(_require("openbadges3/dcc-vc-test-fixtures/statusLists/didkey-ed25519Signature2020/e5WK8CbZ1GjycuPombrj").read_text())

    def fetch_json(url: str, *, allow_network: bool) -> object:
        assert allow_network
        if url.endswith("/e5WK8CbZ1GjycuPombrj"):
            return listing
        raise _network.FetchError(f"{url}: 404")

    monkeypatch.setattr(_network, "fetch_json", fetch_json)
    path = _require(f"{DCC}/v2/ed25519/didKey/noRegistry-revokedStatus-notExpired.json")
    assert verify_file(path, VerifyOptions(now=NOW, allow_network=True)).verdict == "revoked"
