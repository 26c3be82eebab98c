"""Compact JWS: parse, and verify RS256 / ES256 / EdDSA signatures with ``cryptography``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from assistant.badges._keys import PublicKey, b64url_decode

SUPPORTED_ALGS = ("RS256", "ES256", "EdDSA")


class JwsFormatError(ValueError):
    """Not a compact JWS."""


@dataclass
class CompactJws:
    header: dict[str, Any]
    payload: Any
    signing_input: bytes
    signature: bytes


def parse(token: str) -> CompactJws:
    """Split and decode a compact JWS whose payload is JSON."""
    parts = token.strip().split(".")
    if len(parts) != 3:
        raise JwsFormatError("a compact JWS has three dot-separated parts")
    try:
        header = json.loads(b64url_decode(parts[0]))
        payload = json.loads(b64url_decode(parts[1]))
        signature = b64url_decode(parts[2])
    except ValueError as exc:
        raise JwsFormatError(f"not a JWS with a JSON payload: {exc}") from exc
    except RecursionError:
        raise JwsFormatError("not a JWS with a JSON payload: nested too deeply") from None
    if not isinstance(header, dict):
        raise JwsFormatError("JWS header is not a JSON object")
    return CompactJws(header, payload, f"{parts[0]}.{parts[1]}".encode("ascii"), signature)


def verify(jws: CompactJws, key: PublicKey) -> tuple[bool, str]:
    """Check the signature with ``key``; returns (valid, reason)."""
    alg = jws.header.get("alg")
    try:
        if alg == "RS256" and isinstance(key, rsa.RSAPublicKey):
            key.verify(jws.signature, jws.signing_input, padding.PKCS1v15(), hashes.SHA256())
        elif alg == "ES256" and isinstance(key, ec.EllipticCurvePublicKey):
            if len(jws.signature) != 64:
                return False, "ES256 signature is not 64 bytes"
            r = int.from_bytes(jws.signature[:32], "big")
            s = int.from_bytes(jws.signature[32:], "big")
            key.verify(encode_dss_signature(r, s), jws.signing_input, ec.ECDSA(hashes.SHA256()))
        elif alg == "EdDSA" and isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(jws.signature, jws.signing_input)
        elif alg not in SUPPORTED_ALGS:
            return False, f"JWS algorithm {alg!r} is not accepted (use one of {', '.join(SUPPORTED_ALGS)})"
        else:
            return False, f"key type does not match JWS algorithm {alg}"
    except InvalidSignature:
        return False, f"{alg} signature does not match the content"
    return True, f"{alg} signature valid"
