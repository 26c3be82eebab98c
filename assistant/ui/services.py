"""The Services the UI runs on: built once per server process and settings (st.cache_resource)."""

from __future__ import annotations

import streamlit as st

from assistant.errors import StackwiseError
from assistant.models import LearnerProfile
from assistant.services import Services, offline_environment
from assistant.settings import Settings, load_settings

PROFILE_KEY = "stackwise_profile"
RECORD_KEY = "stackwise_open_record"


@st.cache_resource(show_spinner="Loading the catalogue and the embedding model…")
def _services(settings_json: str) -> Services:
    offline_environment()
    return Services(Settings.model_validate_json(settings_json))


def get_services() -> Services:
    """The Services for the current settings (environment), cached per settings."""
    return _services(load_settings().model_dump_json())


def require_services() -> Services:
    """Services with an open store and embedder, or a friendly error and a stopped page."""
    try:
        services = get_services()
        with st.spinner("Opening the catalogue…"):
            _ = services.retriever
            _ = services.catalogue
    except StackwiseError as exc:
        st.error(str(exc))
        st.info("Add catalogue files on the **Ingest** page to create the store.")
        st.stop()
    return services


def session_profile() -> LearnerProfile:
    """The profile shared by the pages (chat extracts it, badge check adds skills, plan uses it)."""
    profile = st.session_state.get(PROFILE_KEY)
    return profile if isinstance(profile, LearnerProfile) else LearnerProfile()


def set_session_profile(profile: LearnerProfile) -> None:
    st.session_state[PROFILE_KEY] = profile
