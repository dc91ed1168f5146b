"""Who may do what: role checks and coordinator scopes, in one place."""
from functools import wraps

from flask import abort
from flask_login import current_user, login_required


def in_scope(user, division_code: str | None) -> bool:
    """Tell whether a division (district, town or village code) lies inside user's scope."""
    if user.role == "admin" or (user.role == "coordinator" and user.scope_level == "city"):
        return True
    if user.role != "coordinator" or not user.scope_code or not division_code:
        return False
    # Statistical codes nest by prefix: district 370212, town 370212xxx, village 370212xxxyyy.
    return division_code.startswith(user.scope_code)


def scope_prefix(user) -> str | None:
    """Return the code prefix a staff user's queries are limited to ('' for the whole city)."""
    if user.role == "admin" or (user.role == "coordinator" and user.scope_level == "city"):
        return ""
    if user.role == "coordinator" and user.scope_code:
        return user.scope_code
    return None


def roles_required(*roles):
    """View decorator: the logged-in user must have one of roles (404 would leak less, 403 is honest)."""
    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorator


staff_required = roles_required("coordinator", "admin")
