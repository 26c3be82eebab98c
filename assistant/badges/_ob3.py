"""Checks for an Open Badges 3.0 credential (embedded proof or VC-JWT)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pyld import jsonld

from assistant.badges import _jws, _keys, _proofs, _status
from assistant.badges._contexts import ContextCache, MissingContextError
from assistant.badges._read import OB3_TYPES, VC_CONTEXTS, _contexts, _types, is_ob3_context
from assistant.badges._recipient import recipient_check
from assistant.badges._types import Check, ParsedBadge, VerifyOptions


class Env:
    """What the checks share: contexts, DID documents, clock, network permission."""

    def __init__(self, options: VerifyOptions, now: datetime) -> None:
        self.options = options
        self.now = now
        self.contexts = ContextCache(options.contexts)
        self.did_documents = _keys.index_did_documents(options.did_documents)


def issuer_id(credential: dict[str, Any]) -> str | None:
    """The issuer's id, whether the issuer is a string or a profile object."""
    issuer = credential.get("issuer")
    if isinstance(issuer, str):
        return issuer
    if isinstance(issuer, dict) and isinstance(issuer.get("id"), str):
        return str(issuer["id"])
    return None


def structure_check(credential: dict[str, Any]) -> Check:
    """@context, type, issuer and subject of an OB 3.0 credential."""
    contexts = _contexts(credential)
    types = _types(credential)
    problems = []
    if not contexts or contexts[0] not in VC_CONTEXTS:
        problems.append("the first @context is not the W3C credentials context")
    if not any(is_ob3_context(c) for c in contexts):
        problems.append("no Open Badges 3.0 context")
    if "VerifiableCredential" not in types or not any(t in OB3_TYPES for t in types):
        problems.append(f"type {types} is not VerifiableCredential + an Open Badges credential type")
    if issuer_id(credential) is None:
        problems.append("no issuer id")
    if not isinstance(credential.get("credentialSubject"), dict | list):
        problems.append("no credentialSubject")
    if problems:
        return Check(name="structure", status="fail", detail="; ".join(problems))
    model = "VC Data Model 2.0" if contexts[0] == VC_CONTEXTS[1] else "VC Data Model 1.1"
    if not any("/spec/ob/v3p0/" in c or "/spec/clr/v2p0/" in c for c in contexts):
        model += ", pre-release draft Open Badges context"
    return Check(name="structure", status="pass", detail=f"{', '.join(types)} ({model})")


def _key_for(method: str, credential: dict[str, Any], env: Env) -> _keys.ResolvedKey:
    return _keys.resolve(method, issuer_id=issuer_id(credential), allow_network=env.options.allow_network, did_documents=env.did_documents)


def embedded_proof_checks(credential: dict[str, Any], env: Env) -> tuple[list[Check], list[_keys.ResolvedKey]]:
    """One check per embedded proof, and the keys of the proofs that verified."""
    raw = credential.get("proof")
    proofs = raw if isinstance(raw, list) else [raw] if isinstance(raw, dict) else []
    if not proofs:
        return [Check(name="signature", status="fail", detail="no proof: the credential is not signed, so anyone could have written it")], []
    checks: list[Check] = []
    good: list[_keys.ResolvedKey] = []
    for number, proof in enumerate(proofs, start=1):
        name = "signature" if len(proofs) == 1 else f"signature#{number}"
        label = proof.get("cryptosuite") or proof.get("type") or "proof"
        try:
            _proofs.proof_kind(proof)
            if proof.get("proofPurpose") != "assertionMethod":
                checks.append(Check(name=name, status="fail", detail=f"{label}: proofPurpose is {proof.get('proofPurpose')!r}, not assertionMethod"))
                continue
            resolved = _key_for(str(proof.get("verificationMethod", "")), credential, env)
            ok, reason = _proofs.verify_proof(credential, proof, resolved.key, env.contexts)
        except _proofs.ProofUnsupported as exc:
            checks.append(Check(name=name, status="skipped", detail=f"{label}: {exc}; it cannot be checked"))
            continue
        except _keys.KeyUnavailable as exc:
            checks.append(Check(name=name, status="skipped", detail=f"{label}: {exc}"))
            continue
        except _keys.KeyError_ as exc:
            checks.append(Check(name=name, status="fail", detail=f"{label}: {exc}"))
            continue
        except MissingContextError as exc:
            checks.append(Check(name=name, status="skipped", detail=f"{label}: {exc}"))
            continue
        except jsonld.JsonLdError as exc:
            reason = str(getattr(exc, "message", None) or exc).splitlines()[0]
            checks.append(
                Check(
                    name=name,
                    status="fail",
                    detail=f"{label}: the content cannot be canonicalised safely ({reason}); a term the contexts do not define is not covered by the signature",
                )
            )
            continue
        checks.append(Check(name=name, status="pass" if ok else "fail", detail=f"{reason}; key from {resolved.how}" if ok else f"{label}: {reason}"))
        if ok:
            good.append(resolved)
    return checks, good


def jwt_checks(parsed: ParsedBadge, env: Env) -> tuple[list[Check], list[_keys.ResolvedKey], dict[str, Any]]:
    """Signature of a VC-JWT, its claims against the credential, and the claims themselves."""
    token = _jws.parse(parsed.jws or "")
    claims = token.payload if isinstance(token.payload, dict) else {}
    credential = parsed.credential
    checks: list[Check] = []
    header = token.header
    resolved: _keys.ResolvedKey | None = None
    try:
        if isinstance(header.get("kid"), str) and str(header["kid"]).startswith("did:"):
            resolved = _key_for(header["kid"], credential, env)
        elif isinstance(header.get("jwk"), dict):
            resolved = _keys.ResolvedKey(_keys.jwk_to_key(header["jwk"]), None, None, "the JWK in the JOSE header")
        elif isinstance(header.get("kid"), str):
            resolved = _key_for(header["kid"], credential, env)
        else:
            checks.append(Check(name="signature", status="skipped", detail="the JOSE header names no key (no kid, no jwk), so the signature cannot be checked"))
    except _keys.KeyUnavailable as exc:
        checks.append(Check(name="signature", status="skipped", detail=str(exc)))
    except _keys.KeyError_ as exc:
        checks.append(Check(name="signature", status="fail", detail=str(exc)))
    good: list[_keys.ResolvedKey] = []
    if resolved is not None:
        ok, reason = _jws.verify(token, resolved.key)
        checks.append(Check(name="signature", status="pass" if ok else "fail", detail=f"{reason}; key from {resolved.how}"))
        if ok:
            good.append(resolved)
    mismatches = []
    if "iss" in claims and claims["iss"] != issuer_id(credential):
        mismatches.append(f"iss {claims['iss']!r} is not the issuer {issuer_id(credential)!r}")
    if "jti" in claims and "id" in credential and claims["jti"] != credential["id"]:
        mismatches.append(f"jti {claims['jti']!r} is not the credential id")
    subject = credential.get("credentialSubject")
    if "sub" in claims and isinstance(subject, dict) and "id" in subject and claims["sub"] != subject["id"]:
        mismatches.append(f"sub {claims['sub']!r} is not the subject id")
    if mismatches:
        checks.append(Check(name="jwt-claims", status="fail", detail="; ".join(mismatches)))
    else:
        checks.append(Check(name="jwt-claims", status="pass", detail="JWT claims agree with the credential"))
    return checks, good, claims


def issuer_key_check(good: list[_keys.ResolvedKey], credential: dict[str, Any]) -> Check | None:
    """Is a key that verified known to be the issuer's?"""
    if not good:
        return None
    issuer = issuer_id(credential)
    if any(k.bound for k in good):
        how = next(k.how for k in good if k.bound)
        return Check(name="issuer-key", status="pass", detail=f"the signing key belongs to the issuer {issuer} ({how})")
    if all(k.bound is False for k in good):
        return Check(name="issuer-key", status="fail", detail=f"signed by {good[0].controller}, not by the issuer {issuer}")
    return Check(
        name="issuer-key",
        status="skipped",
        detail=f"the signing key comes from {good[0].how}; that it belongs to {issuer} cannot be confirmed without the issuer's published keys",
    )


def _status_list_problem(env: Env) -> _status.ListVerifier:
    def problem(listing: dict[str, Any]) -> str | None:
        if not any(t in _status.LIST_TYPES for t in _types(listing)):
            return f"type {_types(listing)} is not a status list credential"
        checks, good = embedded_proof_checks(listing, env)
        bad = [c for c in checks if c.status != "pass"]
        if bad:
            return bad[0].detail
        key_check = issuer_key_check(good, listing)
        if key_check is None or key_check.status != "pass":
            return key_check.detail if key_check else "unsigned"
        for check in _status.validity_checks(
            listing.get("issuanceDate"), listing.get("validFrom"), listing.get("validUntil") or listing.get("expirationDate"), env.now
        ):
            if check.status != "pass":
                return f"the list itself: {check.detail}"
        return None

    return problem


def ob3_checks(parsed: ParsedBadge, env: Env) -> list[Check]:
    """Every check that applies to an OB 3.0 credential."""
    credential = parsed.credential
    checks = [structure_check(credential)]
    claims: dict[str, Any] = {}
    if parsed.jws:
        signature_checks, good, claims = jwt_checks(parsed, env)
    else:
        signature_checks, good = embedded_proof_checks(credential, env)
    checks.extend(signature_checks)
    key_check = issuer_key_check(good, credential)
    if key_check:
        checks.append(key_check)
    valid_from = credential.get("validFrom") or claims.get("nbf")
    valid_until = credential.get("validUntil") or credential.get("expirationDate") or claims.get("exp")
    checks.extend(_status.validity_checks(credential.get("issuanceDate") or credential.get("awardedDate"), valid_from, valid_until, env.now))
    checks.append(_status.ob3_status_check(credential, env.options.allow_network, _status_list_problem(env)))
    if env.options.recipient:
        subject = credential.get("credentialSubject")
        subject = subject if isinstance(subject, dict) else {}
        identities = [i for i in subject.get("identifier", []) or [] if isinstance(i, dict)]
        checks.append(recipient_check(identities, subject.get("id"), env.options.recipient))
    return checks
