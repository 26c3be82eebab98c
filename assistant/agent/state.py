"""What the agent remembers within a conversation, and what it hands back per turn."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from assistant.models import LearnerProfile

Persona = Literal["learner", "recruiter", "adviser"]

INTENTS = (
    "find_credentials",  # which credentials suit X
    "explain_credential",  # what is / tell me about a named credential
    "compare",  # compare two or more credentials
    "badge",  # what does this badge certify / is it genuine
    "occupation_facts",  # wage, outlook, skills of an occupation
    "skill_gap",  # what am I missing for X
    "plan",  # make me a plan
    "refine_plan",  # make it cheaper / faster / I have more hours
    "update_profile",  # I already have X / my budget is Y
    "follow_up",  # and how much is the second one?
    "guide",  # how do micro-credentials / ECTS / verification work
    "greeting",  # hello / what can you do
    "out_of_scope",  # anything else
)
Intent = Literal[
    "find_credentials",
    "explain_credential",
    "compare",
    "badge",
    "occupation_facts",
    "skill_gap",
    "plan",
    "refine_plan",
    "update_profile",
    "follow_up",
    "guide",
    "greeting",
    "out_of_scope",
]


class Citation(BaseModel):
    """A record an answer rests on."""

    id: str
    title: str
    url: str | None = None
    provider: str | None = None
    source: str | None = None
    date: str | None = Field(default=None, description="last_reviewed or the figure's date")
    kind: str = "credential"


class AgentReply(BaseModel):
    """One assistant turn: the answer and everything it rests on."""

    answer: str
    intent: str
    citations: list[Citation] = Field(default_factory=list)
    credentials: list[str] = Field(default_factory=list, description="Credential ids the answer names, in order.")
    follow_ups: list[str] = Field(default_factory=list)
    data: dict[str, Any] = Field(default_factory=dict, description="Structured payload: plan, gap, verification, comparison.")
    engine: Literal["offline", "llm"] = "offline"
    notice: str | None = Field(default=None, description="Told to the user, e.g. that the LLM answer was replaced.")
    tools: list[str] = Field(default_factory=list, description="Tools that ran for this answer, in order.")

    def as_json(self) -> dict[str, Any]:
        """The `ask --json` contract (DESIGN.md), with extra keys."""
        return {
            "answer": self.answer,
            "intent": self.intent,
            "citations": [{"id": c.id, "title": c.title, "url": c.url, "date": c.date, "provider": c.provider} for c in self.citations],
            "credentials": self.credentials,
            "follow_ups": self.follow_ups,
            "engine": self.engine,
            "notice": self.notice,
            "tools": self.tools,
            "data": self.data,
        }


class ConversationState(BaseModel):
    """Profile gathered so far, and what the last answers showed (for follow-ups)."""

    persona: Persona = "learner"
    profile: LearnerProfile = Field(default_factory=LearnerProfile)
    last_credentials: list[str] = Field(default_factory=list)
    last_plan: dict[str, Any] | None = None
    last_objective: str = "balanced"
    pending: str | None = Field(default=None, description="Intent waiting for missing profile fields.")
    turns: int = 0
