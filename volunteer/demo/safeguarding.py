"""Demo safeguarding checks (synthetic): most volunteers and organisation members verified, some waiting,
expiring soon, expired, not accepted or missing, so every state shows on /my/checks, /checks, find helpers
and proposals. The demo volunteer and every helper of a planned visit are verified (the README's flows
plan and accept visits); a few 崂山区 volunteers wait for the district coordinator. Every row shares one
sample picture, written once (proofs.forget keeps it while a row names it)."""
import io
from datetime import timedelta

from PIL import Image, ImageDraw
from sqlalchemy import insert, select

from ..accounts.models import User
from ..extensions import db
from ..safeguarding import files
from ..safeguarding.models import SafeguardingCheck
from ..safeguarding.services import LOCAL, add_months
from ..visits.models import ACTIVE_STATUSES, Visit, VisitAssignee
from ..volunteers.models import VolunteerProfile
from .places import LAOSHAN
from .people import DEMO_PHONE_PREFIX

KIND = "no_criminal_record"
# (state, weight) for everyone not fixed below.
MIX = (("verified", 80), ("expiring", 6), ("pending", 5), ("expired", 4), ("rejected", 2), ("missing", 3))
REASONS = ("照片模糊，看不清公安机关印章，请重新拍摄。", "证明上的姓名与账号不一致。")
LAOSHAN_WAITING = 3


def _sample() -> tuple[str, int]:
    """One picture standing for every demo certificate (no real document)."""
    img = Image.new("RGB", (840, 600), (250, 248, 240))
    draw = ImageDraw.Draw(img)
    draw.rectangle((20, 20, 820, 580), outline=(150, 30, 30), width=6)
    draw.ellipse((600, 400, 760, 560), outline=(200, 30, 30), width=8)
    for y in range(120, 380, 40):
        draw.line((80, y, 760, y), fill=(120, 120, 120), width=3)
    draw.text((80, 60), "DEMO - SAMPLE CERTIFICATE", fill=(40, 40, 40))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=80)
    return files.write(out.getvalue(), "jpg"), len(out.getvalue())


def add_checks(rng, staff_ids: dict, demo_volunteer: int, now) -> int:
    """Insert a check row per demo volunteer and organisation member; return how many."""
    people = db.session.execute(
        select(User.id, User.role, VolunteerProfile.district_code)
        .outerjoin(VolunteerProfile, VolunteerProfile.user_id == User.id)
        .where(User.phone.startswith(DEMO_PHONE_PREFIX, autoescape=True),
               User.role.in_(("volunteer", "org_admin", "org_member"))).order_by(User.id)).all()
    going = set(db.session.scalars(select(VisitAssignee.user_id).join(Visit, Visit.id == VisitAssignee.visit_id)
                                   .where(Visit.status.in_(ACTIVE_STATUSES))))
    fixed = {demo_volunteer, *going}
    waiting = [p.id for p in people if p.role == "volunteer" and p.district_code == LAOSHAN
               and p.id not in fixed][:LAOSHAN_WAITING]
    states, weights = zip(*MIX)
    today = now.astimezone(LOCAL).date()
    (name, size), verifier, rows = _sample(), staff_ids["coordinator_city"], []
    for p in people:
        state = "verified" if p.id in fixed else "pending" if p.id in waiting else \
            "verified" if p.role != "volunteer" and rng.random() < 0.9 else rng.choices(states, weights)[0]
        if state == "missing":
            continue
        sent = now - timedelta(days=rng.randint(1, 20))
        row = {"user_id": p.id, "kind": KIND, "file_name": name, "content_type": "image/jpeg", "size": size,
               "status": "verified", "created_at": sent, "updated_at": sent, "issued_on": None,
               "expires_on": None, "reason": None, "verified_by_id": None, "verified_at": None}
        if state in ("verified", "expiring", "expired"):
            left = {"verified": rng.randint(45, 330), "expiring": rng.randint(5, 25),
                    "expired": -rng.randint(5, 60)}[state]
            expires = today + timedelta(days=left)
            issued = add_months(expires, -12)
            row.update(issued_on=issued, expires_on=expires, verified_by_id=verifier,
                       verified_at=now - timedelta(days=max(1, (today - issued).days - 3)),
                       created_at=now - timedelta(days=max(2, (today - issued).days - 2)))
        elif state == "rejected":
            row.update(status="rejected", reason=rng.choice(REASONS), file_name="", verified_by_id=verifier,
                       verified_at=sent + timedelta(days=1))
        else:
            row["status"] = "pending"
        rows.append(row)
    if rows:
        db.session.execute(insert(SafeguardingCheck), rows)
    return len(rows)
