"""The string forms of the ids the catalog and the vector store share, in one place.

A paper's id is its canonical reference (`sha256:<hex>`, `arxiv:2401.01234v2`, an evaluation
corpus's own id). Its index-th chunk is `<paper id>#<index>`; a chunk is embedded as one or more
windows, whose vectors are `<chunk id>~<n>`. Ids are deterministic, so a resumed add upserts the
vectors it already wrote instead of duplicating them.
"""

from __future__ import annotations


def chunk_id(paper_id: str, index: int) -> str:
    """The id of a paper's index-th chunk."""
    return f"{paper_id}#{index}"


def vector_id(chunk: str, window: int) -> str:
    """The id of the vector of a chunk's window-th window."""
    return f"{chunk}~{window}"


def chunk_of(vector: str) -> str:
    """The chunk id a vector id belongs to."""
    return vector.rsplit("~", 1)[0]


def paper_of(chunk_or_vector: str) -> str:
    """The paper id a chunk id or vector id belongs to."""
    return chunk_or_vector.rsplit("#", 1)[0]
