"""The optional photo of a micro-wish: checked, re-encoded without metadata, stored privately.

A photo is personal data of a child: only staff whose scope covers the child may add, replace, remove
or see it (access.VIEWS "wish" -> "full", through services.wish_for_change); it never appears on
privacy cards. Everyone else gets WishNotFound, the same answer as for a wish that does not exist.

What arrives is never stored as sent. It must be a JPEG, PNG or WebP by its content (the file name is
not trusted), at most MAX_BYTES, with sane dimensions (decompression bombs are refused before any
pixel is decoded). It is then decoded, turned upright, shrunk to LONG_SIDE and saved as a new JPEG:
no EXIF (a phone's GPS position would reveal where the child lives), no comments, no XMP, no ICC.
Files live in instance/uploads/ (mode 0700) under random names; the database keeps the name only.
"""
import io
import os
import re
import secrets
import warnings
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

from ..audit import services as audit
from ..children.validation import InvalidInput
from ..extensions import db
from . import services
from .models import Wish
from .services import WishNotFound

ACCEPTED = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
ACCEPT_ATTR = ",".join(ACCEPTED.values())  # for <input type="file" accept=...>
MAX_BYTES = 2 * 1024 * 1024
MIN_SIDE = 32  # pixels: anything smaller shows nothing
MAX_SIDE = 12_000
MAX_PIXELS = 40_000_000  # well under Pillow's own bomb limit; phone photos are 12-50 MP but < 2 MB here
LONG_SIDE = 1600
QUALITY = 85
STORED_NAME = re.compile(r"[0-9a-f]{32}\.jpg", re.ASCII)
# Names people give other picture files, to say "wrong type" rather than "not a picture".
OTHER_PICTURES = {"heic": "HEIC", "heif": "HEIF", "gif": "GIF", "bmp": "BMP", "tif": "TIFF", "tiff": "TIFF",
                  "avif": "AVIF", "svg": "SVG"}

NO_PHOTO = _l("Choose a photo to upload.")
NOT_AN_IMAGE = _l("This file is not a picture that can be read. Choose a JPEG, PNG or WebP photo.")
TOO_LARGE = _l("The photo is larger than %(mb)s MB. Choose a smaller photo or reduce its size.", mb=MAX_BYTES // 2**20)
TOO_MANY_PIXELS = _l("The picture is too big (at most %(side)s pixels on a side and %(mp)s megapixels). "
                     "Reduce its size and try again.", side=MAX_SIDE, mp=MAX_PIXELS // 1_000_000)
TOO_SMALL = _l("The picture is too small: it must be at least %(n)s pixels on each side.", n=MIN_SIDE)


class PreparedPhoto(bytes):
    """A photo already checked and re-encoded by prepare_photo (a clean JPEG)."""


def _wrong_type(kind):
    return _l("Photos must be JPEG, PNG or WebP; this file is %(kind)s. Save it as JPEG and try again.",
              kind=kind)


def _refuse(message):
    return InvalidInput({"photo": message})


def _extension(filename) -> str:
    name = os.path.basename(str(filename or ""))
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def prepare_photo(filename, data: bytes) -> PreparedPhoto:
    """Check a sent photo and return it re-encoded as a clean JPEG; raise InvalidInput({"photo": ...}).

    Saves nothing: call it before creating anything, so a bad photo leaves no trace.
    """
    if isinstance(data, PreparedPhoto):
        return data
    if not data:
        raise _refuse(NO_PHOTO)
    if len(data) > MAX_BYTES:
        raise _refuse(TOO_LARGE)
    with warnings.catch_warnings():
        # Above Image.MAX_IMAGE_PIXELS Pillow only warns; treat that as the bomb it is.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            img = Image.open(io.BytesIO(data), formats=list(ACCEPTED))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _refuse(TOO_MANY_PIXELS) from None
        except UnidentifiedImageError:
            raise _refuse(_wrong_kind(filename, data)) from None
        except Exception:  # a damaged header: Pillow raises many kinds
            raise _refuse(NOT_AN_IMAGE) from None
        with img:
            if img.format not in ACCEPTED:
                raise _refuse(_wrong_type(img.format or "?"))
            width, height = img.size
            if width > MAX_SIDE or height > MAX_SIDE or width * height > MAX_PIXELS:
                raise _refuse(TOO_MANY_PIXELS)
            if width < MIN_SIDE or height < MIN_SIDE:
                raise _refuse(TOO_SMALL)
            try:
                return PreparedPhoto(_reencode(img))
            except (Image.DecompressionBombError, Image.DecompressionBombWarning):
                raise _refuse(TOO_MANY_PIXELS) from None
            except Exception:  # truncated or corrupt pixel data
                raise _refuse(NOT_AN_IMAGE) from None


def _wrong_kind(filename, data: bytes):
    """The message for content Pillow did not take as JPEG/PNG/WebP: another picture type, or none."""
    head = data[:32]
    kind = None
    if head[:6] in (b"GIF87a", b"GIF89a"):
        kind = "GIF"
    elif head[:2] == b"BM":
        kind = "BMP"
    elif head[:4] in (b"II*\x00", b"MM\x00*"):
        kind = "TIFF"
    elif head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"heif", b"hevc"):
        kind = "HEIC"
    elif head[4:8] == b"ftyp" and head[8:12] in (b"avif", b"avis"):
        kind = "AVIF"
    if kind is None and _extension(filename) in OTHER_PICTURES and not head.isascii():
        kind = OTHER_PICTURES[_extension(filename)]
    return _wrong_type(kind) if kind else NOT_AN_IMAGE


def _reencode(img: Image.Image) -> bytes:
    if img.format == "JPEG":
        img.draft("RGB", (LONG_SIDE, LONG_SIDE))  # decode big JPEGs at a reduced scale: quicker, less memory
    img.load()
    img = ImageOps.exif_transpose(img)  # upright as the phone showed it; the orientation tag goes away
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        img = img.convert("RGBA")
        flat = Image.new("RGB", img.size, (255, 255, 255))
        flat.paste(img, mask=img.getchannel("A"))
        img = flat
    elif img.mode != "RGB":
        img = img.convert("RGB")
    img.thumbnail((LONG_SIDE, LONG_SIDE), Image.Resampling.LANCZOS)
    # A fresh image holds pixels only: no EXIF/GPS, comment, XMP or ICC profile can ride along.
    clean = Image.new("RGB", img.size)
    clean.paste(img)
    out = io.BytesIO()
    clean.save(out, "JPEG", quality=QUALITY, optimize=True, progressive=True)
    return out.getvalue()


def uploads_dir() -> Path:
    """instance/uploads/, created private (0700) when missing."""
    path = Path(current_app.instance_path) / "uploads"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o077:  # made by hand or by an older version: make it private
        path.chmod(0o700)
    return path


def _stored(name) -> Path | None:
    """The file of a stored photo name, or None when the name is not one this module writes."""
    if not name or not STORED_NAME.fullmatch(name):
        return None
    return uploads_dir() / name


def _write(jpeg: bytes) -> str:
    folder = uploads_dir()
    name = f"{secrets.token_hex(16)}.jpg"
    fd = os.open(folder / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(jpeg)
    except BaseException:
        (folder / name).unlink(missing_ok=True)
        raise
    return name


def _unlink(name) -> None:
    path = _stored(name)
    if path is not None:
        path.unlink(missing_ok=True)


def _emit(wish: Wish) -> None:
    from ..events.services import emit

    emit("wish.updated", f"child:{wish.child_id}", child_id=wish.child_id, wish_id=wish.id)


def save_wish_photo(staff, wish_ref: str, filename, data: bytes, via: str = "web") -> Wish:
    """Add or replace a wish's photo (staff in scope; else WishNotFound). A bad photo raises
    InvalidInput({"photo": ...}) and changes nothing; the replaced file is deleted."""
    wish = services.wish_for_change(staff, wish_ref, via)
    jpeg = prepare_photo(filename, data)
    name = _write(jpeg)
    old = wish.photo_path
    try:
        wish.photo_path = name
        _emit(wish)
        audit.log(staff, "update", "wish", wish.id, reason="photo", via=via, commit=False)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        _unlink(name)
        raise
    if old and old != name:
        _unlink(old)
    return wish


def remove_wish_photo(staff, wish_ref: str, via: str = "web") -> Wish:
    """Remove a wish's photo and delete its file (staff in scope; else WishNotFound)."""
    wish = services.wish_for_change(staff, wish_ref, via)
    old = wish.photo_path
    if old:
        wish.photo_path = None
        _emit(wish)
        audit.log(staff, "update", "wish", wish.id, reason="photo:remove", via=via, commit=False)
        db.session.commit()
        _unlink(old)
    return wish


def photo_file(user, wish_ref: str, via: str = "web") -> Path:
    """The stored JPEG of a wish, for staff whose scope covers the child; anyone else, or a wish
    without a photo, gets WishNotFound (the same answer as a missing wish)."""
    wish = services.wish_for_change(user, wish_ref, via)
    path = _stored(wish.photo_path)
    if path is None or not path.is_file():
        raise WishNotFound(wish_ref)
    return path
