"""Service certificates: the PDF a volunteer downloads, and the public check of its number."""
from datetime import date

from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField

from .. import units
from ..access import roles_required
from ..extensions import limiter
from ..logistics.packing import FontMissing
from ..rendering import render
from . import certificates
from .certificate_pdf import pdf_bytes
from .views import bp

SERVERS = ("volunteer", "org_member", "org_admin")  # whoever serves: activities and visits
SHOWN_ROWS = 50


class IssueForm(FlaskForm):
    """The period to certify (chosen on the page), posted with its CSRF token."""

    period = HiddenField()
    start = HiddenField()
    end = HiddenField()


def _day(value) -> date | None:
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError:
        return None


def _chosen(values) -> dict:
    """The period in values (query or form): {choice, start, end, first, last, error}."""
    choice = values.get("period") if values.get("period") in certificates.PERIODS else "this_year"
    out = {"choice": choice, "start": values.get("start", ""), "end": values.get("end", ""), "first": None,
           "last": None, "error": None}
    if choice == "custom" and not (out["start"] and out["end"]):
        return out  # the dates are still being entered
    try:
        out["first"], out["last"] = certificates.period(choice, _day(out["start"]), _day(out["end"]))
    except certificates.CertificateError as exc:
        out["error"] = exc.message
    return out


def _page(chosen, status=200, error=None):
    s = (certificates.summary(current_user.id, chosen["first"], chosen["last"]) if chosen["first"]
         else {"minutes": 0, "count": 0, "rows": []})
    form = IssueForm(formdata=None, period=chosen["choice"], start=chosen["start"], end=chosen["end"])
    return render("activities/certificates.html", block="summary", chosen=chosen, summary=s, form=form,
                  shown=s["rows"][-SHOWN_ROWS:][::-1], issued=certificates.mine(current_user.id),
                  error=error or chosen["error"], this_year=certificates.today().year), status


@bp.route("/my/certificates", methods=["GET", "POST"], endpoint="certificates")
@roles_required(*SERVERS)
def certificates_page():
    """A volunteer's hours in a chosen period, the certificate to issue for it, and those issued."""
    if request.method == "GET":
        return _page(_chosen(request.args))
    form = IssueForm()
    if not form.validate_on_submit():
        abort(400)
    chosen = _chosen(request.form)
    if chosen["error"] or chosen["first"] is None:
        return _page(chosen, 422, chosen["error"] or certificates.NO_PERIOD)
    try:
        cert = certificates.issue(current_user, chosen["first"], chosen["last"])
    except certificates.CertificateError as exc:
        return _page(chosen, 422, exc.message)
    flash(_("Certificate %(number)s is issued: download it below.", number=cert.number), "success")
    return redirect(url_for("activities.certificates", period=chosen["choice"], start=chosen["start"] or None,
                            end=chosen["end"] or None, _anchor="issued"))


def _verify_url(number: str) -> str:
    return url_for("activities.verify", number=number, _external=True,
                   _scheme="https" if current_app.config.get("HTTPS") else None)


@bp.get("/my/certificates/<number>.pdf")
@roles_required(*SERVERS)
def certificate_pdf(number):
    """The owner's own copy of a certificate (full name), as a PDF; anyone else: not found."""
    cert = certificates.owned(current_user, number)
    if cert is None:
        abort(404)
    try:
        data = pdf_bytes(cert, current_user.name, _verify_url(cert.number))
    except FontMissing as exc:
        abort(503, str(exc))
    resp = current_app.response_class(data, mimetype="application/pdf")
    resp.headers["Content-Disposition"] = f'attachment; filename="{cert.number}.pdf"'
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


@bp.get("/verify/<number>")
@limiter.limit(lambda: current_app.config.get("VERIFY_RATE_PER_ADDRESS", "30/minute;300/hour"), scope="verify")
def verify(number):
    """The public check of a certificate's number: the masked name, period, hours and issuer, nothing else."""
    cert = certificates.find(number)
    if cert is None:
        return render("activities/verify.html", cert=None, number=certificates.clean_number(number)), 404
    return render("activities/verify.html", cert=cert, number=cert.number)


@bp.app_template_filter("certificate_hours")
def certificate_hours(minutes, unit=True):
    """Minutes as hours to two decimals at most, as the certificate prints them: "2.5 小时", "0.75 hours"
    (unit=False: the number alone); the service hours of /my/hours read the same (units.hours, digits=2)."""
    value = int(minutes or 0) / 60
    return units.hours(value, 2) if unit else units.decimal(value, 2)
