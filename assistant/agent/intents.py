"""Offline intent classification: rules for strong signals, then nearest labelled examples.

Rules catch what wording makes certain ("compare", an attached badge, "make it cheaper"
after a plan); everything else goes to a k-nearest-neighbour vote over embedded examples
(``intent_examples.yaml``). A message far from every in-scope example is out of scope.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

import numpy as np
import yaml

from assistant.agent.state import ConversationState
from assistant.embeddings import Embedder, encode_query

EXAMPLES_FILE = Path(__file__).with_name("intent_examples.yaml")
# Cosine similarity below which a message is not close to anything we do (all-MiniLM-L6-v2).
OUT_OF_SCOPE_SIMILARITY = 0.30
K = 5

_DOMAIN = re.compile(
    r"credential|certif|course|badge|degree|diploma|micro|nanodegree|micromasters|ects|eqf|cas\b|das\b|mas\b|career|job|skill|learn|study|"
    r"train|qualif|programme|program|occupation|wage|salary|analyst|engineer|developer|designer|manager|nurse|teacher|plan|budget|"
    r"pathway|stack|exam|provider|university|coursera|edx|udemy|futurelearn|udacity|springboard",
    re.I,
)

RULES: list[tuple[str, re.Pattern[str]]] = [
    (
        "guide",
        re.compile(
            r"^(what (is|are)|how (do|does|can|is)|explain|why)\b.*\b(micro-?credentials?|ects|eqf|open badges?( verification)?|badge verification|verification work|stackable|stacking|rpl|prior learning|springboard\+?|recommendation|standard elements|cas,? das|quality of a credential|funding)\b",
            re.I,
        ),
    ),
    (
        "badge",
        re.compile(
            r"\b((this|the|my|that|a candidate's|attached|his|her) (open )?(badge|credential|certificate)|verify|verif(y|ied|ication)|genuine|authentic|revoked|forged|fake|tampered|is (it|this) (real|valid))\b",
            re.I,
        ),
    ),
    ("compare", re.compile(r"\b(compare|comparison|versus|vs\.?|side by side|difference between|which is better|differ)\b", re.I)),
    (
        "skill_gap",
        re.compile(
            r"\b(skill ?gap|what (skills )?am i missing|what (do|does|would|will) (i|we|they|she|he|you|my \w+|our \w+) (still )?(lack|miss|need to learn)|(is|are|am) (she|he|they|i|we) missing|how far am i|which of my skills transfer|transferable)\b",
            re.I,
        ),
    ),
    (
        "occupation_facts",
        re.compile(
            r"\b(salary|salaries|wage|wages|earn|earns|pay(?:s|ed)? (?:for|as)|outlook|job growth|demand for|what does an? [a-z ]+ do|how much (?:does|do|can|would) (?:an? )?[a-z ]+ make|entry requirements?|skills (does|do) (the|this|that|an?|such an?) [a-z ]{0,30}(job|role|occupation|position|career) (need|require)|skills (are )?(needed|required) (for|by|in) (the|this|that) (job|role|occupation))\b",
            re.I,
        ),
    ),
]
FOLLOW_UP = re.compile(
    r"\b(the (first|second|third|fourth|fifth|last|other) one|that one|this one|first two|these two|it taught|does it|is it online|how much is it|how long (is|does) it)\b",
    re.I,
)
REFINE = re.compile(
    r"\b(cheaper|less money|less expensive|faster|quicker|sooner|most stackable|more stackable|alternative|another plan|what if|instead|only online|more hours|fewer hours|more money|euros? more|[0-9]+ more)\b",
    re.I,
)
UPDATE = re.compile(
    r"\b(i already (have|hold|did|completed)|i have (the|a|an) |i hold|i've (got|completed|done)|my budget is|i can (do|spend|study)|i live in|i only want|i need to finish|i completed)\b",
    re.I,
)
# Requests that are never ours, even when a domain word appears (health, code help, translation, people search).
OUT_OF_SCOPE = re.compile(
    r"\b(headaches?|fever|migraine|medicine|medication|symptoms?|blood pressure|diabetes|lose weight|my doctor|diagnos\w*|"
    r"debug\w*|segfault|stack ?trace|null pointer|compile error|fix (my|this) (code|bug|script|program)|(write|give) me (a|an|the|some) (sql|python|java|javascript|bash|regex|code|script|function|query)|"
    r"sql query|"
    r"translate|criminal (record|history)|background check on|home address|phone number of|social media of|"
    r"weather|forecast|lottery|horoscope|bitcoin|crypto ?currency|stocks? (to buy|should i buy|tips)|which stocks|recipe|sourdough|"
    r"football|champions league|lakers|nba|score of the|reset my (iphone|phone|password|laptop)|supermarket|opening hours)\b",
    re.I,
)
# A message that asks for something besides stating a profile fact.
REQUEST = re.compile(
    r"\?|\b(which|what|find|show|list|recommend|suggest|looking for|search|any|help me|give me|make me|want (a|an|some|to (find|take|do|study|learn|get))|need (a|an|some))\b",
    re.I,
)
GREETING = re.compile(
    r"\b(what (kind|sort|type)s? of (questions|things)|what can i ask|how (can|do|should) i use you|what are you (for|able to do)|what do you do)\b", re.I
)
# Definitional or how-it-works questions about credentials in general (not about one named credential).
GUIDE = re.compile(
    r"^\s*(?:and\s+|so\s+)?(?:what(?:'s| is| are| does)|how (?:do|does|is|are|can|should|many|much)|why|explain|define|do|does|is|are|can|tips|advice)\b.*"
    r"\b(expire|expiry|renew\w*|recertif\w*|mean|means|meaning|work|works|differ\w*|difference|check|checks|verification|verified|count|recogni[sz]\w*|worth|judge|tips|advi[cs]\w*|nanodegree|baked|badges?|glossary|credits?|ects|eqf|rpl|stackable|micro-?credentials?|funding|funded)\b",
    re.I,
)
# Topics the guides explain (funding, recognition, credit systems, standards).
GUIDE_TOPIC = re.compile(
    r"\b(funding|funded|grants?|subsid\w*|recogni[sz]\w*|ects|eqf|rpl|prior learning|open badges|accreditation|quality assurance|upskilling)\b", re.I
)
DEICTIC_BADGE = re.compile(
    r"\b(this|that|attached|my|his|her|their|a candidate's|the candidate's|these)\s+(open\s+)?(digital\s+)?(badge|credential|certificate|file|json|jwt|png|svg)s?\b|\bverify (a|this|the|my|his|her) |\b(is (it|this) (real|genuine|valid|fake))\b|\brevoked\b|\bforged\b|\btampered\b",
    re.I,
)
PLAN = re.compile(r"\b(plan|roadmap|pathway|path into|route into|step by step|sequence|what should i take first|which credentials get me)\b", re.I)


class IntentClassifier:
    """Rules first, then k nearest labelled examples by embedding similarity."""

    def __init__(self, embedder: Embedder, examples_file: Path = EXAMPLES_FILE) -> None:
        self.embedder = embedder
        data = yaml.safe_load(examples_file.read_text(encoding="utf-8"))
        self.labels: list[str] = []
        texts: list[str] = []
        for intent, examples in data.items():
            for example in examples:
                self.labels.append(intent)
                texts.append(example)
        self._texts = texts
        self._matrix: np.ndarray | None = None
        self._lock = threading.Lock()

    @property
    def matrix(self) -> np.ndarray:
        with self._lock:
            if self._matrix is None:
                self._matrix = self.embedder.encode(self._texts)
            return self._matrix

    def classify(self, message: str, state: ConversationState | None = None, *, has_attachment: bool = False) -> tuple[str, float]:
        """The intent of ``message`` and a confidence in 0..1."""
        text = message.strip()
        if has_attachment:
            return "badge", 1.0
        if not text:
            return "greeting", 1.0
        has_plan = bool(state and state.last_plan)
        has_results = bool(state and state.last_credentials)
        if OUT_OF_SCOPE.search(text):
            return "out_of_scope", 0.95
        if GREETING.search(text):
            return "greeting", 0.9
        if UPDATE.search(text) and not REQUEST.search(text):
            return "update_profile", 0.95
        if has_plan and REFINE.search(text):
            return "refine_plan", 0.95
        if PLAN.search(text):
            return "plan", 0.9
        for intent, pattern in RULES:
            if pattern.search(text):
                return intent, 0.9
        if has_results and FOLLOW_UP.search(text):
            return "follow_up", 0.9
        intent, score, similarity = self._nearest(text)
        if intent != "out_of_scope" and similarity < OUT_OF_SCOPE_SIMILARITY and not _DOMAIN.search(text):
            return "out_of_scope", 1.0 - similarity
        if intent == "out_of_scope" and _DOMAIN.search(text) and similarity < 0.6:
            intent = "find_credentials"
        if intent in {"follow_up", "refine_plan", "compare"} and not (has_results or has_plan):
            intent = "find_credentials" if _DOMAIN.search(text) else intent
        return intent, score

    def _nearest(self, text: str) -> tuple[str, float, float]:
        vector = encode_query(self.embedder, text)
        sims = self.matrix @ vector
        top = np.argsort(-sims)[:K]
        votes: dict[str, float] = {}
        for index in top:
            votes[self.labels[index]] = votes.get(self.labels[index], 0.0) + float(max(sims[index], 0.0))
        best = max(votes.items(), key=lambda item: item[1])
        total = sum(votes.values()) or 1.0
        return best[0], best[1] / total, float(sims[top[0]])


_CLASSIFIERS: dict[int, IntentClassifier] = {}
_CLASSIFIERS_LOCK = threading.Lock()


def classifier_for(embedder: Embedder) -> IntentClassifier:
    """One classifier (and one embedding of the examples) per embedder."""
    with _CLASSIFIERS_LOCK:
        classifier = _CLASSIFIERS.get(id(embedder))
        if classifier is None or classifier.embedder is not embedder:
            classifier = _CLASSIFIERS[id(embedder)] = IntentClassifier(embedder)
        return classifier
