"""SMS through Alibaba Cloud's and Tencent Cloud's real SDKs, against a local stub server."""
import pytest

from tests.notifications.sms_stub import SmsStub, provider_config, sms_provider  # noqa: F401 (fixture)
from volunteer.notifications import backends
from volunteer.notifications.channels import DeliveryFailed, choose, send
from volunteer.notifications.sms import SmsFailed, send_sms
from volunteer.notifications.targets import Target


def test_a_code_goes_signed_with_its_template_sign_name_and_code(app, sms_provider):
    send_sms("+8613912345678", "reset", {"code": "042917"}, "护航验证码 042917")
    [req] = sms_provider.requests
    assert req["action"] == "SendSms"
    assert req["signed"], "the Authorization header is the signature of this request with the configured secret"
    assert req["template"] == "T-RESET" and req["sign_name"] == "护航"
    if sms_provider.provider == "aliyun":
        assert req["phone"] == "13912345678" and req["params"] == {"code": "042917"}
    else:
        assert req["phone"] == "+8613912345678" and req["params"] == ["042917"]
        assert req["app_id"] == "1400000001" and req["region"] == "ap-guangzhou"


@pytest.mark.parametrize("kind,template", [("signup", "T-SIGNUP"), ("phone", "T-PHONE")])
def test_each_kind_of_code_has_its_own_template(app, sms_provider, kind, template):
    send_sms("+8613912345678", kind, {"code": "123456"}, "code 123456")
    assert [r["template"] for r in sms_provider.requests] == [template]


def test_a_refusal_by_the_provider_raises_so_the_job_is_tried_again(app, sms_provider):
    sms_provider.fail = True
    with pytest.raises(SmsFailed) as info:
        send_sms("+8613912345678", "reset", {"code": "123456"}, "code 123456")
    assert "123456" not in str(info.value)  # nothing secret in the error (it goes to the job's record)
    assert len(sms_provider.requests) == 1


def test_a_provider_without_its_settings_says_which_are_missing(app):
    stub = SmsStub()
    try:
        app.config.update({**provider_config("aliyun", stub.url), "SMS_SIGN_NAME": "", "SMS_TEMPLATE_RESET": ""})
        with pytest.raises(SmsFailed, match="SMS_SIGN_NAME, SMS_TEMPLATE_RESET"):
            send_sms("+8613912345678", "reset", {"code": "123456"}, "code")
        assert stub.requests == []
    finally:
        stub.close()


def test_an_unreachable_provider_raises_without_the_code(app):
    stub = SmsStub()
    url = stub.url
    stub.close()
    app.config.update({**provider_config("tencent", url), "SMS_TIMEOUT": 2})
    with pytest.raises(SmsFailed) as info:
        send_sms("+8613912345678", "reset", {"code": "987650"}, "code")
    assert "987650" not in str(info.value)


def test_notifications_by_sms_go_through_the_notify_template(app, make_user, sms_provider):
    user = make_user(phone="+8613800138000")
    choose(user, sms=True, email=False)
    send(user.id, "security", "k1", "新的家访邀请：周六上午，崂山区沙子口街道的一个家庭需要你", target=Target("account"))
    [req] = sms_provider.requests
    assert req["signed"] and req["template"] == "T-NOTIFY"
    title = req["params"]["title"] if sms_provider.provider == "aliyun" else req["params"][0]
    assert title.startswith("新的家访邀请") and len(title) <= 35  # a template variable holds 35 characters


def test_a_failed_notification_by_sms_is_recorded_and_raised(app, make_user, sms_provider):
    user = make_user(phone="+8613800138000")
    choose(user, sms=True, email=False)
    sms_provider.fail = True
    with pytest.raises(DeliveryFailed):
        send(user.id, "security", "k2", "标题", target=Target("account"))


def test_the_console_backend_stays_the_default_and_prints_the_text(app, capsys):
    backends.SENT.clear()
    send_sms("+8613912345678", "signup", {"code": "123456"}, "护航注册验证码 123456", "body")
    assert backends.SENT == [("sms", "+8613912345678", "护航注册验证码 123456", "body")]
    assert "123456" in capsys.readouterr().err


def test_a_plain_backend_without_templates_gets_the_text(app):
    app.config["NOTIFY_SMS_BACKEND"] = "tests.notifications.test_sms_providers:PlainGateway"
    PlainGateway.sent.clear()
    send_sms("+8613912345678", "reset", {"code": "123456"}, "验证码 123456", "body")
    assert PlainGateway.sent == [("+8613912345678", "验证码 123456")]


class PlainGateway:
    """A gateway that only knows send(address, title, body)."""

    sent: list = []

    def __init__(self, channel):
        pass

    def send(self, address, title, body):
        self.sent.append((address, title))


def test_the_stub_tells_a_request_signed_with_another_secret(app, sms_provider):
    app.config["SMS_ACCESS_KEY_SECRET"] = "not-the-secret"
    send_sms("+8613912345678", "reset", {"code": "123456"}, "code")
    assert sms_provider.requests[0]["signed"] is False
