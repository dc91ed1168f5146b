"""Visits: assignment, offers, reminders, check-in/out, reports."""
