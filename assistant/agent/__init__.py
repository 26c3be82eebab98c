"""The chat agent: one interface, two engines (offline grounded composer, or a LangChain chat model).

Usage::

    agent = build_agent(services)
    state = ConversationState(persona="learner")
    reply = agent.respond("Which credentials get me into data analytics on 8 h a week?", state)
    reply.answer, reply.citations, reply.follow_ups, reply.data

``agent.stream(message, state)`` yields text pieces as they are written and finally the
:class:`AgentReply`. ``state`` is updated in place (profile gathered, last results shown).
"""

from assistant.agent.state import INTENTS, AgentReply, Citation, ConversationState, Persona
from assistant.agent.tools import Toolbox, ToolResult

__all__ = ["INTENTS", "Agent", "AgentReply", "Citation", "ConversationState", "Persona", "ToolResult", "Toolbox", "build_agent"]


def __getattr__(name: str):  # lazy: the engine pulls in the embedding model and LangChain
    if name in {"Agent", "build_agent"}:
        from assistant.agent import engine

        return getattr(engine, name)
    raise AttributeError(name)
