"""Volunteers' pages: activities near me (list and map), one activity, sign up and cancel."""
