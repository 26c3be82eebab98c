"""Test helper: sign Open Badges with keys made in the test (Ed25519, RSA, P-256). Not for production."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
from typing import Any

import base58
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from assistant.badges._contexts import ContextCache
from assistant.badges._proofs import hash_data


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def did_key(private: ed25519.Ed25519PrivateKey) -> str:
    raw = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return "did:key:z" + base58.b58encode(b"\xed\x01" + raw).decode("ascii")


def did_jwk(jwk: dict[str, Any]) -> str:
    return "did:jwk:" + b64url(json.dumps(jwk, separators=(",", ":")).encode())


def public_jwk(private: Any) -> dict[str, Any]:
    public = private.public_key()
    if isinstance(public, rsa.RSAPublicKey):
        numbers = public.public_numbers()
        return {"kty": "RSA", "n": b64url(numbers.n.to_bytes((numbers.n.bit_length() + 7) // 8, "big")), "e": b64url(numbers.e.to_bytes(3, "big"))}
    if isinstance(public, ec.EllipticCurvePublicKey):
        numbers = public.public_numbers()
        return {"kty": "EC", "crv": "P-256", "x": b64url(numbers.x.to_bytes(32, "big")), "y": b64url(numbers.y.to_bytes(32, "big"))}
    return {"kty": "OKP", "crv": "Ed25519", "x": b64url(public.public_bytes(Encoding.Raw, PublicFormat.Raw))}


def sign_jws(payload: dict[str, Any], private: Any, header: dict[str, Any]) -> str:
    signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(payload).encode())}".encode()
    alg = header["alg"]
    if alg == "RS256":
        signature = private.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    elif alg == "ES256":
        r, s = decode_dss_signature(private.sign(signing_input, ec.ECDSA(hashes.SHA256())))
        signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    else:
        signature = private.sign(signing_input)
    return f"{signing_input.decode()}.{b64url(signature)}"


def sign_data_integrity(
    credential: dict[str, Any], private: ed25519.Ed25519PrivateKey, *, suite: str = "eddsa-rdfc-2022", method: str | None = None
) -> dict[str, Any]:
    """Add a DataIntegrityProof (or Ed25519Signature2020 when suite == 'Ed25519Signature2020')."""
    document = copy.deepcopy(credential)
    document.pop("proof", None)
    method = method or f"{did_key(private)}#{did_key(private).split(':')[2]}"
    if suite == "Ed25519Signature2020":
        proof: dict[str, Any] = {"type": "Ed25519Signature2020"}
    else:
        proof = {"type": "DataIntegrityProof", "cryptosuite": suite}
    proof.update({"created": "2024-01-01T00:00:00Z", "verificationMethod": method, "proofPurpose": "assertionMethod"})
    signature = private.sign(hash_data(document, proof, ContextCache()))
    proof["proofValue"] = "z" + base58.b58encode(signature).decode("ascii")
    document["proof"] = proof
    return document


def ob3_credential(issuer: str, *, valid_from: str = "2024-01-01T00:00:00Z", valid_until: str | None = None, **extra: Any) -> dict[str, Any]:
    credential: dict[str, Any] = {
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": "urn:uuid:8b4bd9c1-2f4e-4c3e-9d0a-0c5a8e5c1b11",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer, "type": ["Profile"], "name": "Hochschule Beispiel", "address": {"type": ["Address"], "addressCountry": "CH"}},
        "validFrom": valid_from,
        "name": "Data Analysis Fundamentals",
        "credentialSubject": {
            "id": "did:example:learner-42",
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://example.edu/achievements/data-analysis",
                "type": ["Achievement"],
                "name": "Data Analysis Fundamentals",
                "description": "Cleans, summarises and visualises tabular data.",
                "criteria": {"narrative": "Passed a supervised, proctored final exam."},
                "creditsAvailable": 3,
                "alignment": [
                    {
                        "type": ["Alignment"],
                        "targetName": "analyse data",
                        "targetUrl": "http://data.europa.eu/esco/skill/abc",
                        "targetFramework": "ESCO",
                        "targetType": "ceasn:Competency",
                    }
                ],
            },
        },
    }
    if valid_until:
        credential["validUntil"] = valid_until
    credential.update(extra)
    return credential


def sha256_identity(email: str, salt: str) -> str:
    return "sha256$" + hashlib.sha256((email + salt).encode()).hexdigest()


def test_did_key_round_trips_to_the_same_public_key() -> None:
    from assistant.badges._keys import resolve

    private = ed25519.Ed25519PrivateKey.generate()
    did = did_key(private)
    resolved = resolve(f"{did}#{did.split(':')[2]}", issuer_id=did, allow_network=False, did_documents={})
    assert resolved.bound is True
    assert resolved.key.public_bytes(Encoding.Raw, PublicFormat.Raw) == private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)  # type: ignore[union-attr]
