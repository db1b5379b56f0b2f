"""Projections: workers that turn recorded events into read models, and replay."""
