"""The record model: every record Stackwise knows is one of these pydantic models.

Credential fields follow the EU Council Recommendation on micro-credentials (2022)
standard elements, CTDL connections and the Open Badges 3.0 Achievement, so that a
record can be mapped to and from those standards. Every figure (cost, wage, growth)
carries its source and date.

Conventions:
- ids are stable and source-derived: a slug for our own knowledge, a CTDL ctid, an
  Open Badges id, an O*NET-SOC code or an ESCO URI.
- countries are ISO 3166-1 alpha-2 codes, languages ISO 639-1 codes, currencies ISO 4217.
- skill importance is on a 0..1 scale: O*NET importance (IM, 1..5) maps to (IM - 1) / 4,
  ESCO essential skills to 1.0 and optional skills to 0.5.
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

SCHEMA_VERSION = 1

Id = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
LanguageCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")]
CurrencyCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]

RecordKind = Literal["credential", "occupation", "skill", "document", "provider"]


class Record(BaseModel):
    """Base of every stored record: strict about unknown fields, lenient about whitespace."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, populate_by_name=True)


class CredentialType(StrEnum):
    """What kind of award a credential is."""

    MICRO_CREDENTIAL = "micro-credential"
    DIGITAL_BADGE = "digital-badge"
    CERTIFICATE = "certificate"
    PROFESSIONAL_CERTIFICATE = "professional-certificate"
    PROFESSIONAL_CERTIFICATION = "professional-certification"
    UNIVERSITY_CERTIFICATE = "university-certificate"
    CAS = "cas"
    DAS = "das"
    MAS = "mas"
    MICROCERTIFICATE = "microcertificate"
    GRADUATE_CERTIFICATE = "graduate-certificate"
    NANODEGREE = "nanodegree"
    MICROMASTERS = "micromasters"
    MICROBACHELORS = "microbachelors"
    SHORT_CYCLE = "short-cycle"
    COURSE = "course"
    LEARNING_PROGRAM = "learning-program"
    APPRENTICESHIP = "apprenticeship"
    ASSOCIATE_DEGREE = "associate-degree"
    BACHELOR_DEGREE = "bachelor-degree"
    MASTER_DEGREE = "master-degree"
    DOCTORAL_DEGREE = "doctoral-degree"
    DIPLOMA = "diploma"
    LICENSE = "license"
    OTHER = "other"


class Delivery(StrEnum):
    ONLINE = "online"
    IN_PERSON = "in-person"
    BLENDED = "blended"


class Pace(StrEnum):
    SELF_PACED = "self-paced"
    COHORT = "cohort"


class Supervision(StrEnum):
    """EU standard element: type of assessment supervision and identity verification."""

    UNSUPERVISED = "unsupervised"
    SUPERVISED = "supervised"
    SUPERVISED_IDENTITY = "supervised-identity-check"


class Cost(Record):
    """What a credential costs the learner, as published on a date."""

    amount: float | None = Field(default=None, ge=0, description="Price; 0 when free.")
    currency: CurrencyCode | None = None
    as_of: date | None = Field(default=None, description="When the price was read.")
    source: str | None = Field(default=None, description="URL the price was read from.")
    free: bool = False
    funded: bool = Field(default=False, description="Eligible learners pay nothing (state-funded).")
    indicative: bool = True
    note: str | None = None

    @field_validator("currency", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value

    @property
    def free_to_learner(self) -> bool:
        """Free, priced at 0, or funded (eligible learners pay nothing): what "free" asks for."""
        return self.free or self.amount == 0 or self.funded


class CreditValue(Record):
    """A credit value in a unit other than ECTS (US semester credits, CATS, CEUs, ...)."""

    value: float = Field(ge=0)
    unit: str


class StackLink(Record):
    """This credential counts toward a larger one, with the credit recognised."""

    target: Id = Field(description="Id of the credential it stacks into.")
    credit: float | None = Field(default=None, ge=0, description="Credit recognised toward the target.")
    credit_unit: str | None = Field(default=None, description="ECTS, US credits, hours, ...")
    relation: Literal["stacks-into", "advanced-standing", "preparation-for", "part-of"] = "stacks-into"
    note: str | None = None


class Alignment(Record):
    """Open Badges / CTDL alignment to a framework item (skill, occupation, standard)."""

    target_name: str
    target_url: str | None = None
    target_framework: str | None = None
    target_code: str | None = None
    target_type: str | None = None


class Credential(Record):
    """A credential a learner can earn: micro-credential, badge, certificate, degree."""

    id: Id
    kind: Literal["credential"] = "credential"
    title: str = Field(min_length=1)
    type: CredentialType
    provider: str = Field(min_length=1, description="Awarding body's display name.")
    provider_id: Id | None = Field(default=None, description="Provider record id when known.")
    platform: str | None = Field(default=None, description="Platform it is offered on (Coursera, edX, ...).")
    country: CountryCode | None = None
    region: str | None = Field(default=None, description="Sub-national region when location-bound.")
    location_bound: bool = Field(default=False, description="Only open to residents / in person there.")
    url: str | None = None
    source: str = Field(min_length=1, description="Where this record came from (URL or file).")
    last_reviewed: date | None = None
    fields: list[str] = Field(default_factory=list, description="Career fields, e.g. data, cloud.")
    description: str = ""
    learning_outcomes: list[str] = Field(default_factory=list)
    skills: list[Id] = Field(default_factory=list, description="Canonical skill ids it teaches.")
    occupations: list[Id] = Field(default_factory=list, description="Occupation ids it prepares for.")
    codes: list[str] = Field(default_factory=list, description="Exam or course codes, e.g. AZ-900.")
    workload_hours: float | None = Field(default=None, gt=0)
    ects: float | None = Field(default=None, ge=0)
    credits: list[CreditValue] = Field(default_factory=list)
    eqf_level: int | None = Field(default=None, ge=1, le=8)
    duration_weeks: float | None = Field(default=None, gt=0)
    delivery: Delivery | None = None
    pace: Pace | None = None
    language: list[LanguageCode] = Field(default_factory=list)
    assessment_type: str | None = None
    supervision: Supervision | None = None
    quality_assurance: str | None = None
    expires_after_months: int | None = Field(default=None, gt=0)
    prerequisites: list[Id] = Field(default_factory=list, description="Credential ids required first.")
    prerequisite_skills: list[Id] = Field(default_factory=list)
    prerequisite_note: str | None = None
    stacks_into: list[StackLink] = Field(default_factory=list)
    part_of: list[Id] = Field(default_factory=list)
    cost: Cost | None = None
    criteria: str | None = Field(default=None, description="OB 3.0 Achievement criteria narrative.")
    achievement_type: str | None = Field(default=None, description="OB 3.0 AchievementType.")
    image: str | None = None
    alignments: list[Alignment] = Field(default_factory=list)
    extra: dict[str, Any] = Field(default_factory=dict, description="Source properties with no field here.")

    @field_validator("language", mode="before")
    @classmethod
    def _lower_languages(cls, value: Any) -> Any:
        if value is None:
            return []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list | tuple):
            return value  # pydantic reports the wrong type with the field name
        return [v.lower() if isinstance(v, str) else v for v in value]

    @field_validator("country", mode="before")
    @classmethod
    def _upper_country(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value


class Provider(Record):
    """An awarding body, platform or programme operator."""

    id: Id
    kind: Literal["provider"] = "provider"
    name: str = Field(min_length=1)
    type: Literal["university", "college", "company", "professional-body", "platform", "government", "nonprofit", "other"] = "other"
    country: CountryCode | None = None
    url: str | None = None
    description: str = ""
    source: str = Field(min_length=1)
    last_reviewed: date | None = None


class Skill(Record):
    """A canonical skill: one id for what ESCO, O*NET, CTDL and free text call the same thing."""

    id: Id
    kind: Literal["skill"] = "skill"
    label: str = Field(min_length=1)
    alt_labels: list[str] = Field(default_factory=list)
    description: str = ""
    skill_type: Literal["skill", "knowledge", "technology", "transversal", "language"] = "skill"
    esco_uri: str | None = None
    onet_id: str | None = Field(default=None, description="O*NET element id, e.g. 2.A.2.a.")
    codes: list[str] = Field(default_factory=list, description="Other codes that name this skill.")
    source: str | None = None
    last_reviewed: date | None = None


class OccupationSkill(Record):
    skill: Id
    importance: float = Field(default=0.5, ge=0, le=1, description="0..1; see module docstring.")
    essential: bool = True


class Technology(Record):
    name: str
    hot: bool = False
    in_demand: bool = False


class Wage(Record):
    """A median wage figure with where and when it holds."""

    amount: float = Field(gt=0)
    currency: CurrencyCode
    period: Literal["year", "month", "hour"] = "year"
    region: str
    year: int = Field(ge=1990, le=2100)
    source: str
    url: str | None = None


class Outlook(Record):
    """Projected employment growth with period and source."""

    growth_pct: float | None = None
    period: str | None = Field(default=None, description="e.g. 2023-2033")
    description: str | None = None
    region: str
    year: int = Field(ge=1990, le=2100, description="Year the projection was published.")
    source: str
    url: str | None = None


class Occupation(Record):
    """A target job: the skills it needs and its labour-market facts."""

    id: Id
    kind: Literal["occupation"] = "occupation"
    title: str = Field(min_length=1)
    alt_titles: list[str] = Field(default_factory=list)
    description: str = ""
    onet_soc: str | None = Field(default=None, pattern=r"^\d{2}-\d{4}\.\d{2}$")
    esco_uri: str | None = None
    isco_code: str | None = None
    fields: list[str] = Field(default_factory=list)
    skills: list[OccupationSkill] = Field(default_factory=list)
    technologies: list[Technology] = Field(default_factory=list)
    median_wage: list[Wage] = Field(default_factory=list)
    outlook: list[Outlook] = Field(default_factory=list)
    entry_requirements: str | None = None
    job_zone: int | None = Field(default=None, ge=1, le=5)
    related: list[Id] = Field(default_factory=list)
    tasks: list[str] = Field(default_factory=list)
    source: str = Field(min_length=1)
    url: str | None = None
    last_reviewed: date | None = None


class Document(Record):
    """A guide, brochure or report; chunked along its headings for retrieval."""

    id: Id
    kind: Literal["document"] = "document"
    title: str = Field(min_length=1)
    body: str = Field(min_length=1, description="Markdown text.")
    topics: list[str] = Field(default_factory=list)
    country: CountryCode | None = None
    source: str = Field(min_length=1)
    url: str | None = None
    last_reviewed: date | None = None


AnyRecord = Credential | Occupation | Skill | Document | Provider
RECORD_TYPES: dict[str, type[Record]] = {
    "credential": Credential,
    "occupation": Occupation,
    "skill": Skill,
    "document": Document,
    "provider": Provider,
}


class Budget(Record):
    amount: float = Field(ge=0)
    currency: CurrencyCode = "EUR"

    @field_validator("currency", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value


class EvidencedSkill(Record):
    """A skill backed by a credential the learner holds, e.g. a verified badge."""

    skill: Id
    evidence: str = Field(description="Credential or badge id that evidences it.")
    verified: bool = False
    verified_on: date | None = None


class LearnerProfile(Record):
    """Where a learner stands and what fits their life; the planner's input."""

    name: str | None = None
    current_role: str | None = None
    skills: list[str] = Field(default_factory=list, description="Declared skills (ids or labels).")
    evidenced_skills: list[EvidencedSkill] = Field(default_factory=list)
    held_credentials: list[str] = Field(default_factory=list)
    target: str | None = Field(default=None, description="Occupation title, code or URI.")
    budget: Budget | None = None
    hours_per_week: float | None = Field(default=None, gt=0, le=80)
    deadline_weeks: int | None = Field(default=None, gt=0, le=520)
    region: str | None = Field(default=None, description="Country code or region name.")
    language: list[LanguageCode] = Field(default_factory=list)
    delivery: list[Delivery] = Field(default_factory=list)

    @field_validator("language", "delivery", mode="before")
    @classmethod
    def _listify(cls, value: Any) -> Any:
        if value is None:
            return []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list | tuple):
            return value
        return [v.lower() if isinstance(v, str) else v for v in value]


_SLUG_RE = re.compile(r"[^a-z0-9]+")


def slugify(text: str) -> str:
    """Lower-case ASCII slug for ids derived from names."""
    return _SLUG_RE.sub("-", text.lower()).strip("-")
