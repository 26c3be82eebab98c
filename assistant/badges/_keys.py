"""Public keys for verification: did:key, did:jwk, did:web, multikey fragments, JWKs.

Resolution says not only which key to use but whether the key is known to belong to the issuer
(``bound``): a did:key / did:jwk is its own key, a did:web key is the DID's when its DID document
lists it, a JWK in a JOSE header or a key in a URL fragment is only the signer's claim.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import base58
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from assistant.badges import _network

PublicKey = ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey | rsa.RSAPublicKey

_ED25519_CODEC = b"\xed\x01"
_P256_CODEC = b"\x80\x24"


class KeyError_(Exception):
    """The key is named but malformed: a definite failure."""


class KeyUnavailable(Exception):
    """The key cannot be obtained now (network off, unsupported method): the check is skipped."""


@dataclass
class ResolvedKey:
    """A key and what is known about who controls it."""

    key: PublicKey
    controller: str | None
    bound: bool | None  # True: proven the controller's; None: not confirmable here
    how: str


def b64url_decode(text: str) -> bytes:
    """Decode unpadded base64url."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def multikey_to_key(multibase: str) -> PublicKey:
    """Decode a base58btc multikey (Ed25519 ``z6Mk...`` or P-256 ``zDn...``)."""
    if not multibase.startswith("z"):
        raise KeyError_(f"{multibase[:16]}... is not a base58btc multibase key")
    try:
        raw = base58.b58decode(multibase[1:])
    except ValueError as exc:
        raise KeyError_(f"{multibase[:16]}... is not valid base58: {exc}") from exc
    if raw.startswith(_ED25519_CODEC) and len(raw) == 34:
        return ed25519.Ed25519PublicKey.from_public_bytes(raw[2:])
    if raw.startswith(_P256_CODEC) and len(raw) == 35:
        try:
            return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw[2:])
        except ValueError as exc:
            raise KeyError_(f"{multibase[:16]}... is not a valid P-256 point") from exc
    raise KeyError_(f"{multibase[:16]}... is not an Ed25519 or P-256 multikey")


def jwk_to_key(jwk: dict[str, Any]) -> PublicKey:
    """Build a public key from a JWK (RSA, EC P-256, OKP Ed25519)."""
    try:
        kty = jwk["kty"]
        if kty == "RSA":
            n = int.from_bytes(b64url_decode(jwk["n"]), "big")
            e = int.from_bytes(b64url_decode(jwk["e"]), "big")
            return rsa.RSAPublicNumbers(e, n).public_key()
        if kty == "EC" and jwk.get("crv") == "P-256":
            x = int.from_bytes(b64url_decode(jwk["x"]), "big")
            y = int.from_bytes(b64url_decode(jwk["y"]), "big")
            return ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()
        if kty == "OKP" and jwk.get("crv") == "Ed25519":
            return ed25519.Ed25519PublicKey.from_public_bytes(b64url_decode(jwk["x"]))
    except (KeyError, ValueError, TypeError) as exc:
        raise KeyError_(f"malformed JWK: {exc}") from exc
    raise KeyError_(f"unsupported JWK key type {jwk.get('kty')!r}/{jwk.get('crv')!r}")


def _method_key(method: dict[str, Any]) -> PublicKey:
    if "publicKeyMultibase" in method:
        return multikey_to_key(str(method["publicKeyMultibase"]))
    if "publicKeyJwk" in method:
        return jwk_to_key(method["publicKeyJwk"])
    if "publicKeyBase58" in method:
        return ed25519.Ed25519PublicKey.from_public_bytes(base58.b58decode(method["publicKeyBase58"]))
    raise KeyError_(f"verification method {method.get('id')} has no public key this verifier reads")


def index_did_documents(folders: list[Path]) -> dict[str, dict[str, Any]]:
    """DID documents found (recursively) in ``folders``, by their ``id``."""
    documents: dict[str, dict[str, Any]] = {}
    for folder in folders:
        for path in sorted(Path(folder).rglob("*.json")):
            try:
                doc = json.loads(path.read_text(encoding="utf-8"))
            except (ValueError, UnicodeDecodeError):
                continue  # not a DID document; other files may sit beside them
            if isinstance(doc, dict) and str(doc.get("id", "")).startswith("did:"):
                documents[doc["id"]] = doc
    return documents


def did_web_url(did: str) -> str:
    """The https URL of a did:web DID document."""
    parts = [unquote(p) for p in did.split(":")[2:]]
    if not parts or not parts[0]:
        raise KeyError_(f"{did} is not a well-formed did:web")
    path = "/".join(parts[1:])
    return f"https://{parts[0]}/{path}/did.json" if path else f"https://{parts[0]}/.well-known/did.json"


def _find_method(doc: dict[str, Any], method_id: str, did: str) -> tuple[dict[str, Any] | None, bool]:
    """The verification method with ``method_id`` and whether it is listed for assertions."""

    def full(ref: str) -> str:
        return did + ref if ref.startswith("#") else ref

    methods: dict[str, dict[str, Any]] = {}
    for entry in doc.get("verificationMethod", []) or []:
        if isinstance(entry, dict) and "id" in entry:
            methods[full(entry["id"])] = entry
    asserting: set[str] = set()
    for entry in doc.get("assertionMethod", []) or []:
        if isinstance(entry, dict) and "id" in entry:
            methods[full(entry["id"])] = entry
            asserting.add(full(entry["id"]))
        elif isinstance(entry, str):
            asserting.add(full(entry))
    return methods.get(method_id), method_id in asserting


def resolve(method_id: str, *, issuer_id: str | None, allow_network: bool, did_documents: dict[str, dict[str, Any]]) -> ResolvedKey:
    """Resolve a verificationMethod / kid to a key.

    Args:
        method_id: the verificationMethod or JOSE ``kid``.
        issuer_id: the credential's issuer id, to decide whether the key is the issuer's.
        allow_network: whether did:web documents and key URLs may be fetched.
        did_documents: DID documents supplied locally, by id.

    Raises:
        KeyError_: the method is malformed or names no usable key.
        KeyUnavailable: the key cannot be obtained here.
    """
    did, _, fragment = method_id.partition("#")

    def bound_to(controller: str) -> bool | None:
        if controller == issuer_id:
            return True
        return False if (issuer_id or "").startswith("did:") else None

    if ":" not in did:
        raise KeyError_(f"verificationMethod {method_id!r} is not a URI")
    scheme = did.split(":", 1)[0]
    if scheme == "did":
        method = did.split(":")[1] if did.count(":") >= 2 else ""
        if method == "key":
            key = multikey_to_key(did.split(":", 2)[2])
            return ResolvedKey(key, did, bound_to(did), "did:key")
        if method == "jwk":
            try:
                jwk = json.loads(b64url_decode(did.split(":", 2)[2]))
            except ValueError as exc:
                raise KeyError_(f"{did[:40]}... is not a valid did:jwk") from exc
            return ResolvedKey(jwk_to_key(jwk), did, bound_to(did), "did:jwk")
        if method == "web":
            doc = did_documents.get(did)
            how = "did:web document supplied locally"
            if doc is None:
                try:
                    doc = _network.fetch_json(did_web_url(did), allow_network=allow_network)
                except (_network.NetworkDisabled, _network.FetchError) as exc:
                    raise KeyUnavailable(f"cannot resolve {did}: {exc}") from exc
                how = "did:web document fetched"
            if not isinstance(doc, dict) or doc.get("id") != did:
                raise KeyError_(f"the DID document for {did} does not describe that DID")
            entry, asserting = _find_method(doc, method_id, did)
            if entry is None:
                raise KeyError_(f"{method_id} is not in the DID document of {did}")
            if not asserting:
                raise KeyError_(f"{method_id} is not listed as an assertionMethod of {did}")
            return ResolvedKey(_method_key(entry), did, bound_to(did), how)
        raise KeyUnavailable(f"DID method did:{method} is not one this verifier can resolve")
    if scheme in ("http", "https", "urn"):
        if fragment.startswith("z"):
            key = multikey_to_key(fragment)
            return ResolvedKey(key, did, None, f"multikey named in the fragment of {did}")
        if scheme == "urn":
            raise KeyUnavailable(f"{method_id} names no key that can be looked up")
        try:
            doc = _network.fetch_json(method_id, allow_network=allow_network)
        except (_network.NetworkDisabled, _network.FetchError) as exc:
            raise KeyUnavailable(f"cannot fetch key {method_id}: {exc}") from exc
        if not isinstance(doc, dict):
            raise KeyError_(f"{method_id} is not a key document")
        controller = doc.get("controller") or doc.get("owner")
        return ResolvedKey(_method_key(doc), controller, controller == issuer_id if controller else None, "key document fetched")
    raise KeyError_(f"verificationMethod {method_id!r} has an unknown URI scheme {scheme!r}")
