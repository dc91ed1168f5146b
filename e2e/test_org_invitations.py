"""Browser test: a volunteer answers an organisation's invitation on the phone (from the home page)."""
from playwright.sync_api import expect

from e2e.helpers import log_in
from volunteer.extensions import db
from volunteer.orgs import invitations


def test_a_volunteer_accepts_an_invitation_on_the_phone_and_only_then_joins(live_server, phone, make_user, make_org):
    org = make_org(name="至成社工")
    admin = make_user(role="org_admin", organisation_id=org.id)
    volunteer = make_user(role="volunteer", name="王志愿")
    inv = invitations.invite(admin, org.id, volunteer.phone, "org_member")
    page = phone()
    log_in(page, live_server, volunteer)
    page.locator("#home-invitations").click()
    card = page.locator(f"#invitation-{inv.id}")
    expect(card).to_contain_text("至成社工")
    db.session.refresh(volunteer)
    assert volunteer.organisation_id is None  # not a member before saying yes
    page.locator(f"#accept-invitation-{inv.id}").click()
    expect(page.locator(f"#invitation-{inv.id}")).to_contain_text("您已加入至成社工")
    db.session.expire_all()
    assert (volunteer.role, volunteer.organisation_id) == ("org_member", org.id)


def test_a_declined_invitation_shows_the_admin_only_not_accepted(live_server, phone, make_user, make_org):
    org = make_org(name="至成社工")
    admin = make_user(role="org_admin", organisation_id=org.id)
    volunteer = make_user(role="volunteer", name="王志愿")
    inv = invitations.invite(admin, org.id, volunteer.phone, "org_admin")
    page = phone()
    log_in(page, live_server, volunteer)
    page.goto(live_server + "/invitations")
    page.locator(f"#decline-invitation-{inv.id}").click()
    expect(page.locator(f"#invitation-{inv.id}")).to_have_attribute("data-status", "declined")
    admin_page = phone()
    log_in(admin_page, live_server, admin)
    admin_page.goto(f"{live_server}/orgs/{org.id}")
    row = admin_page.locator(f"#sent-invitation-{inv.id}")
    expect(row).to_contain_text("未接受")
    expect(row).not_to_contain_text("王志愿")
