"""Routes of the privacy notice, password reset by SMS code and phone-number change."""
LOGIN = 302  # anonymous users are sent to the login page
EXPECTED = {
    "privacy.notice": ("GET", "/privacy", {"default": 200}),
    # Nobody in the test world has a new notice to accept: back where they came from.
    "privacy.accept": ("GET", "/privacy/accept", {"default": 302}),
    # A forgotten password is for people who are not logged in; the logged-in go to their account page.
    "accounts.forgot": ("GET", "/password/forgot", {"anonymous": 200, "default": 302}),
    "accounts.reset": ("GET", "/password/reset", {"default": 302}),  # no reset waiting: back to the first step
    "accounts.phone_change": ("GET", "/account/phone", {"anonymous": LOGIN, "default": 200}),
    "accounts.phone_confirm": ("GET", "/account/phone/confirm", {"default": 302}),  # no change waiting
}
