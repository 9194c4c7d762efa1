"""Topic digests: new arXiv papers fetched, summarized and posted as Markdown and JSON."""
