"""Plan: a profile, a stackable plan with charts, alternatives, what-if sliders, save and export."""

from __future__ import annotations

from typing import Any

import streamlit as st
from pydantic import ValidationError

from assistant.errors import StackwiseError
from assistant.models import Budget, Delivery, LearnerProfile
from assistant.services import Services
from assistant.ui.format import cost_of, md, percent
from assistant.ui.plan_view import export_buttons, show_plan
from assistant.ui.services import get_services, require_services, session_profile, set_session_profile

PLAN_PROFILE_KEY = "stackwise_plan_profile"
OBJECTIVES = {"balanced": "Balanced", "cheapest": "Cheapest", "fastest": "Fastest", "most-stackable": "Most stackable"}
LANGUAGES = ["en", "de", "fr", "es", "it", "nl", "pt", "pl", "sv", "fi", "da"]
WHATIF_KEYS = ("whatif_budget", "whatif_hours", "whatif_deadline")


@st.cache_data(show_spinner=False, max_entries=128)
def compute_plan(settings_json: str, generation: int, profile_json: str, objective: str) -> dict[str, Any]:
    """One plan as JSON, cached per settings, catalogue generation, profile and objective."""
    from assistant.planner import plan_stackable_path

    services = get_services()
    profile = LearnerProfile.model_validate_json(profile_json)
    return plan_stackable_path(profile, services.catalogue, services.settings.planner, objective=objective).as_json()  # type: ignore[arg-type]


@st.cache_data(show_spinner=False, max_entries=64)
def compute_alternatives(settings_json: str, generation: int, profile_json: str) -> dict[str, dict[str, Any]]:
    from assistant.planner import plan_alternatives

    services = get_services()
    profile = LearnerProfile.model_validate_json(profile_json)
    return {name: plan.as_json() for name, plan in plan_alternatives(profile, services.catalogue, services.settings.planner).items()}


def _profile_form(services: Services, base: LearnerProfile, expanded: bool) -> LearnerProfile | None:
    with st.expander("Profile", expanded=expanded, icon=":material/person:"):
        return _profile_fields(services, base)


def _profile_fields(services: Services, base: LearnerProfile) -> LearnerProfile | None:
    catalogue = services.catalogue
    skills = sorted(catalogue.skills, key=catalogue.skill_label)
    creds = sorted(catalogue.credentials, key=lambda c: catalogue.credentials[c].title)
    occupations = sorted(catalogue.occupations, key=lambda o: catalogue.occupations[o].title)
    currencies = sorted({"EUR", "USD", "GBP", "CHF", *((catalogue.rates.per_eur if catalogue.rates else {}).keys())})
    with st.form("profile_form"):
        c1, c2 = st.columns(2)
        role = c1.text_input("Current role", value=base.current_role or "", placeholder="e.g. retail store manager")
        target_default = base.target if base.target in occupations else None
        target = c2.selectbox(
            "Target occupation",
            occupations + ([base.target] if base.target and base.target not in occupations else []),
            index=(occupations.index(target_default) if target_default else (len(occupations) if base.target else None)),
            format_func=lambda o: catalogue.occupations[o].title if o in catalogue.occupations else o,
            accept_new_options=True,
            placeholder="Choose or type an occupation",
        )
        held_skills = c1.multiselect(
            "Skills you have",
            skills + [s for s in base.skills if s not in catalogue.skills],
            default=[s for s in base.skills],
            format_func=catalogue.skill_label,
            accept_new_options=True,
        )
        held = c2.multiselect(
            "Credentials you hold",
            creds,
            default=[c for c in base.held_credentials if c in catalogue.credentials],
            format_func=lambda c: catalogue.credentials[c].title,
        )
        c3, c4, c5, c6 = st.columns(4)
        budget = c3.number_input("Budget", min_value=0.0, value=float(base.budget.amount) if base.budget else 1500.0, step=100.0)
        currency_default = base.budget.currency if base.budget else "EUR"
        currency = c4.selectbox("Currency", currencies, index=currencies.index(currency_default) if currency_default in currencies else 0)
        hours = c5.number_input("Hours per week", min_value=1.0, max_value=80.0, value=float(base.hours_per_week or 8), step=1.0)
        deadline = c6.number_input("Deadline (weeks)", min_value=1, max_value=520, value=int(base.deadline_weeks or 52), step=1)
        c7, c8, c9, c10 = st.columns(4)
        region = c7.text_input("Region (country code)", value=base.region or "", max_chars=40, placeholder="e.g. DE")
        language = c8.multiselect("Languages", sorted(set(LANGUAGES) | set(base.language)), default=base.language)
        delivery = c9.multiselect("Delivery", [d.value for d in Delivery], default=[d.value for d in base.delivery])
        objective = c10.selectbox("Optimise for", list(OBJECTIVES), format_func=OBJECTIVES.__getitem__, key="plan_objective_form")
        submitted = st.form_submit_button("Make a plan", type="primary", icon=":material/route:")
    if not submitted:
        return None
    if not target:
        st.error("Choose or type a target occupation.")
        return None
    try:
        profile = base.model_copy(
            update={
                "current_role": role.strip() or None,
                "target": target,
                "skills": list(held_skills),
                "held_credentials": list(held),
                "budget": Budget(amount=budget, currency=currency),
                "hours_per_week": hours,
                "deadline_weeks": int(deadline),
                "region": region.strip() or None,
                "language": language,
                "delivery": [Delivery(d) for d in delivery],
            }
        )
        profile = LearnerProfile.model_validate(profile.model_dump())
    except ValidationError as exc:
        st.error("This profile cannot be used: " + "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()))
        return None
    st.session_state["plan_objective"] = objective
    return profile


def _what_if(base: LearnerProfile) -> LearnerProfile:
    """Sliders for budget, hours and deadline; moving one re-plans at once."""
    st.subheader("What if…")
    budget = base.budget.amount if base.budget else 1500.0
    c1, c2, c3 = st.columns(3)
    new_budget = c1.slider(
        f"Budget ({base.budget.currency if base.budget else 'EUR'})", 0, int(max(10000, budget * 3)), int(budget), step=50, key="whatif_budget"
    )
    new_hours = c2.slider("Hours per week", 1, 40, int(min(base.hours_per_week or 8, 40)), key="whatif_hours")
    new_deadline = c3.slider("Deadline (weeks)", 4, 260, int(min(max(base.deadline_weeks or 52, 4), 260)), key="whatif_deadline")
    return base.model_copy(
        update={
            "budget": Budget(amount=float(new_budget), currency=base.budget.currency if base.budget else "EUR"),
            "hours_per_week": float(new_hours),
            "deadline_weeks": int(new_deadline),
        }
    )


def _alternatives(services: Services, profile: LearnerProfile) -> None:
    with st.spinner("Planning the cheapest, fastest and most stackable alternatives…"):
        alternatives = compute_alternatives(services.settings.model_dump_json(), services.catalogue.generation, profile.model_dump_json())
    cols = st.columns(max(len(alternatives), 1))
    for col, (name, alt) in zip(cols, alternatives.items(), strict=False):
        with col:
            st.markdown(f"#### {OBJECTIVES.get(name, name.title())}")
            st.metric("Cost", cost_of(alt.get("total_cost")))
            st.metric("Weeks", alt.get("total_weeks", "—"))
            st.metric("Coverage", percent(alt.get("coverage")))
            st.markdown("\n".join(f"{i}. {md(s.get('title'))}" for i, s in enumerate(alt.get("steps") or [], 1)) or "_no steps_")
            if not alt.get("feasible", True):
                st.caption("Does not meet every constraint.")
            st.button("Use this one", key=f"use-{name}", on_click=st.session_state.__setitem__, args=("plan_objective", name))


def _save(services: Services, plan: dict[str, Any], profile: LearnerProfile) -> None:
    try:
        learners = services.app_state.list_learners()
    except StackwiseError as exc:
        st.error(str(exc))
        return
    with st.form("save_plan"):
        options = [learner["id"] for learner in learners] + ["__new__"]
        names = {learner["id"]: learner["name"] for learner in learners}
        c1, c2 = st.columns(2)
        who = c1.selectbox("Learner", options, format_func=lambda i: names.get(i, "New learner…"))
        new_name = c2.text_input("New learner's name", placeholder="only for a new learner")
        plan_name = c1.text_input("Plan name", value=f"{OBJECTIVES.get(st.session_state.get('plan_objective', 'balanced'), 'Plan')} plan")
        note = c2.text_input("Note", placeholder="optional")
        if st.form_submit_button("Save plan", icon=":material/save:"):
            try:
                learner_id = services.app_state.create_learner(new_name, profile) if who == "__new__" else who
                services.app_state.save_profile(learner_id, profile)
                services.app_state.save_plan(learner_id, plan_name.strip() or "Plan", plan, note)
            except StackwiseError as exc:
                st.error(str(exc))
            else:
                st.success(f"Saved “{plan_name}” for {names.get(learner_id, new_name)}. See it on the Advisers page.")


def render() -> None:
    services = require_services()
    st.title("Plan a stackable path")
    has_plan = PLAN_PROFILE_KEY in st.session_state or bool(session_profile().target)
    base = _profile_form(services, st.session_state.get(PLAN_PROFILE_KEY) or session_profile(), expanded=not has_plan)
    if base is not None:
        st.session_state[PLAN_PROFILE_KEY] = base
        set_session_profile(base)
        for key in WHATIF_KEYS:
            st.session_state.pop(key, None)
    base = st.session_state.get(PLAN_PROFILE_KEY)
    if base is None:
        profile = session_profile()
        if profile.target:
            st.caption("Using the profile from your chat — change it in the form above.")
            base = profile
        else:
            st.info("Fill in the profile and press **Make a plan** — or describe yourself in the Chat and come back.")
            return
    profile = _what_if(base)
    objective = st.session_state.get("plan_objective", "balanced")
    try:
        with st.spinner("Planning…"):
            plan = compute_plan(services.settings.model_dump_json(), services.catalogue.generation, profile.model_dump_json(), objective)
    except StackwiseError as exc:
        st.error(str(exc))
        return
    except ImportError as exc:
        st.error(f"The planner is not available in this installation ({exc.name or exc}).")
        return
    occupation = services.catalogue.occupations.get(profile.target or "")
    target_name = occupation.title if occupation else profile.target
    st.subheader(f"{OBJECTIVES.get(objective, objective)} plan" + (f" for {md(target_name)}" if target_name else ""), anchor=False)
    profile_json = profile.model_dump(mode="json", exclude_none=True)
    tab_plan, tab_alt, tab_save = st.tabs(["Plan", "Alternatives", "Save and export"])
    with tab_plan:
        show_plan(plan, services.catalogue, profile_json, key="plan")
    with tab_alt:
        try:
            _alternatives(services, profile)
        except (StackwiseError, ImportError) as exc:
            st.error(f"Alternatives unavailable: {exc}")
    with tab_save:
        export_buttons(plan, profile_json, key="plan-export")
        _save(services, plan, profile)
