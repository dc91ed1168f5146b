"""A child's friendly nickname on privacy cards: two Chinese characters (小雨, 乐乐), stable per child.

    nickname("a1b2c3d4e5") -> "小鹿"

Picked by a hash of the child's random public reference, never from the name or anything personal, so
the same child is called the same on every page, in every language and in the API. Nicknames repeat
across children (about 120 of them): a card is told apart by its number, town and age band too.
"""
import hashlib

# Characters that read well both as 小X and doubled (XX), like the pet names children are called by.
CHARACTERS = "雨乐安宁星月阳晴朵果豆苗禾林山川云雪花叶桃梅竹松鹿鱼燕晨欣朗航帆石海溪泉萌米糖贝宝杰虎凡可琪" \
             "瑶悦童笑甜圆丁冬佳莉橙柚"
FORMS = ("小{c}", "{c}{c}")


def nickname(ref: str) -> str:
    """The two-character nickname of the child with public reference ref (the same ref, the same name)."""
    digest = int.from_bytes(hashlib.sha256((ref or "").encode()).digest()[:8], "big")
    char = CHARACTERS[digest % len(CHARACTERS)]
    return FORMS[(digest // len(CHARACTERS)) % len(FORMS)].format(c=char)
