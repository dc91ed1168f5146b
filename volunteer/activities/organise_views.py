"""Organisers' pages: create, edit, publish, close, cancel, mark done; the children taking part; sign-ups."""
