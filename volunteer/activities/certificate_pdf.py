"""The certificate's PDF (A4, the CJK font of the packing lists embedded): the owner's own copy, with the full
name, the services counted, and a QR code of the public check's address."""
import io

from flask_babel import format_date
from flask_babel import gettext as _

from ..logistics.packing import font_path
from .certificates import summary

MARGIN = 20
ROW = 6.5


def hours(minutes: int) -> str:
    """Minutes as hours for people: 150 -> 2.5, 45 -> 0.75, 120 -> 2."""
    return f"{minutes / 60:.2f}".rstrip("0").rstrip(".")


def _fit(pdf, text: str, width: float) -> str:
    """text cut (with an ellipsis) to fit width at the current font."""
    text = str(text)
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "…") > width:
        text = text[:-1]
    return text + "…"


def _qr_png(url: str) -> io.BytesIO:
    import segno

    buf = io.BytesIO()
    segno.make(url, error="m").save(buf, kind="png", scale=6, border=2)
    buf.seek(0)
    return buf


def pdf_bytes(cert, full_name: str, verify_url: str) -> bytes:
    """One A4 page (more only for a very long list): title, statement, services, issuer, number, QR code."""
    from fpdf import FPDF

    s = summary(cert.volunteer_id, cert.period_start, cert.period_end, issued_at=cert.issued_at)
    pdf = FPDF(format="A4")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, margin=MARGIN)
    pdf.add_font("cjk", "", font_path())
    pdf.set_title(cert.number)
    pdf.add_page()
    width = pdf.w - 2 * MARGIN

    pdf.set_font("cjk", size=24)
    pdf.cell(width, 16, _("Volunteer service certificate"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("cjk", size=12)
    pdf.multi_cell(width, 8, _(
        "This certifies that %(name)s served as a volunteer from %(start)s to %(end)s: %(hours)s hours of "
        "service in all, in %(count)s activities and visits.", name=full_name,
        start=format_date(cert.period_start, "long"), end=format_date(cert.period_end, "long"),
        hours=hours(cert.minutes), count=cert.activities), align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)

    cols = (30, width - 30 - 24, 24)
    pdf.set_font("cjk", size=10)
    pdf.set_fill_color(232, 238, 244)
    for label, w, align in zip((_("Date"), _("Activity or visit"), _("Hours")), cols, "LLR"):
        pdf.cell(w, ROW + 1, label, border="B", align=align, fill=True)
    pdf.ln()
    for row in s["rows"]:
        pdf.cell(cols[0], ROW, row.day.isoformat())
        pdf.cell(cols[1], ROW, _fit(pdf, row.title, cols[1] - 2))
        pdf.cell(cols[2], ROW, hours(row.minutes), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(cols[0] + cols[1], ROW + 1, _("Total"), border="T")
    pdf.cell(cols[2], ROW + 1, hours(cert.minutes), border="T", align="R", new_x="LMARGIN", new_y="NEXT")

    qr = 34
    if pdf.get_y() + qr + 12 > pdf.h - MARGIN:
        pdf.add_page()
    top = max(pdf.get_y() + 10, pdf.h - MARGIN - qr - 8)
    pdf.set_xy(MARGIN, top)
    pdf.set_font("cjk", size=11)
    for text in (_("Issued by: %(issuer)s", issuer=cert.issuer),
                 _("Certificate number: %(number)s", number=cert.number),
                 _("Issued on: %(day)s", day=format_date(cert.issued_at, "long"))):
        pdf.cell(width - qr - 4, 7, _fit(pdf, text, width - qr - 6), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=9)
    pdf.cell(width - qr - 4, 6, _("To check it, scan the code or open:"), new_x="LMARGIN", new_y="NEXT")
    pdf.cell(width - qr - 4, 5, verify_url, new_x="LMARGIN", new_y="NEXT")
    pdf.image(_qr_png(verify_url), x=pdf.w - MARGIN - qr, y=top, w=qr, h=qr)
    return bytes(pdf.output())
