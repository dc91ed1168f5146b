"""Visit reports: observations, new needs in one step, private photos, review, the child's timeline."""
import io
import os
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from volunteer.children.validation import InvalidInput
from volunteer.extensions import db
from volunteer.needs.models import Need
from volunteer.visits import answers, checkin, reports, services
from volunteer.visits.models import VisitPhoto, VisitReport

from .conftest import HOME, window


@pytest.fixture(autouse=True)
def private_instance(app, tmp_path, monkeypatch):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 40, 40)).save(out, "PNG")
    return out.getvalue()


def _uploads(app) -> set:
    d = Path(app.instance_path) / "uploads"
    return set(os.listdir(d)) if d.exists() else set()


@pytest.fixture
def visited(team):
    v0 = team["vols"][0]
    visit = services.assign_visit(team["coord"], team["tutoring"].id, *window(0.2), [v0.id])
    answers.respond(v0, visit.id, True)
    checkin.check_in(v0, visit.id, *HOME)
    return visit


def _needs():
    return db.session.scalar(select(func.count(Need.id)))


def test_report_with_new_need_and_photo_then_review(team, visited, app):
    v0 = team["vols"][0]
    before = _needs()
    report = reports.file_report(v0, visited.id, {"body": "健康", "intellect": "数学需要帮助",
                                                  "follow_up_on": ""},
                                 photos=[("a.png", _png())],
                                 new_needs=[{"service_type": "counselling", "dimension": "mind"}])
    assert _needs() == before + 1 and len(report.photos) == 1 and len(_uploads(app)) == 1
    with pytest.raises(InvalidInput):
        reports.file_report(v0, visited.id, {"body": "again"})
    with pytest.raises(services.VisitNotFound):
        reports.photo_file(v0, report.photos[0].id)
    assert reports.photo_file(team["coord"], report.photos[0].id).is_file()
    reports.review(team["coord"], visited.id, "好")
    assert report.reviewed_by_id == team["coord"].id
    assert [v.id for v in reports.timeline(team["child"])] == [visited.id]


@pytest.mark.parametrize("data,needs,photo,field", [
    ({}, [], None, "body"),
    ({"body": "<script>"}, [], None, "body"),
    ({"body": "ok", "follow_up_on": "2001-01-01"}, [], None, "follow_up_on"),
    ({"body": "ok"}, [{"service_type": "counselling", "dimension": ""}], None, "new_needs"),
    ({"body": "ok"}, [], b"not a picture", "photos"),
])
def test_a_bad_report_saves_nothing(team, visited, app, data, needs, photo, field):
    before = (_needs(), db.session.scalar(select(func.count(VisitReport.id))),
              db.session.scalar(select(func.count(VisitPhoto.id))))
    with pytest.raises(InvalidInput) as exc:
        reports.file_report(team["vols"][0], visited.id, data, photos=[("x.png", photo)] if photo else [],
                            new_needs=needs)
    assert field in exc.value.errors
    assert (_needs(), db.session.scalar(select(func.count(VisitReport.id))),
            db.session.scalar(select(func.count(VisitPhoto.id)))) == before
    assert _uploads(app) == set()


def test_a_helper_who_did_not_check_in_cannot_report(team):
    v0 = team["vols"][0]
    visit = services.assign_visit(team["coord"], team["tutoring"].id, *window(0.2), [v0.id])
    answers.respond(v0, visit.id, True)
    with pytest.raises(Exception) as exc:
        reports.file_report(v0, visit.id, {"body": "x"})
    assert type(exc.value).__name__ in ("NotAllowed", "InvalidInput")
