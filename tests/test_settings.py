"""Settings: defaults, the TOML file, and PAPERLAMP_* variables, in that order of precedence."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from assistant.settings import load_settings


def test_defaults_point_at_the_bundled_models_and_home(isolated_home: Path) -> None:
    settings = load_settings()
    assert settings.home == isolated_home
    assert settings.llm.model == "bundled"
    assert settings.embedding.model == "bundled"
    assert settings.arxiv.api_url == "https://export.arxiv.org/api/query"
    assert settings.store.chroma_url == ""


def test_toml_file_then_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "paperlamp.toml"
    config.write_text(
        'lang = "zh"\n[llm]\nmodel = "/models/a.gguf"\nthreads = 2\n'
        '[arxiv]\napi_url = "http://mirror/api"\n'
        '[[topics]]\nname = "vision"\nquery = "segmentation"\ncategories = ["cs.CV"]\n'
    )
    monkeypatch.setenv("PAPERLAMP_CONFIG", str(config))
    settings = load_settings()
    assert settings.lang == "zh"
    assert settings.llm.model == "/models/a.gguf"
    assert settings.llm.threads == 2
    assert settings.topics[0].name == "vision"
    assert settings.topics[0].categories == ["cs.CV"]
    assert settings.arxiv.api_url == "http://mirror/api"
    monkeypatch.setenv("PAPERLAMP_ARXIV_API_URL", "http://127.0.0.1:9/api")
    monkeypatch.setenv("PAPERLAMP_LLM__THREADS", "1")
    settings = load_settings()
    assert settings.arxiv.api_url == "http://127.0.0.1:9/api"
    assert settings.llm.threads == 1
    assert settings.llm.model == "/models/a.gguf"


def test_bad_values_are_rejected_with_the_field_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPERLAMP_LANG", "fr")
    with pytest.raises(ValidationError, match="lang"):
        load_settings()
