"""Notifications: the in-app inbox (more channels come with visits)."""
