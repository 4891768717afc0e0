"""API routes of this app, registered by changai/api/urls.py."""

ROUTES = []
