"""`flask dev`: the web app and a worker on the embedded defaults, stopped together."""
import os
import signal
import subprocess
import sys

import click
from flask import current_app
from flask.cli import with_appcontext
from werkzeug.serving import run_simple

from . import embedded_redis
from .embedded_redis import _die_with_parent


@click.command("dev")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
@click.option("--workers", default=1, type=int, help="How many RQ workers to start beside the web app.")
@with_appcontext
def dev_command(host, port, workers):
    """Serve the app and run workers; Ctrl-C stops the app, the workers and the embedded Redis."""
    app = current_app._get_current_object()
    env = {**os.environ, "REDIS_URL": app.config["REDIS_URL"], "FLASK_APP": os.environ.get("FLASK_APP", "wsgi:app")}
    procs = [subprocess.Popen([sys.executable, "-m", "flask", "worker"], env=env, preexec_fn=_die_with_parent)
             for _ in range(workers)]
    click.echo(f"Huhang on http://{host}:{port}  (Redis: {app.config['REDIS_URL']}, {workers} worker(s))")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        run_simple(host, port, app, threaded=True, use_reloader=False)
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        embedded_redis.stop()


def register(app):
    """Add the dev command to the app's CLI."""
    app.cli.add_command(dev_command)
