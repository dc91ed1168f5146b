"""Canary test: children's personal data never reaches volunteers or caring units, on any route."""
import re
from urllib.parse import urljoin, urlsplit

import pytest

from tests.routes import expected
from volunteer.api.services import issue_token
from volunteer.needs.services import create_need
from volunteer.needs.wishes import create_wish

CANARY = {"name": "金丝雀甲乙", "address": "金丝雀路88号", "village": "金丝雀村", "school": "金丝雀小学",
          "guardian_name": "金丝雀丙丁", "guardian_phone": "13912340000", "notes": "CANARYNOTES"}
# The phone as people write it, and the label words that must not reach a card.
NEEDLES = [*CANARY.values(), "139 1234 0000", "+8613912340000", "1234 0000", "金丝雀"]
# Labels a card must never carry; the API's own schema documents these field names, so it is exempt.
LABELS = ["孤儿", "Orphan", "disabled", "残疾"]
SCHEMA_PAGES = ("/api/v1/openapi.json", "/api/docs")


@pytest.fixture
def canary_world(world, make_child, make_org, make_user):
    child = make_child(by=world["users"]["admin"], category="orphan", disabled="1", **CANARY)
    create_need(world["users"]["admin"], child.ref, {"dimension": "mind", "service_type": "companionship",
                                                     "urgency": "high", "rhythm": "weekly",
                                                     "skills": ["companionship"], "details": "CANARYNOTES"})
    create_wish(world["users"]["admin"], child.ref, {"item": "书包", "category": "study", "price_yuan": "80"})
    caring = make_org(name="爱心单位甲", kind="caring_unit")
    world["users"]["caring_unit"] = make_user(role="org_admin", organisation_id=caring.id)
    world["canary"] = child
    return world


# htmx's own attribute holds the word "disabled" (it disables a form's button while it sends): not a label.
HARMLESS = ("hx-disabled-elt",)


def _hits(text: str, path: str = "") -> list[str]:
    needles = NEEDLES if path.startswith(SCHEMA_PAGES) else NEEDLES + LABELS
    for word in HARMLESS:
        text = text.replace(word, "")
    return [n for n in needles if n in text]


def _token_for(user):
    return issue_token(user, "canary")[1]


@pytest.mark.parametrize("role", ["volunteer", "org_member", "caring_unit"])
def test_no_page_fragment_or_api_answer_shows_a_childs_personal_data(app, canary_world, role):
    user = canary_world["users"][role]
    ids = {**canary_world["ids"], "child": canary_world["canary"].ref}
    client = app.test_client()
    assert client.post("/login", data={"phone": user.phone, "password": "Huhang-2026"}).status_code == 302
    token = _token_for(user)
    seen, queue = set(), ["/"]
    for endpoint, (method, path, _) in expected().items():
        if method == "GET" and endpoint != "static":
            queue.append(path.format(**ids))
    checked = 0
    while queue and len(seen) < 300:
        path = queue.pop(0)
        if path in seen or urlsplit(path).path.startswith(("/static/", "/logout")):
            continue
        seen.add(path)
        variants = [{}, {"HX-Request": "true"}]
        if path.startswith("/api/"):
            variants = [{"Authorization": f"Bearer {token}"}]
        for headers in variants:
            resp = client.get(path, headers=headers)
            # Files (a certificate's PDF, a check's photo) are searched too, as bytes read leniently.
            body = resp.get_data().decode("utf-8", errors="replace")
            checked += 1
            assert _hits(body, path) == [], f"{role} saw {_hits(body, path)} on {path} {headers}"
            for link in re.findall(r'(?:href|hx-get)="([^"#]+)"', body):
                link = urljoin(path, link.replace("&amp;", "&"))
                if link.startswith("/") and link not in seen:
                    queue.append(link)
    assert checked > 20


_CSRF_TOKEN = re.compile(r'("X-CSRFToken": "|name="csrf_token" value=")[^"]+"')


def _without_csrf(page: str) -> str:
    """The page with its time-signed CSRF tokens blanked."""
    return _CSRF_TOKEN.sub(r'\1"', page)


def test_another_scopes_child_answers_like_a_missing_one(app, canary_world):
    outsider = canary_world["users"]["outsider"]
    client = app.test_client()
    client.post("/login", data={"phone": outsider.phone, "password": "Huhang-2026"})
    ref = canary_world["canary"].ref
    for template in ("/children/{}", "/children/{}/edit", "/children/{}/viewers"):
        real, missing = client.get(template.format(ref)), client.get(template.format("0000000000"))
        assert real.status_code == missing.status_code == 404
        # The page echoes its own path (language switch), and its CSRF token is signed with the current
        # second; apart from those the answers are the same.
        assert _without_csrf(real.get_data(as_text=True).replace(ref, "0000000000")) == \
            _without_csrf(missing.get_data(as_text=True))
    h = {"Authorization": f"Bearer {_token_for(outsider)}"}
    real = client.get(f"/api/v1/children/{ref}", headers=h)
    missing = client.get("/api/v1/children/0000000000", headers=h)
    assert real.status_code == missing.status_code == 404 and real.get_json() == missing.get_json()
