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
