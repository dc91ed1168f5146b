"""The embedded Redis starts on first use and leaves no server behind."""
import os
import subprocess
import sys
import textwrap

import psutil


def _servers_for(sock):
    found = []
    for p in psutil.process_iter(["name", "cmdline"]):
        try:
            if "redis-server" in (p.info["name"] or "") and any(
                    os.path.dirname(sock) in a for a in (p.info["cmdline"] or [])):
                found.append(p.pid)
        except psutil.Error:
            pass
    return found


def test_app_without_redis_url_starts_embedded_redis_and_stops_it_at_exit(tmp_path):
    code = textwrap.dedent(f"""
        import os
        os.environ.pop("REDIS_URL", None)
        os.environ["DATABASE_URL"] = "sqlite:///{tmp_path}/x.db"
        from volunteer import create_app
        app = create_app({{"INSTANCE_PATH": "{tmp_path}"}})
        print(app.config["REDIS_URL"])
        print(app.extensions["redis"].ping())
    """)
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == 0, out.stderr
    url, pong = out.stdout.split()
    assert url == f"unix://{tmp_path}/redis.sock" and pong == "True"
    assert _servers_for(str(tmp_path / "redis.sock")) == []


def test_a_killed_owner_does_not_leave_its_redis_behind(tmp_path):
    code = f"import time; from volunteer import embedded_redis as e; print(e.ensure('{tmp_path}'), flush=True); time.sleep(60)"
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    proc.stdout.readline()
    assert _servers_for(str(tmp_path / "redis.sock"))
    proc.kill()
    proc.wait()
    for _ in range(50):
        if not _servers_for(str(tmp_path / "redis.sock")):
            break
        import time

        time.sleep(0.1)
    assert _servers_for(str(tmp_path / "redis.sock")) == []


def test_the_embedded_redis_keeps_its_data_through_a_crash(tmp_path):
    import signal
    import time

    import redis

    from volunteer import embedded_redis

    url = embedded_redis.ensure(str(tmp_path))
    try:
        conn = redis.Redis.from_url(url)
        conn.rpush("rq:queue:default", "job-1")
        time.sleep(1.5)  # appendfsync everysec
        pid = embedded_redis._owned[str(tmp_path / "redis.sock")].pid
        os.kill(pid, signal.SIGKILL)
        embedded_redis._owned[str(tmp_path / "redis.sock")].wait()
        embedded_redis._owned.pop(str(tmp_path / "redis.sock"))
        url = embedded_redis.ensure(str(tmp_path))
        assert redis.Redis.from_url(url).lrange("rq:queue:default", 0, -1) == [b"job-1"]
    finally:
        embedded_redis.stop(str(tmp_path))
