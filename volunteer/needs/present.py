"""Needs and wishes as dicts, cut to what the viewer's role allows."""
from .. import access


def need_full(need) -> dict:
    """Every field of a need."""
    record = {f: getattr(need, f, None) for f in access.FIELDS["need"]["full"]}
    record.update(child_ref=need.child.ref, skills=need.skill_codes)
    return access.project(record, "need", "full")


def need_card(need) -> dict:
    """A need as volunteers see it: no free-text details, which may describe the child."""
    return access.project(need_full(need), "need", "card")
