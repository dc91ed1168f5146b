"""What the tests of the volunteer, organisation and donor homes share: logging in, reading a page in
Chinese, cutting out one element and following a link the way a phone would."""
import re

from volunteer.validation import display_phone

ZH = {"Accept-Language": "zh-CN"}
HX = {**ZH, "HX-Request": "true"}


def client_of(app, user):
    """A test client logged in as user (make_user's password)."""
    c = app.test_client()
    r = c.post("/login", data={"phone": display_phone(user.phone), "password": "Huhang-2026"})
    assert r.status_code == 302, r.get_data(as_text=True)[:300]
    return c


def get(client, path):
    """The page at path (GET, Chinese), asserting it answers 200."""
    r = client.get(path, headers=ZH)
    assert r.status_code == 200, (path, r.status_code)
    return r.get_data(as_text=True)


def element(html, element_id, tag=None):
    """The outer HTML of the element with this id (up to its matching closing tag)."""
    m = re.search(r'<(\w+)[^>]*\bid="%s"' % re.escape(element_id), html)
    assert m, f"#{element_id} not on the page"
    tag = tag or m.group(1)
    depth, pos = 0, m.start()
    for t in re.finditer(r"<(/?)%s\b[^>]*>" % tag, html[m.start():]):
        depth += -1 if t.group(1) else 1
        if depth == 0:
            return html[m.start():m.start() + t.end()]
    raise AssertionError(f"#{element_id} is not closed")


def href(html, element_id):
    """The href of the link with this id, unescaped."""
    m = re.search(r'<a\b[^>]*\bid="%s"[^>]*>' % re.escape(element_id), html) or \
        re.search(r'<a\b[^>]*href="[^"]*"[^>]*\bid="%s"' % re.escape(element_id), html)
    assert m, f"no link #{element_id}"
    return re.search(r'href="([^"]*)"', m.group(0)).group(1).replace("&amp;", "&")


def items(html, element_id, item=r'<li\b'):
    """How many list items (or matches of item) the element with this id holds."""
    return len(re.findall(item, element(html, element_id)))
