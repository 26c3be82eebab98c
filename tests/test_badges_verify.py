"""Badge verification on credentials signed in the test with fresh keys: every verdict, every format."""

from __future__ import annotations

import copy
import io
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from PIL import Image
from PIL.PngImagePlugin import PngInfo
from test_badges_helpers import did_jwk, did_key, ob3_credential, public_jwk, sha256_identity, sign_data_integrity, sign_jws

from assistant.badges import VerifyOptions, _network, badge_to_credential, read_badge, verify_badge
from assistant.errors import BadgeFormatError

NOW = datetime(2025, 6, 1, tzinfo=UTC)
OPTS = VerifyOptions(now=NOW)


def _verify(document: dict[str, Any] | str | bytes, options: VerifyOptions = OPTS, name: str = "badge.json"):
    data = document if isinstance(document, bytes) else document.encode() if isinstance(document, str) else json.dumps(document).encode()
    return verify_badge(read_badge(data, name), options)


def _status(result) -> dict[str, str]:
    return {c.name: c.status for c in result.checks}


@pytest.fixture(scope="module")
def ed_key() -> ed25519.Ed25519PrivateKey:
    return ed25519.Ed25519PrivateKey.generate()


@pytest.fixture(scope="module")
def signed(ed_key) -> dict[str, Any]:
    return sign_data_integrity(ob3_credential(did_key(ed_key)), ed_key)


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "eddsa-jcs-2022", "Ed25519Signature2020"])
def test_each_suite_verifies_and_detects_tampering(ed_key, suite: str) -> None:
    credential = ob3_credential(did_key(ed_key))
    if suite == "Ed25519Signature2020":
        credential["@context"].append("https://w3id.org/security/suites/ed25519-2020/v1")
    good = sign_data_integrity(credential, ed_key, suite=suite)
    result = _verify(good)
    assert result.verdict == "verified", result.checks
    assert _status(result)["issuer-key"] == "pass"
    tampered = copy.deepcopy(good)
    tampered["credentialSubject"]["achievement"]["name"] = "Advanced Data Science"
    bad = _verify(tampered)
    assert bad.verdict == "invalid"
    assert _status(bad)["signature"] == "fail"


def test_verified_result_carries_what_it_certifies(signed) -> None:
    result = _verify(signed)
    assert result.format == "ob3"
    assert result.achievement["name"] == "Data Analysis Fundamentals"
    assert result.issuer["name"] == "Hochschule Beispiel"
    assert result.recipient["id"] == "did:example:learner-42"
    assert result.eu_elements["workload"] is True and result.eu_elements["country"] is True
    assert result.eu_elements["level"] is False and result.eu_elements["form_of_participation"] is False
    assert "Data Analysis Fundamentals" in result.explanation


def test_signature_by_another_key_is_invalid(ed_key) -> None:
    other = ed25519.Ed25519PrivateKey.generate()
    issuer = did_key(ed_key)
    forged = sign_data_integrity(ob3_credential(issuer), other, method=f"{issuer}#{issuer.split(':')[2]}")
    assert _verify(forged).verdict == "invalid"


def test_valid_signature_from_a_did_that_is_not_the_issuer_is_invalid(ed_key) -> None:
    other = ed25519.Ed25519PrivateKey.generate()
    forged = sign_data_integrity(ob3_credential(did_key(ed_key)), other)
    result = _verify(forged)
    assert _status(result)["signature"] == "pass"
    assert _status(result)["issuer-key"] == "fail"
    assert result.verdict == "invalid"


def test_expired_and_not_yet_valid(ed_key) -> None:
    expired = sign_data_integrity(ob3_credential(did_key(ed_key), valid_until="2025-01-01T00:00:00Z"), ed_key)
    future = sign_data_integrity(ob3_credential(did_key(ed_key), valid_from="2030-01-01T00:00:00Z"), ed_key)
    assert _verify(expired).verdict == "expired"
    result = _verify(future)
    assert result.verdict == "invalid" and _status(result)["issued"] == "fail"


def test_unsigned_credential_is_invalid(ed_key) -> None:
    result = _verify(ob3_credential(did_key(ed_key)))
    assert result.verdict == "invalid"
    assert "no proof" in next(c.detail for c in result.checks if c.name == "signature")


def test_context_missing_from_the_cache_skips_the_proof(ed_key) -> None:
    credential = ob3_credential(did_key(ed_key))
    credential["@context"].append("https://example.org/contexts/unknown-extension.json")
    signed = copy.deepcopy(credential)
    signed["proof"] = {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "verificationMethod": f"{did_key(ed_key)}#x",
        "proofPurpose": "assertionMethod",
        "proofValue": "z111",
    }
    result = _verify(signed)
    assert result.verdict == "unverified"
    check = next(c for c in result.checks if c.name == "signature")
    assert check.status == "skipped" and "unknown-extension.json" in check.detail


@pytest.mark.parametrize("alg", ["RS256", "ES256", "EdDSA"])
@pytest.mark.parametrize("form", ["vc-claim", "payload-is-credential"])
def test_vc_jwt_with_did_kid_verifies_and_tampering_fails(alg: str, form: str) -> None:
    private: Any = {
        "RS256": lambda: rsa.generate_private_key(65537, 2048),
        "ES256": lambda: ec.generate_private_key(ec.SECP256R1()),
        "EdDSA": ed25519.Ed25519PrivateKey.generate,
    }[alg]()
    did = did_key(private) if alg == "EdDSA" else did_jwk(public_jwk(private))
    credential = ob3_credential(did)
    payload = {"iss": did, "jti": credential["id"], "sub": "did:example:learner-42", "nbf": 1704067200, "vc": credential} if form == "vc-claim" else credential
    kid = f"{did}#{did.split(':')[2]}" if alg == "EdDSA" else f"{did}#0"
    token = sign_jws(payload, private, {"alg": alg, "kid": kid, "typ": "JWT"})
    result = _verify(token, name="badge.jwt")
    assert result.verdict == "verified", result.checks
    header, _, signature = token.split(".")
    tampered_payload = copy.deepcopy(payload)
    (tampered_payload["vc"] if form == "vc-claim" else tampered_payload)["name"] = "Something Else"
    from test_badges_helpers import b64url

    forged = f"{header}.{b64url(json.dumps(tampered_payload).encode())}.{signature}"
    assert _verify(forged, name="badge.jwt").verdict == "invalid"


def test_vc_jwt_with_only_a_header_jwk_is_unverified() -> None:
    private = rsa.generate_private_key(65537, 2048)
    token = sign_jws(ob3_credential("https://example.edu/issuers/1"), private, {"alg": "RS256", "jwk": public_jwk(private)})
    result = _verify(token, name="badge.jwt")
    assert _status(result)["signature"] == "pass"
    assert _status(result)["issuer-key"] == "skipped"
    assert result.verdict == "unverified"


def test_vc_jwt_signed_with_another_key_is_invalid() -> None:
    private, other = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    did = did_jwk(public_jwk(private))
    token = sign_jws(ob3_credential(did), other, {"alg": "ES256", "kid": f"{did}#0"})
    assert _verify(token, name="badge.jwt").verdict == "invalid"


def _png(keyword: str, text: str) -> bytes:
    info = PngInfo()
    info.add_itxt(keyword, text)
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, "PNG", pnginfo=info)
    return buffer.getvalue()


def test_baked_png_and_svg_give_the_same_verdict_as_the_json(signed) -> None:
    png = read_badge(_png("openbadgecredential", json.dumps(signed)), "badge.png")
    assert "PNG" in png.source and verify_badge(png, OPTS).verdict == "verified"
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">'
        f"<openbadges:credential><![CDATA[{json.dumps(signed)}]]></openbadges:credential></svg>"
    ).encode()
    assert verify_badge(read_badge(svg, "badge.svg"), OPTS).verdict == "verified"
    tampered = copy.deepcopy(signed)
    tampered["issuer"]["name"] = "Famous University"
    assert verify_badge(read_badge(_png("openbadgecredential", json.dumps(tampered)), "badge.png"), OPTS).verdict == "invalid"


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (_png("Comment", "hello"), "plain.png"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>', "plain.svg"),
        (b"{not json", "broken.json"),
        (b'{"@context": "https://www.w3.org/ns/credentials/v2", "type": ["VerifiableCredential"], "credentialSubject": {}}', "plain-vc.json"),
        (b"\x00\x01\x02", "binary.bin"),
    ],
)
def test_inputs_that_are_not_badges_raise_badge_format_error(data: bytes, name: str) -> None:
    with pytest.raises(BadgeFormatError):
        read_badge(data, name)


def _fake_network(monkeypatch: pytest.MonkeyPatch, documents: dict[str, Any]) -> None:
    def fetch_json(url: str, *, allow_network: bool) -> Any:
        if not allow_network:
            raise _network.NetworkDisabled(f"fetching {url} needs the network")
        if url not in documents:
            raise _network.FetchError(f"{url} answered HTTP 404")
        return copy.deepcopy(documents[url])

    monkeypatch.setattr(_network, "fetch_json", fetch_json)


def _status_list(ed_key, revoked_index: int | None) -> dict[str, Any]:
    import base64
    import gzip

    bits = bytearray(16 * 1024)
    if revoked_index is not None:
        bits[revoked_index // 8] |= 0x80 >> (revoked_index % 8)
    encoded = "u" + base64.urlsafe_b64encode(gzip.compress(bytes(bits))).rstrip(b"=").decode()
    listing = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": "https://status.example.edu/lists/1",
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": did_key(ed_key),
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": {
            "id": "https://status.example.edu/lists/1#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encoded,
        },
    }
    return sign_data_integrity(listing, ed_key)


@pytest.mark.parametrize(("revoked_index", "verdict"), [(7, "revoked"), (3, "verified")])
def test_bitstring_status_list(monkeypatch, ed_key, revoked_index: int, verdict: str) -> None:
    entry = {
        "id": "https://status.example.edu/lists/1#7",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListCredential": "https://status.example.edu/lists/1",
        "statusListIndex": "7",
    }
    credential = sign_data_integrity(ob3_credential(did_key(ed_key), credentialStatus=entry), ed_key)
    _fake_network(monkeypatch, {"https://status.example.edu/lists/1": _status_list(ed_key, revoked_index)})
    assert _verify(credential).verdict == "unverified"  # offline: the list is not fetched
    assert _verify(credential, VerifyOptions(now=NOW, allow_network=True)).verdict == verdict


def test_tampered_status_list_leaves_status_unknown(monkeypatch, ed_key) -> None:
    entry = {
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListCredential": "https://status.example.edu/lists/1",
        "statusListIndex": "7",
    }
    credential = sign_data_integrity(ob3_credential(did_key(ed_key), credentialStatus=entry), ed_key)
    listing = _status_list(ed_key, None)
    listing["credentialSubject"]["encodedList"] = _status_list(ed_key, 9)["credentialSubject"]["encodedList"]
    _fake_network(monkeypatch, {"https://status.example.edu/lists/1": listing})
    result = _verify(credential, VerifyOptions(now=NOW, allow_network=True))
    assert result.verdict == "unverified" and _status(result)["revocation"] == "skipped"


def test_recipient_matches_subject_id_or_hashed_identity(signed, ed_key) -> None:
    assert _status(_verify(signed, VerifyOptions(now=NOW, recipient="did:example:learner-42")))["recipient"] == "pass"
    wrong = _verify(signed, VerifyOptions(now=NOW, recipient="did:example:someone-else"))
    assert wrong.verdict == "invalid"
    credential = ob3_credential(did_key(ed_key))
    credential["credentialSubject"]["identifier"] = [
        {
            "type": "IdentityObject",
            "identityType": "emailAddress",
            "hashed": True,
            "salt": "pepper",
            "identityHash": sha256_identity("ada@example.org", "pepper"),
        }
    ]
    hashed = sign_data_integrity(credential, ed_key)
    assert _verify(hashed, VerifyOptions(now=NOW, recipient="ada@example.org")).verdict == "verified"


def test_did_web_resolves_from_local_documents(tmp_path, ed_key) -> None:
    did = "did:web:issuer.example.edu"
    method = f"{did}#key-1"
    doc = {
        "@context": ["https://www.w3.org/ns/did/v1"],
        "id": did,
        "verificationMethod": [{"id": method, "type": "Multikey", "controller": did, "publicKeyMultibase": did_key(ed_key).split(":")[2]}],
        "assertionMethod": [method],
    }
    (tmp_path / "did.json").write_text(json.dumps(doc))
    credential = sign_data_integrity(ob3_credential(did), ed_key, method=method)
    assert _verify(credential).verdict == "unverified"
    assert _verify(credential, VerifyOptions(now=NOW, did_documents=[tmp_path])).verdict == "verified"


def _ob2_documents(rsa_key, revoked: bool) -> dict[str, Any]:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    pem = rsa_key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode()
    return {
        "https://issuer.example.org/key.json": {
            "@context": "https://w3id.org/openbadges/v2",
            "type": "CryptographicKey",
            "id": "https://issuer.example.org/key.json",
            "owner": "https://issuer.example.org/issuer.json",
            "publicKeyPem": pem,
        },
        "https://issuer.example.org/issuer.json": {
            "@context": "https://w3id.org/openbadges/v2",
            "type": "Issuer",
            "id": "https://issuer.example.org/issuer.json",
            "name": "Example Guild",
            "publicKey": "https://issuer.example.org/key.json",
            "revocationList": "https://issuer.example.org/revoked.json",
        },
        "https://issuer.example.org/badge.json": {
            "@context": "https://w3id.org/openbadges/v2",
            "type": "BadgeClass",
            "id": "https://issuer.example.org/badge.json",
            "name": "Welding Level 1",
            "description": "Basic MIG welding.",
            "criteria": {"narrative": "Practical test."},
            "issuer": "https://issuer.example.org/issuer.json",
        },
        "https://issuer.example.org/revoked.json": {
            "@context": "https://w3id.org/openbadges/v2",
            "type": "RevocationList",
            "id": "https://issuer.example.org/revoked.json",
            "revokedAssertions": ["urn:uuid:a1"] if revoked else [],
        },
    }


@pytest.mark.parametrize(("revoked", "verdict"), [(False, "verified"), (True, "revoked")])
def test_ob2_signed_assertion(monkeypatch, revoked: bool, verdict: str) -> None:
    key = rsa.generate_private_key(65537, 2048)
    assertion = {
        "@context": "https://w3id.org/openbadges/v2",
        "type": "Assertion",
        "id": "urn:uuid:a1",
        "recipient": {"type": "email", "hashed": True, "salt": "s", "identity": sha256_identity("ada@example.org", "s")},
        "badge": "https://issuer.example.org/badge.json",
        "verification": {"type": "SignedBadge", "creator": "https://issuer.example.org/key.json"},
        "issuedOn": "2024-03-01T00:00:00Z",
    }
    token = sign_jws(assertion, key, {"alg": "RS256"})
    assert _verify(token, name="a.jwt").verdict == "unverified"  # offline: key not fetched
    _fake_network(monkeypatch, _ob2_documents(key, revoked))
    online = VerifyOptions(now=NOW, allow_network=True, recipient="ada@example.org")
    result = _verify(token, online, name="a.jwt")
    assert result.verdict == verdict, result.checks
    assert result.achievement["name"] == "Welding Level 1"
    other = rsa.generate_private_key(65537, 2048)
    assert _verify(sign_jws(assertion, other, {"alg": "RS256"}), online, name="a.jwt").verdict == "invalid"


def test_badge_to_credential_maps_the_achievement(signed) -> None:
    record = badge_to_credential(read_badge(json.dumps(signed).encode()), "badge.json")
    assert record.id == "https://example.edu/achievements/data-analysis"
    assert record.type == "digital-badge" and record.provider == "Hochschule Beispiel"
    assert record.criteria == "Passed a supervised, proctored final exam."
    assert record.alignments[0].target_framework == "ESCO"
    assert record.skills == ["http://data.europa.eu/esco/skill/abc"]
    assert record.country == "CH"
