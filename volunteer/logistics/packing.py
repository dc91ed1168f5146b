"""Packing lists per hub: a CSV and a printable PDF (CJK font embedded), written by a job under instance/.

Labels carry the pack code, the pack kind and the village, never a child's name: the village's child
director knows which pack goes to which child.
"""
import csv
import io
import os
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..children.models import Child
from ..extensions import db
from ..geo import services as geo
from .models import Allocation, Campaign, Hub, PackKind

# Noto Sans SC vendored from npm by scripts/vendor.sh (so a fresh machine has it), then Debian's CJK fonts.
FONT_CANDIDATES = (
    os.path.join(os.path.dirname(__file__), "fonts", "NotoSansSC-Regular.ttf"),
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
)
# The stored file's header; a download puts the reader's words in its place (reader_csv).
HEADER = ("pack_code", "pack_kind", "town", "village")
HEADER_LABELS = {"pack_code": _l("Pack code"), "pack_kind": _l("Pack kind"), "town": _l("Town or street"),
                 "village": _l("Village or community")}


class FontMissing(RuntimeError):
    """No CJK font to embed in the PDF."""


def font_path() -> str:
    """The CJK font to embed: LOGISTICS_FONT if set, else the first installed candidate; FontMissing if none."""
    configured = current_app.config.get("LOGISTICS_FONT")
    for path in [configured] if configured else FONT_CANDIDATES:
        if path and os.path.isfile(path):
            return path
    raise FontMissing(_("No Chinese font is installed for the PDF. Install the Debian package "
                        "fonts-wqy-zenhei (scripts/install-chromium.sh does) or set LOGISTICS_FONT; "
                        "the CSV packing lists work without it."))  # only if the vendored font was removed


def rows(campaign_id: int, hub_id: int) -> list[tuple[str, str, str, str]]:
    """(pack code, kind name, town, village) of a hub's packs, ordered by town, village, kind."""
    data = db.session.execute(
        select(Allocation.code, PackKind.name, Child.town_code, Child.village)
        .join(PackKind, PackKind.id == Allocation.kind_id).join(Child, Child.id == Allocation.child_id)
        .where(Allocation.campaign_id == campaign_id, Allocation.hub_id == hub_id,
               Allocation.status.in_(("confirmed", "delivered")))
        .order_by(Child.town_code, Child.village, Allocation.kind_id, Allocation.code)).all()
    return [(code, kind, geo.name_of(town), village or "") for code, kind, town, village in data]


def folder(campaign: Campaign) -> Path:
    """The campaign's folder; its creation time is in the name, so a reused id never finds old files."""
    stamp = campaign.created_at.strftime("%Y%m%d%H%M%S%f") if campaign.created_at else "0"
    return Path(current_app.instance_path) / "packing" / f"campaign-{campaign.id}-{stamp}"


def csv_bytes(data) -> bytes:
    """UTF-8 with a BOM so spreadsheet programs show the Chinese right."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(HEADER)
    w.writerows(data)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def reader_csv(path: Path) -> bytes:
    """A stored packing list with its header in the reader's language (UTF-8 with a BOM)."""
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow([str(HEADER_LABELS.get(h, h)) for h in (rows[0] if rows else HEADER)])
    w.writerows(rows[1:])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def pdf_bytes(campaign: Campaign, hub: Hub, data) -> bytes:
    """The packing list: a count per kind, then one label per pack (code, kind, village) to cut out."""
    from fpdf import FPDF

    path = font_path()
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=12)
    pdf.add_font("cjk", "", path)
    pdf.set_font("cjk", size=16)
    pdf.add_page()
    pdf.cell(0, 10, _("Packing list: %(campaign)s", campaign=campaign.name), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=11)
    pdf.cell(0, 7, _("Hub: %(hub)s · %(n)s packs", hub=hub.name, n=len(data)), new_x="LMARGIN", new_y="NEXT")
    counts = {}
    for _code, kind, _t, _v in data:
        counts[kind] = counts.get(kind, 0) + 1
    for kind, n in sorted(counts.items()):
        pdf.cell(0, 6, f"{kind}: {n}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    width, height, cols = 62, 24, 3
    x0 = pdf.l_margin
    for i, (code, kind, town, village) in enumerate(data):
        col = i % cols
        if col == 0 and pdf.get_y() + height > pdf.h - pdf.b_margin:
            pdf.add_page()
        x, y = x0 + col * width, pdf.get_y()
        pdf.rect(x, y, width - 2, height - 2)
        pdf.set_xy(x + 2, y + 2)
        pdf.set_font("cjk", size=13)
        pdf.cell(width - 6, 7, code)
        pdf.set_font("cjk", size=9)
        pdf.set_xy(x + 2, y + 9)
        pdf.cell(width - 6, 5, kind[:20])
        pdf.set_xy(x + 2, y + 14)
        pdf.cell(width - 6, 5, f"{town} {village}"[:24])
        pdf.set_xy(x0, y + (height if col == cols - 1 else 0))
    return bytes(pdf.output())


def _write(path: Path, content: bytes) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(content)
    os.replace(tmp, path)  # readers never see half a file


def write_all(campaign_id: int, report=None) -> dict:
    """Write every hub's CSV and PDF (again, replacing older files); returns {"hubs", "pdf", "error"}."""
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None or campaign.status not in ("confirmed", "closed"):
        return {"hubs": 0, "pdf": 0, "error": ""}
    hub_ids = db.session.scalars(select(Allocation.hub_id).where(Allocation.campaign_id == campaign_id)
                                 .distinct().order_by(Allocation.hub_id)).all()
    out = folder(campaign)
    out.mkdir(parents=True, exist_ok=True)
    pdfs, error = 0, ""
    keep = {f"hub-{h}.{ext}" for h in hub_ids for ext in ("csv", "pdf")}
    for old in out.iterdir():
        if old.name not in keep:
            old.unlink(missing_ok=True)
    for i, hub_id in enumerate(hub_ids):
        hub = db.session.get(Hub, hub_id)
        data = rows(campaign_id, hub_id)
        _write(out / f"hub-{hub_id}.csv", csv_bytes(data))
        if not error:
            try:
                _write(out / f"hub-{hub_id}.pdf", pdf_bytes(campaign, hub, data))
                pdfs += 1
            except FontMissing as exc:
                error = str(exc)
        if error:
            (out / f"hub-{hub_id}.pdf").unlink(missing_ok=True)  # never an old list beside a new CSV
        if report:
            report(i + 1, len(hub_ids))
    campaign = db.session.get(Campaign, campaign_id)
    campaign.packing_error = error[:200]
    db.session.commit()
    return {"hubs": len(hub_ids), "pdf": pdfs, "error": error}


def file_for(campaign: Campaign, hub_id: int, ext: str) -> Path | None:
    """The written file, or None when the packing-list job has not made it (yet)."""
    if campaign.status not in ("confirmed", "closed"):
        return None
    path = folder(campaign) / f"hub-{int(hub_id)}.{ext}"
    return path if ext in ("csv", "pdf") and path.is_file() else None
