"""Finding passages: hybrid search (dense + BM25), score fusion, the sentence reranker, highlighting."""
