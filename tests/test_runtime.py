"""The runtime under the models: embedding and generation in one process, a supervised model process
that survives the model's crashes, and the self-test doctor runs. Real models, real processes, real
signals."""

from __future__ import annotations

import os
import signal
import stat
import sys
import warnings
from dataclasses import replace
from pathlib import Path

import pytest

from assistant.answers.prompts import SHORT_STOPS, span_prompt
from models.embedder import bundled_embedding_model_path, cpu_has_amx
from models.errors import BackendError
from models.generator import LlamaCppGenerator, Prompt, llama_system_info, span_grammar
from models.isolated import ChildProcessGenerator, ModelSpec, describe_death, signal_name
from models.selftest import run_self_test

pytestmark = pytest.mark.slow

PROMPT = Prompt(
    instruction="Question: At what temperature is the enzyme most active? Answer in one sentence.",
    material="[1] The enzyme PetX is most active at 42 degrees Celsius and pH 8.5.",
    cue="Answer:",
)


class NoAmxHere(UserWarning):
    """This CPU has no AMX, so a passing AMX regression test proves nothing about AMX."""


@pytest.fixture(scope="module")
def gguf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled Gemma 3 270M GGUF file, assembled once for the module."""
    from models.generator import bundled_gguf_path

    return bundled_gguf_path(tmp_path_factory.mktemp("gguf"))


@pytest.fixture
def child(gguf: Path):  # type: ignore[no-untyped-def]
    """A supervised model process on the bundled model."""
    made = ChildProcessGenerator(ModelSpec(str(gguf), context_tokens=2048))
    yield made
    made.close()


def test_embedding_and_generation_share_one_process_without_dying(gguf: Path) -> None:
    # The AMX regression: torch's bf16 kernels and llama.cpp's matrix kernels, alternately, in one
    # process, with a prompt long enough for llama.cpp's batched path. Run in a child, so a SIGILL
    # fails this test with the signal's name instead of killing pytest.
    result = run_self_test(gguf, embedder=bundled_embedding_model_path(), precision="auto", rounds=3)
    assert result.ok, f"the child died of {result.signal or 'an error'}: {result.message}"
    assert result.steps == ("load", "embed 1", "generate 1", "embed 2", "generate 2", "embed 3", "generate 3")
    if not cpu_has_amx():
        warnings.warn(
            NoAmxHere(
                "this CPU has no AMX: the AMX crash cannot happen here, so this run proves nothing about it"
            ),
            stacklevel=1,
        )
    assert "AMX_INT8 = 1" not in llama_system_info()  # setup.sh builds llama.cpp without AMX kernels


def test_a_child_that_dies_is_reported_by_signal_and_step(gguf: Path, tmp_path: Path) -> None:
    # A python that loads the models, reports the load, and then dies of SIGILL, as an AMX clash does.
    dies = tmp_path / "python-that-dies"
    dies.write_text(
        "#!/bin/sh\n"
        'case "$*" in *models.selftest*) echo "step load"; kill -ILL $$;; esac\n'
        f'exec {sys.executable} "$@"\n'
    )
    dies.chmod(dies.stat().st_mode | stat.S_IEXEC)
    result = run_self_test(gguf, embedder=bundled_embedding_model_path(), python=str(dies))
    assert not result.ok
    assert result.signal == "SIGILL"
    assert result.steps == ("load",)
    assert result.message.startswith("the model process died of SIGILL (illegal instruction) while embedding")
    assert "PAPERLAMP_EMBEDDING__PRECISION=float32" in result.message


def test_a_truncated_gguf_file_fails_with_a_sentence_not_a_crash(gguf: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(gguf.read_bytes()[: 4 * 1024 * 1024])
    result = run_self_test(broken)
    assert not result.ok and result.returncode == 2
    assert result.message.startswith(f"cannot load GGUF model {broken}")
    with pytest.raises(BackendError, match="cannot load GGUF model"):
        ChildProcessGenerator(ModelSpec(str(broken))).count_tokens("x")


def test_the_model_process_writes_what_the_model_writes_inline(
    gguf: Path, child: ChildProcessGenerator
) -> None:
    inline = LlamaCppGenerator(gguf, context_tokens=2048)
    streamed: list[str] = []
    text = child.generate(PROMPT, max_tokens=24, stop=["\n\n"], on_token=streamed.append)
    assert text == inline.generate(PROMPT, max_tokens=24, stop=["\n\n"])
    assert "".join(streamed) == text and len(streamed) > 1
    assert child.count_tokens(PROMPT.material) == inline.count_tokens(PROMPT.material)
    assert child.count_tokens_many(["a b c", "enzyme"]) == [
        inline.count_tokens("a b c"),
        inline.count_tokens("enzyme"),
    ]
    assert child.context_tokens == 2048 and child.has_chat_template is False


def test_a_caller_that_stops_reading_stops_the_model_and_the_pipe_stays_in_step(
    child: ChildProcessGenerator,
) -> None:
    class SeenEnough(Exception):
        pass

    seen: list[str] = []

    def reader(token: str) -> None:
        seen.append(token)
        if len(seen) == 2:
            raise SeenEnough

    with pytest.raises(SeenEnough):
        child.generate(PROMPT, max_tokens=64, on_token=reader)
    assert len(seen) == 2
    again = child.generate(PROMPT, max_tokens=8)
    assert again and child.restarts == 0


@pytest.mark.parametrize("sig", [signal.SIGILL, signal.SIGABRT, signal.SIGSEGV])
def test_a_model_process_killed_mid_answer_fails_that_answer_and_the_next_gets_a_fresh_model(
    child: ChildProcessGenerator, sig: signal.Signals
) -> None:
    before = child.generate(PROMPT, max_tokens=12)

    def kill_at_third(token: str, seen: list[str] = []) -> None:  # noqa: B006 - one list per call
        seen.append(token)
        if len(seen) == 3 and child._child is not None:
            os.kill(child._child.pid, sig)

    with pytest.raises(BackendError) as failed:
        child.generate(PROMPT, max_tokens=64, on_token=kill_at_third)
    assert str(failed.value).startswith(f"the model process died of {sig.name} (")
    assert "while generating; likely cause:" in str(failed.value)
    assert child.generate(PROMPT, max_tokens=12) == before  # a fresh process, the same model
    assert child.restarts == 1


def test_death_sentences_name_the_signal_the_cause_and_the_fix() -> None:
    assert signal_name(-4) == "SIGILL" and signal_name(3) == "exit status 3"
    abort = describe_death(-6, "generating", "GGML_ASSERT(n_tokens > 0) failed")
    assert abort.startswith(
        "the model process died of SIGABRT (aborted) while generating; likely cause: llama.cpp"
    )
    assert abort.endswith("(llama.cpp said: GGML_ASSERT(n_tokens > 0) failed)")
    assert "lower llm.context_tokens" in describe_death(-9, "loading the model")


def test_the_model_process_holds_a_reply_to_a_span_of_the_words_it_is_given(
    child: ChildProcessGenerator,
) -> None:
    # The grammar travels with the prompt to the child: the reply is a run of the sentence's words,
    # quote marks and backslashes in them included, never the worked example's "42 °C".
    sentence = 'The "Tb\\2" variant kept 80% activity after 12 h at 60 °C in buffer A.'
    prompt = span_prompt("How long did the Tb2 variant keep its activity?", sentence)
    free = child.generate(replace(prompt, span_of=""), max_tokens=24, stop=SHORT_STOPS)
    held = child.generate(prompt, max_tokens=24, stop=SHORT_STOPS).strip().rstrip(".,;:")
    assert held and f" {held} " in f" {sentence} ", (free, held)
    assert prompt.span_of == sentence


def test_a_span_grammar_is_linear_in_the_words_and_parses() -> None:
    from llama_cpp import LlamaGrammar

    grammar = span_grammar('one "two" th\\ree')
    assert grammar.count("::=") == 4  # the root and one rule per word
    assert LlamaGrammar.from_string(grammar, verbose=False) is not None
    with pytest.raises(ValueError):
        span_grammar("  ")
