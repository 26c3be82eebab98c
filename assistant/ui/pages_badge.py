"""Badge check: upload or paste an Open Badge; the verdict first, then every check and what it certifies."""

from __future__ import annotations

from datetime import date
from typing import Any

import streamlit as st

from assistant.errors import StackwiseError
from assistant.models import Credential, EvidencedSkill, LearnerProfile
from assistant.services import Services
from assistant.ui.format import md
from assistant.ui.services import require_services, session_profile, set_session_profile

RESULT_KEY = "stackwise_badge_result"
STATUS_LABEL = {"pass": "pass", "fail": "FAIL", "skipped": "skipped (could not run)"}
HEADLINE = {
    "verified": "every check passed.",
    "invalid": "a check failed; do not trust this badge as shown.",
    "expired": "the badge is past its end date.",
    "revoked": "the issuer has withdrawn this badge.",
    "unverified": "nothing failed, but a needed check could not run, so authenticity is not established.",
}
EU_LABELS = {
    "learner": "Identification of the learner",
    "title": "Title of the credential",
    "country": "Country / region of the issuer",
    "awarding_body": "Awarding body",
    "date": "Date of issuing",
    "learning_outcomes": "Learning outcomes",
    "workload": "Notional workload (ECTS or hours)",
    "level": "Level (EQF)",
    "assessment_type": "Type of assessment",
    "form_of_participation": "Form of participation",
    "quality_assurance": "Quality assurance",
}


def _plain(value: Any) -> str | None:
    """A badge value (string, language map, {"narrative": ...}) as text."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):
        for key in ("narrative", "name", "en", "@value", "id"):
            if isinstance(value.get(key), str):
                return str(value[key])
    return None


def _check(services: Services, data: bytes, filename: str) -> None:
    from assistant.badges import VerifyOptions, badge_to_credential, read_badge, verify_badge

    settings = services.settings.badges
    with st.spinner("Reading and verifying the badge…"):
        parsed = read_badge(data, filename)
        result = verify_badge(parsed, VerifyOptions(contexts=list(settings.contexts), allow_network=settings.allow_network))
        try:
            credential: Credential | None = badge_to_credential(parsed, filename)
        except StackwiseError:
            credential = None  # an issuer profile alone certifies nothing
    st.session_state[RESULT_KEY] = {"result": result, "credential": credential, "filename": filename}


def _input(services: Services) -> None:
    upload_tab, paste_tab = st.tabs(["Upload a file", "Paste text"])
    with upload_tab:
        upload = st.file_uploader("Badge file (JSON, JSON-LD, JWT, baked PNG or SVG)", type=["json", "jsonld", "jwt", "jws", "txt", "png", "svg"])
        if st.button("Check this file", type="primary", icon=":material/verified:"):
            if upload is None:
                st.warning("Choose a badge file first.")
            else:
                _run(services, upload.getvalue(), upload.name)
    with paste_tab:
        text = st.text_area("Badge JSON or JWT", height=160, placeholder='{"@context": [...], "type": ["VerifiableCredential", "OpenBadgeCredential"], ...}')
        if st.button("Check this text", icon=":material/verified:"):
            if not text.strip():
                st.warning("Paste a badge's JSON or JWT first.")
                return
            name = "pasted.json" if text.lstrip().startswith(("{", "[")) else "pasted.jwt"
            _run(services, text.strip().encode(), name)


def _run(services: Services, data: bytes, filename: str) -> None:
    st.session_state.pop(RESULT_KEY, None)
    try:
        _check(services, data, filename)
    except StackwiseError as exc:
        st.error(f"{filename}: {exc}")
    except ImportError as exc:
        st.error(f"Badge verification is not available in this installation ({exc.name or exc}).")


def _verdict(result: Any) -> None:
    headline = HEADLINE.get(result.verdict, result.verdict)
    message = f"**{result.verdict.upper()}** — {headline}"
    if result.verdict == "verified":
        st.success(message, icon=":material/verified:")
    elif result.verdict == "unverified":
        st.warning(message, icon=":material/help:")
    else:
        st.error(message, icon=":material/dangerous:")
    lines = [line.strip(" -") for line in (result.explanation or "").splitlines() if line.strip(" -")]
    if lines and lines[0].lower().startswith(result.verdict):
        lines = lines[1:]  # the verdict sentence is the headline above
    if lines:
        st.markdown("\n".join(f"- {md(line)}" for line in lines))


def _certifies(result: Any, credential: Credential | None) -> None:
    st.subheader("What it certifies", anchor=False)
    achievement, issuer, recipient = result.achievement or {}, result.issuer or {}, result.recipient or {}
    facts = [
        ("Achievement", _plain(achievement.get("name"))),
        ("Issuer", _plain(issuer.get("name")) or _plain(issuer.get("id"))),
        ("Recipient", _plain(recipient.get("id")) or _plain(recipient.get("identity")) or _plain(recipient.get("name"))),
        ("Format", {"ob2": "Open Badges 2.0", "ob3": "Open Badges 3.0"}.get(result.format, result.format)),
    ]
    st.markdown("\n".join(f"- **{label}:** {md(value)}" for label, value in facts if value))
    for label, key in (("Description", "description"), ("Criteria", "criteria")):
        if text := _plain(achievement.get(key)):
            st.markdown(f"**{label}**")
            st.markdown(md(text))
    if credential is not None:
        if credential.learning_outcomes:
            st.markdown("**Learning outcomes**")
            st.markdown("\n".join(f"- {md(o)}" for o in credential.learning_outcomes))
        details = [
            ("Workload", f"{credential.workload_hours:g} h" if credential.workload_hours else None),
            ("ECTS", f"{credential.ects:g}" if credential.ects else None),
            ("EQF level", credential.eqf_level),
            ("Assessment", credential.assessment_type),
        ]
        if shown := [f"**{k}:** {md(v)}" for k, v in details if v]:
            st.markdown(" · ".join(shown))
        if credential.alignments:
            st.markdown(
                "**Aligned to:** "
                + "; ".join(md(a.target_name) + (f" ({md(a.target_framework)})" if a.target_framework else "") for a in credential.alignments)
            )


def _eu_checklist(result: Any) -> None:
    st.subheader("EU micro-credential standard elements", anchor=False)
    elements = result.eu_elements or {}
    present = sum(1 for v in elements.values() if v)
    st.caption(f"{present} of {len(elements)} elements stated in the badge (Council Recommendation 2022).")
    cols = st.columns(2)
    for i, (element, ok) in enumerate(elements.items()):
        cols[i % 2].markdown(
            f"{':material/check_box:' if ok else ':material/check_box_outline_blank:'} {EU_LABELS.get(element, element.replace('_', ' '))}{'' if ok else ' — not stated'}"
        )


def _evidenced(services: Services, result: Any, credential: Credential) -> list[EvidencedSkill]:
    from assistant.gap import match_skill

    catalogue = services.catalogue
    verified = result.verdict == "verified"
    skills = [s if s in catalogue.skills else (match_skill(catalogue.skill_label(s), catalogue) or s) for s in credential.skills]
    return [EvidencedSkill(skill=s, evidence=credential.id, verified=verified, verified_on=date.today() if verified else None) for s in dict.fromkeys(skills)]


def _with_evidence(profile: LearnerProfile, evidence: list[EvidencedSkill]) -> LearnerProfile:
    known = {(e.skill, e.evidence) for e in profile.evidenced_skills}
    return profile.model_copy(update={"evidenced_skills": [*profile.evidenced_skills, *(e for e in evidence if (e.skill, e.evidence) not in known)]})


def _add_to_profile(services: Services, result: Any, credential: Credential | None) -> None:
    st.subheader("Add to a profile", anchor=False)
    if result.verdict in {"invalid", "revoked", "expired"}:
        st.caption(f"A badge that is {result.verdict} cannot be added as evidence.")
        return
    if credential is None or not credential.skills:
        st.caption("This badge names no skills to add.")
        return
    evidence = _evidenced(services, result, credential)
    st.markdown("Skills it evidences: " + ", ".join(md(services.catalogue.skill_label(e.skill)) for e in evidence))
    if result.verdict != "verified":
        st.caption("The badge is not verified: its skills are added as unverified evidence.")
    c1, c2 = st.columns(2)
    if c1.button("Add to my profile", icon=":material/person_add:"):
        set_session_profile(_with_evidence(session_profile(), evidence))
        c1.success("Added to your profile; the Plan page will count these skills.")
    try:
        learners = services.app_state.list_learners()
    except StackwiseError as exc:
        c2.caption(f"Learners unavailable: {exc}")
        return
    if learners:
        names = {learner["id"]: learner["name"] for learner in learners}
        who = c2.selectbox("Learner", list(names), format_func=names.__getitem__)
        if c2.button("Add to this learner", icon=":material/group_add:"):
            try:
                services.app_state.save_profile(who, _with_evidence(services.app_state.get_profile(who), evidence))
            except StackwiseError as exc:
                c2.error(str(exc))
            else:
                c2.success(f"Added to {names[who]}'s profile.")


def render() -> None:
    services = require_services()
    st.title("Badge check")
    st.caption("Open Badges 2.0 and 3.0 — signature, issuer key, dates, revocation and recipient. Nothing is fetched from the network unless configured.")
    _input(services)
    state = st.session_state.get(RESULT_KEY)
    if not state:
        return
    result, credential = state["result"], state["credential"]
    st.divider()
    st.caption(f"Checked: {state['filename']}")
    _verdict(result)
    st.subheader("Checks", anchor=False)
    st.dataframe([{"Check": c.name, "Result": STATUS_LABEL.get(c.status, c.status), "Why": c.detail} for c in result.checks], hide_index=True, width="stretch")
    left, right = st.columns(2)
    with left:
        _certifies(result, credential)
    with right:
        _eu_checklist(result)
    _add_to_profile(services, result, credential)
