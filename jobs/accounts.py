"""Account jobs."""
from volunteer.accounts import deletion, signup


def send_signup_message(request_id: int) -> str:
    """Send a sign-up's code to its phone, or tell the number's owner of the attempt."""
    return signup.send_signup_message(request_id)


def erase_due() -> int:
    """Erase the personal data of every account whose deletion grace has passed (each once, however many
    runs overlap), then come back later: the job re-schedules itself first, so a failing run keeps the chain."""
    deletion.schedule_erasure()
    return deletion.erase_due()


def send_code(code_id: int) -> str:
    """Draw and send a password-reset or phone-change code by SMS (accounts/codes.py)."""
    from volunteer.accounts import codes

    return codes.send_code(code_id)
