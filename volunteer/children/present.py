"""Children as dicts for pages and the API, cut to what the viewer's role allows."""
from .. import access
from .cards import age_on, card, town_name


def full(child) -> dict:
    """Every field of a child (only for viewers access.VIEWS allows 'full')."""
    c = child.consent
    record = {f: getattr(child, f) for f in access.FIELDS["child"]["full"] if hasattr(child, f)}
    record.update(
        age=age_on(child.birth_date), town_name=town_name(child.town_code),
        consent=None if c is None else {"given_by": c.given_by, "relation": c.relation,
                                        "given_on": c.given_on, "purpose": c.purpose,
                                        "text_version": c.text_version})
    return access.project(record, "child", "full")


def privacy_card(child, open_needs=()) -> dict:
    """The card volunteers and caring units see, with the child's open needs as need cards."""
    from ..needs.present import need_card

    return access.project(card(child, [need_card(n) for n in open_needs]), "child", "card")
