"""Embedded Data Integrity proofs: eddsa-rdfc-2022 (and eddsa-2022), Ed25519Signature2020, eddsa-jcs-2022.

Each is sha256(canonical proof options) || sha256(canonical document) signed with Ed25519;
RDFC-1.0 (URDNA2015) canonicalisation goes through pyld with the pinned, never-fetching loader.
"""

from __future__ import annotations

import hashlib
from typing import Any

import base58
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ed25519
from pyld import jsonld

from assistant.badges._contexts import ContextCache, MissingContextError

RDFC_SUITES = ("eddsa-rdfc-2022", "eddsa-2022")


class ProofUnsupported(Exception):
    """This proof type or cryptosuite is not one the verifier checks."""


def proof_kind(proof: dict[str, Any]) -> str:
    """'rdfc', 'jcs' or raise :class:`ProofUnsupported`."""
    ptype = proof.get("type")
    if ptype == "Ed25519Signature2020":
        return "rdfc"
    if ptype == "DataIntegrityProof":
        suite = proof.get("cryptosuite")
        if suite in RDFC_SUITES:
            return "rdfc"
        if suite == "eddsa-jcs-2022":
            return "jcs"
        raise ProofUnsupported(f"cryptosuite {suite!r} is not supported")
    raise ProofUnsupported(f"proof type {ptype!r} is not supported")


def _missing_context(exc: BaseException) -> str | None:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, MissingContextError):
            return seen.url
        details = getattr(seen, "details", None)
        if isinstance(details, dict):
            for value in details.values():
                if isinstance(value, MissingContextError):
                    return value.url
        seen = seen.__cause__ or seen.__context__ or getattr(seen, "cause", None)
    return None


def canonize_rdfc(document: dict[str, Any], contexts: ContextCache) -> str:
    """RDFC-1.0 canonical N-Quads of ``document``; raises MissingContextError for uncached contexts."""
    for url in contexts.missing(document):
        raise MissingContextError(url)
    try:
        result = jsonld.normalize(
            document,
            {"algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": contexts.loader(), "safe": True},  # type: ignore[typeddict-unknown-key]
        )
    except jsonld.JsonLdError as exc:
        missing = _missing_context(exc)
        if missing:
            raise MissingContextError(missing) from exc
        raise
    return str(result)


def hash_data(document: dict[str, Any], proof: dict[str, Any], contexts: ContextCache) -> bytes:
    """The 64 bytes an Ed25519 proof signs: proof-options hash then document hash."""
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    options = {k: v for k, v in proof.items() if k not in ("proofValue", "jws", "signatureValue")}
    if "@context" in unsecured:
        options["@context"] = unsecured["@context"]
    if proof_kind(proof) == "jcs":
        doc_bytes = jsonld.canonicalize(unsecured)
        options_bytes = jsonld.canonicalize(options)
    else:
        doc_bytes = canonize_rdfc(unsecured, contexts).encode("utf-8")
        options_bytes = canonize_rdfc(options, contexts).encode("utf-8")
    return hashlib.sha256(options_bytes).digest() + hashlib.sha256(doc_bytes).digest()


def decode_proof_value(value: Any) -> bytes:
    """Decode a base58btc multibase proofValue."""
    if not isinstance(value, str) or not value.startswith("z"):
        raise ValueError("proofValue is not base58btc multibase ('z...')")
    return base58.b58decode(value[1:])


def verify_proof(document: dict[str, Any], proof: dict[str, Any], key: Any, contexts: ContextCache) -> tuple[bool, str]:
    """Verify one Ed25519 proof of ``document`` with ``key``; returns (valid, reason).

    Raises:
        ProofUnsupported: the proof type or suite is not supported.
        MissingContextError: a context is not cached.
    """
    kind = proof_kind(proof)
    if not isinstance(key, ed25519.Ed25519PublicKey):
        return False, "the verification key is not an Ed25519 key"
    try:
        signature = decode_proof_value(proof.get("proofValue"))
    except ValueError as exc:
        return False, str(exc)
    data = hash_data(document, proof, contexts)
    try:
        key.verify(signature, data)
    except InvalidSignature:
        return False, "signature does not match the content (tampered, or signed by another key)"
    label = proof.get("cryptosuite") or proof.get("type")
    return True, f"{label} signature valid ({'JCS' if kind == 'jcs' else 'RDFC-1.0'} canonicalisation)"
