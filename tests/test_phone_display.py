"""Phone numbers on pages read as a Chinese reader writes them (171 6104 5053) and call through a tel: link
to the stored E.164 number; anything that is not a number is shown as it is."""
from markupsafe import Markup

from volunteer.validation import phone_link, phone_text


def test_a_mobile_number_reads_in_groups_and_links_to_its_e164_form():
    assert phone_text("+8617161045053") == "171 6104 5053"
    assert phone_link("+8617161045053") == Markup('<a href="tel:+8617161045053">171 6104 5053</a>')


def test_empty_and_unreadable_values_are_shown_as_they_are_and_escaped():
    assert phone_text(None) == "" and phone_text("") == "" and phone_link(None) == ""
    assert phone_text("不详") == "不详"
    assert phone_link("<b>x</b>") == Markup("&lt;b&gt;x&lt;/b&gt;")


def test_templates_have_the_filters(app):
    from flask import render_template_string

    with app.test_request_context("/"):
        html = render_template_string("{{ n|phone }} {{ n|phone_link }}", n="+8613812345678")
    assert html == '138 1234 5678 <a href="tel:+8613812345678">138 1234 5678</a>'
