"""Huhang (护航): the application factory."""
from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(config=None):
    """Create the Flask app; config is a Config class or a dict of overrides."""
    overrides = config if isinstance(config, dict) else {}
    app = Flask(
        __name__,
        instance_path=overrides.get("INSTANCE_PATH") or str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    from .config import Config

    if config is not None and not isinstance(config, dict):
        Config = config
    app.config.from_object(Config(app.instance_path))
    app.config.update(overrides)

    from . import database, i18n, models, numbers, redis_conn, rendering, security, static_files, tasks, validation  # noqa: F401,E501

    numbers.init_app(app)
    database.init_app(app)
    redis_conn.init_app(app)
    security.init_app(app)
    static_files.init_app(app)  # fingerprinted, compressed static files (WhiteNoise); compressed pages
    rendering.init_app(app)
    i18n.init_app(app)
    validation.init_app(app)
    tasks.init_app(app)
    from .events import services as events

    events.init_app(app)
    _register_blueprints(app)
    return app


def _register_blueprints(app):
    from .accounts.views import bp as accounts_bp
    from .accounts import phone_views, reset_views  # noqa: F401 (password reset and phone change routes)
    from .accounts import account_views  # noqa: F401 (the account page's routes)
    from .accounts.cli import register as register_accounts_cli
    from .demo.cli import register as register_demo_cli
    from .devserver import register as register_dev_cli
    from .geo.cli import register as register_geo_cli
    from .health import bp as health_bp
    from .home.views import bp as home_bp
    from .notifications.views import bp as notifications_bp
    from .tasks.views import bp as tasks_bp
    from .volunteers.views import bp as volunteers_bp

    for bp in (home_bp, accounts_bp, volunteers_bp, notifications_bp, tasks_bp, health_bp):
        app.register_blueprint(bp)
    register_accounts_cli(app)
    register_geo_cli(app)
    register_demo_cli(app)
    register_dev_cli(app)
    from .needs.views import register as register_needs; register_needs(app)  # noqa: E702
    from .orgs.views import register as register_orgs; register_orgs(app)  # noqa: E702
    from .children.views import register as register_children; register_children(app)
    from .api.views import register as register_api; register_api(app)
    from .matching.views import register as register_matching; register_matching(app)  # noqa: E702
    from .visits.views import register as register_visits; register_visits(app)  # noqa: E702
    from .wishes.views import register as register_wishes; register_wishes(app)  # noqa: E702
    from .logistics.views import register as register_logistics; register_logistics(app)  # noqa: E702
    from .stats.views import register as register_stats; register_stats(app)  # noqa: E702
    from .geo.views import bp as geo_bp; app.register_blueprint(geo_bp)  # noqa: E702
    from .activities.views import register as register_activities; register_activities(app)  # noqa: E702
    from .privacy.views import register as register_privacy; register_privacy(app)  # noqa: E702
    from .offline.views import register as register_offline; register_offline(app)  # noqa: E702
    from .safeguarding.views import register as register_safeguarding; register_safeguarding(app)  # noqa: E702
