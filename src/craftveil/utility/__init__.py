"""Utility: the analytics people run, on the raw and on the released data, compared."""
