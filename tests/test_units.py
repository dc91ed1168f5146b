"""Numbers with units and moments, in both languages: no needless decimals, the unit in the user's words."""
from datetime import datetime, timezone

import pytest
from flask_babel import force_locale

from volunteer import units

ZH, EN = "zh_Hans_CN", "en"


@pytest.mark.parametrize("locale, value, text", [
    (ZH, 1.5, "1.5 小时"), (ZH, 2.0, "2 小时"), (ZH, 48, "48 小时"), (ZH, 0, "0 小时"), (ZH, 1.04, "1 小时"),
    (EN, 1.5, "1.5 hours"), (EN, 2.0, "2 hours"), (EN, 1, "1 hour"), (EN, 1.04, "1 hour"),
    (EN, 1234.5, "1,234.5 hours"),
])
def test_hours_carry_the_unit_and_no_needless_decimals(app, locale, value, text):
    with force_locale(locale):
        assert units.hours(value) == text


@pytest.mark.parametrize("locale, minutes, text", [
    (ZH, 45, "45 分钟"), (ZH, 0, "0 分钟"), (ZH, 90, "1.5 小时"), (ZH, 120, "2 小时"),
    (EN, 1, "1 minute"), (EN, 45, "45 minutes"), (EN, 60, "1 hour"), (EN, 90, "1.5 hours"),
])
def test_a_duration_shows_minutes_under_an_hour_and_hours_after(app, locale, minutes, text):
    with force_locale(locale):
        assert units.duration(minutes) == text


@pytest.mark.parametrize("locale, metres, text", [
    (ZH, 300, "300 米"), (ZH, 587.4, "590 米"), (ZH, 42.3, "42 米"), (ZH, 994, "990 米"), (ZH, 1000, "1 公里"),
    (ZH, 1234, "1.2 公里"), (ZH, 12_345, "12.3 公里"),
    (EN, 300, "300 m"), (EN, 587.4, "590 m"), (EN, 1234, "1.2 km"), (EN, 2000, "2 km"),
])
def test_a_distance_shows_metres_under_a_kilometre_and_kilometres_after(app, locale, metres, text):
    with force_locale(locale):
        assert units.distance(metres) == text


@pytest.mark.parametrize("locale, km, text", [
    (ZH, 1.23, "1.2 公里"), (ZH, 5, "5 公里"), (ZH, 0.4, "0.4 公里"), (EN, 5.0, "5 km"), (EN, 0.04, "0 km"),
])
def test_kilometres_keep_one_decimal_at_most(app, locale, km, text):
    with force_locale(locale):
        assert units.km(km) == text


def test_a_moment_shows_as_a_day_and_time_in_qingdao(app):
    moment = datetime(2026, 12, 8, 9, 30, tzinfo=timezone.utc)
    with force_locale(ZH):
        assert units.day_time(moment) == "12月8日 17:30"
    with force_locale(EN):
        assert units.day_time(moment) == "Dec 8, 17:30"


def test_nothing_to_show_gives_an_empty_text(app):
    assert units.hours(None) == units.distance(None) == units.day_time(None) == ""


def test_the_helpers_are_jinja_filters(app):
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        text = app.jinja_env.from_string("{{ 90|duration }} · {{ 1234|distance }} · {{ 1.5|hours }} · {{ 3|km }}"
                                         " · {{ 45|minutes }} · {{ 300|metres }}").render()
    assert text == "1.5 小时 · 1.2 公里 · 1.5 小时 · 3 公里 · 45 分钟 · 300 米"
