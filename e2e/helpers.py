"""What several browser tests do the same way."""
from volunteer.validation import display_phone

PASSWORD = "Huhang-2026"  # make_user's default


def log_in(page, base, user):
    """Log user in through the login form and wait for the home page."""
    page.goto(base + "/login")
    page.fill("#phone", display_phone(user.phone))
    page.fill("#password", PASSWORD)
    page.locator("form.card button[type=submit]").click()
    page.wait_for_url(base + "/", wait_until="domcontentloaded")
