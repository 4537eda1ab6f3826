"""Gloss's test suite; folders mirror the apps."""
