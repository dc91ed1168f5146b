"""A micro-wish's photo: real image files in, a clean JPEG (no EXIF/GPS) out, stored privately, shown to
staff in scope only, refused with a clear 422 when bad (nothing saved), deleted with the child."""
import io
import os
import re
import stat
import struct
import zlib
from pathlib import Path

import pytest
from PIL import ExifTags, Image
from sqlalchemy import func, select

from volunteer.children.services import delete_child
from volunteer.children.validation import InvalidInput
from volunteer.extensions import db
from volunteer.needs import photos, services
from volunteer.needs.models import Wish

EN = {"Accept-Language": "en"}
HX = {**EN, "HX-Request": "true"}
WISH = {"item": "新书包", "category": "study", "price_yuan": "80"}
# Where the child lives (沙子口): what a phone would write into the photo.
LAT, LON = (36.0, 6.0, 36.72), (120.0, 27.0, 43.9)


# --- real files --------------------------------------------------------------------------------------

def _picture(size=(400, 300)) -> Image.Image:
    img = Image.new("RGB", size, (200, 40, 40))
    img.paste((20, 90, 200), (0, 0, size[0] // 2, size[1] // 2))
    return img


def _gps_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Orientation] = 6  # taken sideways: shown rotated 90°
    exif[ExifTags.IFD.GPSInfo] = {ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: LAT,
                                  ExifTags.GPS.GPSLongitudeRef: "E", ExifTags.GPS.GPSLongitude: LON}
    return exif


def _encode(img, fmt, **params) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **params)
    return buf.getvalue()


def png_with_gps(size=(400, 300)) -> bytes:
    data = _encode(_picture(size), "PNG", exif=_gps_exif())
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the fixture really has GPS
    return data


def png_claiming(width, height) -> bytes:
    """A real 1x1 PNG whose header claims width x height (a decompression bomb costs nothing to send)."""
    png = _encode(Image.new("L", (1, 1)), "PNG")
    assert png[12:16] == b"IHDR"
    ihdr = b"IHDR" + struct.pack(">II", width, height) + png[24:29]
    return png[:12] + ihdr + struct.pack(">I", zlib.crc32(ihdr) & 0xFFFFFFFF) + png[33:]


def noise_png(nbytes=3 * 1024 * 1024) -> bytes:
    """A genuine PNG of random pixels: incompressible, so the file is about nbytes large."""
    side = int((nbytes / 3) ** 0.5) + 8
    data = _encode(Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)), "PNG")
    assert len(data) > nbytes
    return data


# --- fixtures ----------------------------------------------------------------------------------------

@pytest.fixture(autouse=True)
def private_instance(app, tmp_path, monkeypatch):
    """Photos go to a temporary instance folder (the app's own one is the project's instance/)."""
    monkeypatch.setattr(app, "instance_path", str(tmp_path))


@pytest.fixture
def staff(make_user):
    return make_user(role="coordinator", scope_level="district", scope_code="370212")


@pytest.fixture
def child(make_child, staff):
    return make_child(by=staff)


@pytest.fixture
def wish(child, staff):
    return services.create_wish(staff, child.ref, WISH)


@pytest.fixture
def staff_client(app, login, client, staff):
    login(staff)
    return client


def uploads(app) -> Path:
    return Path(app.instance_path) / "uploads"


def files(app) -> set[str]:
    return set(os.listdir(uploads(app))) if uploads(app).exists() else set()


def wish_count() -> int:
    return db.session.scalar(select(func.count(Wish.id)))


def stored(ref) -> Wish:
    db.session.expire_all()
    return db.session.scalar(select(Wish).where(Wish.ref == ref))


def new_wish(client, child, data: bytes, filename="photo.png", headers=EN, **fields):
    form = {**WISH, **fields, "photo": (io.BytesIO(data), filename)}
    return client.post(f"/children/{child.ref}/wishes/new", data=form, headers=headers,
                       content_type="multipart/form-data")


# --- metadata is stripped ----------------------------------------------------------------------------

def test_a_png_with_gps_is_stored_as_a_jpeg_without_any_exif(app, staff_client, child):
    before = files(app)
    resp = new_wish(staff_client, child, png_with_gps(), "IMG_0001.png")
    assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
    wish = db.session.scalar(select(Wish).where(Wish.child_id == child.id))
    assert wish.photo_path and files(app) - before == {wish.photo_path}
    assert photos.STORED_NAME.fullmatch(wish.photo_path)  # a random name, not the sender's
    path = uploads(app) / wish.photo_path
    raw = path.read_bytes()
    img = Image.open(path)
    assert img.format == "JPEG" and img.mode == "RGB"
    assert dict(img.getexif()) == {} and "exif" not in img.info
    assert b"Exif" not in raw and b"PhoneMaker" not in raw
    assert img.size == (300, 400)  # turned upright by the orientation tag, which is gone too
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(uploads(app).stat().st_mode) == 0o700


def test_a_big_phone_jpeg_is_shrunk_and_stripped_when_replacing_over_htmx(app, staff_client, wish):
    data = _encode(_picture((4000, 3000)), "JPEG", quality=70, exif=_gps_exif(), comment=b"home address")
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    resp = staff_client.post(f"/wishes/{wish.ref}/photo", data={"photo": (io.BytesIO(data), "IMG_0002.JPG")},
                             headers=HX, content_type="multipart/form-data")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and f'id="wish-{wish.ref}"' in html
    assert f'<img src="/wishes/{wish.ref}/photo" alt="Photo of the wish: 新书包"' in html
    path = uploads(app) / stored(wish.ref).photo_path
    img = Image.open(path)
    assert max(img.size) == photos.LONG_SIDE and img.size == (1200, 1600)
    assert dict(img.getexif()) == {} and "comment" not in img.info
    raw = path.read_bytes()
    assert b"Exif" not in raw and b"home address" not in raw


def test_staff_in_scope_get_the_photo_private_and_unsniffable(app, staff_client, wish, staff):
    photos.save_wish_photo(staff, wish.ref, "p.webp", _encode(_picture(), "WEBP"))
    resp = staff_client.get(f"/wishes/{wish.ref}/photo")
    assert resp.status_code == 200 and resp.mimetype == "image/jpeg"
    assert resp.headers["Cache-Control"] == "private, no-store"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.data == (uploads(app) / stored(wish.ref).photo_path).read_bytes()
    assert resp.data[:3] == b"\xff\xd8\xff"


# --- bad photos: 422, nothing saved -----------------------------------------------------------------

BAD = {
    "text_named_jpg": (lambda: b"Hello, this is not a photo at all.\n" * 20, "photo.jpg", "is not a picture"),
    "three_mb": (noise_png, "big.png", "larger than 2 MB"),
    "bomb_30000": (lambda: png_claiming(30000, 30000), "bomb.png", "too big"),
    "below_pillows_limit": (lambda: png_claiming(10000, 8000), "wide.png", "too big"),
    "too_wide": (lambda: png_claiming(20000, 100), "strip.png", "too big"),
    "tiny": (lambda: _encode(_picture((8, 8)), "PNG"), "tiny.png", "too small"),
    "gif": (lambda: _encode(_picture(), "GIF"), "photo.gif", "this file is GIF"),
    "truncated_jpeg": (lambda: _encode(_picture((800, 600)), "JPEG")[:2000], "cut.jpg", "is not a picture"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_photo_on_a_new_wish_is_a_422_next_to_the_field_and_saves_nothing(app, staff_client, child, case):
    make, filename, message = BAD[case]
    data = make()
    before_files, before_wishes = files(app), wish_count()
    resp = new_wish(staff_client, child, data, filename, item="足球")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert 'id="f-photo-error"' in html and message in html
    assert 'value="足球"' in html and 'value="80"' in html  # the other fields are kept
    assert wish_count() == before_wishes and files(app) == before_files


@pytest.mark.parametrize("case", ["text_named_jpg", "three_mb", "bomb_30000", "gif"])
def test_a_bad_replacement_keeps_the_old_photo(app, staff_client, wish, staff, case):
    photos.save_wish_photo(staff, wish.ref, "p.png", png_with_gps())
    old, before = stored(wish.ref).photo_path, files(app)
    make, filename, message = BAD[case]
    resp = staff_client.post(f"/wishes/{wish.ref}/photo", data={"photo": (io.BytesIO(make()), filename)},
                             headers=HX, content_type="multipart/form-data")
    assert resp.status_code == 422 and message in resp.get_data(as_text=True)
    assert stored(wish.ref).photo_path == old and files(app) == before
    with pytest.raises(InvalidInput) as exc:
        photos.save_wish_photo(staff, wish.ref, filename, make())
    assert set(exc.value.errors) == {"photo"}


def test_other_field_errors_and_a_good_photo_save_nothing_and_ask_for_the_photo_again(app, staff_client, child):
    before_files, before_wishes = files(app), wish_count()
    resp = new_wish(staff_client, child, png_with_gps(), price_yuan="abc")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and 'id="f-price_yuan-error"' in html and 'id="f-photo-error"' not in html
    assert "choose it again" in html
    assert wish_count() == before_wishes and files(app) == before_files


def test_the_form_asks_for_an_optional_photo_and_works_without_one(staff_client, child):
    html = staff_client.get(f"/children/{child.ref}/wishes/new", headers=EN).get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in html
    assert 'type="file" accept="image/jpeg,image/png,image/webp"' in html
    resp = staff_client.post(f"/children/{child.ref}/wishes/new", data={**WISH, "photo": (io.BytesIO(b""), "")},
                             content_type="multipart/form-data")
    assert resp.status_code == 302
    assert db.session.scalar(select(Wish).where(Wish.child_id == child.id)).photo_path is None


# --- who sees it -------------------------------------------------------------------------------------

MISSING = "nosuchwish"


def page(resp, ref) -> str:
    """An answer's body with what legitimately differs between two requests made the same: the path
    (the language switcher links back to it) and the time-stamped CSRF token."""
    body = resp.get_data(as_text=True).replace(f"/wishes/{ref}/", "/wishes/REF/")
    body = re.sub(r'(name="csrf_token"[^>]*value=)"[^"]+"', r"\1TOKEN", body)
    return re.sub(r'("X-CSRFToken": )"[^"]+"', r"\1TOKEN", body)


@pytest.mark.parametrize("role", ["volunteer", "org_member", "caring_unit", "outsider"])
def test_only_staff_in_scope_see_a_photo_everyone_else_gets_the_missing_wish_404(app, world, make_org,
                                                                                 make_user, role):
    admin = world["users"]["admin"]
    ref = world["ids"]["wish"]
    photos.save_wish_photo(admin, ref, "p.png", png_with_gps())
    if role == "caring_unit":
        user = make_user(role="org_admin", organisation_id=make_org(name="爱心单位乙", kind="caring_unit").id)
    else:
        user = world["users"][role]
    client = app.test_client()
    assert client.post("/login", data={"phone": user.phone, "password": "Huhang-2026"}).status_code == 302
    photo = (uploads(app) / stored(ref).photo_path).read_bytes()
    for headers in (EN, HX):
        resp = client.get(f"/wishes/{ref}/photo", headers=headers)
        missing = client.get(f"/wishes/{MISSING}/photo", headers=headers)
        assert resp.status_code == missing.status_code == 404
        assert page(resp, ref) == page(missing, MISSING) and photo not in resp.data
        assert resp.mimetype == missing.mimetype == "text/html"
    # Nor may they replace or remove it (the outsider is told it does not exist; other roles may not at all).
    expected = 404 if role == "outsider" else 403
    assert client.post(f"/wishes/{ref}/photo", data={"photo": (io.BytesIO(png_with_gps()), "x.png")},
                       content_type="multipart/form-data").status_code == expected
    assert client.post(f"/wishes/{ref}/photo/delete").status_code == expected
    assert stored(ref).photo_path and (uploads(app) / stored(ref).photo_path).read_bytes() == photo
    with pytest.raises(services.WishNotFound):
        photos.photo_file(user, ref)


def test_the_photo_never_appears_on_the_needs_cards(app, world, login):
    admin, ref = world["users"]["admin"], world["ids"]["wish"]
    photos.save_wish_photo(admin, ref, "p.png", png_with_gps())
    name = stored(ref).photo_path
    for role in ("volunteer", "org_admin", "coordinator"):
        client = app.test_client()
        assert client.post("/login", data={"phone": world["users"][role].phone,
                                           "password": "Huhang-2026"}).status_code == 302
        for headers in (EN, HX):
            html = client.get("/needs", headers=headers).get_data(as_text=True)
            assert "Tutoring" in html  # the world's open need is on the board
            assert "/photo" not in html and name not in html and "<img" not in html


def test_the_staff_wish_row_shows_a_thumbnail(staff_client, child, wish, staff):
    html = staff_client.get(f"/children/{child.ref}", headers=EN).get_data(as_text=True)
    assert f'id="wish-photo-{wish.ref}"' in html and f'<img src="/wishes/{wish.ref}' not in html  # no photo yet
    photos.save_wish_photo(staff, wish.ref, "p.png", png_with_gps())
    html = staff_client.get(f"/children/{child.ref}", headers=EN).get_data(as_text=True)
    assert f'<img src="/wishes/{wish.ref}/photo" alt="Photo of the wish: 新书包" width="96"' in html
    assert " style=" not in html


# --- replacing, removing, erasing --------------------------------------------------------------------

def test_replacing_deletes_the_old_file_and_removing_deletes_the_photo(app, staff_client, wish, staff):
    photos.save_wish_photo(staff, wish.ref, "a.png", png_with_gps())
    first = uploads(app) / stored(wish.ref).photo_path
    resp = staff_client.post(f"/wishes/{wish.ref}/photo",
                             data={"photo": (io.BytesIO(_encode(_picture(), "JPEG")), "b.jpg")},
                             content_type="multipart/form-data")
    assert resp.status_code == 302
    second = uploads(app) / stored(wish.ref).photo_path
    assert not first.exists() and second.is_file() and second != first
    resp = staff_client.post(f"/wishes/{wish.ref}/photo/delete", headers=HX)
    assert resp.status_code == 200 and "<img" not in resp.get_data(as_text=True)
    assert stored(wish.ref).photo_path is None and not second.exists()
    assert staff_client.get(f"/wishes/{wish.ref}/photo").status_code == 404


def test_deleting_the_child_deletes_the_photo_file(app, child, wish, staff):
    photos.save_wish_photo(staff, wish.ref, "p.png", png_with_gps())
    path = uploads(app) / stored(wish.ref).photo_path
    assert path.is_file()
    delete_child(staff, child.ref)
    assert not path.exists()
