"""The privacy notice: version 1 ships in Chinese and English; new versions are published from files."""
from volunteer.privacy.cli import privacy_cli
from volunteer.privacy.services import current, publish

EN = {"Accept-Language": "en"}


def test_a_fresh_database_has_version_1_in_both_languages(app):
    notice = current()
    assert notice.version == "1"
    for words in ("儿童", "无犯罪记录", "注销", "下载", "撤回"):
        assert words in notice.text_zh
    for words in ("children", "no-criminal-record", "Delete", "Download", "Withdraw"):
        assert words in notice.text_en


def test_the_page_shows_the_current_version_in_the_readers_language_and_older_ones_by_version(client):
    current()
    publish("2", "## 第二版\n- 新的一条", "## Second version\n- A new item")
    page = client.get("/privacy").get_data(as_text=True)
    assert "<h2" in page and "第二版" in page and "<li>新的一条</li>" in page
    assert "Second version" in client.get("/privacy", headers=EN).get_data(as_text=True)
    old = client.get("/privacy?version=1", headers=EN).get_data(as_text=True)
    assert "Huhang is a volunteer platform in Qingdao" in old and 'href="/privacy"' in old
    assert client.get("/privacy?version=9").status_code == 404


def test_the_notice_text_is_escaped(client):
    current()
    publish("2", "<script>alert(1)</script>", "<b>x</b>")
    page = client.get("/privacy").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page


def test_flask_privacy_publish_makes_a_new_current_version(app, tmp_path):
    zh, en = tmp_path / "zh.md", tmp_path / "en.md"
    zh.write_text("第二版全文", encoding="utf-8")
    en.write_text("Second version", encoding="utf-8")
    runner = app.test_cli_runner()
    result = runner.invoke(privacy_cli, ["publish", str(zh), str(en), "--version", "2"])
    assert result.exit_code == 0 and "version 2 published" in result.output
    assert current().version == "2" and current().text_zh == "第二版全文"
    again = runner.invoke(privacy_cli, ["publish", str(zh), str(en), "--version", "2"])
    assert again.exit_code != 0 and "版已经发布过了" in again.output  # the CLI speaks the default language
