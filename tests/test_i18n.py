"""Translations: every visible string has Chinese, the .mo is fresh, and the locale choice works.

After adding or changing a string: `scripts/i18n.sh all`, translate the new entries in
volunteer/translations/zh_Hans_CN/LC_MESSAGES/messages.po, then `scripts/i18n.sh compile`.
"""
import gettext
import io
import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "volunteer" / "translations"
ZH_PO = TRANSLATIONS / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po"
LOCALES = ("zh_Hans_CN", "en")
# The same keywords as scripts/i18n.sh and babel.cfg.
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2)}
PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[sdifr]")


def extracted_msgids():
    """Run Babel's extraction with babel.cfg, as `pybabel extract` does: {msgid: first location}."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f, "babel.cfg")
    found = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS):
        msgid = message[0] if isinstance(message, (tuple, list)) else message
        if msgid:
            found.setdefault(msgid, f"{filename}:{lineno}")
    return found


def load_po(path):
    with open(path, "rb") as f:
        return read_po(f)


def catalogues():
    return [TRANSLATIONS / loc / "LC_MESSAGES" / "messages.po" for loc in LOCALES]


def test_extraction_finds_the_strings():
    found = extracted_msgids()
    assert len(found) > 100
    # One from each source kind: Python (_l), Jinja templates (_) and a form validator.
    assert {"Volunteer", "Sign up as a volunteer", "Enter a mobile number."} <= set(found)


def test_every_visible_string_has_a_chinese_translation():
    found = extracted_msgids()
    catalog = load_po(ZH_PO)
    problems = []
    for msgid, where in sorted(found.items()):
        message = catalog.get(msgid)
        if message is None:
            problems.append(f"missing      {msgid!r}  ({where})")
            continue
        string = message.string[0] if isinstance(message.string, (tuple, list)) else message.string
        if not string or not string.strip():
            problems.append(f"untranslated {msgid!r}  ({where})")
        elif message.fuzzy:
            problems.append(f"fuzzy        {msgid!r}  ({where})")
    assert not problems, (
        f"{len(problems)} string(s) need a Chinese translation; run `scripts/i18n.sh all`, translate them in "
        f"{ZH_PO.relative_to(ROOT)}, then `scripts/i18n.sh compile`:\n" + "\n".join(problems))


def _loaded(mo_bytes):
    """What gettext (and so the app) reads from a .mo file, without the header entry."""
    catalog = dict(gettext.GNUTranslations(io.BytesIO(mo_bytes))._catalog)
    catalog.pop("", None)
    return catalog


@pytest.mark.parametrize("po_path", catalogues(), ids=LOCALES)
def test_compiled_catalogue_matches_the_po_file(po_path):
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path.relative_to(ROOT)} is missing; run `scripts/i18n.sh compile`"
    buf = io.BytesIO()
    write_mo(buf, load_po(po_path))
    # Compared as gettext loads them, not byte for byte: each Babel version writes other bytes.
    expected, committed = _loaded(buf.getvalue()), _loaded(mo_path.read_bytes())
    stale = sorted(set(expected.items()) ^ set(committed.items()), key=str)
    assert not stale, (f"{mo_path.relative_to(ROOT)} is stale; run `scripts/i18n.sh compile`. "
                       f"Differences: {stale[:10]}")


def _placeholders(text):
    if isinstance(text, (tuple, list)):
        return set().union(*(_placeholders(t) for t in text))
    return set(PLACEHOLDER.findall(text or ""))


@pytest.mark.parametrize("po_path", catalogues(), ids=LOCALES)
def test_placeholders_are_kept(po_path):
    wrong = []
    for message in load_po(po_path):
        if not message.id or not message.string or not any(message.string if isinstance(
                message.string, (tuple, list)) else [message.string]):
            continue
        if _placeholders(message.string) != _placeholders(message.id):
            wrong.append(f"{message.id!r} -> {message.string!r}")
    assert not wrong, "placeholders differ:\n" + "\n".join(wrong)


def test_pages_render_in_chinese_by_default_and_english_on_request(client):
    body = client.get("/signup").get_data(as_text=True)
    assert 'lang="zh-CN"' in body and "志愿者" in body and "注册" in body
    assert "Sign up as a volunteer" not in body

    body = client.get("/signup", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(as_text=True)
    assert '<html lang="en">' in body and "Sign up" in body and "志愿者" not in body

    resp = client.post("/locale", data={"locale": "en", "next": "/signup"})
    assert resp.status_code == 302
    body = client.get("/signup").get_data(as_text=True)
    assert '<html lang="en">' in body and "Sign up as a volunteer" in body

    client.post("/locale", data={"locale": "zh_Hans_CN", "next": "/signup"})
    body = client.get("/signup", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="zh-CN">' in body and "注册成为志愿者" in body


def test_wtforms_messages_are_translated(client):
    data = {"phone": "", "name": "王小明", "email": "", "password": "huhang2026go", "confirm": "huhang2026go",
            "consent": "y"}
    body = client.post("/signup", data=data).get_data(as_text=True)
    assert "请输入手机号。" in body
    assert "Enter a mobile number." not in body

    body = client.post("/signup", data={**data, "phone": "12345"}).get_data(as_text=True)
    assert "请输入有效的中国大陆手机号，例如 138 0013 8000。" in body
