"""Per-paper summaries written from the full text: fields, prompts, cleaning what a model writes,
translation to Chinese, and the summaries kept in the library."""
