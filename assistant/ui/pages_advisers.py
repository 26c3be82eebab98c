"""Advisers: learners, their saved plans and notes; edit, compare and export plans; export or delete a learner's data."""

from __future__ import annotations

import json
from typing import Any

import streamlit as st

from assistant.errors import StackwiseError
from assistant.models import LearnerProfile
from assistant.services import Services
from assistant.ui.format import cost_of, md, percent
from assistant.ui.navigation import go_to
from assistant.ui.plan_view import export_buttons, show_plan
from assistant.ui.services import require_services, set_session_profile

LEARNER_KEY = "stackwise_adviser_learner"


def _learner_picker(services: Services) -> str | None:
    learners = services.app_state.list_learners()
    with st.sidebar, st.form("new_learner", clear_on_submit=True):
        name = st.text_input("New learner's name")
        if st.form_submit_button("Create learner", icon=":material/person_add:"):
            try:
                st.session_state[LEARNER_KEY] = services.app_state.create_learner(name)
            except StackwiseError as exc:
                st.error(str(exc))
            else:
                learners = services.app_state.list_learners()
    if not learners:
        st.info("No learners yet — create one in the sidebar, or save a plan from the Plan page.")
        return None
    names = {learner["id"]: f"{learner['name']} ({learner['plans']} plan{'' if learner['plans'] == 1 else 's'})" for learner in learners}
    current = st.session_state.get(LEARNER_KEY)
    ids = list(names)
    chosen = st.selectbox("Learner", ids, index=ids.index(current) if current in ids else 0, format_func=names.__getitem__)
    st.session_state[LEARNER_KEY] = chosen
    return str(chosen)


def _profile_lines(services: Services, profile: LearnerProfile) -> list[str]:
    catalogue = services.catalogue
    occupation = catalogue.occupations.get(profile.target or "")
    facts = [
        ("Current role", profile.current_role),
        ("Target", occupation.title if occupation else profile.target),
        ("Budget", f"{profile.budget.amount:,.0f} {profile.budget.currency}" if profile.budget else None),
        ("Hours per week", f"{profile.hours_per_week:g}" if profile.hours_per_week else None),
        ("Deadline", f"{profile.deadline_weeks} weeks" if profile.deadline_weeks else None),
        ("Region", profile.region),
        ("Languages", ", ".join(profile.language)),
        ("Delivery", ", ".join(d.value for d in profile.delivery)),
        ("Skills", ", ".join(catalogue.skill_label(s) for s in profile.skills)),
        ("Evidenced skills", ", ".join(catalogue.skill_label(e.skill) + (" ✓" if e.verified else "") for e in profile.evidenced_skills)),
        ("Held credentials", ", ".join(catalogue.credentials[c].title if c in catalogue.credentials else c for c in profile.held_credentials)),
    ]
    return [f"- **{label}:** {md(value)}" for label, value in facts if value]


def _profile_and_notes(services: Services, learner_id: str) -> LearnerProfile:
    profile = services.app_state.get_profile(learner_id)
    left, right = st.columns(2)
    with left:
        st.subheader("Profile", anchor=False)
        if lines := _profile_lines(services, profile):
            st.markdown("\n".join(lines))
        else:
            st.caption("Empty — plans saved from the Plan page fill it in.")
        if st.button("Plan with this profile", icon=":material/route:"):
            set_session_profile(profile)
            st.session_state.pop("stackwise_plan_profile", None)
            go_to("plan")
    with right:
        st.subheader("Notes", anchor=False)
        notes = st.text_area("Adviser notes", value=services.app_state.get_notes(learner_id), height=140, key=f"notes-{learner_id}")
        if st.button("Save notes", icon=":material/save:"):
            services.app_state.set_notes(learner_id, notes)
            st.success("Notes saved.")
    return profile


def _plan_editor(services: Services, plan: dict[str, Any], profile: dict[str, Any]) -> None:
    with st.expander(
        f"{plan['name']} — {cost_of(plan['plan'].get('total_cost'))}, {plan['plan'].get('total_weeks', '—')} weeks, saved {plan['created']:%Y-%m-%d}"
    ):
        with st.form(f"edit-{plan['id']}"):
            name = st.text_input("Plan name", value=plan["name"])
            note = st.text_area("Note", value=plan["note"], height=80)
            steps = "\n".join(s.get("credential_id", "") for s in plan["plan"].get("steps") or [])
            edited = st.text_area("Steps (credential ids, one per line; delete a line to drop a step)", value=steps, height=100)
            if st.form_submit_button("Save changes", icon=":material/save:"):
                keep = [line.strip() for line in edited.splitlines() if line.strip()]
                new_plan = dict(plan["plan"], steps=[s for s in plan["plan"].get("steps") or [] if s.get("credential_id") in keep])
                if len(new_plan["steps"]) != len(plan["plan"].get("steps") or []):
                    new_plan["edited"] = True
                services.app_state.update_plan(plan["id"], name=name, note=note, plan=new_plan)
                st.rerun()
        show_plan(plan["plan"], services.catalogue, profile, key=f"saved-{plan['id']}")
        export_buttons(plan["plan"], profile, key=f"export-{plan['id']}", name=plan["name"].replace(" ", "-").lower() or "plan")
        if st.button("Delete this plan", key=f"delete-{plan['id']}", icon=":material/delete:"):
            services.app_state.delete_plan(plan["id"])
            st.rerun()


def _compare(plans: list[dict[str, Any]]) -> None:
    if len(plans) < 2:
        return
    st.subheader("Compare plans", anchor=False)
    names = {p["id"]: p["name"] for p in plans}
    chosen = st.multiselect("Plans to compare", list(names), default=list(names)[:2], format_func=names.__getitem__, max_selections=4)
    cols = st.columns(max(len(chosen), 1))
    for col, pid in zip(cols, chosen, strict=False):
        plan = next(p["plan"] for p in plans if p["id"] == pid)
        with col:
            st.markdown(f"#### {md(names[pid])}")
            st.metric("Cost", cost_of(plan.get("total_cost")))
            st.metric("Weeks", plan.get("total_weeks", "—"))
            st.metric("Coverage", percent(plan.get("coverage")))
            st.markdown("\n".join(f"{i}. {md(s.get('title'))}" for i, s in enumerate(plan.get("steps") or [], 1)) or "_no steps_")


def _data_rights(services: Services, learner_id: str) -> None:
    st.subheader("The learner's data", anchor=False)
    left, right = st.columns(2)
    data = services.app_state.export_learner(learner_id)
    left.download_button(
        "Export all their data (JSON)",
        json.dumps(data, indent=2, ensure_ascii=False),
        file_name=f"learner-{learner_id}.json",
        mime="application/json",
        icon=":material/download:",
    )
    with right:
        confirm = st.checkbox("I understand this deletes the learner, their plans, notes and conversations")
        if st.button("Delete this learner", disabled=not confirm, type="primary", icon=":material/delete_forever:"):
            services.app_state.delete_learner(learner_id)
            st.session_state.pop(LEARNER_KEY, None)
            st.rerun()


def render() -> None:
    services = require_services()
    st.title("Advisers")
    try:
        learner_id = _learner_picker(services)
        if learner_id is None:
            return
        profile = _profile_and_notes(services, learner_id)
        plans = services.app_state.list_plans(learner_id)
        st.subheader(f"Saved plans ({len(plans)})", anchor=False)
        if not plans:
            st.caption("No saved plans — make one on the Plan page and save it for this learner.")
        profile_json = profile.model_dump(mode="json", exclude_none=True)
        for plan in plans:
            _plan_editor(services, plan, profile_json)
        _compare(plans)
        _data_rights(services, learner_id)
    except StackwiseError as exc:
        st.error(str(exc))
