"""Accounts: sign-up, login, roles and scopes."""
