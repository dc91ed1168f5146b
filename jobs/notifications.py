"""Notification jobs."""
from volunteer.notifications import services


def send_welcome(user_id: int) -> bool:
    """Put the welcome message in a new volunteer's inbox (safe to run twice)."""
    return services.send_welcome(user_id)
