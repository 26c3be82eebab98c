"""App state through SQLAlchemy: learners, their profiles, saved plans, notes, conversations.

SQLite beside the store by default; any SQLAlchemy URL (PostgreSQL) when configured. Learner
data stays in this database only; :meth:`AppState.export_learner` and
:meth:`AppState.delete_learner` give a learner their data and take it away.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, String, Text, create_engine, select
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship, sessionmaker

from assistant.errors import InputError, StoreUnavailableError
from assistant.models import LearnerProfile


def _now() -> datetime:
    return datetime.now(UTC)


def _new_id() -> str:
    return uuid.uuid4().hex[:12]


class Base(DeclarativeBase):
    pass


class LearnerRow(Base):
    __tablename__ = "learners"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=_new_id)
    name: Mapped[str] = mapped_column(String(200))
    profile: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    notes: Mapped[str] = mapped_column(Text, default="")
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now, onupdate=_now)
    plans: Mapped[list[PlanRow]] = relationship(back_populates="learner", cascade="all, delete-orphan")
    conversations: Mapped[list[ConversationRow]] = relationship(back_populates="learner", cascade="all, delete-orphan")


class PlanRow(Base):
    __tablename__ = "plans"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=_new_id)
    learner_id: Mapped[str] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    plan: Mapped[dict[str, Any]] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(Text, default="")
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    learner: Mapped[LearnerRow] = relationship(back_populates="plans")


class ConversationRow(Base):
    __tablename__ = "conversations"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=_new_id)
    learner_id: Mapped[str | None] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"), nullable=True)
    title: Mapped[str] = mapped_column(String(200), default="New conversation")
    persona: Mapped[str] = mapped_column(String(20), default="learner")
    state: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    learner: Mapped[LearnerRow | None] = relationship(back_populates="conversations")
    messages: Mapped[list[MessageRow]] = relationship(back_populates="conversation", cascade="all, delete-orphan", order_by="MessageRow.created")


class MessageRow(Base):
    __tablename__ = "messages"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=_new_id)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(20))
    content: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    conversation: Mapped[ConversationRow] = relationship(back_populates="messages")


class AppState:
    """A thin repository over the state database; every method is one transaction."""

    def __init__(self, url: str) -> None:
        self.url = url
        try:
            self.engine = create_engine(url, pool_pre_ping=True, future=True)
            Base.metadata.create_all(self.engine)
        except SQLAlchemyError as exc:
            raise StoreUnavailableError(
                f"Cannot open the state database ({_redact(url)}): {exc.__class__.__name__} — check STACKWISE_DATABASE_URL and that the server is up."
            ) from exc
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        try:
            with self._sessions.begin() as session:
                yield session
        except OperationalError as exc:
            reason = " ".join(str(exc.orig).split())[:200]  # drivers write multi-line messages
            raise StoreUnavailableError(f"The state database ({_redact(self.url)}) is unavailable: {reason} — it will be used again once it is back.") from exc

    # -- learners -----------------------------------------------------------------------

    def create_learner(self, name: str, profile: LearnerProfile | None = None) -> str:
        if not name.strip():
            raise InputError("A learner needs a name.")
        with self.session() as s:
            row = LearnerRow(name=name.strip(), profile=(profile or LearnerProfile(name=name)).model_dump(mode="json"))
            s.add(row)
            s.flush()
            return row.id

    def list_learners(self) -> list[dict[str, Any]]:
        with self.session() as s:
            rows = s.scalars(select(LearnerRow).order_by(LearnerRow.name)).all()
            return [{"id": r.id, "name": r.name, "updated": r.updated, "plans": len(r.plans)} for r in rows]

    def get_profile(self, learner_id: str) -> LearnerProfile:
        with self.session() as s:
            return LearnerProfile.model_validate(self._learner(s, learner_id).profile)

    def save_profile(self, learner_id: str, profile: LearnerProfile) -> None:
        with self.session() as s:
            self._learner(s, learner_id).profile = profile.model_dump(mode="json")

    def set_notes(self, learner_id: str, notes: str) -> None:
        with self.session() as s:
            self._learner(s, learner_id).notes = notes

    def get_notes(self, learner_id: str) -> str:
        with self.session() as s:
            return self._learner(s, learner_id).notes

    def delete_learner(self, learner_id: str) -> None:
        """Remove a learner and everything saved for them (plans, notes, conversations)."""
        with self.session() as s:
            s.delete(self._learner(s, learner_id))

    def export_learner(self, learner_id: str) -> dict[str, Any]:
        """Everything stored about one learner, as JSON-ready data."""
        with self.session() as s:
            row = self._learner(s, learner_id)
            return json.loads(
                json.dumps(
                    {
                        "learner": {"id": row.id, "name": row.name, "profile": row.profile, "notes": row.notes, "created": row.created},
                        "plans": [{"id": p.id, "name": p.name, "plan": p.plan, "note": p.note, "created": p.created} for p in row.plans],
                        "conversations": [
                            {"id": c.id, "title": c.title, "messages": [{"role": m.role, "content": m.content, "created": m.created} for m in c.messages]}
                            for c in row.conversations
                        ],
                    },
                    default=str,
                )
            )

    # -- plans --------------------------------------------------------------------------

    def save_plan(self, learner_id: str, name: str, plan: dict[str, Any], note: str = "") -> str:
        with self.session() as s:
            self._learner(s, learner_id)
            row = PlanRow(learner_id=learner_id, name=name, plan=plan, note=note)
            s.add(row)
            s.flush()
            return row.id

    def list_plans(self, learner_id: str) -> list[dict[str, Any]]:
        with self.session() as s:
            rows = s.scalars(select(PlanRow).where(PlanRow.learner_id == learner_id).order_by(PlanRow.created)).all()
            return [{"id": r.id, "name": r.name, "plan": r.plan, "note": r.note, "created": r.created} for r in rows]

    def update_plan(self, plan_id: str, *, name: str | None = None, plan: dict[str, Any] | None = None, note: str | None = None) -> None:
        with self.session() as s:
            row = s.get(PlanRow, plan_id)
            if row is None:
                raise InputError(f"No saved plan {plan_id!r}.")
            if name is not None:
                row.name = name
            if plan is not None:
                row.plan = plan
            if note is not None:
                row.note = note

    def delete_plan(self, plan_id: str) -> None:
        with self.session() as s:
            row = s.get(PlanRow, plan_id)
            if row is not None:
                s.delete(row)

    # -- conversations ------------------------------------------------------------------

    def start_conversation(self, persona: str = "learner", learner_id: str | None = None, title: str = "New conversation") -> str:
        with self.session() as s:
            row = ConversationRow(persona=persona, learner_id=learner_id, title=title[:200])
            s.add(row)
            s.flush()
            return row.id

    def add_message(self, conversation_id: str, role: str, content: str, data: dict[str, Any] | None = None) -> None:
        with self.session() as s:
            conv = s.get(ConversationRow, conversation_id)
            if conv is None:
                raise InputError(f"No conversation {conversation_id!r}.")
            if role == "user" and conv.title == "New conversation":
                conv.title = content[:80]
            s.add(MessageRow(conversation_id=conversation_id, role=role, content=content, data=data or {}))

    def messages(self, conversation_id: str) -> list[dict[str, Any]]:
        with self.session() as s:
            conv = s.get(ConversationRow, conversation_id)
            if conv is None:
                raise InputError(f"No conversation {conversation_id!r}.")
            return [{"role": m.role, "content": m.content, "data": m.data} for m in conv.messages]

    def conversation_state(self, conversation_id: str) -> dict[str, Any]:
        with self.session() as s:
            conv = s.get(ConversationRow, conversation_id)
            return dict(conv.state) if conv else {}

    def save_conversation_state(self, conversation_id: str, state: dict[str, Any]) -> None:
        with self.session() as s:
            conv = s.get(ConversationRow, conversation_id)
            if conv is not None:
                conv.state = state

    def list_conversations(self, limit: int = 50) -> list[dict[str, Any]]:
        with self.session() as s:
            rows = s.scalars(select(ConversationRow).order_by(ConversationRow.created.desc()).limit(limit)).all()
            return [{"id": r.id, "title": r.title, "persona": r.persona, "created": r.created} for r in rows]

    def _learner(self, s: Session, learner_id: str) -> LearnerRow:
        row = s.get(LearnerRow, learner_id)
        if row is None:
            raise InputError(f"No learner {learner_id!r} — see the Advisers page for the list.")
        return row


def _redact(url: str) -> str:
    """A URL without its password, for messages and logs."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except SQLAlchemyError:
        return "<database url>"
