"""Phones on the visit pages: the guardian's (helpers, during the grant) and the helpers' (staff) read as
a Chinese reader writes them and call through a tel: link; the API keeps E.164."""
import pytest

from volunteer.api.services import issue_token

from .conftest import accepted_visit
from .test_pages import _as

ZH = {"Accept-Language": "zh-CN"}


pytestmark = pytest.mark.usefixtures("private_instance")


def test_the_guardians_phone_reads_in_groups_and_calls_the_e164_number_while_the_api_keeps_e164(app, team, client):
    v0, visit = accepted_visit(team, 0.5)
    page = _as(app, v0).get(f"/visits/{visit.id}", headers=ZH).get_data(as_text=True)
    assert '<a href="tel:+8613812345678">138 1234 5678</a>' in page and ">+8613812345678<" not in page
    token = issue_token(v0, "tests")[1]
    body = client.get(f"/api/v1/visits/{visit.id}", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert body["contact"]["phone"] == "+8613812345678"


def test_the_staff_visit_page_lists_each_helpers_phone_as_a_call_link(app, team):
    v0, visit = accepted_visit(team, 24)
    page = _as(app, team["coord"]).get(f"/visits/{visit.id}", headers=ZH).get_data(as_text=True)
    shown = f"{v0.phone[3:6]} {v0.phone[6:10]} {v0.phone[10:]}"
    assert f'<a href="tel:{v0.phone}">{shown}</a>' in page
