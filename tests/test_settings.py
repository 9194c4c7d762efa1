"""Settings: defaults, the TOML file, and PAPERLAMP_* variables, in that order of precedence."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from assistant.settings import SETTINGS_ERRORS, SettingsFileError, describe_settings_error, load_settings


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


def test_a_misspelled_key_names_the_nearest_valid_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "paperlamp.toml"
    monkeypatch.setenv("PAPERLAMP_CONFIG", str(config))
    config.write_text("[llm]\nthredas = 2\n")
    with pytest.raises(ValidationError) as caught:
        load_settings()
    assert describe_settings_error(caught.value) == (
        f"unknown setting llm.thredas; did you mean llm.threads? (set in {config} or PAPERLAMP_LLM__THREDAS)"
    )
    config.write_text('langg = "zh"\n[[topics]]\nname = "x"\n')
    with pytest.raises(ValidationError) as caught:
        load_settings()
    assert describe_settings_error(caught.value).startswith("unknown setting langg; did you mean lang?")
    config.write_text('[[topics]]\nname = "x"\nqeury = "y"\n')
    with pytest.raises(ValidationError) as caught:
        load_settings()
    assert describe_settings_error(caught.value) == (
        f"unknown setting topics.0.qeury; did you mean topics.0.query? (set in {config})"
    )


def test_bad_values_and_bad_files_are_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPERLAMP_LANG", "fr")
    with pytest.raises(SETTINGS_ERRORS) as caught:
        load_settings()
    assert describe_settings_error(caught.value) == (
        "bad setting lang = 'fr': Input should be 'en' or 'zh' (set in PAPERLAMP_LANG)"
    )
    monkeypatch.delenv("PAPERLAMP_LANG")
    config = tmp_path / "paperlamp.toml"
    config.write_text("lang = \n")
    monkeypatch.setenv("PAPERLAMP_CONFIG", str(config))
    with pytest.raises(SettingsFileError) as broken:
        load_settings()
    assert describe_settings_error(broken.value) == (
        f"the settings file {config} is not valid TOML: Invalid value (at line 1, column 8)"
    )
