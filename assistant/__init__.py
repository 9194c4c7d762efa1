"""The use cases: library, search, ask, summarize, digest, compare; wires the parts together."""
