"""Entity linking before search: names, codes and titles in a question, matched to records.

What is indexed (one :class:`EntityIndex` per catalogue generation, built once and cached):

- codes: exam and course codes (AZ-900, CLF-C02), acronyms in titles ("(CISSP)", "CySA+"),
  O*NET-SOC codes (15-2051.00 or 15-2051), skill codes; matched exactly after folding case
  and separators ("az 900", "AZ900" and "az-900" are one code);
- names: credential titles (also without a "Vendor Certified:" prefix or a parenthesis),
  occupation titles and alternative titles, skill labels and alternative labels, provider
  names, document titles; matched exactly on folded words, with single-word typos fixed
  against the index's vocabulary (rapidfuzz), or partly: most of a long credential or
  occupation title's weight (rare words weigh more) present in the question.

A link says how sure it is (``score`` 0..1) and how it matched (``how``), so retrieval can
answer an exact code or title directly and only nudge a partial match.
"""

from __future__ import annotations

import dataclasses
import math
import re
import threading
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property, lru_cache

from rapidfuzz import fuzz, process

from assistant.catalogue import Catalogue
from assistant.models import Credential, Document, Occupation, Provider, Skill
from assistant.store import Store

MAX_NGRAM = 10
TYPO_MIN_LEN = 5
TYPO_SCORE = 80.0
PARTIAL_MIN = 0.72
INITIALS_MIN = 3  # a shorter acronym matches some title's initials by chance
PRODUCT_RANGE = 3  # credentials a provider awards before the words after its name are checked in lower case
PRODUCT_ENDS = frozenset({"associate", "certificate", "certification", "exam", "professional", "specialist", "expert"})
ABBREVIATED_SCORE = 0.9  # "sec+" names Security+ a little less surely than "Security+"
FAMILY_SIZE = 3
FAMILY_CODE_SCORE = 0.8  # below a strong link: a code several credentials share names none of them alone
JOB_WORDS = frozenset({"job", "role", "work", "position", "career"})  # after fold's plural stemming
RARE_JOB_WORD = 2  # a one-word job title found in at most this many names is specific
GENERIC = frozenset(
    re.findall(
        r"\S+",
        "a an and the of in for to on with by at or from is what which how do does i my me can certified certificate certification professional program programme course associate level exam specialization nanodegree micromasters s"
        # the same small words in the German, Spanish and French titles ("Fachinformatiker/in für Anwendungsentwicklung");
        # not "das", which is also the Swiss DAS (Diploma of Advanced Studies)
        " fur und der die im zum zur de del la las los y en et le les du des",
    )
)


@dataclass(frozen=True)
class Link:
    """A record named in a question."""

    record_id: str
    kind: str
    surface: str
    how: str  # "code", "exact", "typo", "partial"
    field: str  # "code", "title", "alt_title", "short_title", "abbreviation", "label", "alt_label", "name", "short_name", "acronym", "onet"
    score: float


_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z][a-z]|[A-Z]{2})")  # 'ScrumMaster', 'CertTESOL': two words run together
_CAMEL_TOKEN = re.compile(r"\b\w*[a-z](?:[A-Z][a-z]|[A-Z]{2})\w*")
_LOWER_WORD = re.compile(r"(?<![\w-])[a-z][a-z0-9]*")
_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5"}
_NUMBERED = re.compile(r"\b(level|part|module|psm|pspo|grade|stage)\s+(iii|ii|iv|i|one|two|three|four|five)\b")


def fold(text: str) -> str:
    """Lower-case ASCII words: accents dropped, '+' kept as 'plus', 'Level II' and 'Module Three' as
    'level 2' and 'module 3', other punctuation a space."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    text = _NUMBERED.sub(lambda m: f"{m.group(1)} {_ROMAN[m.group(2)]}", text)
    text = re.sub(r"(?<=\w)\+", " plus ", text)
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return " ".join(_stem(t) for t in text.split())


def compact(text: str) -> str:
    """A code folded to letters and digits only: 'AZ-900' -> 'az900', 'Security+' -> 'securityplus'."""
    return fold(text).replace(" ", "")


def _stem(token: str) -> str:
    if len(token) > 3 and token.endswith("s") and not token.endswith(("ss", "us", "is")):
        token = token[:-1]
    return SPELLINGS.get(token, token)


# US and UK spellings of words common in credential titles: one form for matching, both for lexical search.
SPELLINGS = {
    "program": "programme",
    "analyze": "analyse",
    "modeling": "modelling",
    "visualization": "visualisation",
    "organization": "organisation",
    "center": "centre",
    "license": "licence",
    "catalog": "catalogue",
    "labor": "labour",
    "behavior": "behaviour",
    "optimization": "optimisation",
    "specialisation": "specialization",
}
_VARIANTS = {**SPELLINGS, **{v: k for k, v in SPELLINGS.items()}}
# Fields of the shorter forms a name is also written in: linked, but not counted as names of their own.
SHORT_FIELDS = frozenset({"short_title", "short_name"})


class EntityIndex:
    """Surfaces (codes, names) of one catalogue generation, ready to link questions."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.generation = catalogue.generation
        self.codes: dict[str, set[tuple[str, str, str]]] = defaultdict(set)
        self.names: dict[str, set[tuple[str, str, str]]] = defaultdict(set)
        self.partial: dict[str, set[tuple[str, str]]] = defaultdict(set)
        self._partial_weight: dict[tuple[str, str], float] = {}
        # a provider's acronym, or a prep course carrying the exam code it prepares for, names
        # the thing less surely than the credential whose own code it is
        self._code_score: dict[str, float] = {}
        for record in catalogue.records.values():
            if isinstance(record, Provider):
                self._code_score[record.id] = 0.7
            elif isinstance(record, Credential) and record.type.value == "course":
                self._code_score[record.id] = 0.9
            for surface, how in _surfaces(record):
                if how in {"code", "acronym", "onet"}:
                    key = compact(surface)
                    if len(key) >= (3 if how == "acronym" else 2):
                        self.codes[key].add((record.id, record.kind, how))
                else:
                    key = fold(surface)
                    if key:
                        self.names[key].add((record.id, record.kind, how))
        self.provider_words = _provider_words(catalogue)
        self._plus_codes = [key for key in self.codes if key.endswith("plus")]  # "Security+", for "sec+"
        awarded: dict[str, int] = defaultdict(int)
        for owner in catalogue.awarded_by.values():
            awarded[owner] += 1
        # a provider with a range of its own: a product name after its name can be checked against it
        self._product_ranges = {provider for provider, count in awarded.items() if count >= PRODUCT_RANGE}
        self._initials: dict[str, set[str]] = defaultdict(set)  # per awarding provider ("" for none on record)
        for credential in catalogue.credentials.values():
            self._initials[catalogue.awarded_by.get(credential.id, "")] |= _initialisms(credential)
        self.credential_words = set().union(*self.provider_words.values(), *(_credential_words(c) for c in catalogue.credentials.values()))
        # the short forms ("IT Manager", "Johns Hopkins") repeat words of a full name: they link, but
        # do not count again in how rare a word is among names, nor in the typo vocabulary
        primary = [key for key, entries in self.names.items() if any(field not in SHORT_FIELDS for _, _, field in entries)]
        self.vocabulary = sorted({t for key in primary for t in key.split()} | {k for k in self.codes if k.isalpha()})
        self._vocab_set = set(self.vocabulary)
        df: dict[str, int] = defaultdict(int)
        for key in primary:
            for token in set(key.split()):
                df[token] += 1
        total = max(1, len(primary))
        self.idf = {t: math.log(1 + total / n) for t, n in df.items()}
        self._name_df = df  # in how many names each word occurs
        for key in primary:
            entries = self.names[key]
            tokens = [t for t in key.split() if t not in GENERIC]
            if len(tokens) < 2:
                continue
            for record_id, kind, how in entries:
                if kind in {"credential", "occupation"} and how in {"title", "alt_title"}:
                    self.partial[key].add((record_id, kind))
            self._partial_weight[(key, "")] = sum(self.idf[t] for t in tokens)
        # "a help desk job": a job title without its last word ("Help Desk Analyst"), then a job word
        job_kinds: dict[str, set[str]] = defaultdict(set)
        for key, entries in self.names.items():
            words = key.split()
            if len(words) >= 3:  # a prefix of one word ("office" of "Office Nurse") says too little
                for record_id, kind, how in entries:
                    if kind == "occupation" and how in {"title", "alt_title"}:
                        job_kinds[" ".join(words[:-1])].add(record_id)
        names_other = {key for key, entries in self.names.items() if any(kind in {"occupation", "credential"} for _, kind, _ in entries)}
        self._job_prefixes = {prefix: ids.pop() for prefix, ids in job_kinds.items() if len(ids) == 1 and prefix not in names_other}
        self._partial_by_token: dict[str, set[str]] = defaultdict(set)
        for key in self.partial:
            for token in key.split():
                if token not in GENERIC:
                    self._partial_by_token[token].add(key)

    def link(self, text: str, limit: int = 12) -> list[Link]:
        """Records named in ``text``, best first (one link per record, its best match)."""
        tokens = fold(text).split()
        if not tokens:
            return []
        best: dict[str, Link] = {}

        def add(link: Link) -> None:
            have = best.get(link.record_id)
            if have is None or (link.score, link.how, link.field) > (have.score, have.how, have.field):  # ties: the same link every run
                best[link.record_id] = link

        self._link_codes(text, tokens, add)
        corrected = self._correct(tokens)
        for words, how, score in ((tokens, "exact", 1.0), (corrected, "typo", 0.9)):
            if how == "typo" and corrected == tokens:
                continue
            for n in range(min(MAX_NGRAM, len(words)), 0, -1):
                for start in range(len(words) - n + 1):
                    key = " ".join(words[start : start + n])
                    entries = self.names.get(key, ())
                    for record_id, kind, field in entries:
                        if n == 1 and key in GENERIC:
                            continue
                        if field in SHORT_FIELDS and (how == "typo" or not _short_form_said(key, text)):
                            continue  # "does it teach" is not "IT Tech", nor "is tech support hard" "IS Tech"
                        if n == 1 and field == "alt_title" and sum(1 for e in entries if e[2] == "alt_title") > 1:
                            continue  # "Analyst" is an alternative title of several jobs: it names none of them
                        specificity = _specificity(key, field)
                        if n == 1 and kind == "occupation" and self._name_df.get(key, 0) <= RARE_JOB_WORD:
                            specificity = 0.85  # "statistician": a job word few names use names that job
                        add(Link(record_id, kind, key, how, field, score * specificity))
        self._link_partial(corrected, add)
        for i in range(1, len(tokens)):
            if tokens[i] in JOB_WORDS:
                for n in range(min(4, i), 0, -1):
                    job = self._job_prefixes.get(" ".join(tokens[i - n : i]))
                    if job is not None:
                        add(Link(job, "occupation", " ".join(tokens[i - n : i + 1]), "exact", "alt_title", 0.85))
                        break
        spans = [link.surface.split() for link in best.values() if link.kind == "provider" and link.how == "exact" and " " in link.surface]
        for record_id, link in list(best.items()):  # "CFA Institute" names the provider, not the CFA charter
            if link.kind == "credential" and link.field in {"acronym", "code"} and _only_inside(link.surface, tokens, spans):
                del best[record_id]
        return sorted(best.values(), key=lambda link: -link.score)[:limit]

    def unknown_brand(self, text: str, vocabulary: CorpusVocabulary) -> str | None:
        """A name no credential carries, written just before a credential word.

        "Salesforce Certified Administrator", "Oracle Certified Professional", "SAP S/4HANA
        certification": a capitalised or coded word that is in no credential's title,
        provider, code or platform (not even misspelt) names a credential the catalogue does
        not have, even when the catalogue mentions the brand elsewhere (a skill "CRM software
        such as Salesforce"). A capitalised first word counts only in "<Vendor> Certified ..."
        ("Nursing certificate" starts a sentence; it does not name a vendor). Written in lower
        case, a word counts before "certified" when the catalogue only ever capitalises it
        ("oracle certified professional"). Returns the word, or None.
        """
        known = self.credential_words
        tokens = re.findall(r"[A-Za-z0-9][A-Za-z0-9+/.-]*", text)
        for i, token in enumerate(tokens):
            if token.lower() not in CREDENTIAL_NOUNS:
                continue
            j = i - 1
            if j >= 0 and token.lower() == "certified" and tokens[j].islower():  # "oracle certified": a brand the catalogue only capitalises
                word = tokens[j]
                if word in vocabulary.proper and word not in known and not _asking_or_place(word):
                    return word
            while j >= 0 and _name_like(tokens[j], first=j == 0, vendor=token.lower() == "certified"):
                for word in fold(tokens[j]).split():
                    if _asking_or_place(word) or len(word) < 3 or word.isdigit():
                        continue
                    if word not in known and vocabulary.correct(word) not in known:
                        return word
                j -= 1
        return None

    def unknown_code(self, text: str) -> str | None:
        """An exam code the catalogue does not know ("AZ-500", "SOA-C02", "DP-600"), or None.

        Only the shapes vendors use count: letters, a hyphen, then a part with digits; or, in
        capitals, a known code or acronym, a hyphen and letters ("PMI-PBA"). A range ("100-160")
        or a year is not a code.
        """
        for token in CODE_SHAPE.findall(text):
            if compact(token) not in self.codes:
                return token
        for token in LETTER_CODE_SHAPE.findall(text):  # "PMI-PBA" beside PMI-ACP and PMI-RMP
            if compact(token.split("-")[0]) in self.codes and compact(token) not in self.codes:
                return token
        return None

    def unnamed_product(self, text: str, links: list[Link]) -> str | None:
        """A product the question names beside a provider that offers nothing by that name.

        "CompTIA Server+" or "Cisco CCIE": the provider is linked, but a capitalised or coded
        word right after its name (or just before it) occurs in none of that provider's
        credential titles, codes or platforms, not even misspelt ("CompTIA Linx+" is Linux+).
        A year is not a product. Returns the word, or None.
        """
        providers = {link.record_id: link.surface.split() for link in links if link.kind == "provider" and link.record_id in self.provider_words}
        if not providers:
            return None
        named = {word for link in links if link.how in {"code", "exact"} for word in link.surface.split()}
        matches = list(re.finditer(r"[A-Za-z0-9][A-Za-z0-9+/.-]*", text))
        tokens = [m.group().rstrip("./-") for m in matches]
        # a sentence or clause ends between two words: "... Google Cloud and AWS. Compare price" names no AWS product
        breaks = {
            i
            for i in range(1, len(matches))
            if re.search(r"[.!?;:,()]", text[matches[i - 1].end() : matches[i].start()]) or matches[i - 1].group().endswith(".")
        }
        folded = [fold(t) for t in tokens]
        for provider, surface in providers.items():
            for start in range(len(tokens)):
                if " ".join(folded[start : start + len(surface)]) != " ".join(surface):
                    continue
                end = start + len(surface)
                phrase = _product_phrase(folded, end) if provider in self._product_ranges else range(0)
                after = list(range(end, min(end + 3, len(tokens))))
                after = after[: next((n for n, position in enumerate(after) if position in breaks), len(after))]
                before = [start - 1] if start > 0 and start not in breaks else []
                for position in before + after:
                    token = tokens[position]
                    if not (_name_like(token, first=position == 0, vendor=False) or position in phrase) or token.isdigit():
                        continue  # a year or a count ("AWS cert from 2019") is not a product
                    for word in fold(token).split():
                        if word in named or _asking_or_place(word) or word == "plus" or len(word) < 2:
                            continue
                        words = self.provider_words[provider]
                        if (
                            word not in words
                            and process.extractOne(word, words, scorer=fuzz.ratio, score_cutoff=80) is None
                            and not (token.isupper() and self.initials_of(word, provider))
                        ):
                            return word
        return None

    def initials_of(self, word: str, provider: str | None = None) -> bool:
        """Whether ``word`` is the initials of a credential title (of ``provider``'s when given):
        "PM" for Google's Project Management Certificate, "MCS" for a Master of Computer Science,
        "OMSCS" for an Online Master of Science in Computer Science."""
        if provider is not None:
            return word in self._initials.get(provider, ())
        return len(word) >= INITIALS_MIN and any(word in initials for initials in self._initials.values())

    def _link_codes(self, text: str, tokens: list[str], add: Callable[[Link], None]) -> None:
        raw = re.findall(r"[A-Za-z0-9][A-Za-z0-9+\-./]*", text)
        candidates = {compact(t) for t in raw} | {"".join(tokens[i : i + n]) for n in range(1, 6) for i in range(len(tokens) - n + 1)}
        matched = [key for key in candidates if key in self.codes and key not in GENERIC and len(key) >= 2]
        for key in matched:
            if any(key != other and other.startswith(key) for other in matched):
                continue  # '15-2051.01' is one code, not also '15-2051'
            entries = self.codes.get(key, ())
            # "ALM" is the code of five Harvard Extension degrees: it names the family, none of them surely
            owners = {record_id for record_id, kind, _ in entries if kind == "credential" and record_id not in self._code_score}  # not prep courses
            family = FAMILY_CODE_SCORE if len(owners) >= FAMILY_SIZE else 1.0
            for record_id, kind, field in entries:
                if field == "acronym" and not _acronym_said(key, text):
                    continue
                add(Link(record_id, kind, key, "code", field, family * self._code_score.get(record_id, 1.0)))
        for token in raw:  # "sec+" is Security+, "net+" Network+: the one "...+" name it begins
            key = compact(token)
            if not token.endswith("+") or key in self.codes or len(key) < 6:
                continue
            names = {name for name in self._plus_codes if name.startswith(key[:-4])}
            if len(names) == 1:
                for record_id, kind, field in self.codes[names.pop()]:
                    add(Link(record_id, kind, key, "code", field, ABBREVIATED_SCORE * self._code_score.get(record_id, 1.0)))

    def _correct(self, tokens: list[str]) -> list[str]:
        out = []
        for token in tokens:
            if len(token) < TYPO_MIN_LEN or token in self._vocab_set or token.isdigit():
                out.append(token)
                continue
            match = process.extractOne(token, self.vocabulary, scorer=fuzz.ratio, score_cutoff=TYPO_SCORE)
            out.append(match[0] if match else token)
        return out

    def _link_partial(self, tokens: list[str], add: Callable[[Link], None]) -> None:
        present = set(tokens)
        keys: set[str] = set()
        for token in present:
            keys |= self._partial_by_token.get(token, set())
        for key in keys:
            distinct = [t for t in key.split() if t not in GENERIC]
            total = self._partial_weight[(key, "")]
            have = sum(self.idf[t] for t in distinct if t in present)
            share = have / total if total else 0.0
            matched = sum(1 for t in distinct if t in present)
            if share >= PARTIAL_MIN and matched >= 2:
                for record_id, kind in self.partial[key]:
                    add(Link(record_id, kind, key, "partial", "title", round(0.8 * share * (1 - 0.5**matched), 4)))


# Acronyms people write in lower case too (they are not ordinary words).
# Folded as codes are (compact), so 'omscs' is kept as the 'omsc' its code key reads.
_UPPER_OK = frozenset(
    compact(word)
    for word in re.findall(
        r"\S+",
        "cissp ccna ccnp cism cisa ceh oscp ckad cka cks pmp capm celta tkt cfa frm fmva leed breeam itil lfcs rhcsa ccsp sscp gsec omscs omsa cysa alm",
    )
)


def _product_phrase(folded: list[str], end: int) -> range:
    """Positions of the words between a provider's name and a credential word right after it:
    "cisco devnet associate", "google ads apps certification" (lower case, so not name-like)."""
    for stop in range(end + 1, min(end + 4, len(folded))):
        if folded[stop] in CREDENTIAL_NOUNS or folded[stop] in PRODUCT_ENDS:
            # "Google Cloud's foundational certification" describes one, it does not name it
            return range(0) if "s" in folded[end:stop] else range(end, stop)
    return range(0)


def _initialisms(credential: Credential) -> set[str]:
    """Initials of a credential's title, read without its parentheses, small and generic words
    (GENERIC), with and without its provider's words: "Master of Computer Science (online)"
    gives 'mcs'; Google's "Project Management Certificate" gives 'pm' and 'gpm'."""
    title = re.sub(r"\([^)]*\)", " ", credential.title.split(":", 1)[-1])
    words = [w for w in fold(title).split() if w not in _SMALL_WORDS and w not in GENERIC and not w.isdigit()]
    provider = set(fold(credential.provider).split())
    return {"".join(w[0] for w in kept) for kept in (words, [w for w in words if w not in provider]) if len(kept) >= 2}


_SMALL_WORDS = frozenset({"of", "in", "and", "the", "for", "to", "on", "with", "a", "an", "de", "en", "und", "der", "die", "des"})


def _provider_words(catalogue: Catalogue) -> dict[str, set[str]]:
    """Folded words of each provider's name, its credentials' titles, codes and platforms, and
    the names their descriptions give."""
    words: dict[str, set[str]] = {provider.id: set(fold(provider.name).split()) for provider in catalogue.providers.values()}
    for cred in catalogue.credentials.values():
        owner = catalogue.awarded_by.get(cred.id)
        if owner is None:
            continue
        words[owner] |= _credential_words(cred) | _names_in_text(" ".join([cred.description or "", *(cred.learning_outcomes or [])]))
    return words


def _names_in_text(text: str) -> set[str]:
    """Folded capitalised words inside sentences: the names a description gives ("the three ACCA
    Applied Knowledge exams" names 'applied' and 'knowledge'); a sentence's first word is not one."""
    names: set[str] = set()
    for match in _CAPITALISED.finditer(text):
        i = match.start() - 1
        while i >= 0 and text[i].isspace():
            i -= 1
        if i >= 0 and text[i] not in ".!?:":
            names.add(match.group())
    return {word for name in names for word in fold(name).split()}


_CAPITALISED = re.compile(r"\b[A-Z][A-Za-z0-9+]*")


def _credential_words(cred: Credential) -> set[str]:
    """Folded words of a credential's title, provider, platform and codes, and its compact codes."""
    texts = [cred.title, cred.provider, cred.platform or "", *cred.codes]
    return {w for t in texts for w in fold(t).split()} | {compact(c) for c in cred.codes}


def _looks_like_acronym(text: str) -> bool:
    """'CISSP', 'CySA+', 'ISSP-CSP', 'PSM I' are acronyms; '(online)' is not."""
    return re.fullmatch(r"[A-Z][A-Za-z0-9+&\- ]{1,13}", text) is not None and sum(ch.isupper() for ch in text) >= 2


def _only_inside(word: str, tokens: list[str], spans: list[list[str]]) -> bool:
    """Whether every occurrence of ``word`` in ``tokens`` is part of one of the name ``spans``."""
    places = [i for i, token in enumerate(tokens) if token == word]
    covered: set[int] = set()
    for span in spans:
        for start in range(len(tokens) - len(span) + 1):
            if tokens[start : start + len(span)] == span:
                covered.update(range(start, start + len(span)))
    return bool(places) and all(i in covered for i in places)


def _short_form_said(key: str, text: str) -> bool:
    """A short job title that begins with "IT" or "IS" counts only with that word in capitals."""
    first = key.split()[0]
    return first not in {"it", "is"} or re.search(rf"\b{first.upper()}\b", text) is not None


def _acronym_said(key: str, text: str) -> bool:
    """A short acronym that is also a word ("aws", "sme") only counts when written in capitals."""
    if key in _UPPER_OK or len(key) > 4 or not key.isalpha():
        return True
    return re.search(rf"\b{re.escape(key.upper())}\b", text) is not None


def _specificity(key: str, field: str) -> float:
    """Single generic words ('python', 'design') link less surely than full names."""
    words = key.split()
    if field in {"name", "short_name"}:
        return 0.7
    if field == "title" and len(words) >= 2:
        return 1.0
    if len(words) == 1:
        return 0.6 if field in {"label", "alt_label"} else 0.7
    return 0.85


def _without_parentheses(text: str) -> str:
    """A name without its parenthesised parts: "Database Administrator (DBA)" -> "Database Administrator"."""
    return re.sub(r"\s*\([^)]*\)", "", text).strip()


def _surfaces(record: object) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if isinstance(record, Credential):
        out.append((record.title, "title"))
        bare = _without_parentheses(record.title)
        if bare and bare != record.title:
            out.append((bare, "title"))
        split = _CAMEL.sub(" ", bare)  # 'ScrumMaster' is also 'Scrum Master', 'CertTESOL' 'Cert TESOL'
        if split != bare:
            out.append((split, "title"))
        if ":" in record.title:
            out.append((record.title.split(":", 1)[1].strip(), "title"))
        uncertified = re.sub(r"\s+Certified\b", "", bare)  # "Google Cloud Associate Cloud Engineer", as people say it
        if uncertified != bare and len(uncertified.split()) >= 3:
            out.append((uncertified, "title"))
        out += [(code, "code") for code in record.codes]
        out += [(a, "acronym") for a in re.findall(r"\(([^)]{2,14})\)", record.title) if _looks_like_acronym(a)]
        if " " not in bare and _looks_like_acronym(bare):  # "CELTA (Certificate in Teaching English ...)"
            out.append((bare, "acronym"))
        out += [(t, "acronym") for t in re.findall(r"\b[A-Za-z]+\+", record.title)]
    elif isinstance(record, Occupation):
        out.append((record.title, "title"))
        out += [(t, "alt_title") for t in record.alt_titles]
        # "IT project manager"; not matched partly, where "it" would be the pronoun
        out += [(t.replace("Information Technology", "IT"), "abbreviation") for t, _ in list(out) if "Information Technology" in t]
        for alt in record.alt_titles:  # O*NET's "Business Intelligence Analyst (BI Analyst)", "Database Administrator (DBA)"
            bare = _without_parentheses(alt)
            if bare and bare != alt:
                out.append((bare, "short_title"))
            # the group, where it is a job title ("BI Analyst"); an acronym ("RHIT", "CPA", "PCA")
            # names a credential or a method more often than the job (4 of 42 read questions meant the job)
            out += [(group, "short_title") for group in re.findall(r"\(([^)]+)\)", alt) if " " in group]
        if record.onet_soc:
            out.append((record.onet_soc, "onet"))
            if record.onet_soc.endswith(".00"):
                out.append((record.onet_soc[:-3], "onet"))
    elif isinstance(record, Skill):
        out.append((record.label, "label"))
        out += [(t, "alt_label") for t in record.alt_labels]
        out += [(c, "code") for c in record.codes]
    elif isinstance(record, Provider):
        out.append((record.name, "name"))
        bare = _without_parentheses(record.name)
        if bare and bare != record.name:
            out.append((bare, "name"))
        # "Johns Hopkins", "Harvard Extension": the name without its last word, where two words are
        # left to name it ("Digital Marketing Institute" is not "digital marketing", so not Institute)
        short = re.fullmatch(r"(\S+\s+\S+(?:\s+\S+)*)\s+(?:University|School)", re.sub(r"^The\s+", "", bare))
        if short:
            out.append((short.group(1), "short_name"))
        for group in re.findall(r"\(([^)]+)\)", record.name):
            if re.fullmatch(r"[A-Z][A-Za-z&]{1,9}", group):
                out.append((group, "acronym"))  # "(PMI)"
            elif len(group.split()) == 1 or len(group.split()) >= 3:  # "(openHPI)", "(Global Reporting Initiative)"
                out.append((group, "name"))
    elif isinstance(record, Document):
        out.append((record.title.split(" - ")[0], "title"))
        for group in re.findall(r"\(([^)]*)\)", record.title):  # "Recognition of prior learning (RPL, VNFIL, APEL)"
            out += [(a.strip(), "acronym") for a in group.split(",") if _looks_like_acronym(a.strip())]
    return out


_LOCK = threading.Lock()
_ATTRIBUTE = "_entity_index"


def entity_index(catalogue: Catalogue) -> EntityIndex:
    """The index for this catalogue, built once and kept on the catalogue object.

    A catalogue is replaced (not mutated) when its store's generation changes, so keeping
    the index on it ties the index's lifetime to exactly one catalogue generation.
    """
    with _LOCK:
        cached = getattr(catalogue, _ATTRIBUTE, None)
        if isinstance(cached, EntityIndex) and cached.generation == catalogue.generation:
            return cached
        index = EntityIndex(catalogue)
        setattr(catalogue, _ATTRIBUTE, index)
        return index


# -- words: the catalogue's vocabulary, for typo correction, lexical queries and abstention --

# Words people use to ask about any credential or job; they never tell what the topic is.
ASKING_WORDS = frozenset(
    re.findall(
        r"\S+",
        "course courses certificate certificates certification certifications certified credential credentials programme programmes "
        "program programs exam exams training class classes qualification qualifications degree degrees badge badges diploma "
        "diplomas study studies learn learning option options beginner beginners job jobs career careers role roles work "
        "become cheap free online best good recommend recommended level entry",
    )
)
# Places and languages say where, not what: never a product name ("UK marketing qualifications").
PLACES = frozenset(
    re.findall(
        r"\S+",
        "uk gb us usa eu europe european america american britain british england english scotland wales ireland irish germany "
        "german swiss switzerland france french spain spanish finland finnish denmark danish chile chilean australia australian "
        "canada canadian netherlands dutch india singapore international global online",
    )
)
GENERIC_SHARE = 0.05  # a word in more than 5% of chunks ("course", "skills") says little about the topic
STOPWORDS = frozenset(
    re.findall(
        r"\S+",
        "a an and are as at be but by can could do does for from get go has have how i if in into "
        "is it its me my need of on or our should so than that the their them then there these they this to us "
        "want was we what when where which who why will with would you your any some about also just like more most much many "
        "good best one ones there's what's i'",
    )
)


@dataclass
class CorpusVocabulary:
    """Document frequency of every word in the store's chunks (one store generation)."""

    generation: int
    df: dict[str, int]
    generic_df: int
    words: list[str]
    texts: Callable[[], Iterable[str]] | None = dataclasses.field(default=None, repr=False, compare=False)  # the chunks, read again on demand

    @cached_property
    def proper(self) -> frozenset[str]:
        """Words the chunks only write capitalised inside a sentence ("Oracle"), not "board".

        Read on first use (one more pass over the chunks), since only a lower-case "<word>
        certified" question needs it.
        """
        capitalised: set[str] = set()
        lower: set[str] = set()
        for text in self.texts() if self.texts is not None else ():
            capitalised |= _names_in_text(text)
            lower.update(_LOWER_WORD.findall(text))
        return frozenset(capitalised - lower)

    def correct(self, word: str) -> str | None:
        """The catalogue word a misspelt ``word`` stands for ('analitics' -> 'analytics'), if any."""
        if word in self.df:
            return word
        if len(word) > 3 and word.endswith("s") and word[:-1] in self.df:
            return word[:-1]
        if len(word) < TYPO_MIN_LEN or word.isdigit():
            return None
        match = process.extractOne(word, self.words, scorer=fuzz.ratio, score_cutoff=TYPO_SCORE)
        return str(match[0]) if match else None


_VOCABULARIES: dict[str, CorpusVocabulary] = {}
_VOCABULARY_LOCK = threading.Lock()


def corpus_vocabulary(store: Store) -> CorpusVocabulary:
    """Words of the store's chunks with their document frequencies, cached per generation."""
    key = str(store.path.resolve())
    generation = store.generation
    with _VOCABULARY_LOCK:
        cached = _VOCABULARIES.get(key)
        if cached is not None and cached.generation == generation:
            return cached
    df: dict[str, int] = {}
    chunks = 0
    for (text,) in store.conn.execute("SELECT text FROM chunks"):
        chunks += 1
        seen = set(plain_words(text))
        for token in _CAMEL_TOKEN.findall(text):  # 'CertTESOL' is also 'tesol'
            seen.update(plain_words(_CAMEL.sub(" ", token)))
        for word in seen:
            df[word] = df.get(word, 0) + 1

    def texts() -> Iterator[str]:
        return (text for (text,) in store.conn.execute("SELECT text FROM chunks")) if store.generation == generation else iter(())

    words = sorted(w for w in df if len(w) >= TYPO_MIN_LEN and not w.isdigit())
    vocabulary = CorpusVocabulary(generation, df, max(5, int(chunks * GENERIC_SHARE)), words, texts)
    with _VOCABULARY_LOCK:
        _VOCABULARIES[key] = vocabulary
    return vocabulary


def plain_words(text: str) -> list[str]:
    """Lower-case ASCII words with accents dropped ('Técnico en Enfermería' -> técnico as 'tecnico'),
    as the lexical index (FTS5 with remove_diacritics) reads them."""
    return re.findall(r"[a-z0-9]+", unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower())


# A word at least this frequent (Zipf scale: 5 is once per 1,000 words) in one of the languages
# questions come in is everyday language ("someone", "she", "ist"), not a name the
# catalogue lacks; wordfreq's small lists cover every word that frequent.
EVERYDAY_ZIPF = 5.0
# A word at least this frequent (once per 100,000 words: "gradually", "reasonable", "resume") is
# too common to be the name of something the catalogue lacks, though it may still be a topic
# ("estate", "piano"). The names such questions ask about are far rarer ("togaf", "snowpro": 0;
# "scuba" 3.3). Judging the similarity bar by this level rather than EVERYDAY_ZIPF, with amounts
# as everyday words too, on 5,512 labelled questions: answerable ones answered with nothing
# 147 -> 130, "nothing" ones answered 229 -> 231.
COMMON_ZIPF = 4.0
# "20k", "24h", "10hrs", "2yrs": an amount with its unit names nothing
AMOUNT_WORD = re.compile(r"\d+(?:k|m|h|hrs?|hours?|yrs?|years?|wks?|weeks?|mo|months?|pw|x)?")
LANGUAGE_MIN_WORDS = 3
LANGUAGE_MARGIN = 2.0  # on the Zipf scale, summed over the question's words
EVERYDAY_LANGUAGES = ("en", "de", "fr", "es", "it", "nl", "pt", "da", "fi", "sv")


@lru_cache(maxsize=256)  # one question asks for both its language and its everyday words
def _zipf_table(text: str) -> tuple[str, dict[str, dict[str, float]]]:
    """The language ``text`` is mostly written in (the one whose word frequencies add up
    highest; English on a tie) and each word's frequency in every language."""
    from wordfreq import zipf_frequency  # imported on first use: only abstention needs it, not every command's start-up

    tokens = set(re.findall(r"[^\W\d_]+", text.lower()))
    zipf = {language: {token: zipf_frequency(token, language, wordlist="small") for token in tokens} for language in EVERYDAY_LANGUAGES}
    best = max(EVERYDAY_LANGUAGES, key=lambda language: (sum(zipf[language].values()), language == "en"))
    if len(tokens) < LANGUAGE_MIN_WORDS or sum(zipf[best].values()) < sum(zipf["en"].values()) + LANGUAGE_MARGIN:
        best = "en"  # "sommelier programmes" is as much French as English: too few words to tell
    return best, zipf


def written_in(text: str) -> str:
    """The language code of the language questions come in that ``text`` is mostly written in."""
    return _zipf_table(text)[0]


def english_zipf(word: str) -> float:
    """How common ``word`` is in English, on the Zipf scale (0 for a word the list lacks)."""
    from wordfreq import zipf_frequency  # imported on first use, as in _zipf_table

    return float(zipf_frequency(word.lower(), "en", wordlist="small"))


def everyday_words(text: str, zipf_at_least: float = EVERYDAY_ZIPF) -> set[str]:
    """The words of ``text`` (as :func:`plain_words` writes them) that are everyday words of
    English or of the language the question is mostly written in, judged on their spelling
    with accents ('für', 'über'). Only that language counts: 'piano' is everyday Italian,
    not everyday English."""
    language, zipf = _zipf_table(text)
    words = {word for token in zipf["en"] if max(zipf["en"][token], zipf[language][token]) >= zipf_at_least for word in plain_words(token)}
    return words | {word for word in plain_words(text) if AMOUNT_WORD.fullmatch(word)}


def lexical_query(text: str, vocabulary: CorpusVocabulary | None = None) -> str:
    """The words worth matching lexically: stopwords dropped, misspelt words corrected."""
    words = re.findall(r"[\w][\w.+#-]*", text.lower())
    kept = [w for w in words if w not in STOPWORDS] or words
    if vocabulary is not None:
        kept = [w if w in vocabulary.df or not w.isalpha() else (vocabulary.correct(w) or w) for w in kept]
    variants = [_VARIANTS[w.rstrip("s")] for w in kept if w.rstrip("s") in _VARIANTS]
    return " ".join(kept + variants)


CREDENTIAL_NOUNS = frozenset(
    [
        "certified",
        "certificate",
        "certificates",
        "certification",
        "certifications",
        "exam",
        "exams",
        "credential",
        "credentials",
        "badge",
        "badges",
        "diploma",
        "diplomas",
        "licence",
        "license",
    ]
)


def _name_like(token: str, *, first: bool, vendor: bool) -> bool:
    """A coded or capitalised token; a capitalised first word only in "<Vendor> Certified"."""
    coded = any(c.isdigit() for c in token) or "+" in token or token[1:] != token[1:].lower()
    return coded or (token[0].isupper() and (vendor or not first))


def _asking_or_place(word: str) -> bool:
    """A word that names no product: a stopword, an asking word or a place."""
    return word in STOPWORDS or word in PLACES or word in GENERIC or word in ASKING_WORDS


CODE_SHAPE = re.compile(r"(?<![\w-])[A-Za-z]{1,4}[0-9]?-[A-Za-z]{0,3}[0-9]{2,4}(?![\w-])")
LETTER_CODE_SHAPE = re.compile(r"(?<![\w-])[A-Z]{2,5}-[A-Z]{2,5}(?![\w-])")


def looks_like_code(text: str, word: str) -> bool:
    """Whether the question writes ``word`` as a code or acronym ('CCIE', 'SnowPro', 'S4HANA')."""
    tokens = re.findall(r"[A-Za-z0-9][A-Za-z0-9/+-]*", text)
    # without digits, the parts of a hyphenated word are words of their own: 'EQR-Niveau' is 'EQR' and 'Niveau'
    parts = [part for token in tokens for part in ([token] if any(c.isdigit() for c in token) else re.split(r"[-/]", token)) if part]
    for token in parts:
        folded = re.sub(r"[^a-z0-9]", "", token.lower())
        if word not in folded:
            continue
        letters = re.sub(r"[^A-Za-z]", "", token)
        mixed = bool(letters) and any(c.isdigit() for c in token) and len(folded) >= 4
        if mixed or (len(letters) >= 3 and (letters.isupper() or any(c.isupper() for c in letters[1:]))):
            return True
    return False
