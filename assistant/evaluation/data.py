"""Loaders for the benchmark formats `paperlamp eval` reads (LitQA2, QASPER, SciFact/BEIR).

Each loader returns plain records; the documents that are not PDFs (QASPER full texts, SciFact
abstracts) become `Document`s so they go through the same chunking and indexing as any paper.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import BadInput
from ingest.types import Block, Document, PaperMeta


@dataclass(frozen=True)
class LitQA2Question:
    """A LitQA2 multiple-choice question with its source paper and key passage."""

    id: str
    question: str
    ideal: str
    distractors: tuple[str, ...]
    key_passage: str
    pdf: Path | None  # the paper's PDF, when the data folder has it


@dataclass(frozen=True)
class EvalDoc:
    """A text document of an evaluation corpus, with its id."""

    id: str
    meta: PaperMeta
    doc: Document


@dataclass(frozen=True)
class QasperQuestion:
    """A QASPER question about one paper, with its gold evidence paragraphs and answers."""

    id: str
    paper_id: str
    question: str
    answerable: bool
    evidence: tuple[str, ...]
    answers: tuple[str, ...]


def _read_jsonl(path: Path) -> Iterator[dict]:
    if not path.is_file():
        raise BadInput(f"{path} not found")
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def load_litqa2(data: Path) -> list[LitQA2Question]:
    """LitQA2 questions from `data` (a folder with dev.jsonl and pdfs/, or the .jsonl itself)."""
    path = data / "dev.jsonl" if data.is_dir() else data
    folder = path.parent
    out = []
    for row in _read_jsonl(path):
        pdfs = [folder / p for p in row.get("local_pdfs", [])]
        out.append(
            LitQA2Question(
                id=row["id"],
                question=row["question"],
                ideal=row["ideal"],
                distractors=tuple(row["distractors"]),
                key_passage=row.get("key-passage", ""),
                pdf=next((p for p in pdfs if p.is_file()), None),
            )
        )
    return out


def litqa2_pdfs(data: Path) -> list[Path]:
    """Every PDF of the LitQA2 data folder (the library the questions are asked of)."""
    folder = (data if data.is_dir() else data.parent) / "pdfs"
    return sorted(folder.glob("*.pdf"))


def load_qasper(data: Path) -> tuple[list[EvalDoc], list[QasperQuestion]]:
    """QASPER papers (as documents of sections and paragraphs) and their questions."""
    path = data / "dev.json" if data.is_dir() else data
    if not path.is_file():
        raise BadInput(f"{path} not found")
    papers = json.loads(path.read_text(encoding="utf-8"))
    docs: list[EvalDoc] = []
    questions: list[QasperQuestion] = []
    for pid, paper in papers.items():
        blocks = [Block(1, paper["abstract"], (0, 0, 0, 0), section="Abstract")]
        for section in paper["full_text"]:
            name = (section.get("section_name") or "").split(":::")[-1].strip()
            blocks += [Block(1, p, (0, 0, 0, 0), section=name) for p in section["paragraphs"] if p.strip()]
        meta = PaperMeta(title=paper["title"], abstract=paper["abstract"])
        docs.append(EvalDoc(f"qasper:{pid}", meta, Document(tuple(blocks), 1)))
        for qa in paper["qas"]:
            answers = [a["answer"] for a in qa["answers"]]
            answerable = any(not a["unanswerable"] for a in answers)
            evidence = {
                e for a in answers for e in a.get("evidence", []) if not e.startswith("FLOAT SELECTED")
            }
            questions.append(
                QasperQuestion(
                    id=qa["question_id"],
                    paper_id=f"qasper:{pid}",
                    question=qa["question"],
                    answerable=answerable,
                    evidence=tuple(sorted(evidence)),
                    answers=tuple(_qasper_answer_text(a) for a in answers if not a["unanswerable"]),
                )
            )
    return docs, questions


def _qasper_answer_text(answer: dict) -> str:
    if answer.get("extractive_spans"):
        return " ".join(answer["extractive_spans"])
    if answer.get("free_form_answer"):
        return str(answer["free_form_answer"])
    if answer.get("yes_no") is not None:
        return "yes" if answer["yes_no"] else "no"
    return ""


def load_scifact(data: Path) -> tuple[list[EvalDoc], dict[str, str], dict[str, dict[str, int]]]:
    """SciFact in BEIR layout: abstracts as documents, claims by id, and relevance judgments."""
    docs = []
    for row in _read_jsonl(data / "corpus.jsonl"):
        text = row.get("text", "")
        block = Block(1, text, (0, 0, 0, 0), section="Abstract")
        meta = PaperMeta(title=row.get("title", ""), abstract=text)
        docs.append(EvalDoc(f"scifact:{row['_id']}", meta, Document((block,), 1)))
    queries = {str(r["_id"]): r["text"] for r in _read_jsonl(data / "queries.jsonl")}
    qrels: dict[str, dict[str, int]] = {}
    qrels_dir = data / "qrels"
    for name in ("train.tsv", "test.tsv", "dev.tsv"):
        path = qrels_dir / name
        if not path.is_file():
            continue
        with path.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                qrels.setdefault(str(row["query-id"]), {})[f"scifact:{row['corpus-id']}"] = int(row["score"])
    return docs, queries, qrels
