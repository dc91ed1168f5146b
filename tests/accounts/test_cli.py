"""The create-admin command."""
from sqlalchemy import select

from volunteer.accounts.models import User
from volunteer.extensions import db


def test_create_admin_makes_an_admin_who_can_log_in(app, client):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-admin", "--phone", "13800138000", "--name", "管理员",
                                 "--password", "Admin-pass-1"])
    assert result.exit_code == 0, result.output
    admin = db.session.scalar(select(User).where(User.role == "admin"))
    assert admin.phone == "+8613800138000"
    assert client.post("/login", data={"phone": "13800138000", "password": "Admin-pass-1"}).status_code == 302


def test_create_admin_refuses_a_bad_phone(app):
    result = app.test_cli_runner().invoke(args=["create-admin", "--phone", "12", "--name", "x",
                                                "--password", "Admin-pass-1"])
    assert result.exit_code != 0
    assert db.session.scalar(select(User)) is None
