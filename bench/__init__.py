"""Benchmarks that print figures next to their baselines (never timed assertions).

Run with `make bench` (or `python -m bench`). See bench/RESULTS.md for the last run.
"""
