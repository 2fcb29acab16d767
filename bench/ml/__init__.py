"""Benchmarks of the reviewer's classifier."""
