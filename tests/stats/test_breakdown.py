"""Services counted the bureau's ways (by form, by content, by type, by Qingdao month, by area), inside the
coordinator's scope: person-times are the children served, hours the helpers' service time."""
from datetime import date

from volunteer.stats import services

PERIOD = (date(2026, 1, 1), date(2026, 6, 30))  # the conftest's laoshan services


def _by(rows, key="key"):
    return {r[key]: (r["services"], r["person_times"], r["hours"]) for r in rows}


def test_services_are_counted_by_form_with_overrides_and_children_served_as_person_times(laoshan):
    f = services.figures(laoshan["district"], *PERIOD)
    assert _by(f.by_form) == {"home_visit_survey": (1, 1, 2.0), "case_service": (1, 1, 1.5),
                              "group_service": (3, 16, 5.5), "community_activity": (0, 0, 0.0), "other": (0, 0, 0.0)}
    assert [r["key"] for r in f.by_form] == ["home_visit_survey", "case_service", "group_service",
                                             "community_activity", "other"]
    assert f.by_form_total == {"services": 5, "person_times": 18, "hours": 9.0}


def test_services_are_counted_by_content_and_the_total_leaves_out_services_without_one(laoshan):
    f = services.figures(laoshan["district"], *PERIOD)
    assert _by(f.by_content) == {"rehabilitation": (0, 0, 0.0), "tutoring": (1, 1, 1.5), "counselling": (0, 0, 0.0),
                                 "quality": (1, 12, 4.0), "camp_other": (1, 3, 1.0), "none": (2, 2, 2.5)}
    assert str(f.by_content[-1]["label"]) in ("No content", "无具体内容")
    assert f.by_content_total == {"services": 3, "person_times": 16, "hours": 6.5}


def test_the_type_table_counts_children_served_and_helpers_stay_in_volunteers(laoshan):
    f = services.figures(laoshan["district"], *PERIOD)
    rows = {r["service_type"]: (r["visits"], r["person_times"], r["hours"]) for r in f.services}
    # The tutoring need's second service counts as a group service but stays a tutoring need's service.
    assert rows["tutoring"] == (2, 4, 2.5) and rows["home_visit_survey"] == (1, 1, 2.0)
    assert rows["group_service"] == (2, 13, 4.5) and rows["rehabilitation"] == (0, 0, 0.0)
    assert f.services_total == {"visits": 5, "person_times": 18, "hours": 9.0}
    assert f.volunteers == {"served": 3, "helper_times": 7, "hours": 9.0}  # 7 check-ins by 3 volunteers


def test_services_are_counted_by_qingdao_month_with_empty_months(laoshan):
    f = services.figures(laoshan["district"], *PERIOD)
    assert [(r["month"], r["services"], r["person_times"], r["hours"]) for r in f.by_month] == [
        ("2026-01", 0, 0, 0.0), ("2026-02", 0, 0, 0.0), ("2026-03", 1, 1, 1.5),
        ("2026-04", 1, 1, 2.0),  # 17:00 UTC on 31 March is April in Qingdao
        ("2026-05", 2, 15, 5.0), ("2026-06", 1, 1, 0.5)]
    part = services.figures(laoshan["district"], date(2026, 3, 15), date(2026, 5, 10))
    assert [(r["month"], r["services"]) for r in part.by_month] == [("2026-03", 0), ("2026-04", 1), ("2026-05", 1)]
    one = services.figures(laoshan["district"], date(2026, 5, 1), date(2026, 5, 31))
    assert [(r["month"], r["services"], r["person_times"]) for r in one.by_month] == [("2026-05", 2, 15)]


def test_services_are_counted_by_area_with_services_per_child(laoshan):
    f = services.figures(laoshan["district"], *PERIOD)
    rows = {r["area"]: r for r in f.by_area}
    assert {"370212001", "370212002", "370212003"} <= set(rows)  # every town of 崂山区, zeros included
    assert all(code.startswith("370212") for code in rows)
    shazikou, wanggezhuang = rows["370212002"], rows["370212003"]
    assert (shazikou["name"], shazikou["services"], shazikou["person_times"], shazikou["hours"]) == ("沙子口街道", 2, 4, 2.5)
    assert (shazikou["children"], shazikou["per_child"]) == (1, 2.0)
    assert (wanggezhuang["services"], wanggezhuang["person_times"], wanggezhuang["per_child"]) == (3, 14, 3.0)
    assert (rows["370212001"]["services"], rows["370212001"]["children"], rows["370212001"]["per_child"]) == (0, 0, None)

    city = {r["area"]: r for r in services.figures(laoshan["admin"], *PERIOD).by_area}
    assert len(city) == 10 and (city["370212"]["services"], city["370212"]["children"]) == (5, 2)
    assert (city["370202"]["name"], city["370202"]["services"], city["370202"]["person_times"]) == ("市南区", 1, 1)


def test_a_town_coordinator_counts_only_their_town(laoshan):
    f = services.figures(laoshan["town"], *PERIOD)
    assert _by(f.by_form)["group_service"] == (2, 13, 4.5) and _by(f.by_form)["case_service"] == (0, 0, 0.0)
    assert f.by_form_total == {"services": 3, "person_times": 14, "hours": 6.5}
    assert _by(f.by_content)["none"] == (2, 2, 2.5) and f.by_content_total["services"] == 1
    assert [(r["area"], r["services"], r["children"]) for r in f.by_area] == [("370212003", 3, 1)]
    assert sum(r["services"] for r in f.by_month) == 3
