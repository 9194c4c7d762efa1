"""Settings: the models, language, library location and arXiv address in use, and doctor's facts."""

from __future__ import annotations

import streamlit as st

from assistant.settings import config_path
from ui.app import state

st.title("Settings")
assistant = state.assistant()
settings = assistant.settings

st.subheader("In use")
llm = "Gemma 3 270M Q4_K_M (bundled)" if settings.llm.model == "bundled" else settings.llm.model
embedder = "all-MiniLM-L6-v2 (bundled)" if settings.embedding.model == "bundled" else settings.embedding.model
rows = {
    "answer model (GGUF)": settings.llm.url or llm,
    "embedding model": settings.embedding.url or f"{embedder} · {assistant.doctor.embedding_path()}",
    "language": settings.lang,
    "library location": str(settings.home),
    "arXiv address": settings.arxiv.api_url,
    "vector store": settings.store.chroma_url or f"embedded Chroma at {assistant.home.chroma}",
    "settings file": f"{config_path()}" + ("" if config_path().is_file() else " (not present: defaults)"),
}
st.table([{"setting": k, "value": v} for k, v in rows.items()])

st.subheader("Switching models")
st.markdown(
    "Any GGUF file can write the answers. Set it in the settings file above, or for one run with the "
    "`PAPERLAMP_LLM_MODEL` variable, then restart `paperlamp ui`. Changing the embedding model uses a "
    "new vector collection: papers are embedded again when they are added again."
)
st.code(
    'lang = "en"\n\n[llm]\nmodel = "/models/qwen2.5-3b-instruct-q4_k_m.gguf"\ncontext_tokens = 8192\n\n'
    '[embedding]\nmodel = "/models/bge-small-en-v1.5"',
    language="toml",
)
st.code("PAPERLAMP_LLM_MODEL=/models/qwen2.5-3b-instruct-q4_k_m.gguf paperlamp ui", language="bash")

st.subheader("Doctor")
st.caption("The facts `paperlamp doctor --quick` reports (the models are not loaded here).")
checks = state.attempt(lambda: assistant.doctor.diagnose(load_models=False)) or []
st.table([{"check": c.name, "value": c.value, "ok": "ok" if c.ok else "problem"} for c in checks])
