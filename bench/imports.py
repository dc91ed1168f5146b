"""Benchmark of the children import's checks on bad sheets: `python bench/imports.py`.

A coordinator of 崂山区 uploads, through the real page (/children/import, Flask's test client, a temp
SQLite file with the migrations and Qingdao's divisions), CSV sheets in which every row is wrong: 5,000
short rows with an error in each of several columns, 5,000 rows padded to just under 5 MB, and 5,000 good
rows but the last (so every row is checked). Nothing is imported; the page lists the problems. Prints
key=value lines: import_invalid_5000_s, import_invalid_5mb_s and import_late_error_5000_s (server time per
request, best of 3), import_invalid_5mb_bytes, import_problems_shown (rows in the page's problem table,
at most importer.MAX_ERRORS). The target is at most 2 s per request for any 5 MB file.
"""
import csv
import io
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

HEADER = ["姓名", "性别", "出生日期", "类别", "残疾", "区市", "镇街", "村社区", "地址", "纬度", "经度", "学校", "年级",
          "监护人", "关系", "监护人电话", "同意人", "同意人关系", "同意日期", "同意用途", "备注"]


def out(key, value):
    print(f"{key}={value:.4g}" if isinstance(value, float) else f"{key}={value}", flush=True)


def late_error_sheet(rows: int) -> bytes:
    """rows good children but the last, whose phone is wrong: every row must be checked."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(HEADER)
    for i in range(rows):
        writer.writerow([f"孩子{i}", "男", "2015-06-01", "困境儿童", "否", "崂山区", "沙子口街道", "南窑社区", "某路1号",
                         "36.11", "120.46", "", "", "张大山", "父亲", "13812345678" if i < rows - 1 else "123",
                         "张大山", "父亲", "2026-11-01", "关爱服务", ""])
    return buf.getvalue().encode("utf-8")


def bad_sheet(rows: int, pad: int = 0) -> bytes:
    """rows children, each with a wrong gender, birth date, phone and consent date (pad: a long address)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(HEADER)
    for i in range(rows):
        writer.writerow([f"孩子{i}", "?", "明天", "困境儿童", "否", "崂山区", "沙子口街道", "南窑社区",
                         "某路" + "号" * pad, "36.11", "120.46", "", "", "张大山", "父亲", "123", "张大山", "父亲",
                         "昨天", "关爱服务", ""])
    return buf.getvalue().encode("utf-8")


def timed(client, content, runs=3):
    best, resp = None, None
    for _ in range(runs):
        t = time.perf_counter()
        resp = client.post("/children/import", data={"file": (io.BytesIO(content), "children.csv")},
                           content_type="multipart/form-data")
        elapsed = time.perf_counter() - t
        best = elapsed if best is None else min(best, elapsed)
    assert resp.status_code == 422, resp.status_code
    return best, resp


def run(tmp):
    from flask_migrate import upgrade

    from volunteer import create_app
    from volunteer.accounts.models import User
    from volunteer.accounts.services import hash_password
    from volunteer.children.spreadsheet import MAX_BYTES
    from volunteer.extensions import db
    from volunteer.geo.services import load_divisions

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db", "INSTANCE_PATH": tmp,
                      "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade()
        load_divisions()
        db.session.add(User(phone="+8613800000001", name="督导员", password_hash=hash_password("Bench-import-1"),
                            role="coordinator", scope_level="district", scope_code="370212"))
        db.session.commit()
        client = app.test_client()
        client.post("/login", data={"phone": "13800000001", "password": "Bench-import-1"})
        seconds, resp = timed(client, bad_sheet(5000))
        out("import_invalid_5000_s", seconds)
        out("import_problems_shown", resp.get_data(as_text=True).count("<tr><td class=\"nowrap\">"))
        pad = (MAX_BYTES - 1000 - len(bad_sheet(5000))) // (3 * 5000)  # "号" is 3 bytes in UTF-8
        big = bad_sheet(5000, pad)
        out("import_invalid_5mb_bytes", len(big))
        out("import_invalid_5mb_s", timed(client, big)[0])
        out("import_late_error_5000_s", timed(client, late_error_sheet(5000))[0])
        db.engine.dispose()


def main():
    tmp = tempfile.mkdtemp(prefix="huhang-bench-import-")
    try:
        run(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
