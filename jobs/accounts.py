"""Account jobs."""
from volunteer.accounts import signup


def send_signup_message(request_id: int) -> str:
    """Send a sign-up's code to its phone, or tell the number's owner of the attempt."""
    return signup.send_signup_message(request_id)
