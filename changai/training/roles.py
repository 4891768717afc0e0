"""Permissions this app grants to each role (merged into changai.accounts.roles.ROLE_PERMISSIONS)."""

PERMISSIONS = {}
