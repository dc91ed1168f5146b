"""The privacy card's pieces: the nickname a card calls a child by."""
import re

import pytest
from flask_babel import force_locale

from volunteer.children.cards import pseudonym
from volunteer.children.nicknames import CHARACTERS, nickname

REFS = ["a1b2c3d4e5", "ffee001122", "0000zzzz99", "6c9e12ab34", "k3j4h5g6f7"]


def test_a_nickname_is_two_friendly_chinese_characters_and_no_hex():
    for i in range(500):
        name = nickname(f"ref{i:07d}")
        assert len(name) == 2 and re.fullmatch(r"[\u4e00-\u9fff]{2}", name), name
        assert name[1] in CHARACTERS and (name[0] == "小" or name[0] == name[1]), name


def test_the_same_child_always_gets_the_same_nickname_and_children_get_many_different_ones():
    assert [nickname(r) for r in REFS] == [nickname(r) for r in list(REFS)]
    assert len({nickname(f"ref{i:07d}") for i in range(2000)}) >= 100


@pytest.mark.parametrize("locale", ["zh_Hans_CN", "en"])
def test_a_card_calls_a_child_by_the_nickname_in_every_language_never_by_its_reference(app, locale):
    with app.test_request_context(), force_locale(locale):
        for ref in REFS:
            assert pseudonym(ref) == nickname(ref)
            assert ref[:4].upper() not in pseudonym(ref) and "儿童" not in pseudonym(ref)
