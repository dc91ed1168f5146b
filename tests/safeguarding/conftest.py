"""Safeguarding fixtures: the rule turned on, proofs as real files, volunteers of 沙子口 and their checks."""
import io
from datetime import timedelta

import pytest
from flask_babel import force_locale
from PIL import Image

from volunteer.extensions import db
from volunteer.safeguarding import proofs
from volunteer.safeguarding.models import SafeguardingCheck
from volunteer.safeguarding.services import add_months, today

LAOSHAN, SHAZIKOU = "370212", "370212002"


@pytest.fixture(autouse=True)
def english(app):
    """Service messages are lazy strings: read them in English (the default locale is Chinese)."""
    with force_locale("en"):
        yield


@pytest.fixture
def rule(app):
    """The production default: every visit, and camps, need a verified, unexpired check."""
    app.config["SAFEGUARDING_REQUIRED_FOR"] = "visit camp"


@pytest.fixture
def private_instance(app, tmp_path, monkeypatch):
    """An instance folder of the test's own (proofs are written there)."""
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    return tmp_path


def jpeg(size=(400, 300), exif_gps=False) -> bytes:
    img = Image.new("RGB", size, (200, 180, 160))
    out = io.BytesIO()
    if exif_gps:
        exif = Image.Exif()
        exif[0x8825] = {1: "N", 2: (36.0, 6.0, 36.7), 3: "E", 4: (120.0, 27.0, 43.9)}
        img.save(out, "JPEG", exif=exif)
    else:
        img.save(out, "JPEG")
    return out.getvalue()


def pdf(body: bytes = b"", catalog_extra: bytes = b"") -> bytes:
    """A small well-formed PDF (one empty page); body: extra objects, catalog_extra: more catalog keys."""
    objs = [b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b">>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"]
    out, offsets = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"), []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    out += body
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def volunteer_here(make_user, **fields):
    """A volunteer living in 沙子口 (崂山区): in a 崂山区 coordinator's scope."""
    user = make_user(role="volunteer", **fields)
    user.profile.district_code, user.profile.town_code = LAOSHAN, SHAZIKOU
    db.session.commit()
    return user


@pytest.fixture
def coord(make_user):
    return make_user(role="coordinator", scope_level="district", scope_code=LAOSHAN)


def verified(user, staff, issued_days_ago=30):
    """Upload a proof for user and verify it as staff (the real services); the check."""
    row = proofs.upload(user, "no_criminal_record", "证明.jpg", jpeg())
    return proofs.verify(staff, row.id, today() - timedelta(days=issued_days_ago))


def expiring_in(user, days, reminded=False):
    """A verified check of user expiring `days` from today (inserted as verification leaves it)."""
    expires = today() + timedelta(days=days)
    issued = add_months(expires, -12)
    row = SafeguardingCheck(user_id=user.id, kind="no_criminal_record", file_name="", content_type="image/jpeg",
                            size=1, status="verified", issued_on=issued, expires_on=expires)
    db.session.add(row)
    db.session.commit()
    return row
