"""Structured constraints in a question: "under 500 euros", "online", "in German", "EQF level 6".

``parse_query`` turns the constraints it recognises into :class:`SearchFilters` and returns
the rest of the question as free text for ranking. Amounts keep the currency the person
wrote; retrieval compares them after conversion with the catalogue's rate table, so
"less than $300" and "under 280 euros" select the same credentials.

Rules are deliberately conservative: a word is only a constraint in a constraint-shaped
phrase ("in German", "German-language", not a bare "German", which may be the country).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from assistant.catalogue import Catalogue
from assistant.currency import currency_code
from assistant.retrieval import SearchFilters

WEEKS_PER = {"day": 1 / 7, "week": 1.0, "month": 52 / 12, "year": 52.0}

LANGUAGES = {
    "english": "en",
    "german": "de",
    "french": "fr",
    "spanish": "es",
    "italian": "it",
    "dutch": "nl",
    "danish": "da",
    "finnish": "fi",
    "swedish": "sv",
    "norwegian": "no",
    "portuguese": "pt",
    "estonian": "et",
    "polish": "pl",
}

COUNTRIES = {
    "germany": "DE",
    "switzerland": "CH",
    "finland": "FI",
    "denmark": "DK",
    "ireland": "IE",
    "chile": "CL",
    "australia": "AU",
    "united kingdom": "GB",
    "the uk": "GB",
    "uk": "GB",
    "britain": "GB",
    "great britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "united states": "US",
    "the us": "US",
    "the usa": "US",
    "usa": "US",
    "america": "US",
    "the netherlands": "NL",
    "netherlands": "NL",
    "holland": "NL",
    "spain": "ES",
    "france": "FR",
    "austria": "AT",
    "belgium": "BE",
    "sweden": "SE",
    "norway": "NO",
    "italy": "IT",
    "canada": "CA",
    "singapore": "SG",
    "india": "IN",
    "new zealand": "NZ",
    "japan": "JP",
    "estonia": "EE",
    "portugal": "PT",
    "poland": "PL",
}

_NUMBER = r"(?P<num>\d{1,3}(?:[,.\s]\d{3})+|\d+(?:[.,]\d+)?)\s*(?P<k>k\b)?"
_SYMBOL = r"(?P<sym>[€$£])"
_CUR_WORD = (
    r"(?P<cur>euros?|eur|usd|us\s+dollars?|dollars?|pounds?(?:\s+sterling)?|gbp|chf|swiss\s+francs?|francs?|dkk|kroner|sek|nok|aud|cad|sgd|inr|jpy|yen)\b"
)
_UPPER = r"(?:under|below|less\s+than|lower\s+than|cheaper\s+than|at\s+most|up\s+to|no\s+more\s+than|not\s+more\s+than|max(?:imum)?|within|budget\s+(?:of|is)|for|<=?)"
_COSTS = (
    re.compile(rf"\b{_UPPER}\s*{_SYMBOL}\s*{_NUMBER}(?:\s*{_CUR_WORD})?", re.IGNORECASE),
    re.compile(rf"\b{_UPPER}\s*{_NUMBER}\s*(?:{_SYMBOL}|{_CUR_WORD})", re.IGNORECASE),
)
_DURATION = re.compile(
    r"\b(?:under|below|less\s+than|shorter\s+than|at\s+most|up\s+to|no\s+more\s+than|within|in\s+under|in\s+less\s+than|max(?:imum)?)\s+"
    r"(?P<num>\d+(?:\.\d+)?|a|an|one|two|three|four|five|six|seven|eight|nine|ten|twelve)\s+(?P<unit>day|week|month|year)s?\b",
    re.IGNORECASE,
)
_HOURS = re.compile(
    r"\b(?:under|below|less\s+than|fewer\s+than|at\s+most|up\s+to|no\s+more\s+than|not\s+more\s+than|max(?:imum)?|within)\s+(?P<a>\d+(?:\.\d+)?)\s+(?:study\s+|learning\s+|total\s+)?hours?\b"
    r"|\b(?P<b>\d+(?:\.\d+)?)\s+(?:study\s+|learning\s+|total\s+)?hours?\s+(?:or\s+(?:fewer|less)|at\s+most|max(?:imum)?)\b",
    re.IGNORECASE,
)
_PER_PERIOD = re.compile(r"\s*(?:a|per|each|every|/)\s*(?:week|day|month)|\s*weekly", re.IGNORECASE)
_ECTS = re.compile(
    r"\b(?:(?P<bound>at\s+least|minimum(?:\s+of)?|more\s+than|over|under|up\s+to|at\s+most|less\s+than|no\s+more\s+than)\s+)?(?P<num>\d+(?:[.,]\d+)?)\s*ects\b"
    r"|\b(?P<any>(?:award|give|carr(?:y|ies)|earn|with|worth|count\s+for)\w*\s+(?:[a-z]+\s+)?ects)\b",
    re.IGNORECASE,
)
_WORD_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "twelve": 12}
_EQF = re.compile(r"\b(?:eqf\s*(?:level\s*)?(?P<a>[1-8])|level\s*(?P<b>[1-8])\s*(?:on\s+the\s+|of\s+the\s+)?eqf)\b", re.IGNORECASE)
_FREE = re.compile(r"\b(?:free\s+of\s+charge|for\s+free|free|no[- ]cost|costs?\s+nothing|without\s+paying|zero\s+cost)\b(?![-/]\w)", re.IGNORECASE)
_ASKS_MEANING = re.compile(
    r"\b(?:mean|means|meaning|stand\s+for|how\s+much\s+(?:work|learning|study|time|effort)|(?:same|equivalent|equal|comparable)\s+(?:as|to))\b", re.IGNORECASE
)
_SELF_PACED = re.compile(r"\b(?:self[- ]paced|at\s+my\s+own\s+pace|own\s+pace|on\s+my\s+own\s+schedule)\b", re.IGNORECASE)
# "cohort or self paced?", "self paced or fixed dates?", "finds self-paced hard; fixed cohorts": with both, no pace filter
_COHORT = re.compile(
    r"\b(?:cohorts?(?:[- ]based)?|(?:on\s+)?a\s+(?:fixed|set)\s+schedule|(?:fixed|set)\s+(?:start\s+)?dates?|fixed\s+cohorts?)\b", re.IGNORECASE
)
# "not online", "rather than in person", "doesn't have to be self-paced": a constraint the person rules out
# or waives is not one to filter on (a filter cannot say "anything but online")
_NEGATED = re.compile(
    r"(?:\bnot|\bno|n't|\b(?:doesnt|dont|isnt|arent|wont|cant)|\bnever|\brather\s+than|\binstead\s+of|\bwithout|\bother\s+than|\bexcept|\bneed\s+not)"
    r"(?:\s+(?:have\s+to|need\s+to|necessarily|fully|entirely|purely|only|just|completely|100%))?(?:\s+(?:be|to\s+be))?\s*$",
    re.IGNORECASE,
)
_DELIVERY = [
    (re.compile(r"\b(?:blended|hybrid)\b", re.IGNORECASE), "blended"),
    (re.compile(r"\b(?:in[- ]person|on[- ]campus|face[- ]to[- ]face|on[- ]site|classroom[- ]based)\b", re.IGNORECASE), "in-person"),
    # "online learning platforms", "an online store", "online marketing" name a thing or a topic, not how a course is taught
    (
        re.compile(
            r"\b(?:online|remote(?:ly)?|from\s+home|distance\s+learning)\b"
            r"(?!\s+(?:(?:learning\s+)?platforms?|stores?|shops?|marketing|marketers?|advertising|ads|sales|safety|presence|retail|business))",
            re.IGNORECASE,
        ),
        "online",
    ),
]
# "mostly online", "partly in person": a blended programme fits as well, so no delivery filter
_PARTLY = re.compile(r"\b(?:mostly|mainly|largely|partly|partially|primarily|predominantly|half)\s*$", re.IGNORECASE)
# The same constraints written in the languages the catalogue's programmes are taught in.
NATIVE_LANGUAGES = {
    "deutsch": "de",
    "englisch": "en",
    "franzosisch": "fr",
    "italienisch": "it",
    "espanol": "es",
    "castellano": "es",
    "ingles": "en",
    "francais": "fr",
    "anglais": "en",
    "allemand": "de",
    "suomeksi": "fi",
    "dansk": "da",
    "engelsk": "en",
    "svenska": "sv",
}
NATIVE_COUNTRIES = {
    "der schweiz": "CH",
    "deutschland": "DE",
    "osterreich": "AT",
    "suisse": "CH",
    "suiza": "CH",
    "espana": "ES",
    "alemania": "DE",
    "chile": "CL",
    "danmark": "DK",
    "suomi": "FI",
}
_NATIVE_LANGUAGE = re.compile(r"\b(?:auf|en|in|på|pa)\s+(?P<name>" + "|".join(NATIVE_LANGUAGES) + r")\b|\b(?P<finnish>suomeksi)\b", re.IGNORECASE)
_NATIVE_COUNTRY = re.compile(r"\b(?:in|en|aus|de|i)\s+(?P<name>" + "|".join(NATIVE_COUNTRIES) + r")\b", re.IGNORECASE)
_LANGUAGE_NAMES = "(?:" + "|".join(LANGUAGES) + ")"
_LANGUAGE = re.compile(  # "in Finnish or Swedish": either will do
    r"\b(?:(?:taught|offered|delivered|held|available)\s+)?in\s+(?P<a>" + _LANGUAGE_NAMES + r"(?:\s*(?:,|/|\bor\b|\band\b)\s*" + _LANGUAGE_NAMES + r")*)\b"
    r"(?!\s+(?:speakers?|learners?))"
    r"|\b(?P<b>" + _LANGUAGE_NAMES + r")-(?:language|speaking|taught)\b",
    re.IGNORECASE,
)
_COUNTRY = re.compile(
    r"\b(?:in|from|based\s+in|available\s+in|offered\s+in)\s+(?P<name>" + "|".join(sorted((re.escape(c) for c in COUNTRIES), key=len, reverse=True)) + r")\b",
    re.IGNORECASE,
)
_US_UPPER = re.compile(r"\bin\s+the\s+(?:US|USA|UK)\b")
_DANGLING = re.compile(r"(?:\b(?:and|or|with|that|which|is|are|costs?|costing|lasting|takes?|for|in|of|at)\s*)+$", re.IGNORECASE)

CREDENTIAL_WORDS = re.compile(
    r"\b(certificat\w*|certif\w*|credential\w*|courses?|exams?|programmes?|programs?|qualification\w*|badges?|diplomas?|degrees?|modules?|"
    r"specialization|nanodegree|micromasters|bootcamp|training|study|studies|learn\w*)\b",
    re.IGNORECASE,
)


def mentions_credentials(text: str) -> bool:
    """Whether the question asks about courses, exams or certificates ("which certs ...?")."""
    return CREDENTIAL_WORDS.search(text) is not None or re.search(r"\bcerts?\b", text, re.IGNORECASE) is not None


# Words judging what a kind of credential is worth ("are nanodegrees accredited?", "do IT certs
# expire?"): a guide on credentials of that kind answers, not the range of one provider.
JUDGING_WORDS = re.compile(
    r"\b(accredit\w*|proctor\w*|recogni[sz]\w*|legit\w*|reputable|expir\w*|renew\w*|academic\s+credit|"
    r"count(?:s|ed)?\s+(?:as|towards?)|worth\s+(?:it|anything)|pay-for-paper|(?:certificate|diploma)\s+mill|any\s+good(?=\s*(?:[?.,;!]|$|or\b))|respected|"
    r"how\s+(?:can|do|would|should)\s+(?:i|you|we|one)\s+(?:tell|know|judge|check|spot))\b",
    re.IGNORECASE,
)
# "what job titles", "which positions", "hire for": asking which jobs, in the words a recruiter uses
TITLE_WORDS = re.compile(r"\b(?:job\s+titles?|positions?|occupations?|lead\s+to|leads\s+to|qualif(?:y|ies)\s+(?:someone|them|you)\s+for)\b", re.IGNORECASE)
OCCUPATION_WORDS = re.compile(r"\b(jobs?|careers?|roles?|salar\w*|earn\w*|wages?|outlook|become|work\s+as|what\s+does\s+an?\b.*\bdo)\b", re.IGNORECASE)


@dataclass
class ParsedQuery:
    """A question split into filters and the free text that is left for ranking."""

    text: str
    filters: SearchFilters
    constraints: list[str] = field(default_factory=list)
    only_constraints: bool = False  # nothing but constraints was written ("auf Deutsch"); text is then the question

    @property
    def has_constraints(self) -> bool:
        return bool(self.constraints)


def _first_stated(regex: re.Pattern[str], question: str) -> re.Match[str] | None:
    """The first match of ``regex`` in ``question`` that the words before it do not negate."""
    return next((m for m in regex.finditer(question) if not _NEGATED.search(question, 0, m.start())), None)


def parse_query(question: str, catalogue: Catalogue | None = None, base: SearchFilters | None = None) -> ParsedQuery:
    """Constraints in ``question`` as filters (merged over ``base``), and the remaining text.

    Args:
        question: What the person wrote.
        catalogue: Used to check an amount's currency is in the rate table; an amount in a
            currency the table cannot convert is dropped rather than excluding everything.
        base: Filters already chosen (CLI flags, UI widgets); they win over parsed ones.

    Returns:
        The parsed query; ``text`` is the question itself when nothing was recognised.
    """
    values: dict[str, object] = {}
    spans: list[tuple[int, int]] = []
    found: list[str] = []

    def take(match: re.Match[str], label: str, *, strip: bool = True) -> None:
        if strip:
            spans.append(match.span())
        found.append(label)

    # "what does 5 ECTS mean on a CV", "is EQF level 6 the same as a bachelor's": the unit is the topic, so it stays in the text
    unit_is_topic = _ASKS_MEANING.search(question) is not None

    for match in (m for regex in _COSTS for m in regex.finditer(question)):
        if any(s <= match.start() < e for s, e in spans):
            continue
        groups = match.groupdict()
        amount = _amount(groups["num"], bool(groups.get("k")))
        code = _currency(groups.get("sym"), groups.get("cur"))
        if amount is None or code is None:
            continue
        if catalogue is not None and catalogue.rates is not None and code != catalogue.rates.base and code not in catalogue.rates.per_eur:
            continue
        values["max_cost"], values["currency"] = amount, code
        take(match, f"max_cost={amount:g} {code}")
    for match in _DURATION.finditer(question):
        raw = match.group("num").lower()
        number = float(_WORD_NUMBERS.get(raw, 0) or raw)
        values["max_weeks"] = round(number * WEEKS_PER[match.group("unit").lower()], 2)
        take(match, f"max_weeks={values['max_weeks']:g}")
    for match in _HOURS.finditer(question):
        if _PER_PERIOD.match(question, match.end()):
            continue  # "up to 10 hours a week" is a weekly budget, not a size
        values["max_hours"] = float(match.group("a") or match.group("b"))
        take(match, f"max_hours={values['max_hours']:g}")
        break
    for match in _ECTS.finditer(question):
        if match.group("any"):
            values["min_ects"] = 0.0
            take(match, "ects")
            break
        number = float(match.group("num").replace(",", "."))
        bound = " ".join((match.group("bound") or "").lower().split())
        if bound in {"at least", "minimum", "minimum of", "more than", "over"}:
            values["min_ects"] = number
        elif bound:
            values["max_ects"] = number
        else:
            values["min_ects"] = values["max_ects"] = number
        take(match, f"ects={bound + ' ' if bound else ''}{number:g}", strip=not unit_is_topic)
        break
    for match in _EQF.finditer(question):
        values["eqf_level"] = int(match.group("a") or match.group("b"))
        take(match, f"eqf_level={values['eqf_level']}", strip=not unit_is_topic)
    match_free = _first_stated(_FREE, question)
    if match_free and "max_cost" not in values:
        values["free"] = True
        take(match_free, "free")
    both_paces = _SELF_PACED.search(question) and _COHORT.search(question)  # "fixed schedule or self paced?" asks which
    for regex, pace in ((_SELF_PACED, "self-paced"), (_COHORT, "cohort")):
        match_pace = None if both_paces else _first_stated(regex, question)
        if match_pace:
            values["pace"] = pace
            take(match_pace, f"pace={pace}")
            break
    # "online or in person?" asks which; "not online, in person" too may mean blended
    both_deliveries = sum(1 for regex, _ in _DELIVERY if regex.search(question)) > 1
    for regex, delivery in _DELIVERY:
        match_delivery = None if both_deliveries else _first_stated(regex, question)
        if match_delivery and not _PARTLY.search(question, 0, match_delivery.start()):
            values["delivery"] = delivery
            take(match_delivery, f"delivery={delivery}")
            break
    for match in _LANGUAGE.finditer(question):
        names = re.findall(_LANGUAGE_NAMES, (match.group("a") or match.group("b")).lower())
        values["language"] = ",".join(dict.fromkeys(LANGUAGES[name] for name in names))
        take(match, f"language={values['language']}")
        break
    else:
        for match in _NATIVE_LANGUAGE.finditer(_plain(question)):  # "unterricht auf deutsch", "en español"
            values["language"] = NATIVE_LANGUAGES[(match.group("name") or match.group("finnish")).lower()]
            take(match, f"language={values['language']}")
            break
    for match in _COUNTRY.finditer(question):
        if any(s <= match.start() < e for s, e in spans):
            continue
        name = match.group("name").lower()
        if name in {"us", "usa", "the us", "the usa", "uk", "the uk"} and not _US_UPPER.search(match.group(0)) and not match.group("name").isupper():
            continue
        values["country"] = COUNTRIES[name]
        take(match, f"country={COUNTRIES[name]}")
        break
    if "country" not in values:
        for match in _NATIVE_COUNTRY.finditer(_plain(question)):  # "in der Schweiz", "en España"
            if not any(s <= match.start() < e for s, e in spans):
                values["country"] = NATIVE_COUNTRIES[match.group("name").lower()]
                take(match, f"country={values['country']}")
                break
    if not found:
        return ParsedQuery(question.strip(), base or SearchFilters())
    merged = SearchFilters.model_validate(values).model_dump()
    if base is not None:
        merged.update({k: v for k, v in base.model_dump().items() if v is not None and (k != "currency" or base.max_cost is not None)})
    rest = _remaining(question, spans)
    return ParsedQuery(rest, SearchFilters.model_validate(merged), found, only_constraints=rest == question.strip())


def _amount(number: str, thousands: bool) -> float | None:
    cleaned = number.replace(" ", "")
    if re.fullmatch(r"\d{1,3}(?:[,.]\d{3})+", cleaned):
        cleaned = re.sub(r"[,.]", "", cleaned)
    else:
        cleaned = cleaned.replace(",", ".")
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return value * 1000 if thousands else value


def _currency(symbol: str | None, word: str | None) -> str | None:
    if word:
        return currency_code(re.sub(r"\s+", " ", word.lower())) or currency_code(word.lower().rstrip("s"))
    if symbol:
        return currency_code(symbol)
    return None


def _remaining(question: str, spans: list[tuple[int, int]]) -> str:
    """The question without the constraint phrases (the original when nothing is left)."""
    keep = []
    last = 0
    for start, end in sorted(spans):
        if start >= last:
            keep.append(question[last:start])
            last = end
        else:
            last = max(last, end)
    keep.append(question[last:])
    text = " ".join(" ".join(keep).split())
    text = re.sub(r"\s+([,.;:?!])", r"\1", text)
    text = re.sub(r"[,;:]\s*(?=[,;:?.!]|$)", "", text).strip(" ,;:-")
    text = _DANGLING.sub("", text.rstrip("?.! ")).strip(" ,;:-")
    return text if len(re.findall(r"\w+", text)) >= 1 else question.strip()


def kind_prior(text: str) -> dict[str, float]:
    """How much each kind of record is worth to this question before any evidence.

    People ask for credentials, jobs and guides; a skill or provider record is rarely what
    they want, so it must earn its place. Words asking for a course or a job tilt the prior.
    """
    prior = {"credential": 1.0, "occupation": 1.0, "document": 1.0, "skill": 0.5, "provider": 0.5}
    wants_credential = CREDENTIAL_WORDS.search(text) is not None
    wants_job = OCCUPATION_WORDS.search(text) is not None
    if wants_credential and not wants_job:
        prior["occupation"] = 0.7
    if wants_job and not wants_credential:
        prior["credential"] = 0.8
    return prior


def _plain(text: str) -> str:
    """``text`` with accents dropped, letter for letter ('español' -> 'espanol'), so match spans still fit."""
    return "".join(unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode()[:1] or ch for ch in text)
