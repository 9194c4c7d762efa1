"""Model and store adapters: embedder, generator, vector store, and the on-disk catalog.

Each wraps one third-party library behind a small Protocol; nothing here knows about papers'
layout or PDFs.
"""
