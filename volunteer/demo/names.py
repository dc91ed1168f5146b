"""Synthetic Chinese names for demo data.

Every name made here is synthetic: a common surname joined to one or two characters drawn
independently from short lists of common given-name characters. No list of real people was
used, so any match with a living person is a coincidence of common characters, not a record.
Organisation names are built the same way from neutral words and are not real organisations.
"""

# Common surnames (frequent in Shandong), weighted by rough frequency rank.
SURNAMES = (
    ("王", 10), ("张", 9), ("李", 9), ("刘", 8), ("孙", 6), ("于", 5), ("杨", 5), ("赵", 5),
    ("陈", 5), ("徐", 4), ("高", 4), ("姜", 4), ("宋", 3), ("邢", 3), ("周", 3), ("吴", 3),
    ("郭", 3), ("马", 3), ("林", 3), ("韩", 3), ("曲", 2), ("隋", 2), ("纪", 2), ("薛", 2),
    ("董", 2), ("丁", 2), ("崔", 2), ("毛", 1), ("修", 1), ("宫", 1), ("矫", 1), ("栾", 1),
)

# Given-name characters; the neutral list is mixed into both genders.
GIVEN_F = tuple("芳娜敏静丽婷雪琳颖洁晓欣悦萱怡佳蕾淑秀兰梅霞燕")
GIVEN_M = tuple("伟强磊军洋勇杰涛斌浩宇鹏飞超刚健辉锋峰博凯")
GIVEN_N = tuple("文明华晨一子安宁嘉思雨永春海若心俊诗梓逸言")

# Neutral two-character words for organisation names.
ORG_WORDS = (
    "启航", "暖阳", "同心", "春苗", "彩虹", "微光", "向阳", "蒲公英", "青禾", "繁星",
    "晨曦", "海鸥", "和风", "益路", "善行", "初心", "守望", "新芽", "朝露", "远帆",
    "山海", "拾光", "暖流", "星火", "知行", "润心", "绿荫", "灯塔",
)
# Made-up company stems for caring units (爱心企业).
COMPANY_STEMS = (
    "蓝湾", "金沙", "琴岛", "海岳", "崂峰", "胶澳", "鳌山", "珠山", "大泽", "沽河", "浮山", "云溪",
)

_SURNAME_CHARS = tuple(s for s, _ in SURNAMES)
_SURNAME_WEIGHTS = tuple(w for _, w in SURNAMES)


def person_name(rng, gender: str) -> str:
    """A synthetic name: surname plus one (30%) or two (70%) given-name characters."""
    surname = rng.choices(_SURNAME_CHARS, _SURNAME_WEIGHTS)[0]
    pool = (GIVEN_F if gender == "f" else GIVEN_M) + GIVEN_N
    count = 1 if rng.random() < 0.3 else 2
    return surname + "".join(rng.choice(pool) for _ in range(count))

# Stems for synthetic community names (社区); combinations of ordinary words, not a real register.
VILLAGE_WORDS = tuple("东山 西岭 南河 北坡 青松 海湾 石桥 枫林 桃源 清泉 长安 和平 新华 金沙 银杏 望海".split())
