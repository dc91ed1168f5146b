"""The failed-jobs page names each job in words and in Qingdao time, never by its code or function."""
import re

from volunteer.extensions import db
from volunteer.tasks import services as tasks
from volunteer.tasks.models import JobRecord


def test_failed_jobs_are_named_in_words_never_by_code_or_function(app, client, login, make_user, run_worker):
    rec = tasks.enqueue("tests.tasks.sample_jobs.explode", 1, kind="notify", retry=None)
    run_worker()
    db.session.expire_all()
    assert db.session.get(JobRecord, rec.id).status == "failed"
    login(make_user(role="coordinator", scope_level="district", scope_code="370212"))
    for headers, word in (({"Accept-Language": "en"}, "Sending a notification"), ({"Accept-Language": "zh-CN"}, "发送通知")):
        page = client.get("/jobs/failed", headers=headers).get_data(as_text=True)
        item = page[page.index(f'id="job-{rec.rq_id}"'):]
        item = item[:item.index("</li>")]
        text = re.sub(r"<[^>]+>", " ", item)
        assert word in text
        assert "sample_jobs" not in text and "notify" not in text and "UTC" not in text


def test_a_failed_job_says_what_happened_in_plain_words_and_keeps_the_error_name_folded_away(
        app, client, login, make_user, run_worker):
    rec = tasks.enqueue("tests.tasks.sample_jobs.explode", 1, kind="notify", retry=None)
    run_worker()
    login(make_user(role="admin"))
    for headers, words in (({"Accept-Language": "en"}, "stopped with an error"), ({"Accept-Language": "zh-CN"}, "出错")):
        page = client.get("/jobs/failed", headers=headers).get_data(as_text=True)
        item = page[page.index(f'id="job-{rec.rq_id}"'):]
        item = item[:item.index("</li>")]
        folded = re.search(r"<details[^>]*>(.*?)</details>", item, re.S)
        assert folded and "RuntimeError" in folded.group(1) and "<details open" not in item
        shown = re.sub(r"<[^>]+>", " ", item.replace(folded.group(0), ""))
        assert words in shown and "RuntimeError" not in shown
