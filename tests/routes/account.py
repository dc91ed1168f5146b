"""Routes of the account page's own actions (the page itself, password and log out are in foundation.py)."""
LOGIN = 302  # anonymous users are sent to the login page
SELF_SERVICE = {"volunteer": 200, "org_member": 200, "org_admin": 200}
EXPECTED = {
    # An empty form: the name is required.
    "accounts.update_account_details": ("POST", "/account/details", {"anonymous": LOGIN, "default": 422}),
    "accounts.my_data": ("GET", "/account/data", {"anonymous": LOGIN, "default": 200}),
    "accounts.my_data_json": ("GET", "/account/data.json", {"anonymous": LOGIN, "default": 200}),
    # Staff accounts are closed by an administrator: their way there leads back to the account page.
    "accounts.delete_account": ("GET", "/account/delete", {"anonymous": LOGIN, **SELF_SERVICE, "default": 302}),
    # Nothing to keep: back to the account page.
    "accounts.cancel_deletion": ("POST", "/account/deletion/cancel", {"default": 302}),
}
