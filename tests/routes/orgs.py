"""Routes of organisations: list, register (staff), members."""
LOGIN = 302
EXPECTED = {
    "orgs.index": ("GET", "/orgs", {"anonymous": LOGIN, "volunteer": 403, "default": 200}),
    "orgs.new": ("GET", "/orgs/new",
                 {"anonymous": LOGIN, "coordinator": 200, "outsider": 200, "admin": 200, "default": 403}),
    # {org} is the world's organisation: its member and admin may open it.
    "orgs.detail": ("GET", "/orgs/{org}", {"anonymous": LOGIN, "volunteer": 403, "default": 200}),
    # No phone sent: 422 for those who may manage members.
    "orgs.add_member": ("POST", "/orgs/{org}/members",
                        {"anonymous": LOGIN, "volunteer": 403, "org_member": 403, "default": 422}),
    # {volunteer} is not a member of the organisation: 404 for those who may manage members.
    "orgs.remove_member": ("POST", "/orgs/{org}/members/{volunteer}/remove",
                           {"anonymous": LOGIN, "volunteer": 403, "org_member": 403, "default": 404}),
}
