"""Volunteer activities: group services, community activities and camps with exact sign-up places."""
