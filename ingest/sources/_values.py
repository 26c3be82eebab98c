"""Value parsers the format readers share: ISO 8601 durations, language and country names.

Catalogues write the same value many ways ("English", "en-US", "en"; "United States",
"US"); these helpers turn them into the codes the record model wants, or None.
"""

from __future__ import annotations

import re
from typing import Any

WEEKS_PER_MONTH = 52 / 12
WEEKS_PER_YEAR = 52.0

_DURATION_RE = re.compile(
    r"^P(?:(?P<years>\d+(?:\.\d+)?)Y)?(?:(?P<months>\d+(?:\.\d+)?)M)?(?:(?P<weeks>\d+(?:\.\d+)?)W)?(?:(?P<days>\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(?P<hours>\d+(?:\.\d+)?)H)?(?:(?P<minutes>\d+(?:\.\d+)?)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$"
)

LANGUAGE_NAMES = {
    "english": "en",
    "german": "de",
    "deutsch": "de",
    "french": "fr",
    "français": "fr",
    "francais": "fr",
    "spanish": "es",
    "español": "es",
    "italian": "it",
    "italiano": "it",
    "portuguese": "pt",
    "dutch": "nl",
    "danish": "da",
    "swedish": "sv",
    "norwegian": "no",
    "finnish": "fi",
    "polish": "pl",
    "czech": "cs",
    "greek": "el",
    "hungarian": "hu",
    "romanian": "ro",
    "bulgarian": "bg",
    "croatian": "hr",
    "slovak": "sk",
    "slovenian": "sl",
    "estonian": "et",
    "latvian": "lv",
    "lithuanian": "lt",
    "irish": "ga",
    "maltese": "mt",
    "chinese": "zh",
    "japanese": "ja",
    "korean": "ko",
    "arabic": "ar",
    "russian": "ru",
    "turkish": "tr",
    "hindi": "hi",
    "ukrainian": "uk",
}

COUNTRY_NAMES = {
    "united states": "US",
    "united states of america": "US",
    "usa": "US",
    "u.s.": "US",
    "us": "US",
    "united kingdom": "GB",
    "uk": "GB",
    "great britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "germany": "DE",
    "deutschland": "DE",
    "france": "FR",
    "switzerland": "CH",
    "schweiz": "CH",
    "suisse": "CH",
    "austria": "AT",
    "österreich": "AT",
    "netherlands": "NL",
    "belgium": "BE",
    "ireland": "IE",
    "italy": "IT",
    "spain": "ES",
    "portugal": "PT",
    "denmark": "DK",
    "sweden": "SE",
    "norway": "NO",
    "finland": "FI",
    "poland": "PL",
    "czech republic": "CZ",
    "czechia": "CZ",
    "greece": "GR",
    "estonia": "EE",
    "latvia": "LV",
    "lithuania": "LT",
    "luxembourg": "LU",
    "malta": "MT",
    "cyprus": "CY",
    "slovenia": "SI",
    "slovakia": "SK",
    "croatia": "HR",
    "hungary": "HU",
    "romania": "RO",
    "bulgaria": "BG",
    "canada": "CA",
    "australia": "AU",
    "new zealand": "NZ",
    "india": "IN",
    "singapore": "SG",
    "japan": "JP",
    "chile": "CL",
    "mexico": "MX",
    "brazil": "BR",
}


def parse_iso_duration(text: str) -> tuple[float | None, float | None]:
    """Split an ISO 8601 duration into (calendar weeks, hours of effort).

    Date parts (years, months, weeks, days) give the calendar length in weeks
    (a month is 52/12 weeks); time parts (hours, minutes) give hours, which CTDL uses for
    the length of an exam or the effort of a course. ``P9M`` -> (39.0, None),
    ``PT12H`` -> (None, 12.0), ``P1DT2H`` -> (0.142..., 2.0). Unparseable -> (None, None).
    """
    match = _DURATION_RE.match(text.strip().upper()) if isinstance(text, str) else None
    if match is None or text.strip().upper() in {"P", "PT"}:
        return None, None
    parts = {key: float(value) for key, value in match.groupdict().items() if value is not None}
    weeks = parts.get("years", 0) * WEEKS_PER_YEAR + parts.get("months", 0) * WEEKS_PER_MONTH + parts.get("weeks", 0) + parts.get("days", 0) / 7
    hours = parts.get("hours", 0) + parts.get("minutes", 0) / 60 + parts.get("seconds", 0) / 3600
    return (round(weeks, 2) if weeks > 0 else None), (round(hours, 2) if hours > 0 else None)


def language_code(value: Any) -> str | None:
    """ISO 639-1 code for 'en', 'en-US', 'English', 'ENG'; None when unknown."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().lower()
    if text in LANGUAGE_NAMES:
        return LANGUAGE_NAMES[text]
    base = re.split(r"[-_]", text)[0]
    if re.fullmatch(r"[a-z]{2}", base):
        return base
    return {"eng": "en", "deu": "de", "ger": "de", "fra": "fr", "fre": "fr", "spa": "es", "ita": "it"}.get(base)


def country_code(value: Any) -> str | None:
    """ISO 3166-1 alpha-2 code for 'US', 'United States', 'Switzerland'; None when unknown."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if re.fullmatch(r"[A-Za-z]{2}", text) and text.lower() not in {"uk"}:
        return text.upper()
    return COUNTRY_NAMES.get(text.lower())


def split_list(cell: Any, separator: str = ";") -> list[str]:
    """Items of a list cell ('a; b;c' -> ['a', 'b', 'c']), empty items dropped."""
    if cell is None:
        return []
    return [item.strip() for item in str(cell).split(separator) if item.strip()]
