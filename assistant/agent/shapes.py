"""Shapes of questions the offline engine recognises (routing and handlers share them)."""

from __future__ import annotations

import re

ORDINALS = {"first": 0, "1st": 0, "second": 1, "2nd": 1, "third": 2, "3rd": 2, "fourth": 3, "4th": 3, "fifth": 4, "5th": 4}
PLAN_NEEDS = ("target", "hours_per_week", "budget")
COMPARATIVE = re.compile(
    r"\b(compare|comparison|versus|vs\.?|or|better|worse|differ\w*|difference|harder|easier|cheaper|shorter|longer|more (useful|valuable|respected|recognised|recognized)|side by side|against|pick|choose)\b",
    re.I,
)
EXPLAIN_SHAPE = re.compile(
    r"^\s*(?:and\s+|so\s+|ok\s+)?(what|what's|whats|tell me|how (long|much|hard|many)|who|is|are|does|do|explain|describe|details?|info|information|give me (details|info)|the)\b|"
    r"^\s*(?:and\s+)?(?:what about\s+)?(the\s+)?[\w+\- ]{1,60}\?\s*$|\b(cost|price|fee|prerequisites?|cover|covers|certify|certifies|worth|take|last|stack)\b",
    re.I,
)
FIND_SHAPE = re.compile(
    r"\b(which|find|similar|alternatives?|like|recommend|suggest|other|options|list|courses|certificates|credentials|certs|certifications|programmes|programs|qualifications|any)\b",
    re.I,
)
DEFINITION = re.compile(r"^\s*(?:and\s+)?(?:what(?:'s| is| are)|define|meaning of)\s+(?:a |an |the )?[\w+\-]+(?: [\w+\-]+)?\s*\??\s*$", re.I)
# "What is the Acme Data Skills Certificate?": a question about one product written in Title Case.
TITLE_ASK = re.compile(
    r"^\s*(?i:what(?:'s| is)|tell me about|explain|describe)\s+(?i:the\s+)?[A-Z0-9][\w+\-]*(?:\s+(?:of|in|for|and|&|to|[A-Z0-9][\w+\-]*)){1,8}\s*\??\s*$"
)
ANYTHING_ON = re.compile(r"^\s*(?:is there|are there|do you have|have you got|got)\s+(?:anything|something|any\s+\w+)\s+(?:on|about|in|for|related to)\b", re.I)
FIND_START = re.compile(
    r"^\s*(?:which|any|are there(?: any)?|find(?: me)?|show(?: me)?|list|recommend|what)\s+(?:(?!(?:is|are|'s|does|do|did|exists?|can|should|would)\b)[\w'-]+\s+){0,3}"
    r"(?:certs|certifications|credentials|courses|certificates|qualifications|programmes|programs|badges|micro-?credentials|options)\b",
    re.I,
)
WHICH_OF = re.compile(
    r"\bwhich (?:one )?(?:of (?:the|these|those) (?:two|three|both)|of them|of both|one)\b.*\b(cheaper|less expensive|more expensive|shorter|faster|quicker|longer|cost(s)? less|cost(s)? more)\b",
    re.I,
)
REFS = re.compile(r"\b(first|second|third|fourth|fifth|last|these|those|both|them|two|it|one)\b", re.I)
PRONOUN_FOLLOW_UP = re.compile(
    r"^\s*(?:and\s+|so\s+|ok\s+)?(?:who|what|how|is|does|do|can|where|when|which)\b[^.]{0,50}\b(it|its|this one|that one|the two|of the two|of them|both)\b[^.]{0,30}\??\s*$",
    re.I,
)
CREDENTIAL_WORDS = re.compile(
    r"\b(certs?|certifications?|credentials?|courses?|certificates?|qualifications?|badges?|programmes?|programs?|studies|diplomas?|trainings?)\b", re.I
)
