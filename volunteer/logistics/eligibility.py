"""Which pack kinds a child may get: category, age, school grade and clothing size."""
import re
from datetime import date

from ..children.cards import age_on

# Clothing size (height in cm) by age: what a child of that age usually wears.
SIZE_BY_AGE = ((3, "100"), (6, "120"), (9, "140"), (12, "150"), (99, "165"))
_NUMERALS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def size_for_age(age: int) -> str:
    """The clothing size a child of that age gets."""
    for top, size in SIZE_BY_AGE:
        if age <= top:
            return size
    return SIZE_BY_AGE[-1][1]


def grade_number(grade: str | None, age: int) -> int | None:
    """School grade 1-12 from the registry's text (三年级, 初二, 高一, 5), else estimated from age."""
    text = (grade or "").strip()
    if text:
        m = re.search(r"\d+", text)
        n = int(m.group()) if m else next((v for k, v in _NUMERALS.items() if k in text), None)
        if n is not None:
            if text.startswith("初") or "初中" in text:
                n += 6
            elif text.startswith("高") or "高中" in text:
                n += 9
            if 1 <= n <= 12:
                return n
    if 6 <= age <= 17:
        return min(12, age - 5)
    return None


def kind_fits(kind, category: str, age: int, grade: int | None) -> bool:
    """Whether a child (category, age, grade) may get this kind of pack."""
    cats = [c for c in (kind.categories or "").split(",") if c]
    if cats and category not in cats:
        return False
    if kind.min_age is not None and age < kind.min_age:
        return False
    if kind.max_age is not None and age > kind.max_age:
        return False
    if kind.min_grade is not None or kind.max_grade is not None:
        if grade is None:
            return False
        if kind.min_grade is not None and grade < kind.min_grade:
            return False
        if kind.max_grade is not None and grade > kind.max_grade:
            return False
    if kind.size and kind.size != size_for_age(age):
        return False
    return True


def kinds_for(kinds, category: str, birth: date, grade_text: str | None, today: date) -> list:
    """The kinds a child gets: the first fitting kind of each family (kinds in id order)."""
    age = age_on(birth, today)
    grade = grade_number(grade_text, age)
    chosen, families = [], set()
    for kind in kinds:
        if kind.family in families:
            continue
        if kind_fits(kind, category, age, grade):
            chosen.append(kind)
            families.add(kind.family)
    return chosen
