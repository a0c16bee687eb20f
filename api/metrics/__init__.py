"""Metrics service: product events, per-organisation summaries, Prometheus exposition."""
