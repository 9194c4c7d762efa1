"""Cited answers: asking the library, the grounding check every answer passes, comparisons, the
prompts they send, and the history of questions asked."""
