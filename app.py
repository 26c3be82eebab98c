"""Stackwise's Streamlit UI. Presentation only: every fact and decision comes from assistant/."""

from __future__ import annotations

import streamlit as st

from assistant.catalogue import Catalogue
from assistant.errors import StackwiseError
from assistant.models import Credential, Occupation
from assistant.retrieval import SearchFilters
from assistant.services import Services, offline_environment
from assistant.settings import load_settings

st.set_page_config(page_title="Stackwise", page_icon="🎓", layout="wide")


@st.cache_resource(show_spinner="Loading the catalogue and the embedding model…")
def get_services() -> Services:
    offline_environment()
    services = Services(load_settings())
    _ = services.retriever  # open store and load the model once per server process
    return services


def money(cred: Credential) -> str:
    cost = cred.cost
    if cost is None:
        return "cost not published"
    if cost.free or cost.amount == 0:
        return "free"
    if cost.amount is None or not cost.currency:
        return "funded" if cost.funded else "cost not published"
    when = f", as of {cost.as_of.isoformat()}" if cost.as_of else ""
    return f"{cost.amount:,.0f} {cost.currency} (indicative{when})"


def show_credential(cred: Credential, catalogue: Catalogue) -> None:
    st.subheader(cred.title)
    st.caption(f"{cred.type.value} · {cred.provider}" + (f" · {cred.country}" if cred.country else "") + f" · id `{cred.id}`")
    if cred.description:
        st.write(cred.description)
    cols = st.columns(4)
    cols[0].metric("Workload", f"{cred.workload_hours:g} h" if cred.workload_hours else "—")
    cols[1].metric("Duration", f"{cred.duration_weeks:g} weeks" if cred.duration_weeks else "—")
    cols[2].metric("ECTS", f"{cred.ects:g}" if cred.ects else "—")
    cols[3].metric("EQF level", str(cred.eqf_level) if cred.eqf_level else "—")
    st.write(f"**Cost:** {money(cred)}" + (f" — source: {cred.cost.source}" if cred.cost and cred.cost.source else ""))
    st.write(f"**Delivery:** {cred.delivery.value if cred.delivery else 'not stated'}; **language:** {', '.join(cred.language) or 'not stated'}")
    if cred.learning_outcomes:
        st.write("**Learning outcomes**")
        st.markdown("\n".join(f"- {o}" for o in cred.learning_outcomes))
    if cred.skills:
        st.write("**Skills:** " + ", ".join(catalogue.skill_label(s) for s in cred.skills))
    neighbours = catalogue.neighbours(cred.id)
    for label, key in (("Requires", "prerequisites"), ("Stacks into", "stacks_into"), ("Stacked from", "stacked_from"), ("Required by", "required_by")):
        if neighbours[key]:
            st.write(f"**{label}:** " + "; ".join(f"{n.title} (`{n.id}`)" for n in neighbours[key]))
    st.caption(f"Source: {cred.source} · last reviewed {cred.last_reviewed or 'unknown'}" + (f" · {cred.url}" if cred.url else ""))


def show_occupation(occ: Occupation, catalogue: Catalogue) -> None:
    st.subheader(occ.title)
    st.caption(f"id `{occ.id}`" + (f" · O*NET-SOC {occ.onet_soc}" if occ.onet_soc else ""))
    st.write(occ.description)
    for wage in occ.median_wage:
        st.write(f"**Median wage:** {wage.amount:,.0f} {wage.currency} per {wage.period} ({wage.region}, {wage.year}) — {wage.source}")
    for outlook in occ.outlook:
        growth = f"{outlook.growth_pct:+g}%" if outlook.growth_pct is not None else (outlook.description or "")
        st.write(f"**Outlook:** {growth} over {outlook.period or 'the projection period'} ({outlook.region}) — {outlook.source}, {outlook.year}")
    if occ.skills:
        st.write("**Skills needed**")
        st.markdown("\n".join(f"- {catalogue.skill_label(s.skill)} (importance {s.importance:.2f})" for s in sorted(occ.skills, key=lambda s: -s.importance)))
    st.caption(f"Source: {occ.source} · last reviewed {occ.last_reviewed or 'unknown'}")


def catalogue_page() -> None:
    st.title("Catalogue")
    try:
        services = get_services()
        catalogue = services.catalogue
    except StackwiseError as exc:
        st.error(str(exc))
        return
    with st.form("search"):
        query = st.text_input("Search the catalogue", placeholder="e.g. data analytics certificate")
        c1, c2, c3, c4 = st.columns(4)
        kind = c1.selectbox("Kind", ["any", "credential", "occupation", "document", "skill"], index=0)
        delivery = c2.selectbox("Delivery", ["any", "online", "in-person", "blended"])
        max_cost = c3.number_input("Max cost (EUR, 0 = no limit)", min_value=0, value=0, step=50)
        language = c4.text_input("Language (ISO code)", max_chars=3)
        submitted = st.form_submit_button("Search")
    if submitted and query.strip():
        filters = SearchFilters(
            kind=None if kind == "any" else kind,
            delivery=None if delivery == "any" else delivery,
            max_cost=float(max_cost) if max_cost else None,
            language=language.strip().lower() or None,
        )
        with st.spinner("Searching…"):
            hits = services.retriever.search(query, k=20, filters=filters)
        st.session_state["hits"] = [h.id for h in hits]
        if not hits:
            st.info("Nothing found — try fewer filters or other words.")
    for record_id in st.session_state.get("hits", []):
        record = catalogue.records.get(record_id)
        if record is None:
            continue
        title = getattr(record, "title", None) or getattr(record, "label", None) or getattr(record, "name", record_id)
        with st.expander(f"{title} — {record.kind}"):
            if isinstance(record, Credential):
                show_credential(record, catalogue)
            elif isinstance(record, Occupation):
                show_occupation(record, catalogue)
            else:
                st.text(getattr(record, "description", "") or getattr(record, "body", "")[:2000])


catalogue_page()
