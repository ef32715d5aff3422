"""The dev mailbox: without MAIL_SERVER nothing is sent, and the outbox is read here instead
(/dev/mailbox). Administrators read every mail; coordinators only the mails caused by their
own networks' events and programmes (never account mails: they carry password links); nobody
else. With MAIL_SERVER set the pages do not exist (404)."""
import base64
import re

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy import func, select

from ..core.extensions import db, talisman
from ..core.params import db_int
from . import letters
from .models import OutboxMail

bp = Blueprint("mail", __name__, url_prefix="/dev/mailbox")
PAGE_SIZE = 50
# Plain http(s) addresses only: nothing else (javascript:, data:) ever becomes a link.
_URL = re.compile(r"https?://[^\s<>\"'`]+")
_TRAILING = ".,;:!?)]}'\""


@bp.before_request
def only_without_mail_server():
    # Runs after the app-wide login check (deny by default), so anonymous visitors are sent
    # to the login page; on an installation that sends real mail the mailbox does not exist.
    if current_app.config.get("MAIL_SERVER"):
        abort(404)
    if not (current_user.is_admin or current_user.coordinated_networks):
        abort(403)


def _readable():
    """The outbox rows the logged-in organizer may read."""
    query = select(OutboxMail)
    if current_user.is_admin:
        return query
    return query.where(OutboxMail.network_id.in_([n.id for n in current_user.coordinated_networks]))


def _mail_or_404(mail_id: int) -> OutboxMail:
    return db.session.scalar(_readable().where(OutboxMail.id == mail_id)) or abort(404)


def linkify(text: str) -> Markup:
    """Escape everything; plain http(s) URLs become links, line breaks stay."""
    parts, last = [], 0
    for match in _URL.finditer(text):
        url = match.group(0).rstrip(_TRAILING)
        end = match.start() + len(url)
        parts.append(escape(text[last:match.start()]))
        parts.append(Markup('<a href="{0}" rel="noopener noreferrer">{0}</a>').format(url))
        last = end
    parts.append(escape(text[last:]))
    return Markup("").join(parts).replace("\n", Markup("<br>\n"))


@bp.get("")
def mailbox():
    page = max(request.args.get("page", 1, type=db_int) or 1, 1)
    readable = _readable()
    total = db.session.scalar(select(func.count()).select_from(readable.subquery()))
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    page = min(page, pages)
    mails = db.session.scalars(
        readable.order_by(OutboxMail.created_at.desc(), OutboxMail.id.desc())
        .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
    ).all()
    return render_template("mail/mailbox.html", mails=mails, page=page, pages=pages, total=total)


@bp.get("/<int:mail_id>")
def show(mail_id: int):
    outbox_mail = _mail_or_404(mail_id)
    return render_template("mail/mail.html", mail=outbox_mail, body=linkify(outbox_mail.body))


@bp.get("/<int:mail_id>/html")
@talisman(content_security_policy={"default-src": "'none'", "style-src": "'unsafe-inline'", "img-src": "data:",
                                   "frame-ancestors": "'none'"})
def html(mail_id: int):
    """The HTML part as a mail client shows it (its styles are inline, as mail needs them; so
    this page alone allows inline styles, and nothing else), its picture inlined."""
    outbox_mail = _mail_or_404(mail_id)
    if not outbox_mail.html:
        abort(404)
    page = outbox_mail.html
    if outbox_mail.inline_image:
        picture = "data:image/png;base64," + base64.b64encode(outbox_mail.inline_image).decode()
        page = page.replace(f"cid:{letters.IMAGE_CID}", picture)
    return Response(page, content_type="text/html; charset=utf-8")


@bp.get("/<int:mail_id>/invite.ics")
def attachment(mail_id: int):
    outbox_mail = _mail_or_404(mail_id)
    if not outbox_mail.ics:
        abort(404)
    method = (outbox_mail.ics_method or "REQUEST").upper()
    name = re.sub(r"[^A-Za-z0-9._-]", "_", outbox_mail.attachment_name or "invite.ics")
    return Response(outbox_mail.ics.encode("utf-8"),
                    content_type=f"text/calendar; method={method}; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
