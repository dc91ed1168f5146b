"""The real-name ID number: GB 11643 checks, encryption at rest, the masked form, and the profile section."""
import os
import stat
from datetime import date
from pathlib import Path

import pytest
from flask_babel import force_locale

from volunteer.extensions import db
from volunteer.volunteers import idnumber
from volunteer.volunteers.models import VolunteerProfile

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def with_check(first17: str) -> str:
    """The 18-character number: ISO 7064 MOD 11-2 over the first 17 digits, computed here on its own."""
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS))
    return first17 + "10X98765432"[total % 11]


def number_ending_in_x() -> str:
    for seq in range(1000):
        n = with_check(f"37021219900101{seq:03d}")
        if n.endswith("X"):
            return n
    raise AssertionError("no sequence gives X")


VALID = with_check("37021219900307123")  # 崂山区, born 1990-03-07


@pytest.fixture(autouse=True)
def english(app):
    with force_locale("en"):
        yield


def test_a_valid_number_passes_and_gives_its_birth_date():
    assert idnumber.validate(VALID) == VALID
    assert idnumber.birth_date_of(VALID) == date(1990, 3, 7)


def test_a_final_lowercase_x_spaces_and_fullwidth_digits_are_normalised():
    x = number_ending_in_x()
    assert idnumber.validate(x[:-1].lower() + "x") == x
    assert idnumber.validate(" " + x[:6] + " " + x[6:-1] + "x ") == x
    fullwidth = "".join(chr(ord(c) + 0xFEE0) for c in VALID[:17]) + VALID[17]
    assert idnumber.validate(fullwidth) == VALID


@pytest.mark.parametrize("raw,message", [
    (VALID[:17] + ("0" if VALID[17] != "0" else "1"), "check digit"),
    ("370212900307123", "old 15-digit"),
    ("3702121990030712", "18 characters"),
    ("37021219900307123A", "18 characters"),
    (with_check("99021219900307123"), "province"),
    (with_check("37001219900307123"), "province"),
    (with_check("37021219900230123"), "not a real date"),
    (with_check("37021218890101123"), "not a real date"),
    (with_check("37021229990101123"), "not a real date"),
    ("", "18 characters"),
])
def test_a_wrong_number_gets_a_clear_message(raw, message):
    with pytest.raises(idnumber.IdNumberError) as exc:
        idnumber.validate(raw)
    assert message in str(exc.value.message)


def test_the_mask_keeps_four_characters_at_each_end():
    assert idnumber.mask(VALID) == VALID[:4] + "*" * 10 + VALID[-4:]


def test_the_stored_value_is_encrypted_and_decrypts_back(app):
    token = idnumber.encrypt(VALID)
    assert VALID not in token and token != VALID
    assert idnumber.decrypt(token) == VALID
    assert idnumber.encrypt(VALID) != token  # a fresh IV each time: equal numbers do not look equal


def test_without_ID_NUMBER_KEY_a_key_is_generated_once_in_the_instance_folder_readable_by_the_owner_only(app):
    idnumber.encrypt(VALID)
    path = Path(app.instance_path) / "id_number_key"
    assert path.exists()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_ID_NUMBER_KEY_from_the_environment_is_used_and_an_older_key_still_decrypts(app, monkeypatch):
    from cryptography.fernet import Fernet

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    monkeypatch.setenv("ID_NUMBER_KEY", old)
    app.extensions.pop("id_number_fernet", None)
    token = idnumber.encrypt(VALID)
    assert Fernet(old.encode()).decrypt(token.encode()).decode() == VALID
    monkeypatch.setenv("ID_NUMBER_KEY", f"{new},{old}")  # rotation: the first key encrypts, any decrypts
    app.extensions.pop("id_number_fernet", None)
    assert idnumber.decrypt(token) == VALID
    assert Fernet(new.encode()).decrypt(idnumber.encrypt(VALID).encode()).decode() == VALID
    app.extensions.pop("id_number_fernet", None)


# --- the profile page ------------------------------------------------------------------------------------

BASE = {"skills": ["companionship"], "slots": ["0-am"], "location_source": "gps", "lat": "36.1025",
        "lon": "120.4678", "district": "", "town": "", "radius_km": "8", "max_visits_per_month": "3",
        "credential_counselling": "", "credential_rehabilitation": "", "id_number": "", "birth_date": ""}


@pytest.fixture
def volunteer(make_user, login):
    user = make_user(role="volunteer")
    login(user)
    return user


def post(client, **changes):
    return client.post("/me/profile", data={**BASE, **changes}, headers={"Accept-Language": "en"})


def test_a_saved_number_is_stored_encrypted_masked_and_fills_the_birth_date(client, volunteer):
    assert post(client, id_number=VALID.lower()).status_code == 302
    p = db.session.get(VolunteerProfile, volunteer.id)
    assert p.id_number_mask == idnumber.mask(VALID)
    assert VALID not in p.id_number_enc and idnumber.decrypt(p.id_number_enc) == VALID
    assert p.birth_date == date(1990, 3, 7)


def test_the_profile_page_shows_only_the_masked_number(client, volunteer):
    post(client, id_number=VALID)
    body = client.get("/me/profile", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert idnumber.mask(VALID) in body and VALID not in body
    assert VALID[6:14] not in body.replace("1990-03-07", "")  # the birth digits only as the birth date
    # A page sent back with an error elsewhere does not echo a valid number typed into it either.
    again = post(client, id_number=VALID, skills=[])
    assert again.status_code == 422 and VALID not in again.get_data(as_text=True)


def test_leaving_the_field_empty_keeps_the_number_and_remove_deletes_it(client, volunteer):
    post(client, id_number=VALID)
    assert post(client).status_code == 302
    p = db.session.get(VolunteerProfile, volunteer.id)
    assert p.id_number_mask == idnumber.mask(VALID)
    assert post(client, id_number_remove="y", birth_date="1990-03-07").status_code == 302
    db.session.expire_all()
    p = db.session.get(VolunteerProfile, volunteer.id)
    assert (p.id_number_enc, p.id_number_mask, p.birth_date) == (None, None, date(1990, 3, 7))


def test_replacing_the_number_stores_the_new_one(client, volunteer):
    post(client, id_number=VALID)
    other = with_check("37020319851111002")
    assert post(client, id_number=other).status_code == 302
    p = db.session.get(VolunteerProfile, volunteer.id)
    assert idnumber.decrypt(p.id_number_enc) == other and p.birth_date == date(1985, 11, 11)


def test_without_a_number_a_typed_birth_date_is_kept(client, volunteer):
    assert post(client, birth_date="2001-02-03").status_code == 302
    p = db.session.get(VolunteerProfile, volunteer.id)
    assert (p.birth_date, p.id_number_mask) == (date(2001, 2, 3), None)


@pytest.mark.parametrize("changes,message", [
    ({"id_number": VALID[:17] + ("0" if VALID[17] != "0" else "1")}, "check digit"),
    ({"id_number": VALID, "birth_date": "1991-03-07"}, "differs from the one in your ID number"),
    ({"birth_date": "2999-01-01"}, "in the past"),
    ({"birth_date": "not a date"}, "Enter a date"),
])
def test_a_wrong_number_or_birth_date_is_refused_with_a_message_and_nothing_is_saved(
        client, volunteer, changes, message):
    resp = post(client, **changes)
    assert resp.status_code == 422 and message in resp.get_data(as_text=True)
    p = db.session.get(VolunteerProfile, volunteer.id)
    assert (p.id_number_enc, p.birth_date, p.completed) == (None, None, False)


def test_the_number_never_reaches_the_audit_trail(client, volunteer):
    from sqlalchemy import select

    from volunteer.audit.models import AuditEntry

    post(client, id_number=VALID)
    rows = db.session.scalars(select(AuditEntry)).all()
    assert any(r.collection == "volunteer" and r.object_id == volunteer.id for r in rows)
    assert not any(VALID in (r.reason or "") or VALID[:14] in (r.reason or "") for r in rows)
