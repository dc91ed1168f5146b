"""Organisations: social-work agencies, charity clubs, caring units, government units."""
