"""Attendance: the organiser's changing QR code, the volunteer's scan (or typed code), sign-in by hand."""
