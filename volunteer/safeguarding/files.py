"""A check's proof as a file: a photo re-encoded like wish photos, or a PDF validated as sent.

A photo (JPEG, PNG or WebP by its content) is decoded, turned upright, shrunk and saved as a new JPEG with
no metadata (needs/photos.py does the same for wishes). A PDF cannot be re-encoded here, so it must look
like a PDF all through: the header at byte 0, a cross-reference and %%EOF at the end, not encrypted, and no
name anywhere (also inside compressed streams, names' #xx escapes decoded) that runs code, opens other
files or carries files: JavaScript, launch actions, embedded files, forms (XFA), rich media. Programs and
archives get their own message. Files live in instance/safeguarding/ (0700, files 0600) under random
names, never under static/; the database keeps the name only.
"""
import io
import os
import re
import secrets
import warnings
import zlib
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import Image, UnidentifiedImageError

from ..children.validation import InvalidInput
from ..needs import photos
from .settings import setting

STORED_NAME = re.compile(r"[0-9a-f]{32}\.(jpg|pdf)", re.ASCII)
CONTENT_TYPES = {"jpg": "image/jpeg", "pdf": "application/pdf"}
ACCEPT_ATTR = "image/jpeg,image/png,image/webp,application/pdf"
PDF_HEADER = re.compile(rb"%PDF-(1\.[0-7]|2\.0)")
PDF_NAME = re.compile(rb"/([^\s/<>\[\]()%{}]*)")
# Names of PDF features that run code or carry other files (compared after #xx decoding).
PDF_BLOCKED = {b"JavaScript", b"JS", b"Launch", b"EmbeddedFile", b"EmbeddedFiles", b"FileAttachment",
               b"RichMedia", b"XFA", b"GoToE", b"ImportData", b"SubmitForm", b"Sound", b"Movie"}
STREAM = re.compile(rb"stream\r?\n")
MAX_INFLATED = 40 * 1024 * 1024  # all streams of a PDF, inflated: a zip bomb stops here
# Leading bytes of programs and archives (Windows, Linux, macOS, scripts, zip/apk/jar/docx, rar, 7z, cab).
PROGRAMS = (b"MZ", b"\x7fELF", b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe",
            b"\xca\xfe\xba\xbe", b"#!", b"PK\x03\x04", b"Rar!", b"7z\xbc\xaf", b"MSCF", b"\xd0\xcf\x11\xe0")
PROGRAM_EXTENSIONS = {"exe", "dll", "com", "bat", "cmd", "msi", "scr", "ps1", "vbs", "js", "jar", "apk", "sh",
                      "app", "dmg", "zip", "rar", "7z"}

NO_FILE = _l("Choose a photo or PDF of the certificate.")
NOT_ACCEPTED = _l("This file is neither a photo nor a PDF. Take a photo of the certificate (JPEG, PNG or WebP) "
                  "or upload its PDF.")
PROGRAM = _l("This file is a program or an archive, which cannot be uploaded. Take a photo of the "
             "certificate or upload its PDF.")
BAD_PDF = _l("This PDF is damaged or incomplete. Download it again or take a photo of the certificate.")
ENCRYPTED_PDF = _l("This PDF is password-protected. Upload a PDF without a password, or a photo of the "
                   "certificate.")
ACTIVE_PDF = _l("This PDF contains scripts, attached files or forms, which cannot be uploaded. Take a photo "
                "of the certificate or save the PDF again as a plain document.")


def too_large():
    return _l("The file is larger than %(mb)s MB. Take a smaller photo or reduce its size.", mb=max_mb())


def max_mb() -> str:
    """The size limit in MB as people read it (5, 0.5)."""
    return f"{int(setting('SAFEGUARDING_MAX_BYTES')) / 2**20:.1f}".removesuffix(".0")


def _refuse(message):
    return InvalidInput({"file": message})


def prepare(filename, data: bytes) -> tuple[bytes, str]:
    """(bytes to store, "jpg" or "pdf") for a sent proof; raise InvalidInput({"file": ...}). Saves nothing."""
    if not data:
        raise _refuse(NO_FILE)
    if len(data) > int(setting("SAFEGUARDING_MAX_BYTES")):
        raise _refuse(too_large())
    head = data[:16]
    if any(head.startswith(sig) for sig in PROGRAMS):
        raise _refuse(PROGRAM)
    if data[:1024].find(b"%PDF-") >= 0:
        return check_pdf(data), "pdf"
    try:
        return _image(filename, data), "jpg"
    except InvalidInput:
        if photos._extension(filename) in PROGRAM_EXTENSIONS:
            raise _refuse(PROGRAM) from None
        raise


def _image(filename, data: bytes) -> bytes:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            img = Image.open(io.BytesIO(data), formats=list(photos.ACCEPTED))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _refuse(photos.TOO_MANY_PIXELS) from None
        except UnidentifiedImageError:
            kind = photos._wrong_kind(filename, data)
            raise _refuse(NOT_ACCEPTED if kind is photos.NOT_AN_IMAGE else kind) from None
        except Exception:  # a damaged header: Pillow raises many kinds
            raise _refuse(NOT_ACCEPTED) from None
        with img:
            width, height = img.size
            if width > photos.MAX_SIDE or height > photos.MAX_SIDE or width * height > photos.MAX_PIXELS:
                raise _refuse(photos.TOO_MANY_PIXELS)
            if width < photos.MIN_SIDE or height < photos.MIN_SIDE:
                raise _refuse(photos.TOO_SMALL)
            try:
                return photos._reencode(img)
            except (Image.DecompressionBombError, Image.DecompressionBombWarning):
                raise _refuse(photos.TOO_MANY_PIXELS) from None
            except Exception:  # truncated or corrupt pixel data
                raise _refuse(NOT_ACCEPTED) from None


def check_pdf(data: bytes) -> bytes:
    """The PDF as sent, if it is one without active content; else InvalidInput({"file": ...}).

    Dictionaries (where every action and attachment is named) sit outside streams or inside object
    streams (/ObjStm, Flate-compressed): both are read; other streams (pictures, page text) are skipped,
    which also keeps their random bytes from looking like names."""
    if not PDF_HEADER.match(data):
        raise _refuse(BAD_PDF)
    tail = data[-2048:]
    if b"%%EOF" not in tail or b"startxref" not in tail:
        raise _refuse(BAD_PDF)
    budget, pos, outside = MAX_INFLATED, 0, []
    for m in STREAM.finditer(data):
        if m.start() < pos:
            continue  # "stream" inside a stream already skipped
        end = data.find(b"endstream", m.end())
        if end < 0:
            raise _refuse(BAD_PDF)
        outside.append(data[pos:m.start()])
        head = data[pos:m.start()]
        head = _decoded(head[max(0, head.rfind(b"obj")):])
        if b"/ObjStm" in head:
            try:
                inner = zlib.decompressobj().decompress(data[m.end():end], budget)
            except zlib.error:
                raise _refuse(BAD_PDF) from None  # an object stream we cannot read: we cannot vouch for it
            budget -= len(inner)
            if budget <= 0:
                raise _refuse(BAD_PDF)
            outside.append(inner)
        pos = end + len(b"endstream")
    outside.append(data[pos:])
    text = _decoded(b" ".join(outside))
    if b"/Encrypt" in text:
        raise _refuse(ENCRYPTED_PDF)
    if any(m.group(1) in PDF_BLOCKED for m in PDF_NAME.finditer(text)):
        raise _refuse(ACTIVE_PDF)
    return data


def _decoded(data: bytes) -> bytes:
    """Names' #xx escapes decoded (/J#61vaScript is /JavaScript)."""
    return re.sub(rb"#([0-9A-Fa-f]{2})", lambda h: bytes([int(h.group(1), 16)]), data) if b"#" in data else data


# --- storage ----------------------------------------------------------------------------------------

def folder() -> Path:
    """instance/safeguarding/, created private (0700) when missing."""
    path = Path(current_app.instance_path) / "safeguarding"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o077:
        path.chmod(0o700)
    return path


def stored(name) -> Path | None:
    """The file of a stored name, or None when the name is not one this module writes."""
    if not name or not STORED_NAME.fullmatch(name):
        return None
    return folder() / name


def write(data: bytes, ext: str) -> str:
    """Store the bytes under a new random name (0600); return the name."""
    name = f"{secrets.token_hex(16)}.{ext}"
    fd = os.open(folder() / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
    except BaseException:
        (folder() / name).unlink(missing_ok=True)
        raise
    return name


def unlink(name) -> None:
    path = stored(name)
    if path is not None:
        path.unlink(missing_ok=True)


def content_type(name: str) -> str:
    return CONTENT_TYPES.get(name.rsplit(".", 1)[-1], "application/octet-stream")
