"""Importers of the orgs app (being written)."""
