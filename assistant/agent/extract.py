"""Profile extraction from what a person writes: rules for amounts and durations, linking for names.

Only what was said is extracted; nothing is guessed. Names (occupations, skills, credentials)
are linked to catalogue records, so an unknown name never enters the profile as a fact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from assistant.catalogue import Catalogue
from assistant.currency import currency_code
from assistant.models import Budget, Delivery, LearnerProfile

_NUM = r"(\d{1,3}(?:[,.\s]\d{3})+|\d+(?:\.\d+)?)\s*(k)?"
_CUR = (
    r"(eur|euros?|€|usd|us\s?dollars?|dollars?|\$|gbp|pounds?|£|chf|swiss francs?|francs?|dkk|danish kroner|kroner|sek|nok|cad|aud|sgd|inr|jpy|yen|clp|pesos?)"
)
BUDGET_RES = [
    re.compile(rf"{_CUR}\s?{_NUM}", re.I),
    re.compile(rf"{_NUM}\s?{_CUR}", re.I),
    re.compile(rf"budget(?: is| of)?\s+(?:about\s+|around\s+|up to\s+)?{_NUM}", re.I),
]
HOURS_RE = re.compile(r"(\d+(?:\.\d+)?)\s*(?:-|to)?\s*(?:\d+\s*)?(?:h|hrs?|hours?)\b\s*(?:a|per|/|each|every)?\s*(?:week|wk|w\b)", re.I)
HOURS_DAY_RE = re.compile(r"(\d+(?:\.\d+)?)\s*(?:h|hrs?|hours?)\s*(?:a|per|/|each|every)\s*day", re.I)
DEADLINE_RE = re.compile(
    r"(?:within|in|under|less than|by|next|over|no more than)\s+(?:the\s+next\s+)?(\d+|a|one|two|three|four|five|six|nine|twelve|eighteen)\s*(weeks?|months?|years?)",
    re.I,
)
WORDS = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "nine": 9, "twelve": 12, "eighteen": 18}
LANGUAGES = {
    "english": "en",
    "german": "de",
    "deutsch": "de",
    "french": "fr",
    "spanish": "es",
    "italian": "it",
    "danish": "da",
    "finnish": "fi",
    "swedish": "sv",
    "dutch": "nl",
    "portuguese": "pt",
    "norwegian": "no",
    "polish": "pl",
}
COUNTRIES = {
    "switzerland": "CH",
    "swiss": "CH",
    "germany": "DE",
    "ireland": "IE",
    "irish": "IE",
    "denmark": "DK",
    "danish": "DK",
    "finland": "FI",
    "finnish": "FI",
    "united states": "US",
    "usa": "US",
    "the us": "US",
    "america": "US",
    "north carolina": "US",
    "chile": "CL",
    "united kingdom": "GB",
    "the uk": "GB",
    "britain": "GB",
    "england": "GB",
    "netherlands": "NL",
    "dutch": "NL",
    "france": "FR",
    "spain": "ES",
    "italy": "IT",
    "austria": "AT",
    "canada": "CA",
    "australia": "AU",
    "singapore": "SG",
    "india": "IN",
    "sweden": "SE",
    "norway": "NO",
    "belgium": "BE",
    "portugal": "PT",
    "poland": "PL",
}
TARGET_RES = [
    re.compile(
        r"(?:into|become an?|becoming an?|career (?:in|as)|work as an?|job as an?|role as an?|aiming (?:at|for)|target(?:ing)?|switch to|move to|move into|transition to|transition into|get into|to be an?|want to be an?|path to)\s+(?:an?\s+|the\s+)?([a-z][a-z &/+-]{2,60}?)(?=[,.;!?]| with | on | and | in \d| within| under| for | but |$)",
        re.I,
    ),
]
ROLE_RES = [
    re.compile(r"\bi(?:'m| am) (?:currently |now )?(?:an?\s+)?([a-z][a-z -]{2,40}?)(?=[,.;!?]| and | who | with | looking | wanting |$)", re.I),
    re.compile(r"\bi work as (?:an?\s+)?([a-z][a-z -]{2,40}?)(?=[,.;!?]| and |$)", re.I),
    re.compile(r"\bcurrently (?:an?\s+)?([a-z][a-z -]{2,40}?)(?=[,.;!?]| and |$)", re.I),
    re.compile(r"\bi (manage|run) (?:an?\s+|the\s+)?([a-z]+)", re.I),
]
NOT_ROLES = {
    "looking",
    "interested",
    "trying",
    "new",
    "not sure",
    "based",
    "planning",
    "thinking",
    "going",
    "able",
    "free",
    "available",
    "unemployed and looking",
}


@dataclass
class Extracted:
    """Profile fields found in one message; None or empty means not mentioned."""

    budget: Budget | None = None
    hours_per_week: float | None = None
    deadline_weeks: int | None = None
    language: list[str] = field(default_factory=list)
    region: str | None = None
    delivery: list[Delivery] = field(default_factory=list)
    target: str | None = None
    current_role: str | None = None
    skills: list[str] = field(default_factory=list)
    held_credentials: list[str] = field(default_factory=list)

    def apply(self, profile: LearnerProfile) -> LearnerProfile:
        """A copy of ``profile`` with what was said added (new values replace old ones)."""
        update: dict[str, object] = {}
        for name in ("budget", "hours_per_week", "deadline_weeks", "region", "target", "current_role"):
            value = getattr(self, name)
            if value is not None:
                update[name] = value
        if self.language:
            update["language"] = self.language
        if self.delivery:
            update["delivery"] = self.delivery
        if self.skills:
            update["skills"] = list(dict.fromkeys([*profile.skills, *self.skills]))
        if self.held_credentials:
            update["held_credentials"] = list(dict.fromkeys([*profile.held_credentials, *self.held_credentials]))
        return profile.model_copy(update=update)


def parse_amount(number: str, thousands: str | None) -> float:
    cleaned = re.sub(r"[,\s]", "", number)
    if re.fullmatch(r"\d{1,3}(\.\d{3})+", cleaned):  # 1.500 written the European way
        cleaned = cleaned.replace(".", "")
    value = float(cleaned)
    return value * 1000 if thousands else value


def extract_budget(text: str) -> Budget | None:
    for pattern in BUDGET_RES:
        match = pattern.search(text)
        if not match:
            continue
        groups = [g for g in match.groups()]
        if pattern is BUDGET_RES[0]:
            cur, number, k = groups
        elif pattern is BUDGET_RES[1]:
            number, k, cur = groups
        else:
            number, k = groups
            cur = "EUR"
        code = currency_code(cur.replace(" ", " ")) or "EUR"
        return Budget(amount=parse_amount(number, k), currency=code)
    if re.search(r"\bno (?:money|budget)\b|\bfor free\b|\bcan't pay\b|\bcannot pay\b|\bzero budget\b", text, re.I):
        return Budget(amount=0, currency="EUR")
    return None


def extract_hours(text: str) -> float | None:
    match = HOURS_RE.search(text)
    if match:
        return float(match.group(1))
    match = HOURS_DAY_RE.search(text)
    if match:
        return float(match.group(1)) * 5
    return None


def extract_deadline(text: str) -> int | None:
    match = DEADLINE_RE.search(text)
    if not match:
        return None
    raw, unit = match.group(1).lower(), match.group(2).lower()
    n = WORDS.get(raw) or int(raw)
    if unit.startswith("week"):
        return n
    if unit.startswith("month"):
        return round(n * 52 / 12)
    return n * 52


def extract(text: str, catalogue: Catalogue) -> Extracted:
    """Everything profile-like in one message."""
    lowered = f" {text.lower()} "
    out = Extracted(budget=extract_budget(text), hours_per_week=extract_hours(text), deadline_weeks=extract_deadline(text))
    for word, code in LANGUAGES.items():
        if re.search(rf"\b(?:in|taught in|speak|speaks|language:?)\s+{word}\b", lowered):
            out.language.append(code)
    for name, code in COUNTRIES.items():
        if re.search(rf"\b(?:in|live in|living in|based in|from|near)\s+{re.escape(name)}\b", lowered):
            out.region = code
            break
    if re.search(r"\bonline\b|\bremote(ly)?\b|\bfrom home\b", lowered):
        out.delivery.append(Delivery.ONLINE)
    if re.search(r"\bin[- ]person\b|\bon campus\b|\bclassroom\b", lowered):
        out.delivery.append(Delivery.IN_PERSON)
    out.target = link_occupation_phrase(text, catalogue)
    out.current_role = extract_role(text)
    out.skills = link_skills(text, catalogue)
    if re.search(r"\b(already )?(have|hold|got|earned|completed|finished|did)\b", lowered):
        out.held_credentials = link_credentials(text, catalogue, min_score=88)
    return out


def extract_role(text: str) -> str | None:
    for pattern in ROLE_RES:
        match = pattern.search(text)
        if not match:
            continue
        if match.lastindex == 2:  # "I manage a shop"
            return f"{match.group(2).lower()} manager"
        role = match.group(1).strip().lower()
        if role and role not in NOT_ROLES and not any(role.startswith(n) for n in NOT_ROLES):
            return role
    return None


def _build_occupation_names(catalogue: Catalogue) -> dict[str, str]:
    names: dict[str, str] = {}
    # Titles first: "Data analyst" the occupation beats "Data Analyst" as another's alternate title.
    for occ in catalogue.occupations.values():
        names.setdefault(occ.title.lower(), occ.id)
        names.setdefault(re.sub(r"s$", "", occ.title.lower()), occ.id)
        if occ.onet_soc:
            names.setdefault(occ.onet_soc, occ.id)
    for occ in catalogue.occupations.values():
        for name in occ.alt_titles:
            names.setdefault(name.lower(), occ.id)
    return names


@dataclass
class _NameIndex:
    generation: int
    names: dict[str, str]
    mention: re.Pattern[str] | None
    codes: dict[str, list[str]]
    code_pattern: re.Pattern[str] | None


_INDEXES: dict[int, _NameIndex] = {}


def _index(catalogue: Catalogue) -> _NameIndex:
    """Occupation names and credential codes, compiled once per catalogue generation."""
    cached = _INDEXES.get(id(catalogue))
    if cached is not None and cached.generation == catalogue.generation:
        return cached
    names = _build_occupation_names(catalogue)
    long_names = sorted((n for n in names if len(n) > 4), key=len, reverse=True)
    mention = re.compile(r"\b(" + "|".join(re.escape(n) for n in long_names) + r")s?\b") if long_names else None
    codes: dict[str, list[str]] = {}
    for cred in catalogue.credentials.values():
        for code in cred.codes:
            if len(code) >= 3:
                codes.setdefault(code.upper(), []).append(cred.id)
    ordered = sorted(codes, key=len, reverse=True)
    code_pattern = re.compile(r"(?<![A-Z0-9])(" + "|".join(re.escape(c) for c in ordered) + r")(?![A-Z0-9])") if ordered else None
    index = _NameIndex(catalogue.generation, names, mention, codes, code_pattern)
    if len(_INDEXES) > 8:
        _INDEXES.clear()
    _INDEXES[id(catalogue)] = index
    return index


def _occupation_names(catalogue: Catalogue) -> dict[str, str]:
    return _index(catalogue).names


def link_occupation_phrase(text: str, catalogue: Catalogue) -> str | None:
    """The occupation a career-change sentence aims at, as an occupation id, if it is known."""
    for pattern in TARGET_RES:
        for match in pattern.finditer(text):
            phrase = match.group(1).strip().lower()
            occ = link_occupation(phrase, catalogue)
            if occ:
                return occ
    return None


def link_occupation(phrase: str, catalogue: Catalogue, min_score: float = 85) -> str | None:
    names = _occupation_names(catalogue)
    if not names or not phrase:
        return None
    phrase = phrase.lower().strip()
    if phrase in names and not phrase.endswith(("analytics", "analysis")):
        return names[phrase]
    variants = [phrase.replace("analytics", "analyst"), phrase.replace("analysis", "analyst"), re.sub(r"s$", "", phrase)]
    for variant in variants:
        if variant in names:
            return names[variant]
    best = process.extractOne(phrase, list(names), scorer=fuzz.token_sort_ratio)
    if best and best[1] >= min_score:
        return names[best[0]]
    best = process.extractOne(phrase, list(names), scorer=fuzz.WRatio)
    if best and best[1] >= 90 and len(phrase) >= 5:
        return names[best[0]]
    return None


def find_occupation_mention(text: str, catalogue: Catalogue) -> str | None:
    """The occupation named anywhere in the text: the longest title or alternate title found."""
    index = _index(catalogue)
    if index.mention is None:
        return None
    found = [m.group(1) for m in index.mention.finditer(f" {text.lower()} ")]
    return index.names[max(found, key=len)] if found else None


def link_skills(text: str, catalogue: Catalogue) -> list[str]:
    """Skills named after 'I know / I can / skills in / experience with'."""
    match = re.search(
        r"(?:i know|i can use|i can do|i'm good at|i am good at|skills? (?:in|with)|experience (?:in|with)|familiar with|i use)\s+([^.;!?]+)", text, re.I
    )
    if not match:
        return []
    found: list[str] = []
    labels: dict[str, str] = {}
    for skill in catalogue.skills.values():
        for label in [skill.label, *skill.alt_labels]:
            labels.setdefault(label.lower(), skill.id)
    for part in re.split(r",|\band\b|/|\bplus\b", match.group(1)):
        part = part.strip().lower()
        if not part:
            continue
        if part in labels:
            found.append(labels[part])
            continue
        best = process.extractOne(part, list(labels), scorer=fuzz.ratio)
        if best and best[1] >= 88:
            found.append(labels[best[0]])
    return list(dict.fromkeys(found))


def link_credentials(text: str, catalogue: Catalogue, min_score: float = 85) -> list[str]:
    """Credentials named in the text by code or (fuzzy) title."""
    found: list[str] = []
    index = _index(catalogue)
    if index.code_pattern is not None:
        for match in index.code_pattern.finditer(text.upper()):
            found += index.codes[match.group(1)]
    if found:
        return list(dict.fromkeys(found))
    titles = {c.title.lower(): c.id for c in catalogue.credentials.values()}
    lowered = text.lower()
    for title, cid in titles.items():
        if len(title) > 6 and title in lowered:
            found.append(cid)
    if found:
        return found
    best = process.extractOne(lowered, list(titles), scorer=fuzz.partial_ratio)
    if best and best[1] >= min_score and len(best[0]) > 8:
        found.append(titles[best[0]])
    return found


# Words that separate named things in "X vs Y", "X or Y", "compare X with Y".
_SEPARATORS = re.compile(r"\s(?:vs\.?|versus|and|or|with|against|than|compared (?:to|with)|over|to)\s|[,;/?—–]|\s-\s", re.I)
_STRONG = {"code": 0.7, "exact": 0.7, "typo": 0.75, "partial": 0.6}


def named_credentials(text: str, catalogue: Catalogue) -> list[str]:
    """Every credential the text names (codes, acronyms, full, partial or misspelt titles), in the order written.

    The whole text is linked first; then each part between "vs", "and", "or", "with", "compared
    to" is linked on its own, so that "Google Data Analytics vs IBM Data Analyst" names both.
    Within a part, only the best-scoring credential counts (a prep course sharing an exam code,
    or a shorter title inside a longer one, is not a second name).
    """
    from assistant.linking import GENERIC, Link, entity_index, fold

    index = entity_index(catalogue)
    found: dict[str, tuple[int, float]] = {}
    lowered = text.lower()

    def credible(link: Link, part: str) -> bool:
        if link.kind != "credential" or link.score < _STRONG.get(link.how, 1.0):
            return False
        if link.how != "partial" or link.score >= 0.7:
            return True
        # a weak partial title ("Google Cybersecurity certificate") counts when its provider or platform is named too
        cred = catalogue.credentials.get(link.record_id)
        words = set(fold(part).split())
        return bool(cred and any(w in words for w in fold(f"{cred.provider} {cred.platform or ''}").split() if w not in GENERIC and len(w) > 2))

    def best(part: str) -> list[tuple[str, float]]:
        links = [link for link in index.link(part) if credible(link, part)]
        if not links:
            return []
        top = max(link.score for link in links)
        return [(link.record_id, link.score) for link in links if link.score >= top - 1e-6]

    offset = 0
    for part in _SEPARATORS.split(text):
        position = lowered.find(part.lower(), offset)
        offset = max(offset, position)
        picked = best(part) if part.strip() else []
        if len(picked) == 1:
            cid, score = picked[0]
            if cid not in found:
                found[cid] = (max(position, 0), score)
    for cid, score in best(text):
        if cid not in found and (score >= 0.85 or not found):
            cred = catalogue.credentials.get(cid)
            position = lowered.find(cred.title.lower()[:10]) if cred else -1
            found[cid] = (position if position >= 0 else len(text), score)
    return [cid for cid, _ in sorted(found.items(), key=lambda item: item[1][0])]
