"""Tests of the corpus app (models, services, commands, views)."""
