"""How the bureau counts a service: by its form (入户调研, 个案服务, 小组服务, 社区活动, other) and by its
content (身体康复, 学业辅导, 心理疏导, 素质提升, 夏冬令营等其他服务, or none). Each service type has a default
form and content here, the one place they live; a visit may override either (Visit.service_form,
Visit.service_content, where "none" says "no content" explicitly)."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, literal

FORMS = {
    "home_visit_survey": _l("Home-visit survey"),
    "case_service": _l("Case service"),
    "group_service": _l("Group service"),
    "community_activity": _l("Community activity"),
    "other": _l("Other form"),
}
CONTENTS = {
    "rehabilitation": _l("Physical rehabilitation"),
    "tutoring": _l("Tutoring"),
    "counselling": _l("Psychological counselling"),
    "quality": _l("Quality improvement"),
    "camp_other": _l("Summer and winter camps and other services"),
}
NO_CONTENT = "none"

# service type -> (form, content or None): a home-visit survey has no content.
DEFAULTS = {
    "home_visit_survey": ("home_visit_survey", None),
    "case_service": ("case_service", "camp_other"),
    "group_service": ("group_service", "quality"),
    "community_activity": ("community_activity", "quality"),
    "tutoring": ("case_service", "tutoring"),
    "counselling": ("case_service", "counselling"),
    "rehabilitation": ("case_service", "rehabilitation"),
    "companionship": ("case_service", "camp_other"),
    "safety_education": ("group_service", "quality"),
    "camp": ("other", "camp_other"),
}


def default_form(service_type: str) -> str:
    return DEFAULTS.get(service_type, ("other", None))[0]


def default_content(service_type: str) -> str | None:
    return DEFAULTS.get(service_type, ("other", None))[1]


def form_of(service_type: str, override: str | None = None) -> str:
    """The form a service counts under: its own override, else its type's default."""
    return override if override in FORMS else default_form(service_type)


def content_of(service_type: str, override: str | None = None) -> str | None:
    """The content a service counts under (None: no content)."""
    if override == NO_CONTENT:
        return None
    return override if override in CONTENTS else default_content(service_type)


def form_sql(service_type_col, override_col):
    """SQL for form_of(): the override, else the type's default ('other' for an unknown type)."""
    default = case({t: f for t, (f, _) in DEFAULTS.items()}, value=service_type_col, else_=literal("other"))
    return func.coalesce(override_col, default)


def content_sql(service_type_col, override_col):
    """SQL for content_of(): NULL for no content."""
    default = case({t: c for t, (_, c) in DEFAULTS.items() if c}, value=service_type_col, else_=literal(None))
    return case((override_col == NO_CONTENT, literal(None)), else_=func.coalesce(override_col, default))
