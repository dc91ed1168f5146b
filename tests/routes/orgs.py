"""Routes of organisations: list, register (staff), members, invitations."""
LOGIN = 302
EXPECTED = {
    "orgs.index": ("GET", "/orgs", {"anonymous": LOGIN, "volunteer": 403, "default": 200}),
    "orgs.new": ("GET", "/orgs/new",
                 {"anonymous": LOGIN, "coordinator": 200, "outsider": 200, "admin": 200, "default": 403}),
    # {org} is the world's organisation: its member and admin may open it.
    "orgs.detail": ("GET", "/orgs/{org}", {"anonymous": LOGIN, "volunteer": 403, "default": 200}),
    # No phone sent: 422 for those who may manage members.
    "orgs.invite": ("POST", "/orgs/{org}/invitations",
                    {"anonymous": LOGIN, "volunteer": 403, "org_member": 403, "default": 422}),
    # No such invitation: 404 for those who may manage members.
    "orgs.withdraw": ("POST", "/orgs/{org}/invitations/999999/withdraw",
                      {"anonymous": LOGIN, "volunteer": 403, "org_member": 403, "default": 404}),
    # {volunteer} is not a member of the organisation: 404 for those who may manage members.
    "orgs.set_role": ("POST", "/orgs/{org}/members/{volunteer}/role",
                      {"anonymous": LOGIN, "volunteer": 403, "org_member": 403, "default": 404}),
    "orgs.my_invitations": ("GET", "/invitations",
                            {"anonymous": LOGIN, "coordinator": 403, "outsider": 403, "admin": 403, "default": 200}),
    # No such invitation: 404 for those who may be invited.
    "orgs.answer": ("POST", "/invitations/999999/answer",
                    {"anonymous": LOGIN, "coordinator": 403, "outsider": 403, "admin": 403, "default": 404}),
    # {volunteer} is not a member of the organisation: 404 for those who may manage members.
    "orgs.remove_member": ("POST", "/orgs/{org}/members/{volunteer}/remove",
                           {"anonymous": LOGIN, "volunteer": 403, "org_member": 403, "default": 404}),
}
