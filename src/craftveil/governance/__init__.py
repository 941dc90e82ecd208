"""Governance: review cadence, permitted analyses, release history and the incident log."""
