"""CTDL (Credential Transparency Description Language) JSON-LD, as the Credential Registry publishes it.

Accepted shapes: one resource (``{"@type": "ceterms:Certificate", ...}``), a ``@graph``
document (the resource with the nodes it references), a JSON array of resources (the
registry's seed files) and the registry envelope (``{"decoded_resource": {...}}``).

What becomes what:

- every credential class (``ceterms:Certificate``, ``MicroCredential``, ``DigitalBadge``,
  ``Certification``, ``BachelorDegree``, ...) and ``LearningProgram`` / ``Course`` /
  ``LearningOpportunityProfile`` -> :class:`Credential`, id = ``ceterms:ctid``;
- organisations (``CredentialOrganization``, ``QACredentialOrganization``, ``Organization``)
  -> :class:`Provider`; ``ceasn:Competency`` -> :class:`Skill`;
- ``ConditionManifest``, ``CostManifest``, ``CompetencyFramework``, ``AssessmentProfile`` and
  the other support classes are not catalogue records: they are skipped without a rejection
  (see ``ingest/sources/README.md``).

References to other resources become ctids when the URI carries one (``.../ce-<uuid>``) or
when the node is in the same graph; otherwise the URI is kept. Properties with no field
in the record model are kept in ``extra`` under their CTDL name.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from assistant.models import AnyRecord, Credential, Provider, Skill, slugify
from ingest.sources._base import Rejection, describe_validation_error, load_json, shown
from ingest.sources._ctdl_fields import (
    CREDENTIAL_TYPES,
    NON_RECORD_TYPES,
    ORGANIZATION_TYPES,
    as_list,
    credential_fields,
    local_type,
    node_ref,
    text,
)
from ingest.sources._values import country_code

_CTID_IN_URI = re.compile(r"(ce-[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})")
_ORG_TYPE = {
    "university": "university",
    "college": "college",
    "business": "company",
    "company": "company",
    "government": "government",
    "nonprofit": "nonprofit",
}


class CtdlReader:
    """Reads CTDL / CTDL-ASN JSON-LD files into credentials, providers and skills."""

    name = "ctdl"

    def sniff(self, path: Path, head: bytes) -> bool:
        text_head = head.decode("utf-8", errors="ignore").lstrip("\ufeff \t\r\n")
        if not text_head.startswith(("{", "[")):
            return False
        return "ceterms:" in text_head or "ceasn:" in text_head or "credreg.net/ctdl" in text_head

    def read(self, path: Path) -> Iterator[AnyRecord | Rejection]:
        try:
            raw = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            yield Rejection(str(path), f"cannot read as UTF-8 text: {exc}")
            return
        try:
            data = load_json(raw)
        except ValueError as exc:
            yield Rejection(str(path), str(exc))
            return
        nodes = _top_nodes(data)
        if not nodes:
            yield Rejection(str(path), "no CTDL resources found (expected an object with @type, a @graph or an array)")
            return
        graph = _Graph(nodes)
        for index, node in enumerate(nodes):
            where = f"{path}[{index}]" if len(nodes) > 1 else str(path)
            yield from self._read_node(node, graph, where, str(path))

    def _read_node(self, node: dict[str, Any], graph: _Graph, where: str, source: str) -> Iterator[AnyRecord | Rejection]:
        ctdl_type = local_type(node)
        if ctdl_type is None:
            yield Rejection(where, "CTDL node without @type")
            return
        if ctdl_type in NON_RECORD_TYPES:
            return
        try:
            if ctdl_type in CREDENTIAL_TYPES:
                yield from self._credential(node, ctdl_type, graph, where, source)
            elif ctdl_type in ORGANIZATION_TYPES:
                yield from self._provider(node, graph, where, source)
            elif ctdl_type == "Competency":
                yield from self._competency(node, where, source)
            else:
                yield Rejection(where, f"CTDL type {ctdl_type!r} is not a credential, organisation or competency (skipped)")
        except ValidationError as exc:
            yield Rejection(where, describe_validation_error(exc))

    def _credential(self, node: dict[str, Any], ctdl_type: str, graph: _Graph, where: str, source: str) -> Iterator[AnyRecord | Rejection]:
        record_id = _record_id(node)
        title = text(node.get("ceterms:name")) or text(node.get("schema:name"))
        if not record_id:
            yield Rejection(where, f"ceterms:{ctdl_type} {title or ''!s} has neither ceterms:ctid nor @id".replace("  ", " "))
            return
        if not title:
            yield Rejection(f"{where} ({shown(record_id)})", f"ceterms:{ctdl_type} has no ceterms:name")
            return
        fields, extra = credential_fields(node, graph.resolve_id)
        provider_name, provider_id = self._provider_of(node, graph, extra)
        fields["part_of"] = sorted({*fields.get("part_of", []), *graph.parents_of(node)})
        extra["ctdl_type"] = f"ceterms:{ctdl_type}"
        if isinstance(node.get("@id"), str):
            extra["ctdl_id"] = node["@id"]
        yield Credential(
            id=record_id,
            title=title,
            type=CREDENTIAL_TYPES[ctdl_type],
            provider=provider_name,
            provider_id=provider_id,
            source=source,
            extra=extra,
            **fields,
        )

    def _provider_of(self, node: dict[str, Any], graph: _Graph, extra: dict[str, Any]) -> tuple[str, str | None]:
        for key in ("ceterms:ownedBy", "ceterms:offeredBy", "ceterms:owner", "schema:creator"):
            for ref in as_list(node.get(key)):
                uri = node_ref(ref)
                embedded_name = text(ref.get("ceterms:name")) if isinstance(ref, dict) else ""
                if not uri and not embedded_name:
                    continue
                org = graph.get(uri) if uri else None
                name = embedded_name or (text(org.get("ceterms:name")) if org else "")
                org_id = (_record_id(org) if org else None) or graph.resolve_id(uri) if uri else None
                if not name:
                    name = uri.rstrip("/").rsplit("/", 1)[-1] if uri else ""
                    extra["provider_uri"] = uri
                if name:
                    return name, org_id
        extra["provider_missing"] = True
        return "Unknown provider", None

    def _provider(self, node: dict[str, Any], graph: _Graph, where: str, source: str) -> Iterator[AnyRecord | Rejection]:
        if str(node.get("@id", "")).startswith("_:"):
            return  # a blank node describing a referenced organisation, not a published resource
        record_id = _record_id(node)
        name = text(node.get("ceterms:name")) or text(node.get("schema:name"))
        if not name:
            yield Rejection(where, "CTDL organisation has no ceterms:name")
            return
        if not record_id:
            yield Rejection(where, f"CTDL organisation {name!r} has neither ceterms:ctid nor @id")
            return
        country = None
        for address in as_list(node.get("ceterms:address")):
            if isinstance(address, dict):
                country = country or country_code(text(address.get("ceterms:addressCountry")))
        agent_types = " ".join(text(t.get("ceterms:targetNodeName")) if isinstance(t, dict) else str(t) for t in as_list(node.get("ceterms:agentType"))).lower()
        org_type = next((value for key, value in _ORG_TYPE.items() if key in agent_types), "other")
        url = node.get("ceterms:subjectWebpage") or node.get("schema:url") or node.get("ceterms:url")
        yield Provider(
            id=record_id,
            name=name,
            type=org_type,  # type: ignore[arg-type]
            country=country,
            url=url if isinstance(url, str) else None,
            description=text(node.get("ceterms:description")) or text(node.get("schema:description")),
            source=source,
        )

    def _competency(self, node: dict[str, Any], where: str, source: str) -> Iterator[AnyRecord | Rejection]:
        label = text(node.get("ceasn:competencyText")) or text(node.get("ceasn:competencyLabel")) or text(node.get("ceterms:name"))
        record_id = _record_id(node)
        if not label:
            yield Rejection(where, "ceasn:Competency has no ceasn:competencyText")
            return
        codes = [str(c) for c in as_list(node.get("ceasn:codedNotation")) if c]
        yield Skill(
            id=record_id or f"ctdl-{slugify(label)}",
            label=label,
            alt_labels=[t for t in (text(v) for v in as_list(node.get("ceasn:competencyLabel"))) if t and t != label],
            description=text(node.get("ceasn:comment")) or text(node.get("ceasn:description")),
            codes=codes,
            source=source,
        )


class _Graph:
    """The nodes of one document, indexed by @id, with the hasPart links inverted."""

    def __init__(self, nodes: list[dict[str, Any]]) -> None:
        self.by_id: dict[str, dict[str, Any]] = {}
        for node in nodes:
            if isinstance(node.get("@id"), str):
                self.by_id[node["@id"]] = node
        self._parents: dict[str, set[str]] = {}
        for node in nodes:
            parent_id = _record_id(node)
            for ref in as_list(node.get("ceterms:hasPart")):
                uri = node_ref(ref)
                if uri and parent_id:
                    self._parents.setdefault(uri, set()).add(parent_id)

    def get(self, uri: str) -> dict[str, Any] | None:
        return self.by_id.get(uri)

    def resolve_id(self, uri: str) -> str:
        """The record id a reference points to: the node's ctid, a ctid in the URI, or the URI."""
        node = self.by_id.get(uri)
        if node is not None:
            found = _record_id(node)
            if found:
                return found
        match = _CTID_IN_URI.search(uri)
        return match.group(1) if match else uri

    def parents_of(self, node: dict[str, Any]) -> set[str]:
        uri = node.get("@id")
        return self._parents.get(uri, set()) if isinstance(uri, str) else set()


def _record_id(node: dict[str, Any] | None) -> str | None:
    if not node:
        return None
    ctid = node.get("ceterms:ctid")
    if isinstance(ctid, str) and ctid.strip():
        return ctid.strip()
    uri = node.get("@id")
    if isinstance(uri, str) and uri.strip() and not uri.startswith("_:"):
        match = _CTID_IN_URI.search(uri)
        return match.group(1) if match else uri.strip()
    return None


def _top_nodes(data: Any) -> list[dict[str, Any]]:
    """The resources of a document in any of the published shapes."""
    if isinstance(data, list):
        return [node for item in data for node in _top_nodes(item)]
    if not isinstance(data, dict):
        return []
    for envelope_key in ("decoded_resource", "resource"):
        if isinstance(data.get(envelope_key), dict | list):
            return _top_nodes(data[envelope_key])
    if isinstance(data.get("@graph"), list):
        return [node for node in data["@graph"] if isinstance(node, dict)]
    return [data] if "@type" in data or any(str(k).startswith(("ceterms:", "ceasn:")) for k in data) else []
