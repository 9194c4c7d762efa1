"""Getting papers in: PDF reading, metadata, figures, chunking and the arXiv client.

Nothing here knows about models or stores; `assistant` takes what this package produces.
"""
