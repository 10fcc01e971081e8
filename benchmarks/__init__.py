"""Benchmarks of the assessment pipeline against the bare cost of the same work."""
