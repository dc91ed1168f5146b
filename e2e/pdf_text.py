"""The text of a PDF that Chromium printed (page.pdf()), for tests: enough of PDF to read Skia's output, not a
general parser. Skia writes each font as Type0/Identity-H with a ToUnicode map, and text as hex glyph strings
(<0012> Tj, [<0012> 3 <0034>] TJ) after a font selection (/F3 10 Tf)."""
import re
import zlib

OBJECT = re.compile(rb"(\d+) 0 obj(.*?)endobj", re.S)
STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)
FONT_NAMES = re.compile(rb"/Font\s*<<(.*?)>>", re.S)
NAME_REF = re.compile(rb"/([A-Za-z0-9_.+-]+)\s+(\d+)\s+0\s+R")
TOKENS = re.compile(rb"/([A-Za-z0-9_.+-]+)\s+[\d.]+\s+Tf|<([0-9A-Fa-f\s]*)>")


def _stream(body: bytes) -> bytes:
    m = STREAM.search(body)
    if not m:
        return b""
    data = m.group(1)
    return zlib.decompress(data) if b"/FlateDecode" in body[:m.start()] else data


def _cmap(data: bytes) -> dict:
    """glyph code (int) -> text, from a ToUnicode CMap's bfchar and bfrange sections."""
    out = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            out[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be", "replace")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for lo, hi, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            start = int(dst, 16)
            for i, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                out[code] = chr(start + i)
    return out


def text(pdf: bytes) -> str:
    """Every string the pages draw, in drawing order (no spaces added between runs)."""
    objects = {int(n): body for n, body in OBJECT.findall(pdf)}
    maps = {}
    for n, body in objects.items():
        ref = re.search(rb"/ToUnicode\s+(\d+)\s+0\s+R", body)
        if ref and int(ref.group(1)) in objects:
            maps[n] = _cmap(_stream(objects[int(ref.group(1))]))
    fonts = {}  # resource name -> glyph map
    for body in objects.values():
        for names in FONT_NAMES.findall(body):
            for name, n in NAME_REF.findall(names):
                if int(n) in maps:
                    fonts[name] = maps[int(n)]
    out = []
    for body in objects.values():
        if b"stream" not in body or b"/ToUnicode" in body or b"/FontFile" in body:
            continue
        try:
            content = _stream(body)
        except zlib.error:
            continue
        if b"Tj" not in content and b"TJ" not in content:
            continue
        glyphs = {}
        for font, hexes in TOKENS.findall(content):
            if font:
                glyphs = fonts.get(font, {})
                continue
            digits = re.sub(rb"\s", b"", hexes)
            for i in range(0, len(digits) - 3, 4):
                out.append(glyphs.get(int(digits[i:i + 4], 16), ""))
    return "".join(out)
