"""Per-paper summaries written from the full text, part by part, with the pages each field drew on.

Each field is written from whole chunks of the part of the paper it is about (the introduction
for the background and past methods, the method section for the method and its steps, the
experiments for the results, the conclusion for the conclusion), picked within a token budget,
never cut at a fixed token count. One short generation per field; what the model writes is
cleaned, and a field whose output is unusable quotes the paper instead (marked `quoted`).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from assistant.domain import Lang, Paper, Progress, StoredChunk, no_progress
from assistant.errors import BadInput
from assistant.library.library import Library
from assistant.retrieval.search import Searcher, SearchFilter
from assistant.summaries.fields import Field, PaperSummary, Points
from assistant.summaries.prompts import FIELDS, FieldSpec, Role, field_prompt, material_text, stops_for
from assistant.summaries.text import (
    StreamGuard,
    StreamStopped,
    best_sentences,
    clean_keywords,
    clean_points,
    clean_prose,
    frequent_terms,
    grounded,
    sentences,
    summary_words,
)
from assistant.summaries.translate import translate, writes_chinese
from models.generator import Generator, Prompt

_SKIP = re.compile(r"referen|bibliograph|acknow|appendix|supplement|contribution|ethic|funding", re.I)
_ROLE_OF_HEADING: tuple[tuple[Role, re.Pattern[str]], ...] = (
    ("overview", re.compile(r"^\W*abstract\b", re.I)),
    ("conclusion", re.compile(r"conclu|discussion|future work|summary|limitation|outlook", re.I)),
    ("results", re.compile(r"experiment|result|evaluat|ablation|benchmark|analysis|comparison", re.I)),
    ("intro", re.compile(r"introduc|background|motivation|related work|prior work|preliminar", re.I)),
    ("method", re.compile(r"method|approach|model|architecture|framework|design|algorithm|"
                          r"training|implementation|network|system|proposed|learning", re.I)),
)  # fmt: skip


@dataclass(frozen=True)
class Passage:
    """Text a field may be written from, and the pages it spans."""

    text: str
    pages: tuple[int, ...]
    section: str = ""

    @property
    def where(self) -> str:
        """ "p. 3" or "pp. 3-4"."""
        if not self.pages:
            return ""
        lo, hi = min(self.pages), max(self.pages)
        return f"p. {lo}" if lo == hi else f"pp. {lo}-{hi}"


class Summarizer:
    """Writes per-paper summaries from a library paper's own chunks (or, failing that, its abstract)."""

    def __init__(
        self,
        library: Library,
        searcher: Searcher,
        generator_factory: Callable[[], Generator],
        *,
        material_tokens: int = 650,
    ) -> None:
        self.library = library
        self.searcher = searcher
        self._generator_factory = generator_factory
        self.material_tokens = material_tokens

    @property
    def generator(self) -> Generator:
        """The generator (loaded on first use by the factory, which keeps it)."""
        return self._generator_factory()

    def summarize(self, paper: Paper, lang: Lang = "en", progress: Progress = no_progress) -> PaperSummary:
        """Summarize a library paper from its full text, part by part."""
        chunks = self.library.chunks(paper.id)
        if not chunks:
            raise BadInput(f"{paper.id} has no text in the library; add its PDF again")
        parts = self.parts(paper, chunks)
        keywords = Points(paper.keywords, (1,), quoted=True) if paper.keywords else None
        return self._write(paper.id, paper.title, parts, lang, "full text", progress, keywords)

    def summarize_abstract(
        self, paper_id: str, title: str, abstract: str, lang: Lang = "en", progress: Progress = no_progress
    ) -> PaperSummary:
        """Summarize from the abstract alone (the PDF could not be read); marked "abstract only"."""
        if not abstract.strip():
            raise BadInput(f"{paper_id} has neither a readable PDF nor an abstract to summarize")
        passage = [Passage(abstract, ())]
        parts: dict[Role, list[Passage]] = {r: passage for r in _ROLES}
        return self._write(paper_id, title, parts, lang, "abstract only", progress, None)

    # --- choosing the material ----------------------------------------------------------------
    def parts(self, paper: Paper, chunks: Sequence[StoredChunk]) -> dict[Role, list[Passage]]:
        """For each part of the paper, the whole chunks a field about it is written from."""
        body = [c for c in chunks if not _SKIP.search(c.section)] or list(chunks)
        roles = _assign_roles(body)
        by_role: dict[Role, list[StoredChunk]] = {r: [c for c in body if roles[c.id] == r] for r in _ROLES}
        parts: dict[Role, list[Passage]] = {}
        for role in _ROLES:
            pool = by_role[role] or self._fallback(role, paper, body)
            query = " ".join(s.query for s in FIELDS if s.role == role)
            parts[role] = self._within_budget(pool, query)
        abstract = [Passage(paper.abstract, (1,), "Abstract")] if paper.abstract else parts["overview"][:1]
        conclusion = parts["conclusion"][:1]
        parts["overview"] = self._fit([*abstract, *conclusion]) or parts["intro"][:1]
        return parts

    def _fallback(self, role: Role, paper: Paper, body: list[StoredChunk]) -> list[StoredChunk]:
        """Where a part of the paper most likely is when no heading names it."""
        n = len(body)
        if role == "intro":
            return body[1:3] or body[:1]
        if role == "method":
            return body[n // 3 : max(n // 3 + 1, 2 * n // 3)]
        if role == "results":
            return self._searched(paper, "experiments results dataset accuracy evaluation") or body[n // 2 :]
        return body[-2:]

    def _searched(self, paper: Paper, query: str) -> list[StoredChunk]:
        """Chunks of this paper the keyword index ranks best for `query`, in reading order."""
        hits = self.searcher.search(query, 4, SearchFilter(paper_ids=(paper.id,)), fusion="lexical")
        wanted = {h.chunk_id for h in hits}
        return [c for c in self.library.chunks(paper.id) if c.id in wanted]

    def _within_budget(self, pool: Sequence[StoredChunk], query: str) -> list[Passage]:
        """The chunks sharing most words with the role's query that fit the budget, in reading order."""
        wanted = summary_words(query)
        ranked = sorted(pool, key=lambda c: (-len(summary_words(c.text) & wanted), c.index))
        chosen: list[StoredChunk] = []
        used = 0
        for chunk in ranked:
            cost = self.generator.count_tokens(chunk.text)
            if used + cost <= self.material_tokens:
                chosen.append(chunk)
                used += cost
        if not chosen and ranked:  # one chunk bigger than the budget: its leading whole sentences
            return self._fit([_passage(ranked[0])])
        return [_passage(c) for c in sorted(chosen, key=lambda c: c.index)]

    def _fit(self, passages: Sequence[Passage]) -> list[Passage]:
        """Passages within the budget; the last one shortened to whole sentences if it overflows."""
        out: list[Passage] = []
        used = 0
        for passage in passages:
            kept: list[str] = []
            for sentence in sentences(passage.text):
                cost = self.generator.count_tokens(sentence) + 1
                if used + cost > self.material_tokens:
                    break
                kept.append(sentence)
                used += cost
            if kept:
                out.append(replace(passage, text=" ".join(kept)))
            if used >= self.material_tokens or len(kept) < len(sentences(passage.text)):
                break
        return out

    # --- writing the fields -------------------------------------------------------------------
    def _write(
        self,
        paper_id: str,
        title: str,
        parts: dict[Role, list[Passage]],
        lang: Lang,
        source: str,
        progress: Progress,
        keywords: Points | None,
    ) -> PaperSummary:
        started = time.perf_counter()
        specs = [s for s in FIELDS if not (s.name == "keywords" and keywords)]
        # A model that cannot write Chinese itself writes English, translated field by field after.
        translating = lang == "zh" and not writes_chinese(self.generator)
        total = len(specs) * (1 + translating) + (lang == "zh")
        values: dict[str, Field | Points] = {"keywords": keywords} if keywords else {}
        for done, spec in enumerate(specs):
            progress(spec.name, done, total)
            passages = parts[spec.role]
            material = material_text(title, spec.role, lang, [(p.where, p.text) for p in passages])
            values[spec.name] = self._field(spec, material, parts, "en" if translating else lang, title)
        for done, spec in enumerate(specs if translating else (), start=len(specs)):
            progress(f"{spec.name} (中文)", done, total)
            if spec.name != "keywords":  # keywords stay English, like the terms in the prose
                values[spec.name] = self._translated(values[spec.name])
        translated = self._translate_title(title) if lang == "zh" else ""
        progress("done", total, total)
        return PaperSummary(
            paper_id=paper_id,
            title=title,
            lang=lang,
            source=source,
            title_translated=translated,
            model=self.generator.name,
            seconds=time.perf_counter() - started,
            **values,  # type: ignore[arg-type]
        )

    def _field(
        self, spec: FieldSpec, material: str, parts: dict[Role, list[Passage]], lang: Lang, title: str
    ) -> Field | Points:
        """Generate one field, clean it, and quote the paper when nothing usable or grounded came back.

        The field is written from its own part of the paper; a list whose part is too short to quote
        enough from (an abstract of two sentences) quotes the rest of the paper too.
        """
        passages = parts[spec.role]
        prompt = field_prompt(spec, material, lang)
        raw = self._generate(prompt, spec.max_tokens, stops_for(spec, lang))
        zh = lang == "zh"
        texts = [p.text for p in passages]
        if spec.name == "keywords":
            words = clean_keywords(raw)
            if len(words) >= 2:
                return Points(tuple(words), _pages_used(" ".join(words), passages))
            return Points(tuple(frequent_terms(texts)), _all_pages(passages), quoted=True)
        if spec.kind == "prose":
            text = clean_prose(raw, prompt.instruction, chinese=zh)
            if text and grounded(text, material, title):
                return Field(text, _pages_used(text, passages))
            picked = best_sentences(spec.query, texts, 1)
            return Field(
                " ".join(s for _, s in picked),
                _all_pages([passages[i] for i, _ in picked]),
                quoted=True,
            )
        head = spec.cue[lang].split("\n")[-1]  # the list's opening the cue already wrote
        joint = "" if zh or raw[:1].isspace() else " "
        items = clean_points(head + joint + raw, prompt.instruction, chinese=zh)
        items = [item for item in items if grounded(item, material, title)]
        least = 2 if spec.kind == "steps" else 3
        if len(items) >= least:
            return Points(tuple(items), _pages_used(" ".join(items), passages))
        pool = [*passages, *(p for role in _ROLES for p in parts.get(role, ()) if p not in passages)]
        picked = best_sentences(spec.query, [p.text for p in pool], max(least, 3) - len(items))
        quotes = tuple(s for _, s in picked if s not in items)
        pages = _all_pages([pool[i] for i, _ in picked]) + _pages_used(" ".join(items), passages)
        return Points((*items, *quotes), tuple(sorted(set(pages))), quoted=not items)

    def _generate(self, prompt: Prompt, max_tokens: int, stop: Sequence[str]) -> str:
        """The model's text, ended early at a blank line after content or when it starts looping."""
        guard = StreamGuard()
        try:
            return self.generator.generate(prompt, max_tokens=max_tokens, stop=stop, on_token=guard)
        except StreamStopped:
            return guard.text

    def _translated(self, value: Field | Points) -> Field | Points:
        """A field or list in Chinese where the model's translation is usable; English elsewhere."""
        if isinstance(value, Field):
            chinese = translate(value.text, self._generate)
            return replace(value, text=chinese, original=value.text) if chinese else value
        done = [translate(item, self._generate) for item in value.items]
        if not any(done):
            return value
        items = tuple(zh or en for zh, en in zip(done, value.items, strict=True))
        return replace(value, items=items, original=value.items)

    def _translate_title(self, title: str) -> str:
        return translate(title, self._generate)


_ROLES: tuple[Role, ...] = ("overview", "intro", "method", "results", "conclusion")


def _assign_roles(chunks: Sequence[StoredChunk]) -> dict[str, Role]:
    """Each chunk's part of the paper from its heading; unnamed sections belong to the part before."""
    roles: dict[str, Role] = {}
    current: Role = "overview"
    for chunk in chunks:
        named = next((r for r, pattern in _ROLE_OF_HEADING if pattern.search(chunk.section)), None)
        if chunk.kind == "table":  # tables come after the text; one under no named part reports results
            roles[chunk.id] = named or "results"
            continue
        if named is None and current in ("overview", "intro") and chunk.section.strip():
            named = "method"  # an unnamed section after the introduction is usually the method
        current = named or current
        roles[chunk.id] = current
    return roles


def _passage(chunk: StoredChunk) -> Passage:
    return Passage(chunk.text, tuple(range(chunk.page_start, chunk.page_end + 1)), chunk.section)


def _all_pages(passages: Sequence[Passage]) -> tuple[int, ...]:
    return tuple(sorted({p for passage in passages for p in passage.pages}))


def _pages_used(text: str, passages: Sequence[Passage]) -> tuple[int, ...]:
    """The pages of the passages the text shares at least two content words with (else all of them)."""
    words = summary_words(text)
    used = [p for p in passages if len(summary_words(p.text) & words) >= 2]
    return _all_pages(used or passages)
