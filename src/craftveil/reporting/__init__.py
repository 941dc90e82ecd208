"""Projections of a release: manifest, masking record, report, notice, lineage."""
