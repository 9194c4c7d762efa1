"""Importing a researcher's own library (Zotero, BibTeX, CSL-JSON): incremental and idempotent.

Every source is read into a Snapshot (ingest/references.py); each item is then planned, and the
plan carried out (or, for a dry run, only reported). What an item is matched to, in order:

1. its link from the last import (the item's key in that source): unchanged if what was imported
   then (its fingerprint: metadata, collections, tags, and each file's size and time) is the same,
   else its metadata is updated without reading or embedding the PDF again;
2. a paper whose PDF has the same content hash: one PDF is one paper, whichever way it came in;
3. a paper of the same work, by DOI or by arXiv id without version: the item's file is another
   file of that work, recorded with it and not indexed (the first file stays the one searched and
   cited, so one work never answers twice);
4. otherwise its first PDF is added; an item without a PDF is reported and skipped.

Metadata from the source wins over what the PDF yields; the first source that linked a paper
(other than as another file) owns its metadata. Items removed or trashed in the source are
reported; `prune` removes their links, and the papers the import itself added once nothing
else links them.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Literal

from assistant.domain import Paper, Progress, no_progress
from assistant.library.library import Library
from ingest.bibtex import read_bib
from ingest.csl import read_csl
from ingest.errors import UnreadableInput
from ingest.files import check_pdf_file
from ingest.references import BadItem, Reference, Snapshot, bare_arxiv, plain_doi
from ingest.zotero import read_zotero
from models.catalog import SourceLink
from models.home import sha256_of

ImportStatus = Literal[
    "added", "linked", "same-work", "updated", "unchanged", "no-pdf", "failed", "gone", "removed"
]


@dataclass(frozen=True)
class ImportResult:
    """What happened to one item of the source (one line of output)."""

    key: str
    where: str
    status: ImportStatus
    paper_id: str = ""
    title: str = ""
    reason: str = ""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """Whether the item was taken as it should be (a skip is not a failure)."""
        return self.status != "failed"

    def to_json(self) -> dict[str, Any]:
        """The result as a JSON-ready dict."""
        return asdict(self) | {"seconds": round(self.seconds, 3)}


@dataclass(frozen=True)
class _Plan:
    """What to do with one item: the status it will have, and what carrying it out needs."""

    status: ImportStatus
    reason: str = ""
    paper: Paper | None = None  # the paper it goes with, when already in the library
    file: Path | None = None  # the PDF to add, for "added"
    role: str = "metadata"
    replaces: Paper | None = None  # the paper of the item's previous PDF, when its PDF changed


class Importer:
    """Brings a foreign library's items into the paperlamp library, and keeps them in step."""

    def __init__(self, library: Library, zotero_base_dir: Path | None = None) -> None:
        self.library = library
        self.catalog = library.catalog
        self.zotero_base_dir = zotero_base_dir

    def zotero(
        self,
        data_dir: Path,
        *,
        collections: Sequence[str] = (),
        tags: Sequence[str] = (),
        base_dir: Path | None = None,
        prune: bool = False,
        dry_run: bool = False,
        progress: Progress = no_progress,
    ) -> Iterator[ImportResult]:
        """Import a Zotero data directory, read now as a snapshot (see `run`)."""
        snapshot = read_zotero(
            data_dir, collections=collections, tags=tags, base_dir=base_dir or self.zotero_base_dir
        )
        return self.run(snapshot, prune=prune, dry_run=dry_run, progress=progress)

    def bib(
        self, path: Path, *, prune: bool = False, dry_run: bool = False, progress: Progress = no_progress
    ) -> Iterator[ImportResult]:
        """Import a .bib file (see `run`)."""
        return self.run(read_bib(path), prune=prune, dry_run=dry_run, progress=progress)

    def csl(
        self, path: Path, *, prune: bool = False, dry_run: bool = False, progress: Progress = no_progress
    ) -> Iterator[ImportResult]:
        """Import a CSL-JSON file (see `run`)."""
        return self.run(read_csl(path), prune=prune, dry_run=dry_run, progress=progress)

    def run(
        self,
        snapshot: Snapshot,
        *,
        prune: bool = False,
        dry_run: bool = False,
        progress: Progress = no_progress,
    ) -> Iterator[ImportResult]:
        """Import every item of the snapshot, one result each, then report (or prune) what left it."""
        links = self.catalog.links(snapshot.kind, snapshot.origin)
        total = len(snapshot.items)
        for n, item in enumerate(snapshot.items):
            progress(item.key, n, total)
            started = time.perf_counter()
            result = self._one(snapshot, item, links.get(item.key), dry_run)
            yield replace(result, seconds=time.perf_counter() - started)
        progress("", total, total)
        for key, link in sorted(links.items()):
            if key not in snapshot.present:
                yield self._gone(snapshot, link, prune and not dry_run)

    def _one(
        self, snapshot: Snapshot, item: Reference | BadItem, link: SourceLink | None, dry_run: bool
    ) -> ImportResult:
        if isinstance(item, BadItem):
            return ImportResult(item.key, item.where, "failed", reason=f"{item.where}: {item.reason}")
        fingerprint = fingerprint_of(item)
        if link is not None and link.fingerprint == fingerprint:
            return ImportResult(item.key, item.where, "unchanged", link.paper_id, item.title)
        try:
            plan = self._plan(item, link)
        except UnreadableInput as exc:
            return ImportResult(item.key, item.where, "failed", reason=f"{item.where}: {exc}")
        if plan.status in ("failed", "no-pdf") or dry_run:
            paper_id = plan.paper.id if plan.paper else ""
            return ImportResult(item.key, item.where, plan.status, paper_id, item.title, plan.reason)
        try:
            paper = self._carry_out(plan, item)
        except UnreadableInput as exc:
            return ImportResult(item.key, item.where, "failed", reason=f"{item.where}: {exc}")
        role = plan.role if link is None or plan.replaces is not None else link.role
        self._link(snapshot, item, paper, role, fingerprint, plan)
        return ImportResult(item.key, item.where, plan.status, paper.id, paper.title, plan.reason)

    def _plan(self, item: Reference, link: SourceLink | None) -> _Plan:
        """Which paper an item goes with (see the module doc), without writing anything."""
        current = self.catalog.paper(link.paper_id) if link is not None else None
        if link is None or current is None:
            return self._match(item, None)
        if link.role == "file" or not self._pdf_changed(item, current):
            return _Plan("updated", paper=current, role=link.role)
        plan = self._match(item, current)
        if plan.status in ("failed", "no-pdf"):
            return _Plan("updated", paper=current, role=link.role)  # keep the PDF it had
        reason = _join("its PDF changed; the new one replaces the old", plan.reason)
        return replace(plan, status="updated", reason=reason, replaces=current)

    def _pdf_changed(self, item: Reference, paper: Paper) -> bool:
        first = next((p for p in item.files if p.is_file()), None)
        return first is not None and sha256_of(first) != paper.sha256

    def _match(self, item: Reference, previous: Paper | None) -> _Plan:
        """A new item's paper: by content hash, then by DOI or arXiv id, else its PDF is added."""
        if not item.files:
            match = self._same_work(item)
            if match is not None:
                return _Plan("linked", "no PDF; matched by DOI or arXiv id", paper=match)
            return _Plan("no-pdf", f"{item.where}: no PDF attached; skipped")
        usable, problems = [], list(item.problems)
        for path in item.files:
            try:
                check_pdf_file(path, self.library.max_pdf_bytes)
                usable.append(path)
            except UnreadableInput as exc:
                problems.append(f"{path}: {str(exc).partition(': ')[2] or exc}")
        if not usable:
            return _Plan("failed", f"{item.where}: {'; '.join(problems)}")
        path = usable[0]
        note = "; ".join(
            [f"{len(usable)} PDFs, indexed {path.name}"] * (len(usable) > 1)
            + [f"skipped {p}" for p in problems]
        )
        existing = self.catalog.paper_by_sha256(sha256_of(path))
        if existing is not None:
            return _Plan("linked", _join("same PDF as a paper already in the library", note), paper=existing)
        match = self._same_work(item)
        if match is not None and match != previous:
            reason = f"another file of {match.id} (same DOI or arXiv id); recorded, not indexed"
            return _Plan("same-work", _join(reason, note), paper=match, file=path, role="file")
        return _Plan("added", note, file=path, role="added")

    def _same_work(self, item: Reference) -> Paper | None:
        """A complete paper of the same work: the same DOI, or the same arXiv id in any version."""
        for ref in (plain_doi(item.doi), bare_arxiv(item.arxiv_id)):
            if not ref:
                continue
            found = [p for p in self.catalog.find_papers(ref) if p.status == "complete"]
            same = [p for p in found if plain_doi(p.doi) == ref or bare_arxiv(p.arxiv_id) == ref]
            if same:
                return same[0]
        return None

    def _carry_out(self, plan: _Plan, item: Reference) -> Paper:
        """Add the PDF if the plan says so, then apply the item's metadata if it owns the paper's."""
        paper = plan.paper
        if plan.role == "added" and plan.file is not None:
            result = next(iter(self.library.add([plan.file])))
            paper = self.catalog.paper(result.paper_id) if result.ok else None
            if paper is None:
                raise UnreadableInput(result.reason or "the PDF could not be added")
        if plan.replaces is not None and paper is not None and paper.id != plan.replaces.id:
            self._drop_replaced(plan.replaces, item.key)
        if paper is None:
            raise UnreadableInput("no paper to link")  # every plan but a new PDF's names its paper
        owners = [link for link in self.catalog.links_of(paper.id) if link.role != "file"]
        owns = plan.role != "file" and (not owners or owners[0].key == item.key)
        if owns:
            paper = with_metadata(paper, item)
            self.catalog.update_metadata(paper)
        return paper

    def _drop_replaced(self, old: Paper, key: str) -> None:
        """Remove the paper of an item's previous PDF, if the import added it and only it links it."""
        links = self.catalog.links_of(old.id)
        if all(link.key == key for link in links) and any(link.role == "added" for link in links):
            self.library.remove(old.id)

    def _link(
        self, snapshot: Snapshot, item: Reference, paper: Paper, role: str, fingerprint: str, plan: _Plan
    ) -> None:
        file = plan.file or (item.files[0] if item.files else None)
        self.catalog.put_link(
            SourceLink(
                kind=snapshot.kind,
                origin=snapshot.origin,
                key=item.key,
                paper_id=paper.id,
                role=role,
                fingerprint=fingerprint,
                citekey=item.citekey,
                collections=item.collections,
                tags=item.tags,
                link=item.link,
                file=str(file or ""),
            )
        )
        if item.citekey and paper.id not in self.catalog.citekeys():
            self.catalog.claim_citekey(paper.id, item.citekey)

    def _gone(self, snapshot: Snapshot, link: SourceLink, prune: bool) -> ImportResult:
        """An item the source no longer holds (deleted, or in its trash): reported, or pruned."""
        where = f"item {link.key}" if snapshot.kind == "zotero" else link.key
        why = "in the trash" if link.key in snapshot.trashed else "no longer in the source"
        paper = self.catalog.paper(link.paper_id)
        title = paper.title if paper else ""
        if not prune:
            reason = f"{where}: {why}; --prune removes it from the library"
            return ImportResult(link.key, where, "gone", link.paper_id, title, reason)
        self.catalog.delete_link(snapshot.kind, snapshot.origin, link.key)
        if paper is not None and link.role == "added" and not self.catalog.links_of(paper.id):
            self.library.remove(paper.id)
            return ImportResult(link.key, where, "removed", paper.id, title, f"{where}: {why}")
        reason = f"{where}: {why}; its link was removed (the paper came from elsewhere too)"
        return ImportResult(link.key, where, "removed", link.paper_id, title, reason)


def with_metadata(paper: Paper, item: Reference) -> Paper:
    """The paper with the item's metadata where the item has it (the source wins over the PDF)."""
    arxiv = paper.arxiv_id if bare_arxiv(paper.arxiv_id) == bare_arxiv(item.arxiv_id) else item.arxiv_id
    extra = {k: v for k, v in paper.extra.items() if k not in ("bib", "zotero")}
    if item.bib_fields():
        extra["bib"] = item.bib_fields()
    if item.link:
        extra["zotero"] = {"key": item.key, "library_id": item.library_id, "link": item.link}
    return replace(
        paper,
        title=item.title or paper.title,
        authors=item.authors or paper.authors,
        year=item.year or paper.year,
        doi=item.doi or paper.doi,
        arxiv_id=arxiv or paper.arxiv_id,
        abstract=item.abstract or paper.abstract,
        extra=extra,
    )


def fingerprint_of(item: Reference) -> str:
    """What an import of this item depends on: its metadata and each file's size and time."""
    facts = asdict(item)
    facts.pop("where")  # a .bib entry's line moves when an entry above it changes
    facts["files"] = [_file_facts(p) for p in item.files]
    return hashlib.sha256(json.dumps(facts, sort_keys=True, default=str).encode()).hexdigest()


def _file_facts(path: Path) -> list[object]:
    try:
        stat = path.stat()
    except OSError:
        return [str(path), None]
    return [str(path), stat.st_size, stat.st_mtime_ns]


def _join(*parts: str) -> str:
    return "; ".join(p for p in parts if p)
