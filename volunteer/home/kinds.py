"""Which home a user gets, and what each home shows: one summary function per kind of home."""
from importlib import import_module

KINDS = ("coordinator", "admin", "volunteer", "org", "donor")


def home_kind(user) -> str:
    """coordinator, admin, volunteer, donor (a member of a caring unit) or org (any other organisation)."""
    if user.role in ("coordinator", "admin", "volunteer"):
        return user.role
    org = getattr(user, "organisation", None)
    return "donor" if org is not None and org.kind == "caring_unit" else "org"


def summary(user) -> tuple[str, dict]:
    """(kind, the template context of that home): volunteer.home.<kind>.summary(user)."""
    kind = home_kind(user)
    return kind, import_module(f"{__package__}.{kind}").summary(user)
