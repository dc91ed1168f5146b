"""The console backend shows each message where whoever runs the app can read it."""
from volunteer.notifications import backends


def test_the_console_sms_backend_prints_the_message_to_standard_error(app, capfd):
    backends.backend("sms").send("+8613700000001", "您的护航注册验证码是 123456", "body")
    err = capfd.readouterr().err
    assert "[sms to +8613700000001] 您的护航注册验证码是 123456" in err
    assert backends.SENT[-1][:3] == ("sms", "+8613700000001", "您的护航注册验证码是 123456")
