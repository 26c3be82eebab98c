"""CTDL property mapping for credentials and learning opportunities (used by ``ctdl.py``).

``credential_fields`` turns one CTDL node into keyword arguments for
:class:`assistant.models.Credential` plus the ``extra`` mapping of everything with no field.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from assistant.currency import currency_code
from assistant.models import CredentialType, CreditValue, Delivery, StackLink, slugify
from ingest.sources._values import language_code, parse_iso_duration

CT = CredentialType
CREDENTIAL_TYPES: dict[str, CredentialType] = {
    "Credential": CT.OTHER,
    "Certificate": CT.CERTIFICATE,
    "CertificateOfCompletion": CT.CERTIFICATE,
    "CertificateOfParticipation": CT.CERTIFICATE,
    "BasicTechnicalCertificate": CT.CERTIFICATE,
    "AcademicCertificate": CT.UNIVERSITY_CERTIFICATE,
    "ProfessionalCertificate": CT.PROFESSIONAL_CERTIFICATE,
    "Certification": CT.PROFESSIONAL_CERTIFICATION,
    "MicroCredential": CT.MICRO_CREDENTIAL,
    "Badge": CT.DIGITAL_BADGE,
    "DigitalBadge": CT.DIGITAL_BADGE,
    "OpenBadge": CT.DIGITAL_BADGE,
    "AssociateDegree": CT.ASSOCIATE_DEGREE,
    "AssociateOfAppliedArtsDegree": CT.ASSOCIATE_DEGREE,
    "AssociateOfAppliedScienceDegree": CT.ASSOCIATE_DEGREE,
    "AssociateOfArtsDegree": CT.ASSOCIATE_DEGREE,
    "AssociateOfScienceDegree": CT.ASSOCIATE_DEGREE,
    "BachelorDegree": CT.BACHELOR_DEGREE,
    "BachelorOfArtsDegree": CT.BACHELOR_DEGREE,
    "BachelorOfScienceDegree": CT.BACHELOR_DEGREE,
    "MasterDegree": CT.MASTER_DEGREE,
    "MasterOfArtsDegree": CT.MASTER_DEGREE,
    "MasterOfScienceDegree": CT.MASTER_DEGREE,
    "DoctoralDegree": CT.DOCTORAL_DEGREE,
    "ResearchDoctorate": CT.DOCTORAL_DEGREE,
    "ProfessionalDoctorate": CT.DOCTORAL_DEGREE,
    "Degree": CT.OTHER,
    "Diploma": CT.DIPLOMA,
    "SecondarySchoolDiploma": CT.DIPLOMA,
    "GeneralEducationDevelopment": CT.DIPLOMA,
    "License": CT.LICENSE,
    "ApprenticeshipCertificate": CT.APPRENTICESHIP,
    "JourneymanCertificate": CT.CERTIFICATE,
    "MasterCertificate": CT.CERTIFICATE,
    "QualityAssuranceCredential": CT.OTHER,
    "LearningProgram": CT.LEARNING_PROGRAM,
    "Course": CT.COURSE,
    "LearningOpportunityProfile": CT.LEARNING_PROGRAM,
}
ORGANIZATION_TYPES = {"CredentialOrganization", "QACredentialOrganization", "Organization"}
NON_RECORD_TYPES = {
    "ConditionManifest",
    "CostManifest",
    "CompetencyFramework",
    "AssessmentProfile",
    "ConceptScheme",
    "Concept",
    "TransferValueProfile",
    "TransferIntermediary",
    "Pathway",
    "PathwayComponent",
    "PathwaySet",
    "Job",
    "Occupation",
    "WorkRole",
    "Task",
    "Collection",
    "CollectionMember",
    "ProgressionModel",
    "Rubric",
    "ScheduledOffering",
}
CONNECTIONS: dict[str, str] = {
    "ceterms:isPreparationFor": "preparation-for",
    "ceterms:isAdvancedStandingFor": "advanced-standing",
    "ceterms:isRecommendedFor": "preparation-for",
    "ceterms:isRequiredFor": "stacks-into",
}
DELIVERY = {"online": Delivery.ONLINE, "inperson": Delivery.IN_PERSON, "blended": Delivery.BLENDED}
_HANDLED = {
    "@context",
    "@id",
    "@type",
    "ceterms:ctid",
    "ceterms:name",
    "schema:name",
    "ceterms:description",
    "schema:description",
    "ceterms:subjectWebpage",
    "schema:url",
    "ceterms:url",
    "ceterms:ownedBy",
    "ceterms:offeredBy",
    "ceterms:owner",
    "schema:creator",
    "ceterms:requires",
    "ceterms:inLanguage",
    "ceterms:estimatedCost",
    "ceterms:estimatedDuration",
    "ceterms:creditValue",
    "ceterms:creditHourValue",
    "ceterms:creditHourType",
    "ceterms:creditUnitType",
    "ceterms:deliveryType",
    "ceterms:occupationType",
    "ceterms:isPartOf",
    "ceterms:hasPart",
    "ceterms:teaches",
    "ceterms:image",
    "ceterms:keyword",
    "ceterms:codedNotation",
    *CONNECTIONS,
}
_SOC = re.compile(r"\b(\d{2}-\d{4}(?:\.\d{2})?)\b")


def local_type(node: dict[str, Any]) -> str | None:
    """'ceterms:Certificate' -> 'Certificate' (first type when a list)."""
    types = [t for t in as_list(node.get("@type")) if isinstance(t, str)]
    return types[0].split(":")[-1] if types else None


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def text(value: Any) -> str:
    """Plain text of a string, a language map ({'en-US': ...}) or a list of either; English first."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, list):
        return next((t for t in (text(v) for v in value) if t), "")
    if isinstance(value, dict):
        if "@value" in value:
            return text(value["@value"])
        for key, item in value.items():
            if str(key).lower().startswith("en"):
                found = text(item)
                if found:
                    return found
        return next((t for t in (text(v) for k, v in value.items() if not str(k).startswith("@")) if t), "")
    return ""


def node_ref(value: Any) -> str:
    """The URI a reference names: a string or {'@id': ...}."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dict) and isinstance(value.get("@id"), str):
        return value["@id"].strip()
    return ""


def _alignment_names(values: Any) -> list[str]:
    names = []
    for item in as_list(values):
        if isinstance(item, dict):
            node = item.get("ceterms:targetNode")
            name = (text(node.get("ceasn:competencyText")) if isinstance(node, dict) else "") or text(item.get("ceterms:targetNodeName"))
            name = name or text(item.get("ceasn:competencyText")) or text(item.get("ceterms:name"))
            if name:
                names.append(name)
        elif isinstance(item, str) and item.strip():
            names.append(item.strip())
    return names


def _skill_ids(values: Any, resolve: Callable[[str], str]) -> list[str]:
    """Competency references as skill ids: a ctid/URI when it points to a node, else a label slug."""
    ids = []
    for item in as_list(values):
        uri = node_ref(item)
        if uri and not isinstance(item, dict):
            ids.append(resolve(uri))
            continue
        for name in _alignment_names([item]):
            ids.append(slugify(name))
    return [i for i in ids if i]


def _cost(node: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any] | None:
    profiles = [p for p in as_list(node.get("ceterms:estimatedCost")) if isinstance(p, dict)]
    priced = [p for p in profiles if isinstance(p.get("ceterms:price"), int | float)]
    if not priced:
        if profiles:
            extra["ceterms:estimatedCost"] = profiles
        return None
    # Several cost profiles are parts of one price (application, exam, tuition): they add up
    # when they share a currency.
    currencies = {currency_code(text(p.get("ceterms:currency"))) for p in priced}
    if len(currencies) != 1 or None in currencies:
        extra["ceterms:estimatedCost"] = profiles
        return None
    details = next((p.get("ceterms:costDetails") for p in priced if isinstance(p.get("ceterms:costDetails"), str)), None)
    names = "; ".join(n for n in (text(p.get("ceterms:name")) for p in priced) if n)
    if len(profiles) > len(priced):
        extra["ceterms:estimatedCost"] = profiles
    return {"amount": sum(float(p["ceterms:price"]) for p in priced), "currency": currencies.pop(), "source": details, "note": names or None}


def _credits(node: dict[str, Any], fields: dict[str, Any]) -> None:
    credits: list[CreditValue] = []
    for value in as_list(node.get("ceterms:creditValue")):
        if not isinstance(value, dict):
            continue
        amount = value.get("schema:value", value.get("qdata:value", value.get("schema:minValue")))
        unit_text = " ".join(_alignment_names(value.get("schema:unitText") or value.get("ceterms:creditUnitType"))) or text(value.get("schema:unitText"))
        if isinstance(amount, int | float):
            if "ects" in unit_text.lower():
                fields["ects"] = float(amount)
            else:
                credits.append(CreditValue(value=float(amount), unit=unit_text or "credits"))
    hours = node.get("ceterms:creditHourValue")
    if isinstance(hours, int | float):
        unit = text(node.get("ceterms:creditHourType")) or " ".join(_alignment_names(node.get("ceterms:creditUnitType"))) or "credit hours"
        if "ects" in unit.lower():
            fields["ects"] = float(hours)
        else:
            credits.append(CreditValue(value=float(hours), unit=unit))
    if credits:
        fields["credits"] = credits


def _delivery(node: dict[str, Any]) -> Delivery | None:
    found = set()
    for item in as_list(node.get("ceterms:deliveryType")):
        target = item.get("ceterms:targetNode") if isinstance(item, dict) else item
        key = (str(target) if target else " ".join(_alignment_names([item]))).split(":")[-1].lower().replace("-", "").replace(" ", "")
        for prefix, delivery in DELIVERY.items():
            if key.startswith(prefix):
                found.add(delivery)
    if len(found) > 1:
        return Delivery.BLENDED
    return found.pop() if found else None


def _occupations(node: dict[str, Any], fields: dict[str, Any], extra: dict[str, Any]) -> None:
    alignments = []
    for item in as_list(node.get("ceterms:occupationType")):
        if not isinstance(item, dict):
            continue
        target = node_ref(item.get("ceterms:targetNode"))
        code_text = str(item.get("ceterms:codedNotation") or "") + " " + target
        code = next(iter(_SOC.findall(code_text)), None)
        alignments.append(
            {
                "name": text(item.get("ceterms:targetNodeName")),
                "code": code,
                "framework": text(item.get("ceterms:frameworkName")) or None,
                "url": target or None,
            }
        )
        if code:
            fields.setdefault("occupations", []).append(code if "." in code else f"{code}.00")
            fields.setdefault("codes", []).append(code)
    if alignments:
        extra["occupation_type"] = alignments


def credential_fields(node: dict[str, Any], resolve: Callable[[str], str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Credential keyword arguments and the ``extra`` mapping for one CTDL node."""
    extra: dict[str, Any] = {key: value for key, value in node.items() if key not in _HANDLED}
    fields: dict[str, Any] = {}
    fields["description"] = text(node.get("ceterms:description")) or text(node.get("schema:description"))
    url = node.get("ceterms:subjectWebpage") or node.get("schema:url") or node.get("ceterms:url")
    fields["url"] = url.strip() if isinstance(url, str) else None
    languages = [language_code(text(v)) for v in as_list(node.get("ceterms:inLanguage"))]
    fields["language"] = list(dict.fromkeys(code for code in languages if code))
    image = node.get("ceterms:image")
    fields["image"] = image if isinstance(image, str) else None
    fields["codes"] = [str(c) for c in as_list(node.get("ceterms:codedNotation")) if c]
    prerequisites: list[str] = []
    skills: list[str] = _skill_ids(node.get("ceterms:teaches"), resolve)
    notes: list[str] = []
    for condition in as_list(node.get("ceterms:requires")):
        if not isinstance(condition, dict):
            continue
        for key in ("ceterms:targetCredential", "ceterms:targetLearningOpportunity", "ceterms:targetAssessment"):
            prerequisites += [resolve(uri) for uri in (node_ref(v) for v in as_list(condition.get(key))) if uri]
        skills += _skill_ids(condition.get("ceterms:targetCompetency"), resolve)
        note = text(condition.get("ceterms:description")) or text(condition.get("schema:description"))
        if note and "MISSING" not in note:
            notes.append(note)
    fields["prerequisites"] = list(dict.fromkeys(prerequisites))
    fields["skills"] = list(dict.fromkeys(skills))
    fields["prerequisite_note"] = "\n".join(dict.fromkeys(notes)) or None
    stacks: list[StackLink] = []
    for key, relation in CONNECTIONS.items():
        for condition in as_list(node.get(key)):
            targets = (
                as_list(condition.get("ceterms:targetCredential")) + as_list(condition.get("ceterms:targetLearningOpportunity"))
                if isinstance(condition, dict)
                else [condition]
            )
            note = text(condition.get("ceterms:description")) if isinstance(condition, dict) else ""
            for uri in (node_ref(t) for t in targets):
                if uri:
                    stacks.append(StackLink(target=resolve(uri), relation=relation, note=note or key.split(":")[1]))  # type: ignore[arg-type]
    parents = [resolve(uri) for uri in (node_ref(v) for v in as_list(node.get("ceterms:isPartOf"))) if uri]
    fields["part_of"] = parents
    stacks += [StackLink(target=parent, relation="part-of") for parent in parents]
    fields["stacks_into"] = stacks
    children = [resolve(uri) for uri in (node_ref(v) for v in as_list(node.get("ceterms:hasPart"))) if uri]
    if children:
        extra["has_part"] = children
    for duration in as_list(node.get("ceterms:estimatedDuration")):
        if isinstance(duration, dict) and isinstance(duration.get("ceterms:exactDuration"), str):
            weeks, hours = parse_iso_duration(duration["ceterms:exactDuration"])
            fields["duration_weeks"] = fields.get("duration_weeks") or weeks
            fields["workload_hours"] = fields.get("workload_hours") or hours
        if isinstance(duration, dict) and text(duration.get("ceterms:description")):
            extra["duration_note"] = text(duration.get("ceterms:description"))
    cost = _cost(node, extra)
    if cost:
        fields["cost"] = cost
    _credits(node, fields)
    fields["delivery"] = _delivery(node)
    _occupations(node, fields, extra)
    keywords = [text(k) for k in as_list(node.get("ceterms:keyword"))]
    if any(keywords):
        extra["keywords"] = [k for k in keywords if k]
    return fields, extra
