"""The coordinators' children pages: list, child page with audit, add, edit, delete, viewers."""
import re
from pathlib import Path

from sqlalchemy import func, select

from volunteer.audit.models import AuditEntry
from volunteer.children.models import Child, ChildHistory, Consent
from volunteer.extensions import db

from .conftest import form_data

EN = {"Accept-Language": "en"}


def audits(action=None, object_id=None):
    stmt = select(AuditEntry).where(AuditEntry.collection == "child")
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    if object_id is not None:
        stmt = stmt.where(AuditEntry.object_id == object_id)
    return db.session.scalars(stmt).all()


def count(model, **where):
    stmt = select(func.count()).select_from(model)
    for k, v in where.items():
        stmt = stmt.where(getattr(model, k) == v)
    return db.session.scalar(stmt)


def test_list_shows_children_of_the_area_without_auditing(coord_client, make_child):
    make_child(name="王小明")
    make_child(name="李小红", district_code="370203", town_code="370203005", lat="", lon="")
    body = coord_client.get("/children", headers=EN).get_data(as_text=True)
    assert "王小明" in body and "李小红" not in body  # 市北区 is outside the coordinator's area
    assert 'hx-trigger="input changed delay:300ms, search"' in body
    assert "沙子口街道" in body
    assert audits("view") == []  # a listing row is not a full view


def test_live_search_returns_the_results_partial(coord_client, make_child):
    make_child(name="王小明")
    make_child(name="赵小刚", category="orphan", disabled="1")
    resp = coord_client.get("/children?q=王", headers={**EN, "HX-Request": "true"})
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "<html" not in body
    assert "王小明" in body and "赵小刚" not in body
    body = coord_client.get("/children?category=orphan&disabled=1", headers={**EN, "HX-Request": "true"}).get_data(as_text=True)
    assert "赵小刚" in body and "王小明" not in body
    # Choosing a district also swaps the town filter in (out of band).
    body = coord_client.get("/children?district=370212", headers={**EN, "HX-Request": "true",
                                                                   "HX-Trigger": "f-district"}).get_data(as_text=True)
    assert 'hx-swap-oob="true"' in body and "370212002" in body
    # A town of another district is ignored, junk filters do not break the page.
    resp = coord_client.get("/children?district=370212&town=370203005&page=x&category=<b>", headers=EN)
    assert resp.status_code == 200 and "王小明" in resp.get_data(as_text=True)


def test_paging(coord_client, make_child):
    for i in range(27):
        make_child(name=f"孩子{i:02d}")
    body = coord_client.get("/children", headers=EN).get_data(as_text=True)
    assert "Page 1 of 2" in body and "孩子26" in body and "孩子00" not in body
    body = coord_client.get("/children?page=2", headers=EN).get_data(as_text=True)
    assert "孩子00" in body and "孩子26" not in body


def test_child_page_is_one_audited_full_view(coord_client, coordinator, make_child):
    child = make_child()
    resp = coord_client.get(f"/children/{child.ref}", headers=EN)
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200
    for text in ("张小雨", "张大山", "138 1234 5678", "崂山区某路1号", "南窑社区", "36.110200", "Care services"):
        assert text in body, text
    assert f"/children/{child.ref}/edit" in body and f"/children/{child.ref}/viewers" in body
    assert "data-confirm=" in body and f'name="confirm" value="{child.ref}"' in body
    views = audits("view", child.id)
    assert len(views) == 1 and views[0].user_id == coordinator.id
    coord_client.get(f"/children/{child.ref}", headers=EN)
    assert len(audits("view", child.id)) == 2
    assert audits("deny") == []


def _without_token(body):
    return re.sub(r'(X-CSRFToken": "|name="csrf_token" value=")[^"]+', r"\1", body)


def test_outsider_gets_the_same_404_as_a_missing_child_and_each_denial_is_audited(
        client, login, outsider, make_child):
    child = make_child()
    login(outsider)
    theirs = client.get(f"/children/{child.ref}", headers=EN)
    missing = client.get("/children/0123456789", headers=EN)
    assert theirs.status_code == missing.status_code == 404
    # Identical but for the path itself (the language switch's "next" field).
    assert (_without_token(theirs.get_data(as_text=True)).replace(child.ref, "REF")
            == _without_token(missing.get_data(as_text=True)).replace("0123456789", "REF"))
    assert "张小雨" not in theirs.get_data(as_text=True)
    denied = audits("deny")
    assert len(denied) == 2 and {d.object_id for d in denied} == {child.id, None}
    assert audits("view") == []
    for path in (f"/children/{child.ref}/edit", f"/children/{child.ref}/viewers"):
        assert client.get(path).status_code == 404
    assert client.post(f"/children/{child.ref}/delete", data={"confirm": child.ref}).status_code == 404
    assert client.post(f"/children/{child.ref}/edit", data=form_data(name="改名")).status_code == 404
    assert db.session.get(Child, child.id).name == "张小雨"


def test_volunteers_and_organisations_cannot_open_the_pages(client, login, make_user, make_child):
    child = make_child()
    login(make_user(role="volunteer"))
    for path in ("/children", f"/children/{child.ref}", "/children/new", "/children/import"):
        assert client.get(path).status_code == 403


def test_create_with_consent(coord_client, coordinator):
    resp = coord_client.post("/children/new", data=form_data(), headers=EN)
    assert resp.status_code == 302, resp.get_data(as_text=True)[-2000:]
    child = db.session.scalar(select(Child))
    assert resp.headers["Location"].endswith(f"/children/{child.ref}")
    assert (child.name, child.town_code, child.guardian_phone, child.lat) == ("张小雨", "370212002", "+8613812345678", 36.1102)
    assert child.consent.purpose == "care_and_wishes" and child.consent.recorded_by_id == coordinator.id
    assert count(ChildHistory, child_id=child.id, action="create") == 1


def test_create_without_consent_is_refused_and_keeps_what_was_entered(coord_client):
    resp = coord_client.post("/children/new", headers=EN, data=form_data(
        consent_given_by="", consent_relation="", consent_given_on="", consent_purpose="", consent_agreed=None))
    body = resp.get_data(as_text=True)
    assert resp.status_code == 422 and count(Child) == 0
    assert "Record the guardian&#39;s consent" in body and "Confirm that the guardian agreed" in body
    assert 'value="张小雨"' in body and 'value="13812345678"' in body and 'value="370212002" selected' in body
    # The consent details without ticking the box are refused too.
    resp = coord_client.post("/children/new", headers=EN, data=form_data(consent_agreed=None))
    assert resp.status_code == 422 and count(Child) == 0


def test_create_reports_every_field_error_next_to_its_field(coord_client):
    resp = coord_client.post("/children/new", headers=EN, data=form_data(
        birth_date="2099-01-01", guardian_phone="12345", lat="39.9", lon="116.4", name=""))
    body = resp.get_data(as_text=True)
    assert resp.status_code == 422 and count(Child) == 0
    for eid in ("name-error", "birth_date-error", "guardian_phone-error", "lat-error"):
        assert f'id="{eid}"' in body, eid
    assert "outside Qingdao" in body and "cannot be in the future" in body


def test_create_outside_the_area_is_refused(coord_client):
    resp = coord_client.post("/children/new", headers=EN, data=form_data(
        district="370203", town="370203005", lat="", lon=""))
    assert resp.status_code == 422 and count(Child) == 0
    assert "outside your area" in resp.get_data(as_text=True)


def test_edit_keeps_history_and_shows_it(coord_client, coordinator, make_child):
    child = make_child()
    page = coord_client.get(f"/children/{child.ref}/edit", headers=EN).get_data(as_text=True)
    assert 'value="张小雨"' in page and 'value="care_and_wishes" selected' in page
    resp = coord_client.post(f"/children/{child.ref}/edit", headers=EN,
                             data=form_data(school="崂山实验小学", category="orphan", consent_agreed=None,
                                            consent_given_by="", consent_relation="", consent_given_on=""))
    assert resp.status_code == 302, resp.get_data(as_text=True)[-2000:]
    db.session.expire_all()
    child = db.session.get(Child, child.id)
    assert child.school == "崂山实验小学" and child.category == "orphan"
    assert count(Consent, child_id=child.id) == 1
    body = coord_client.get(f"/children/{child.ref}", headers=EN).get_data(as_text=True)
    history = body[body.index('id="history"'):]
    assert "崂山协调员" in history and "School" in history and "崂山实验小学" in history
    assert "Orphan" in history and "Child in difficult circumstances" in history  # labels, not codes
    assert "Changed" in history and "Registered" in history and "Consent recorded" in history


def test_changing_the_purpose_without_new_consent_is_refused(coord_client, make_child):
    child = make_child()
    resp = coord_client.post(f"/children/{child.ref}/edit", headers=EN, data=form_data(
        name="张小雨改", consent_purpose="wishes", consent_agreed=None, consent_given_by="", consent_relation="",
        consent_given_on=""))
    body = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert 'id="consent-needed"' in body and "needs the guardian&#39;s consent again" in body
    assert 'value="张小雨改"' in body  # what was typed is kept
    db.session.expire_all()
    child = db.session.get(Child, child.id)
    assert child.name == "张小雨" and child.consent.purpose == "care_and_wishes"  # nothing half-saved
    assert count(ChildHistory, child_id=child.id) == 1


def test_changing_the_purpose_with_new_consent(coord_client, make_child):
    child = make_child()
    resp = coord_client.post(f"/children/{child.ref}/edit", headers=EN, data=form_data(
        consent_purpose="wishes", consent_given_by="李奶奶", consent_relation="祖母", consent_given_on="2026-11-05"))
    assert resp.status_code == 302, resp.get_data(as_text=True)[-2000:]
    db.session.expire_all()
    child = db.session.get(Child, child.id)
    assert child.consent.purpose == "wishes" and child.consent.given_by == "李奶奶"
    assert count(Consent, child_id=child.id) == 2


def test_edit_with_an_error_saves_nothing(coord_client, make_child):
    child = make_child()
    resp = coord_client.post(f"/children/{child.ref}/edit", headers=EN, data=form_data(
        school="新学校", guardian_phone="not a phone", name=""))
    assert resp.status_code == 422
    body = resp.get_data(as_text=True)
    assert 'id="guardian_phone-error"' in body and 'id="name-error"' in body and 'value="新学校"' in body
    db.session.expire_all()
    assert db.session.get(Child, child.id).school == "沙子口小学"


def test_viewers_lists_views_denials_and_changes(client, login, coordinator, outsider, make_child):
    child = make_child()
    login(outsider)
    client.get(f"/children/{child.ref}")
    client.post("/logout")
    login(coordinator)
    client.get(f"/children/{child.ref}")
    body = client.get(f"/children/{child.ref}/viewers", headers=EN).get_data(as_text=True)
    assert "崂山协调员" in body and "市北协调员" in body
    assert 'data-action="view"' in body and 'data-action="deny"' in body and 'data-action="create"' in body



def test_viewers_says_why_in_words_never_in_codes(client, login, coordinator, outsider, make_user, make_child):
    from volunteer.audit import services as audit
    from volunteer.children import services

    child = make_child(by=coordinator)
    services.update_child(coordinator, child.ref, {"school": "南窑小学", "grade": "四年级"})
    helper = make_user(role="volunteer", name="走访志愿者")
    audit.log(helper, "view", "child", child.id, reason="visit:7", via="api")
    login(outsider)
    client.get(f"/children/{child.ref}")
    client.post("/logout")
    login(coordinator)
    client.get(f"/children/{child.ref}")
    client.get(f"/children/{child.ref}/edit")
    client.get(f"/children/{child.ref}/helpers")
    for headers, words in ((EN, ["In their area", "Opened to edit", "Finding helpers", "During visit 7",
                                 "through the API", "Not in their area", "Changed: School and Grade"]),
                           ({"Accept-Language": "zh-CN"}, ["在其负责区域内", "打开编辑", "寻找帮助者", "走访（编号 7）期间",
                                                           "通过接口", "不在其负责区域内", "修改了：学校和年级"])):
        body = client.get(f"/children/{child.ref}/viewers", headers=headers).get_data(as_text=True)
        cells = re.findall(r"<td[^>]*>(.*?)</td>", body, re.S)
        text = " | ".join(cells)
        for word in words:
            assert word in text, word
        for code in ("scope", "ref:", "visit:7", "(api)", "grade,school", "find helpers"):
            assert code not in text, code
        assert "edit" not in cells

def test_delete_erases_the_child_everywhere(app, coord_client, make_child):
    child = make_child()
    uploads = Path(app.instance_path) / "uploads"
    uploads.mkdir(parents=True, exist_ok=True)
    photo = uploads / f"{child.ref}.jpg"
    photo.write_bytes(b"\xff\xd8\xff")
    child.photo_path = photo.name
    db.session.commit()
    need_id = None
    try:
        from volunteer.needs.models import Need
        from volunteer.needs.services import create_need

        need_id = create_need(_admin(child), child.ref, {
            "dimension": "intellect", "service_type": "tutoring", "urgency": "normal", "rhythm": "weekly",
            "skills": ["tutoring"]}).id
    except ImportError:
        pass
    child_id, ref = child.id, child.ref
    assert coord_client.post(f"/children/{child.ref}/delete", data={}).status_code == 400  # no confirm field
    resp = coord_client.post(f"/children/{child.ref}/delete", data={"confirm": child.ref}, headers=EN)
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/children")
    db.session.expire_all()
    assert db.session.get(Child, child_id) is None
    assert count(Consent, child_id=child_id) == 0 and count(ChildHistory, child_id=child_id) == 0
    if need_id is not None:
        assert db.session.get(Need, need_id) is None
    assert not photo.exists()
    assert len(audits("delete", child_id)) == 1
    assert coord_client.get(f"/children/{ref}").status_code == 404


def _admin(child):
    from volunteer.accounts.models import User

    return db.session.get(User, child.created_by_id)


def test_pages_follow_the_csp(coord_client, make_child):
    child = make_child()
    for path in ("/children", "/children/new", f"/children/{child.ref}", f"/children/{child.ref}/edit",
                 f"/children/{child.ref}/viewers", "/children/import"):
        resp = coord_client.get(path, headers=EN)
        body = resp.get_data(as_text=True)
        assert resp.status_code == 200, path
        assert not re.search(r"<script(?![^>]*\bsrc=)", body), path
        assert " style=" not in body and "hx-on" not in body, path
        assert 'class="wide"' in body, path


def test_pages_in_chinese(coord_client, make_child):
    child = make_child()
    resp = coord_client.get(f"/children/{child.ref}", headers={"Accept-Language": "zh-CN"})
    assert resp.status_code == 200 and 'lang="zh-CN"' in resp.get_data(as_text=True)


def test_a_long_list_of_changed_fields_cut_at_80_characters_still_reads_in_words(app):
    from volunteer.children.pages import audit_reason

    reason = ",".join(["address", "birth_date", "category", "disabled", "district_code", "gender", "grade",
                       "guardian_name", "guardian_phone", "guardian_relation"])[:80]
    with app.test_request_context("/", headers=EN):
        text = audit_reason("update", reason)
    assert text.startswith("Changed: Gender, Birth date") and text.endswith("and Guardian") and "_" not in text
