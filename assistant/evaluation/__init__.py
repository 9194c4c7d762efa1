"""The benchmarks behind `paperlamp eval` and bench/: their data, retrieval and answer scores."""
