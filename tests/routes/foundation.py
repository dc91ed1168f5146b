"""Routes of the foundation: home, accounts, profile, inbox, jobs, health, static."""
LOGIN = 302  # anonymous users are sent to the login page
EXPECTED = {
    "home.index": ("GET", "/", {"default": 200}),
    "home.set_locale": ("POST", "/locale", {"default": 302}),
    "accounts.signup": ("GET", "/signup", {"anonymous": 200, "default": 302}),
    "accounts.login": ("GET", "/login", {"anonymous": 200, "default": 302}),
    "accounts.logout": ("POST", "/logout", {"default": 302}),
    "volunteers.profile": ("GET", "/me/profile", {"anonymous": LOGIN, "volunteer": 200, "default": 403}),
    "volunteers.towns": ("GET", "/divisions/towns?district=370212", {"anonymous": LOGIN, "default": 200}),
    "volunteers.credentials": ("GET", "/coordinate/credentials",
                               {"anonymous": LOGIN, "coordinator": 200, "outsider": 200, "admin": 200,
                                "default": 403}),
    "volunteers.decide": ("POST", "/coordinate/credentials/999",
                          {"anonymous": LOGIN, "coordinator": 400, "outsider": 400, "admin": 400,
                           "default": 403}),
    "notifications.inbox": ("GET", "/inbox/", {"anonymous": LOGIN, "default": 200}),
    "notifications.read": ("POST", "/inbox/999/read", {"anonymous": LOGIN, "default": 404}),
    "tasks.status": ("GET", "/jobs/abc", {"anonymous": LOGIN, "default": 404}),
    "health.healthz": ("GET", "/healthz", {"default": 503}),
    "static": ("GET", "/static/css/app.css", {"default": 200}),
}
