"""Geographic matching: open needs as points (points.py) and one spatial engine with three backends
(spatial.py). Importing the package registers the in-process effects that keep need_point in step
with the domain events need.created/need.updated/child.created/child.updated."""


def _register_effects() -> None:
    from ..events import services as events

    def sync_effect(event, ids):
        from . import points

        points.on_event(event, ids)

    sync_effect.huhang_matching = True
    for topic in points_topics():
        current = events.EFFECTS.get(topic)
        if current is None:
            events.EFFECTS[topic] = sync_effect
        elif not getattr(current, "huhang_matching", False):
            # Another effect is already registered for this topic: run both (ours last).
            def both(event, ids, _first=current):
                _first(event, ids)
                sync_effect(event, ids)

            both.huhang_matching = True
            events.EFFECTS[topic] = both


def points_topics() -> tuple[str, ...]:
    return ("need.created", "need.updated", "child.created", "child.updated")


_register_effects()
