"""Volunteer profiles: skills, credentials, availability, home location, capacity."""
