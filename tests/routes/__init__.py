"""What every role gets on every route. Each package adds its routes in its own module here.

An entry: endpoint -> (method, path, {role: status}); roles not listed get `default`.
Path placeholders: {child} (a child in 崂山区), {need}, {wish}, {org}, {token}, {volunteer}.
Roles: anonymous, volunteer, org_member, org_admin, coordinator (崂山区), outsider (a coordinator of
市北区, so 崂山区's child is outside its scope), admin.
"""
import importlib
import pkgutil

ROLES = ("anonymous", "volunteer", "org_member", "org_admin", "coordinator", "outsider", "admin")


def expected() -> dict:
    """Merge the EXPECTED dicts of every module in this package."""
    merged = {}
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for endpoint, spec in module.EXPECTED.items():
            assert endpoint not in merged, f"{endpoint} listed twice"
            merged[endpoint] = spec
    return merged


def status_for(spec, role):
    """The status a role should get for one entry."""
    method, path, statuses = spec
    return statuses.get(role, statuses.get("default"))
