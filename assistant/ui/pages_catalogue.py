"""Catalogue: browse and filter credentials, compare two to four, and a record page with its stacking neighbours."""

from __future__ import annotations

import streamlit as st

from assistant.catalogue import Catalogue
from assistant.errors import StackwiseError
from assistant.models import Credential, Delivery, Document, Occupation, Skill
from assistant.retrieval import SearchFilters, passes, record_title
from assistant.services import Services
from assistant.ui.format import credential_cost, credential_cost_short, md
from assistant.ui.services import RECORD_KEY, require_services

ANY = "any"
NEIGHBOUR_LABELS = (("Requires", "prerequisites"), ("Stacks into", "stacks_into"), ("Stacked from", "stacked_from"), ("Required by", "required_by"))


def _open(record_id: str | None) -> None:
    if record_id is None:
        st.session_state.pop(RECORD_KEY, None)
        st.query_params.pop("record", None)
    else:
        st.session_state[RECORD_KEY] = record_id


def _link(url: str | None, label: str = "Provider page") -> None:
    if url and url.startswith(("https://", "http://")):
        st.link_button(label, url, icon=":material/open_in_new:")


def show_credential(cred: Credential, catalogue: Catalogue) -> None:
    st.header(cred.title, anchor=False)
    st.markdown(" · ".join(md(p) for p in (cred.type.value, cred.provider, cred.country, f"id {cred.id}") if p))
    if cred.description:
        st.markdown(md(cred.description))
    cols = st.columns(5)
    cols[0].metric("Workload", f"{cred.workload_hours:g} h" if cred.workload_hours else "—")
    cols[1].metric("Duration", f"{cred.duration_weeks:g} weeks" if cred.duration_weeks else "—")
    cols[2].metric("ECTS", f"{cred.ects:g}" if cred.ects else "—")
    cols[3].metric("EQF level", str(cred.eqf_level) if cred.eqf_level else "—")
    cols[4].metric("Cost", credential_cost_short(cred))
    facts = [
        ("Cost", credential_cost(cred) + (f" — source: {cred.cost.source}" if cred.cost and cred.cost.source else "")),
        ("Delivery", " / ".join(v for v in (cred.delivery.value if cred.delivery else None, cred.pace.value if cred.pace else None) if v) or "not stated"),
        ("Language", ", ".join(cred.language) or "not stated"),
        ("Assessment", cred.assessment_type),
        ("Supervision", cred.supervision.value if cred.supervision else None),
        ("Quality assurance", cred.quality_assurance),
        ("Skills", ", ".join(catalogue.skill_label(s) for s in cred.skills)),
        ("Prerequisite note", cred.prerequisite_note),
    ]
    st.markdown("\n".join(f"- **{label}:** {md(value)}" for label, value in facts if value))
    if cred.learning_outcomes:
        st.markdown("**Learning outcomes**")
        st.markdown("\n".join(f"- {md(o)}" for o in cred.learning_outcomes))
    neighbours = catalogue.neighbours(cred.id)
    if any(neighbours.values()):
        st.subheader("Stacking neighbours", anchor=False)
        for label, key in NEIGHBOUR_LABELS:
            if neighbours[key]:
                st.markdown(f"**{label}**")
                for n in neighbours[key]:
                    st.button(f"{n.title} ({n.provider})", key=f"nb-{key}-{n.id}", on_click=_open, args=(n.id,), icon=":material/arrow_forward:")
    _link(cred.url)
    st.caption(f"Source: {cred.source} · last reviewed {cred.last_reviewed or 'unknown'}")


def show_occupation(occ: Occupation, catalogue: Catalogue) -> None:
    st.header(occ.title, anchor=False)
    st.caption(f"id {occ.id}" + (f" · O*NET-SOC {occ.onet_soc}" if occ.onet_soc else ""))
    st.markdown(md(occ.description))
    lines = [f"**Median wage:** {w.amount:,.0f} {w.currency} per {w.period} ({md(w.region)}, {w.year}) — {md(w.source)}" for w in occ.median_wage]
    for o in occ.outlook:
        growth = f"{o.growth_pct:+g}%" if o.growth_pct is not None else (o.description or "")
        lines.append(f"**Outlook:** {md(growth)} over {md(o.period or 'the projection period')} ({md(o.region)}) — {md(o.source)}, {o.year}")
    if lines:
        st.markdown("\n\n".join(lines))
    if occ.skills:
        st.markdown("**Skills needed**")
        rows = [
            {"Skill": catalogue.skill_label(s.skill), "Importance": round(s.importance, 2), "Essential": s.essential}
            for s in sorted(occ.skills, key=lambda s: -s.importance)
        ]
        st.dataframe(rows, hide_index=True, width="stretch")
    st.caption(f"Source: {occ.source} · last reviewed {occ.last_reviewed or 'unknown'}")


def show_record(record_id: str, catalogue: Catalogue) -> None:
    st.button("Back to the catalogue", on_click=_open, args=(None,), icon=":material/arrow_back:")
    record = catalogue.records.get(record_id)
    if record is None:
        st.error(f"No record with id {record_id!r} in this catalogue — it may have been removed by a later ingest.")
        return
    if isinstance(record, Credential):
        show_credential(record, catalogue)
    elif isinstance(record, Occupation):
        show_occupation(record, catalogue)
    else:
        st.header(record_title(record), anchor=False)
        text = record.body if isinstance(record, Document) else record.description if isinstance(record, Skill) else getattr(record, "description", "")
        st.markdown(md(text[:6000]))
        st.caption(f"{record.kind} · id {record.id} · source: {getattr(record, 'source', None) or 'unknown'}")


def _filters(catalogue: Catalogue) -> tuple[str, SearchFilters]:
    creds = catalogue.credentials.values()
    with st.expander("Search and filter", expanded=True):
        query = st.text_input("Search words (optional)", placeholder="e.g. data analytics certificate", key="cat_query")
        c = st.columns(5)
        field = c[0].selectbox("Field", [ANY, *sorted({f for x in creds for f in x.fields})], key="cat_field")
        ctype = c[1].selectbox("Type", [ANY, *sorted({x.type.value for x in creds})], key="cat_type")
        provider = c[2].selectbox("Provider", [ANY, *sorted({x.provider for x in creds})], key="cat_provider")
        country = c[3].selectbox("Country", [ANY, *sorted({x.country for x in creds if x.country})], key="cat_country")
        language = c[4].selectbox("Language", [ANY, *sorted({lang for x in creds for lang in x.language})], key="cat_language")
        c = st.columns(5)
        delivery = c[0].selectbox("Delivery", [ANY, *[d.value for d in Delivery]], key="cat_delivery")
        level = c[1].selectbox("EQF level", [ANY, *[str(n) for n in range(1, 9)]], key="cat_level")
        max_cost = c[2].number_input("Max cost (0 = any)", min_value=0, value=0, step=100, key="cat_cost")
        currency = c[3].selectbox("Cost currency", ["EUR", "USD", "GBP", "CHF"], key="cat_currency")
        max_weeks = c[4].number_input("Max weeks (0 = any)", min_value=0, value=0, step=4, key="cat_weeks")
    filters = SearchFilters(
        kind="credential",
        field=None if field == ANY else field,
        type=None if ctype == ANY else ctype,
        provider=None if provider == ANY else provider,
        country=None if country == ANY else country,
        language=None if language == ANY else language,
        delivery=None if delivery == ANY else delivery,
        eqf_level=None if level == ANY else int(level),
        max_cost=float(max_cost) or None,
        currency=currency,
        max_weeks=float(max_weeks) or None,
    )
    return query.strip(), filters


def _matches(services: Services, catalogue: Catalogue, query: str, filters: SearchFilters) -> list[Credential]:
    if query:
        with st.spinner("Searching…"):
            hits = services.retriever.search(query, k=50, filters=filters)
        return [h.record for h in hits if isinstance(h.record, Credential)]
    return sorted((c for c in catalogue.credentials.values() if passes(c, filters, catalogue)), key=lambda c: c.title.lower())


def _compare(services: Services, ids: list[str]) -> None:
    try:
        rows = services.toolbox.compare(ids).data["rows"]
    except StackwiseError as exc:
        st.error(str(exc))
        return
    labels = {
        "provider": "Provider",
        "type": "Type",
        "cost": "Cost",
        "workload_hours": "Workload (h)",
        "duration_weeks": "Duration (weeks)",
        "ects": "ECTS",
        "eqf_level": "EQF level",
        "delivery": "Delivery",
        "language": "Language",
        "assessment_type": "Assessment",
        "skills": "Skills",
        "stacks_into": "Stacks into",
    }
    cat = services.catalogue
    table = []
    for key, label in labels.items():
        row = {"": label}
        for r in rows:
            value = r.get(key)
            if key == "cost":
                value = credential_cost(cat.credentials[r["id"]])
            elif isinstance(value, list):
                value = ", ".join(cat.credentials[v].title if key == "stacks_into" and v in cat.credentials else str(v) for v in value)
            row[r["title"]] = "—" if value in (None, "") else str(value)
        table.append(row)
    st.dataframe(table, hide_index=True, width="stretch")


def render() -> None:
    services = require_services()
    catalogue = services.catalogue
    if (record_id := st.query_params.get("record")) and RECORD_KEY not in st.session_state:
        st.session_state[RECORD_KEY] = record_id
    if record_id := st.session_state.get(RECORD_KEY):
        show_record(str(record_id), catalogue)
        return
    st.title("Catalogue")
    st.caption(
        f"{len(catalogue.credentials)} credentials from {catalogue.provider_count()} providers in {catalogue.country_count()} countries; {len(catalogue.occupations)} occupations."
    )
    query, filters = _filters(catalogue)
    found = _matches(services, catalogue, query, filters)
    if not found:
        st.info("Nothing matches — try fewer filters or other words.")
        return
    st.markdown(f"**{len(found)} credentials**")
    st.dataframe(
        [
            {
                "Title": c.title,
                "Provider": c.provider,
                "Type": c.type.value,
                "Country": c.country or "",
                "Cost": credential_cost_short(c),
                "Weeks": c.duration_weeks,
                "Delivery": c.delivery.value if c.delivery else "",
                "EQF": c.eqf_level,
            }
            for c in found
        ],
        hide_index=True,
        width="stretch",
        height=min(36 * (len(found) + 1) + 3, 420),
    )
    titles = {c.id: f"{c.title} — {c.provider}" for c in found}
    left, right = st.columns(2)
    with left:
        chosen = st.selectbox("Open a record", list(titles), index=None, format_func=titles.__getitem__, placeholder="Choose a credential", key="cat_open")
        if chosen and st.button("Open", key="cat_open_button", icon=":material/open_in_new:"):
            _open(chosen)
            st.rerun()
    with right:
        compare = st.multiselect("Compare two to four", list(titles), format_func=titles.__getitem__, max_selections=4, key="cat_compare")
    if len(compare) >= 2:
        st.subheader("Side by side", anchor=False)
        _compare(services, compare)
    elif compare:
        st.caption("Choose at least one more credential to compare.")
