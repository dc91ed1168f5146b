"""Uploads: photos re-encoded without metadata, PDFs checked, anything else refused with a clear message."""
import io
import zlib

import pytest
from PIL import Image
from sqlalchemy import func, select

from volunteer.children.validation import InvalidInput
from volunteer.extensions import db
from volunteer.needs.rules import NotAllowed
from volunteer.safeguarding import files, proofs
from volunteer.safeguarding.models import SafeguardingCheck

from .conftest import jpeg, pdf, volunteer_here


def _refused(user, name, data) -> str:
    with pytest.raises(InvalidInput) as exc:
        proofs.upload(user, "no_criminal_record", name, data)
    return str(exc.value.errors["file"])


def _count() -> int:
    return db.session.scalar(select(func.count(SafeguardingCheck.id)))


def test_a_photo_is_stored_re_encoded_without_its_location(private_instance, make_user):
    v = volunteer_here(make_user)
    sent = jpeg(exif_gps=True)
    assert Image.open(io.BytesIO(sent)).getexif().get(0x8825)
    row = proofs.upload(v, "no_criminal_record", "IMG_0001.JPG", sent)
    path = files.stored(row.file_name)
    assert row.status == "pending" and row.content_type == "image/jpeg" and row.file_name.endswith(".jpg")
    kept = path.read_bytes()
    assert kept != sent and not Image.open(io.BytesIO(kept)).getexif()
    assert path.parent == private_instance / "safeguarding" and "static" not in str(path)
    assert oct(path.stat().st_mode & 0o777) == "0o600" and oct(path.parent.stat().st_mode & 0o777) == "0o700"


def test_a_plain_pdf_is_kept_as_sent(private_instance, make_user):
    v = volunteer_here(make_user)
    sent = pdf()
    row = proofs.upload(v, "no_criminal_record", "证明.pdf", sent)
    assert row.content_type == "application/pdf" and files.stored(row.file_name).read_bytes() == sent


def test_a_new_upload_replaces_the_one_waiting_and_deletes_its_file(private_instance, make_user):
    v = volunteer_here(make_user)
    first = proofs.upload(v, "no_criminal_record", "a.jpg", jpeg())
    old = files.stored(first.file_name)
    second = proofs.upload(v, "no_criminal_record", "b.pdf", pdf())
    assert second.id == first.id and second.content_type == "application/pdf" and not old.exists()
    assert _count() == 1


@pytest.mark.parametrize("name, data, words", [
    ("notes.txt", "我的证明".encode() * 50, "neither a photo nor a PDF"),
    ("scan.gif", b"GIF89a" + b"\x00" * 200, "this file is GIF"),
    ("setup.exe", b"MZ\x90\x00" + b"\x00" * 500, "program or an archive"),
    ("证明.jpg", b"MZ\x90\x00" + b"\x00" * 500, "program or an archive"),
    ("run", b"\x7fELF\x02\x01\x01" + b"\x00" * 500, "program or an archive"),
    ("app.apk", b"PK\x03\x04" + b"\x00" * 500, "program or an archive"),
    ("install.sh", b"#!/bin/sh\nrm -rf /\n", "program or an archive"),
    ("hello.js", b"alert(document.cookie)", "program or an archive"),
    ("empty.jpg", b"", "Choose a photo or PDF"),
])
def test_what_is_not_a_photo_or_pdf_is_refused_and_nothing_stored(private_instance, make_user, name, data, words):
    v = volunteer_here(make_user)
    assert words in _refused(v, name, data)
    assert _count() == 0 and not (private_instance / "safeguarding").exists()


def test_an_oversize_file_is_refused(app, private_instance, make_user):
    app.config["SAFEGUARDING_MAX_BYTES"] = 100_000
    v = volunteer_here(make_user)
    big = pdf(body=b"% padding\n" * 20_000)
    assert "larger than 0.1 MB" in _refused(v, "big.pdf", big)
    app.config["SAFEGUARDING_MAX_BYTES"] = 5 * 1024 * 1024
    assert "larger than 5 MB" in _refused(v, "big.jpg", b"\xff\xd8" + b"\x00" * (5 * 1024 * 1024))
    assert _count() == 0


def _objstm(dict_text: bytes) -> bytes:
    """An object stream (compressed) holding one object."""
    inner = b"9 0 " + dict_text
    packed = zlib.compress(inner)
    return (b"8 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length %d >>\nstream\n" % len(packed)
            + packed + b"\nendstream\nendobj\n")


@pytest.mark.parametrize("made, words", [
    (lambda: pdf(catalog_extra=b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >> "), "scripts"),
    (lambda: pdf(catalog_extra=b"/OpenAction << /S /J#61vaScript /JS (app.alert(1)) >> "), "scripts"),
    (lambda: pdf(body=_objstm(b"<< /S /Launch /F (cmd.exe) >>")), "scripts"),
    (lambda: pdf(catalog_extra=b"/Names << /EmbeddedFiles 5 0 R >> "), "attached files"),
    (lambda: pdf(catalog_extra=b"/AcroForm << /XFA 6 0 R >> "), "forms"),
    (lambda: pdf().replace(b"/Root 1 0 R", b"/Root 1 0 R /Encrypt 7 0 R"), "password-protected"),
    (lambda: pdf()[:-40], "damaged or incomplete"),
    (lambda: b"%PDF-1.7\n" + b"\x00" * 300, "damaged or incomplete"),
    (lambda: pdf(body=b"8 0 obj\n<< /Type /ObjStm /Length 5 >>\nstream\nabcde\nendstream\nendobj\n"), "damaged"),
])
def test_a_pdf_with_active_content_or_broken_is_refused(private_instance, make_user, made, words):
    v = volunteer_here(make_user)
    assert words in _refused(v, "证明.pdf", made())
    assert _count() == 0


def test_a_pdf_whose_pictures_happen_to_hold_such_bytes_is_accepted(private_instance, make_user):
    v = volunteer_here(make_user)
    picture = b"7 0 obj\n<< /Type /XObject /Subtype /Image /Length 12 >>\nstream\n/JS /Launch \nendstream\nendobj\n"
    assert proofs.upload(v, "no_criminal_record", "证明.pdf", pdf(body=picture)).status == "pending"


def test_only_volunteers_and_organisation_members_upload(private_instance, make_user, coord):
    with pytest.raises(NotAllowed):
        proofs.upload(coord, "no_criminal_record", "a.jpg", jpeg())
    with pytest.raises(InvalidInput):
        proofs.upload(volunteer_here(make_user), "driving_licence", "a.jpg", jpeg())
