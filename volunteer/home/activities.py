"""The volunteer home's activities: my next sign-ups, and how many activities /activities lists near home."""
from ..activities import queries


def activities_part(user) -> dict:
    """{"my_activities": [(activity, sign-up)] soonest first (at most 3), "activities_near": the count of
    /activities's list (its default filters), or None without a home point}."""
    near = len(queries.near_cards(user, queries.Filters())) if queries.has_home(user) else None
    return {"my_activities": queries.my_signups(user, limit=3), "activities_near": near}
