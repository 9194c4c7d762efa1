"""Per-paper summaries: extract the paper's own sentences first, let the model shorten them second.

1. The paper's sentences are read from its chunks with their pages and sections, and each is
   judged once (roles.py): usable or not, the paper's own work or another's, and its rhetorical
   role.
2. Each field gets its sentences (extract.py), by maximal marginal relevance across all fields.
3. The model may only shorten a long sentence or join a field's sentences into one. What it
   writes is kept only when supported by exactly those sentences (text.supported); otherwise the
   field shows the sentences themselves, verbatim, as the paper's words. Every field and list
   item says which it is, and the sentences it stands on with their pages.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import replace

from assistant.domain import Lang, Paper, Progress, StoredChunk, no_progress
from assistant.errors import BadInput
from assistant.library.library import Library
from assistant.summaries.extract import NO_EXPERIMENTS, SPECS, cites_others, extract
from assistant.summaries.fields import Field, PaperSummary, Points, Quote
from assistant.summaries.nearness import Embed, centred
from assistant.summaries.prompts import (
    KEYWORDS_STOPS,
    SHORTEN_STOPS,
    keywords_prompt,
    shorten_prompt,
)
from assistant.summaries.roles import Sentence, classify, own_names
from assistant.summaries.text import (
    StreamGuard,
    StreamStopped,
    clean_keywords,
    clean_prose,
    distinct,
    sentences,
    summary_words,
    supported,
)
from assistant.summaries.translate import translate
from ingest.result_rows import headline_row
from ingest.text import prefix_stems
from models.generator import Generator, Prompt

# Sections that are never summary material: the reference list, thanks, appendices, statements.
_SKIP = re.compile(
    r"referen|bibliograph|acknow|appendix|supplement|author contribution|ethic|funding|competing"
    r"|data availab|code availab|declaration|conflicts? of interest",
    re.I,
)
_BACK_MATTER = re.compile(
    r"^\W*(?:references|bibliography|appendix|appendices|supplementary)\b|^[A-H](?:\.\d+)*\s+[A-Z]", re.I
)
_SECTION_NUMBER = re.compile(r"^(\d{1,2})(?:\.\d+)*\.?\s+\S")
_SUBSECTION = re.compile(r"^\d{1,2}\.\d")
# The paper's frame, not its work: a heading here never names what the paper builds.
_FRAME_HEADING = re.compile(
    r"abstract|introduc|related|background|prior|preliminar|conclu|discussion|limitation|future|ethic"
    r"|acknowledg|appendix|reference",
    re.I,
)
_FRONT_HEADING = re.compile(r"^\s*(?:abstract|introduction)\s*$", re.I)
_ABSTRACT_LABEL = re.compile(
    r"^(?:Background|Results|Methods|Conclusions?|Objectives?|Aims?|Purpose|Findings|Interpretation"
    r"|Motivation|Availability|Context|Design)\s*:?\s+(?=[A-Z])"
)
_BULLETS = re.compile(r"\s*[•▪●◦‣]\s+|\s+·\s+(?=[A-Z])")  # PDF fonts often render "•" as "·"
# A table row read into the text runs on into the next sentence: "... 0.77 5.1 On the Alps ...".
_TABLE_RUN = re.compile(r"(?<=\s)(?=[A-Z][a-z]+ )")
_LEADING_NUMBERS = re.compile(r"^(?:[\d.,%±]+\s+){2,}(?=[A-Z][a-z])")
_NUMBER_RUN = re.compile(r"(?:[\d.,%±]+\s+){4,}$")
LIST_FIELDS = ("takeaways", "method_steps")
# A quoted sentence longer than this is worth shortening; a shorter one is shown as it is.
LONG_WORDS = 35
REVIEW_NOTE = (
    "This paper is a review or position paper: it reports no experiments of its own, so it has no "
    "results of its own to give."
)


class Summarizer:
    """Writes per-paper summaries from a library paper's own sentences (or, failing that, its abstract)."""

    def __init__(self, library: Library, generator_factory: Callable[[], Generator]) -> None:
        self.library = library
        self._generator_factory = generator_factory

    @property
    def generator(self) -> Generator:
        """The generator (loaded on first use by the factory, which keeps it)."""
        return self._generator_factory()

    def summarize(self, paper: Paper, lang: Lang = "en", progress: Progress = no_progress) -> PaperSummary:
        """Summarize a library paper from its full text."""
        started = time.perf_counter()  # the time reported covers reading and embedding its sentences
        chunks = self.library.chunks(paper.id)
        if not chunks:
            raise BadInput(f"{paper.id} has no text in the library; add its PDF again")
        found = paper_sentences(paper.title, paper.abstract, chunks, self.library.embedder.embed)
        tables = [c for c in chunks if c.kind == "table"]
        return self._write(paper, found, lang, "full text", progress, tables, started)

    def summarize_abstract(
        self, paper_id: str, title: str, abstract: str, lang: Lang = "en", progress: Progress = no_progress
    ) -> PaperSummary:
        """Summarize from the abstract alone (the PDF could not be read); marked "abstract only"."""
        if not abstract.strip():
            raise BadInput(f"{paper_id} has neither a readable PDF nor an abstract to summarize")
        started = time.perf_counter()
        paper = Paper(id=paper_id, sha256="", title=title, abstract=abstract)
        found = paper_sentences(title, abstract, ())
        return self._write(paper, found, lang, "abstract only", progress, (), started)

    # --- writing ------------------------------------------------------------------------------
    def _write(
        self,
        paper: Paper,
        found: list[Sentence],
        lang: Lang,
        source: str,
        progress: Progress,
        tables: Sequence[StoredChunk],
        started: float,
    ) -> PaperSummary:
        chosen = extract(found, paper.title)
        total = len(SPECS) + 1 + (len(SPECS) + 2) * (lang == "zh")
        values: dict[str, Field | Points] = {}
        for done, spec in enumerate(SPECS):
            progress(spec.name, done, total)
            picks = chosen.fields[spec.name]
            if spec.name in LIST_FIELDS:
                values[spec.name] = self._points(picks, paper.title)
            elif not picks and chosen.review and spec.name in NO_EXPERIMENTS:
                values[spec.name] = Field(REVIEW_NOTE, "note")
            else:
                values[spec.name] = self._prose(picks, paper.title)
        progress("keywords", len(SPECS), total)
        values["keywords"] = self._keywords(paper)
        # The numbers the summary states as results, wherever extraction put those sentences.
        results = [values[k] for k in ("tasks_results", "conclusion_performance", "one_line", "takeaways")]
        units = [u for v in results for u in (v.units if isinstance(v, Points) else (v,))]
        claims = [q.text for u in units for q in u.quotes]
        passages = [(c.text, c.page_start) for c in tables]
        row = headline_row(passages, own_names(paper.title, paper.abstract), claims)
        translated = ""
        if lang == "zh":
            values = {k: self._translated(v) for k, v in values.items()}
            translated = translate(paper.title, self._generate)
        progress("done", total, total)
        return PaperSummary(
            paper_id=paper.id,
            title=paper.title,
            lang=lang,
            source=source,
            kind="review" if chosen.review else "empirical",
            title_translated=translated,
            model=self.generator.name,
            seconds=time.perf_counter() - started,
            results_table=Field(row.text, "paper", (Quote(row.line, row.page),))
            if row
            else Field("", "note"),
            **values,  # type: ignore[arg-type]
        )

    def _prose(self, picks: Sequence[Sentence], title: str) -> Field:
        """One field from its sentences: a short one as it is, else shortened or joined if supported."""
        if not picks:
            return Field("", "note")
        quotes = tuple(Quote(s.text, s.page) for s in picks)
        if len(picks) == 1 and len(picks[0].text.split()) <= LONG_WORDS:
            return Field(picks[0].text, "paper", quotes)
        return self._shortened(quotes, title)

    def _points(self, picks: Sequence[Sentence], title: str) -> Points:
        """A list, one item per sentence (a long one shortened), near-repeats removed."""
        units = [self._prose([s], title) for s in picks]
        return Points(tuple(units[i] for i in distinct([u.text for u in units])))

    def _shortened(self, quotes: tuple[Quote, ...], title: str) -> Field:
        """The model's shortening of the quotes when the quotes support it; else the quotes themselves."""
        texts = [q.text for q in quotes]
        raw = self._generate(shorten_prompt(texts), 80, SHORTEN_STOPS)
        text = clean_prose(raw, "")
        if text and text in texts:
            return Field(text, "paper", tuple(q for q in quotes if q.text == text))
        whole = text.endswith((".", "!")) and not text.endswith(" al.")  # not cut off at the token limit
        if whole and supported(text, texts, title) and _joined_whole(text, texts):
            return Field(text, "model", quotes)
        return Field(" ".join(texts), "paper", quotes)

    def _keywords(self, paper: Paper) -> Points:
        """The paper's own keywords, or the model's, each word of which is in the title or abstract."""
        if paper.keywords:
            return Points(tuple(Field(k, "paper", (Quote(k, 1),)) for k in paper.keywords))
        if not paper.abstract.strip():
            return Points()
        raw = self._generate(keywords_prompt(paper.title, paper.abstract), 24, KEYWORDS_STOPS)
        known = summary_words(paper.title + " " + paper.abstract)
        kept = [k for k in clean_keywords(raw) if summary_words(k) and summary_words(k) <= known]
        return Points(tuple(Field(k, "model") for k in kept))

    def _generate(self, prompt: Prompt, max_tokens: int, stop: Sequence[str]) -> str:
        """The model's text, ended early at a blank line after content or when it starts looping."""
        guard = StreamGuard()
        try:
            return self.generator.generate(prompt, max_tokens=max_tokens, stop=stop, on_token=guard)
        except StreamStopped:
            return guard.text

    def _translated(self, value: Field | Points) -> Field | Points:
        """The field (or each item) with its Chinese alongside where the model's translation is usable."""
        if isinstance(value, Points):
            return Points(tuple(self._translated(u) for u in value.units))  # type: ignore[misc]
        if not value.text:
            return value
        return replace(value, translation=translate(value.text, self._generate))


def _joined_whole(text: str, sources: Sequence[str]) -> bool:
    """Whether a joined text keeps something of each source sentence (two content words or more), and
    at least half of what a sentence alone says wherever it takes any of that: a phrase lifted from one
    sentence onto another ("Like PARP1 depletion and AZD2281, we found that CHK1 activation ...")
    makes a claim neither sentence makes."""
    said = summary_words(text)
    each = [summary_words(source) for source in sources]
    for n, words in enumerate(each):
        alone = words - set().union(*(other for i, other in enumerate(each) if i != n))
        if len(said & words) < 2 or (said & alone and len(said & alone) < 0.5 * len(alone)):
            return False
    return True


def paper_sentences(
    title: str,
    abstract: str,
    chunks: Sequence[StoredChunk],
    embed: Embed | None = None,
) -> list[Sentence]:
    """The paper's sentences in reading order, each with its page and section, judged once, and
    (given `embed`) each usable one scored for how near it is to what the paper is about.

    The abstract comes first (page 1); the chunks of the reference list, acknowledgements and
    appendices are left out, and a sentence read twice (the abstract is also a chunk) counts once.
    """
    raw: list[tuple[str, int, str, str, bool]] = []
    seen: set[str] = set()
    flat_abstract = " ".join(abstract.split())
    for text in map(_unlabelled, sentences(flat_abstract)):
        seen.add(text)
        raw.append((text, 1, "Abstract", "", True))
    # A table's rows are no summary sentences (a reader gets them in answers, cited row by row).
    text_chunks = [c for c in chunks if c.kind != "table"]
    body = [c for c in _before_back_matter(text_chunks) if not _SKIP.search(c.section)] or text_chunks
    body = _without_shown_papers(body)
    for chunk in body:
        for text, page in _chunk_sentences(chunk):
            text = _unlabelled(text)
            if text in seen:
                continue
            seen.add(text)
            in_abstract = text in flat_abstract or chunk.section.lower().startswith("abstract")
            raw.append((text, page, chunk.section, chunk.id, in_abstract))
    names = own_names(title, abstract)
    judged = _placed(classify(raw, names, title), [c.section for c in body], title, names)
    return centred(judged, embed) if embed is not None else judged


def _placed(
    found: Sequence[Sentence], headings: Sequence[str], title: str = "", names: Sequence[str] = ()
) -> list[Sentence]:
    """The sentences with where each sits: `part`, the numbered top-level section it falls under (so
    "3.2 Attention" is home to a method's sentences when it sits under "3 Model Architecture");
    `lead`, whether it is the first usable sentence of its section, which says what the section is
    about; `titled`, whether its section is named after the paper's own work (the title's words, or
    the name of what it builds: "4 The Bijective String Sorting Transform", "4 PAPER PLAIN: ...");
    `surveyed`, whether at least half the sentences of its section cite other work (related work,
    whatever its heading: "2.2 Models for scientific document processing")."""
    tops: dict[str, str] = {}
    for heading in headings:  # a top-level heading may hold no sentence of its own ("6 Results")
        number = _SECTION_NUMBER.match(heading)
        if number and not _SUBSECTION.match(heading):
            tops.setdefault(number[1], heading)
    out: list[Sentence] = []
    led: set[str] = set()
    stems = prefix_stems(title)
    citing: dict[str, list[bool]] = {}
    for s in found:
        if s.usable:
            citing.setdefault(s.section, []).append(cites_others(s))
    surveyed = {k for k, v in citing.items() if len(v) >= 3 and sum(v) >= len(v) / 2}
    for s in found:
        number = _SECTION_NUMBER.match(s.section)
        part = tops.get(number[1], "") if number else ""
        lead = s.usable and s.section not in led and not s.in_abstract
        if lead:
            led.add(s.section)
        titled = _names_work(part or s.section, stems, names)
        out.append(replace(s, part=part, lead=lead, titled=titled, surveyed=s.section in surveyed))
    return out


def _names_work(heading: str, title_stems: set[str], names: Sequence[str]) -> bool:
    """Whether a section heading names the paper's own work: two of the title's content words, or
    the name of what it builds; never the introduction, related work or the closing sections."""
    if not heading or _FRAME_HEADING.search(heading):
        return False
    if len(prefix_stems(heading) & title_stems) >= 2:
        return True
    lowered = heading.lower()
    return any(re.search(rf"\b{re.escape(n.lower())}\b", lowered) for n in names)


def _unlabelled(text: str) -> str:
    """The sentence without a structured abstract's label run into it ("Results Here, by analyzing
    ..." reads "Here, by analyzing ..."): the rest is still the paper's words, verbatim."""
    return _ABSTRACT_LABEL.sub("", text, count=1)


def _without_shown_papers(chunks: Sequence[StoredChunk]) -> list[StoredChunk]:
    """The chunks, less those under an unnumbered "Abstract" or "Introduction" heading that comes after
    the paper's second numbered section: another paper's front matter, shown in a figure (a toolkit's
    demo), whose "We introduce ..." is not this paper's."""
    out: list[StoredChunk] = []
    numbered = 0
    for chunk in chunks:
        number = _SECTION_NUMBER.match(chunk.section)
        if number:
            numbered = max(numbered, int(number[1]))
        elif numbered >= 2 and _FRONT_HEADING.match(chunk.section):
            continue
        out.append(chunk)
    return out


def _before_back_matter(chunks: Sequence[StoredChunk]) -> list[StoredChunk]:
    """The chunks before the reference list or the first appendix ("A Proofs"): the paper proper."""
    for n, chunk in enumerate(chunks):
        if n > len(chunks) // 3 and _BACK_MATTER.search(chunk.section):
            return list(chunks[:n])
    return list(chunks)


def _after_table(text: str) -> list[str]:
    """A sentence with a table row run into its start, as the row and the sentence."""
    lead = _LEADING_NUMBERS.match(text)
    if lead:
        return [lead[0], text[lead.end() :]]
    for cut in _TABLE_RUN.finditer(text):
        if _NUMBER_RUN.search(text[: cut.start()]):
            return [text[: cut.start()], text[cut.start() :]]
    return [text]


def _chunk_sentences(chunk: StoredChunk) -> list[tuple[str, int]]:
    """A chunk's sentences, verbatim, each with the page it starts on; a bulleted list is one per item."""
    out: list[tuple[str, int]] = []
    cursor = 0
    pieces = [p.strip() for s in sentences(chunk.text) for b in _BULLETS.split(s) for p in _after_table(b)]
    for text in (p for p in pieces if p):
        at = chunk.text.find(text, cursor)
        cursor = max(cursor, at)
        pages = [page for offset, page in chunk.page_starts if 0 <= offset <= at]
        out.append((text, pages[-1] if pages else chunk.page_start))
    return out
