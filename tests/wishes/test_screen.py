"""The big-screen board (/wish-events/<id>/board?screen=1): no app chrome, the counts and donors' tally of the
board service, and a QR code that decodes to the event's claim page (read back from the SVG and decoded
with zxing-cpp); the plain board is unchanged."""
import re

import pytest
import segno
import zxingcpp
from PIL import Image

from volunteer.wishes import claims
from volunteer.wishes.board import board_state
from volunteer.wishes.events import add_wishes, create_event, publish_event

HX = {"HX-Request": "true"}


def _as(app, user):
    client = app.test_client()
    assert client.post("/login", data={"phone": user.phone, "password": "Huhang-2026"}).status_code == 302
    return client


@pytest.fixture
def event(people, publish_wish):
    """A published event of five wishes: the donor claimed one, the caring unit two."""
    ev = create_event(people["coordinator"], {"name": "六一微心愿认领会", "held_on": "2027-06-01", "place": "沙子口街道"})
    wishes = [publish_wish(item) for item in ("书包", "篮球", "字典", "台灯", "跳绳")]
    add_wishes(people["coordinator"], ev.id, [w.ref for w in wishes])
    publish_event(people["coordinator"], ev.id)
    claims.claim(people["donor"], wishes[0].ref)
    claims.claim(people["unit"], wishes[1].ref)
    claims.claim(people["unit_admin"], wishes[2].ref)
    return ev


def _svg(html: str) -> str:
    found = re.findall(r'<svg[^>]*class="screen-qr-code".*?</svg>', html, re.S)
    assert len(found) == 1, "one QR code on the page"
    return found[0]


def _modules(svg: str) -> list[list[bool]]:
    """The dark modules of a segno SVG, read back from its path (M/m moves, h draws a run of modules)."""
    size = int(re.search(r'viewBox="0 0 (\d+) \1"', svg).group(1))
    path = re.search(r'<path[^>]*stroke="#000"[^>]*d="([^"]+)"', svg).group(1)
    grid = [[False] * size for _ in range(size)]
    x = y = 0.0
    for cmd, a, b in re.findall(r"([MmHh])\s*(-?[\d.]+)(?:[\s,]+(-?[\d.]+))?", path):
        if cmd == "M":
            x, y = float(a), float(b)
        elif cmd == "m":
            x, y = x + float(a), y + float(b)
        else:
            end = float(a) if cmd == "H" else x + float(a)
            for col in range(int(x), int(end)):
                grid[int(y)][col] = True
            x = end
    return grid


def _decode(grid) -> str:
    scale = 8
    img = Image.new("L", (len(grid) * scale, len(grid) * scale), 255)
    for r, row in enumerate(grid):
        for c, dark in enumerate(row):
            if dark:
                img.paste(0, (c * scale, r * scale, (c + 1) * scale, (r + 1) * scale))
    found = zxingcpp.read_barcodes(img)
    assert len(found) == 1 and found[0].format == zxingcpp.BarcodeFormat.QRCode
    return found[0].text


def test_the_screens_qr_code_decodes_to_the_events_claim_page(app, people, event):
    resp = _as(app, people["coordinator"]).get(f"/wish-events/{event.id}/board?screen=1")
    assert resp.status_code == 200
    svg = _svg(resp.get_data(as_text=True))
    claim_url = f"http://localhost/wish-events/{event.id}"
    grid = _modules(svg)
    assert _decode(grid) == claim_url
    # The very modules segno makes for that URL (with the quiet zone), so nothing was lost on the way.
    expected = [[bool(v) for v in row] for row in segno.make(claim_url, error="m").matrix_iter(border=4)]
    assert grid == expected
    # Served under the strict CSP: the SVG carries no style attribute or element, nor a script.
    assert "style" not in svg and "<script" not in svg
    assert "style-src 'self'" in resp.headers["Content-Security-Policy"]
    # The claim page it leads to lists the event's open wishes with their claim buttons for donors.
    page = _as(app, people["other"]).get(claim_url).get_data(as_text=True)
    assert page.count('action="/wishes/') == 2 and "六一微心愿认领会" in page


def test_the_qr_code_leads_to_https_when_the_site_runs_on_https(app, people, event):
    app.config["HTTPS"] = True
    svg = _svg(_as(app, people["coordinator"]).get(f"/wish-events/{event.id}/board?screen=1").get_data(as_text=True))
    assert _decode(_modules(svg)) == f"https://localhost/wish-events/{event.id}"


def test_the_screen_shows_the_counts_and_donors_tally_of_the_board_service(app, people, event):
    state = board_state(event)
    assert (state["claimed"], state["left"], state["total"]) == (3, 2, 5)
    html = _as(app, people["donor"]).get(f"/wish-events/{event.id}/board?screen=1").get_data(as_text=True)
    assert re.search(r'id="screen-claimed">(\d+)<', html).group(1) == str(state["claimed"])
    assert re.search(r'id="screen-left">(\d+)<', html).group(1) == str(state["left"])
    tally = re.search(r'<ol class="screen-tally" id="screen-tally">(.*?)</ol>', html, re.S).group(1)
    shown = re.findall(r'<span class="screen-donor">([^<]+)</span> <span class="screen-donor-count">(\d+) wish', tally)
    assert shown == [(t["label"], str(t["count"])) for t in state["tally"]]
    assert shown == [("爱心单位乙", "2"), ("Caring individual 李*", "1")]
    for secret in ("王善心", "李爱心"):  # individual donors by an initial only
        assert secret not in html


def test_the_screen_has_no_app_chrome_and_polls_a_fragment_without_the_qr_code(app, people, event):
    client = _as(app, people["coordinator"])
    html = client.get(f"/wish-events/{event.id}/board?screen=1").get_data(as_text=True)
    assert 'class="site-header"' not in html and "bottom-nav" not in html
    assert 'class="board-screen"' in html and "data-fullscreen" in html
    assert re.search(r'<script src="/static/js/board-screen\.(\w+\.)?js" defer>', html)
    assert f'hx-get="/wish-events/{event.id}/board?screen=1"' in html
    fragment = client.get(f"/wish-events/{event.id}/board?screen=1", headers=HX).get_data(as_text=True)
    assert fragment.lstrip().startswith('<section class="screen-live" id="screen-live"')
    assert "<svg" not in fragment and 'id="screen-claimed">3<' in fragment


def test_the_plain_board_is_unchanged_without_screen(app, people, event):
    client = _as(app, people["coordinator"])
    for path in (f"/wish-events/{event.id}/board", f"/wish-events/{event.id}/board?screen=0"):
        html = client.get(path).get_data(as_text=True)
        assert 'class="site-header"' in html and 'id="event-board"' in html
        assert "screen-live" not in html and "<svg" not in html.split("<main", 1)[1].split("</main>")[0]
    fragment = client.get(f"/wish-events/{event.id}/board", headers=HX).get_data(as_text=True)
    assert fragment.lstrip().startswith('<section class="card stack event-board" id="event-board"')


def test_staff_find_screen_mode_on_the_event_page_and_donors_do_not(app, people, event):
    link = f'href="/wish-events/{event.id}/board?screen=1"'
    assert link in _as(app, people["coordinator"]).get(f"/wish-events/{event.id}").get_data(as_text=True)
    assert link not in _as(app, people["donor"]).get(f"/wish-events/{event.id}").get_data(as_text=True)


def test_a_draft_events_screen_is_not_found_for_donors(app, people):
    draft = create_event(people["coordinator"], {"name": "草稿活动", "held_on": "2027-06-01", "place": "沙子口街道"})
    assert _as(app, people["donor"]).get(f"/wish-events/{draft.id}/board?screen=1").status_code == 404
    assert _as(app, people["coordinator"]).get(f"/wish-events/{draft.id}/board?screen=1").status_code == 200


def test_the_screen_names_five_donors_and_counts_the_rest(app, people, make_user, publish_wish, event):
    donors = [make_user(role="volunteer", name=name) for name in ("赵一", "钱二", "孙三", "周四", "吴五")]
    add_wishes(people["coordinator"], event.id, [publish_wish(f"心愿{i}").ref for i in range(len(donors))])
    for donor, wish in zip(donors, [c["ref"] for c in board_state(event)["cards"] if c["status"] == "published"]):
        claims.claim(donor, wish)
    tally = board_state(event)["tally"]
    assert len(tally) == 7
    html = _as(app, people["donor"]).get(f"/wish-events/{event.id}/board?screen=1").get_data(as_text=True)
    shown = re.findall(r'<span class="screen-donor">([^<]+)</span>', html)
    assert shown == [t["label"] for t in tally[:5]]
    assert "and 2 more donors" in html
