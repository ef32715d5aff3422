"""The digest pages: subscribing (double opt-in), the personal confirm, manage and unsubscribe
links, the archive, and the coordinators' settings and preview.

As polls/views.py: every wrong token, whatever was wrong with it, gets the same 404 page (with
a way to subscribe again); public POSTs are rate-limited per IP, subscribing more strictly (and the service mails an
address at most once per 15 minutes), except the one-click unsubscribe (see there).
Links in mails are followed by scanners: a GET never changes anything, a button POSTs.
"""
from flask import Blueprint, abort, flash, render_template, request, url_for
from flask_babel import get_locale, gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..core.extensions import csrf, db, limiter
from ..core.rendering import see_other
from ..core.security import public, require
from ..directory import access
from ..directory import service as directory
from ..directory.models import Network
from ..registrations.forms import HONEYPOT
from . import service
from .forms import ChoicesForm, IntroForm, SettingsForm, SubscribeForm
from .models import Digest, DigestSetting

bp = Blueprint("digest", __name__)

IP_LIMIT = "30 per minute;300 per hour"
SUBSCRIBE_LIMIT = "5 per minute;30 per hour"  # each one sends a mail to the address typed


@bp.app_template_global()
def digest_link(network: Network) -> Markup:
    """The line "Subscribe to the weekly digest" on the network's public page, when it sends one:
    the directory shows it through this global and never imports the digest."""
    setting = db.session.get(DigestSetting, network.id)
    if setting is None or not setting.enabled:
        return Markup("")
    return Markup(render_template("digest/_link.html", network=network))


def _invalid(slug: str):
    return render_template("digest/link_invalid.html", slug=slug), 404


def _subscription(purpose: str, slug: str, token: str):
    subscription = service.by_token(purpose, token)
    if subscription is None or subscription.network.slug != slug:
        return None
    return subscription


def _show_error(form, error: service.SubscriptionError) -> None:
    form.wants_digest.errors = [str(error)]


# --- Subscribing ------------------------------------------------------------------------

@bp.route("/n/<slug>/digest", methods=["GET", "POST"])
@public
@limiter.limit(SUBSCRIBE_LIMIT, methods=["POST"])
def subscribe(slug: str):
    network = directory.network_or_404(slug)
    choices = service.Choices.load(network)
    if request.method == "GET":
        form = SubscribeForm(formdata=None, language=str(get_locale())).with_choices(choices)
        return render_template("digest/subscribe.html", network=network, form=form)
    if request.form.get(HONEYPOT):  # a bot: the same answer as anyone gets, nothing saved or sent
        return see_other(url_for("digest.subscribed", slug=slug))
    form = SubscribeForm().with_choices(choices)
    if form.validate():
        try:
            service.subscribe(network, form.email.data, form.language.data, form.wants_digest.data,
                              form.wants_newsletter.data, form.groups.data, form.kinds.data, form.tags.data,
                              choices=choices)
            db.session.commit()
        except service.SubscriptionError as error:
            db.session.rollback()
            _show_error(form, error)
        except IntegrityError:  # the same address at the same moment: the other request mailed
            db.session.rollback()
            return see_other(url_for("digest.subscribed", slug=slug))
        else:
            return see_other(url_for("digest.subscribed", slug=slug))
    return render_template("digest/subscribe.html", network=network, form=form), 422


@bp.get("/n/<slug>/digest/subscribed")
@public
def subscribed(slug: str):
    """The one answer for every address, known or not."""
    return render_template("digest/subscribed.html", network=directory.network_or_404(slug))


@bp.route("/n/<slug>/digest/confirm/<token>", methods=["GET", "POST"])
@public
@limiter.limit(IP_LIMIT, methods=["POST"])
def confirm(slug: str, token: str):
    subscription = _subscription("confirm", slug, token)
    if subscription is None:
        return _invalid(slug)
    if request.method == "GET":
        return render_template("digest/confirm.html", network=subscription.network, token=token,
                               confirmed=subscription.confirmed_at is not None)
    service.confirm(subscription)
    db.session.commit()
    flash(_("Thank you: your subscription is confirmed."), "success")
    return see_other(service.manage_url(subscription))


@bp.route("/n/<slug>/digest/manage/<token>", methods=["GET", "POST"])
@public
@limiter.limit(IP_LIMIT, methods=["POST"])
def manage(slug: str, token: str):
    subscription = _subscription("manage", slug, token)
    if subscription is None:
        return _invalid(slug)
    network = subscription.network
    choices = service.Choices.load(network)
    unsubscribe_action = url_for("digest.unsubscribe", slug=slug, token=service.token(subscription, "unsubscribe"))
    if request.method == "GET":
        form = ChoicesForm(formdata=None, language=subscription.language, wants_digest=subscription.wants_digest,
                           wants_newsletter=subscription.wants_newsletter, groups=subscription.group_ids,
                           kinds=subscription.kind_ids, tags=subscription.tag_ids).with_choices(choices)
        return render_template("digest/manage.html", network=network, subscription=subscription, form=form,
                               unsubscribe_action=unsubscribe_action)
    form = ChoicesForm().with_choices(choices)
    if form.validate():
        try:
            service.update(subscription, form.language.data, form.wants_digest.data, form.wants_newsletter.data,
                           form.groups.data, form.kinds.data, form.tags.data, choices=choices)
        except service.SubscriptionError as error:
            db.session.rollback()
            _show_error(form, error)
        else:
            db.session.commit()
            flash(_("Your choices are saved."), "success")
            return see_other(url_for("digest.manage", slug=slug, token=token))
    return render_template("digest/manage.html", network=network, subscription=subscription, form=form,
                           unsubscribe_action=unsubscribe_action), 422


@bp.route("/n/<slug>/digest/unsubscribe/<token>", methods=["GET", "POST"])
@public
@csrf.exempt  # RFC 8058: mail programs POST without a session; the token authenticates
# and no IP limit: mail providers POST from a few shared IPs, and a 128-bit token looked up by
# its hash cannot be guessed
def unsubscribe(slug: str, token: str):
    subscription = _subscription("unsubscribe", slug, token)
    if subscription is None:
        return _invalid(slug)
    network = subscription.network
    if request.method == "GET":
        return render_template("digest/unsubscribe.html", network=network, token=token)
    service.unsubscribe(subscription)
    db.session.commit()
    return render_template("digest/unsubscribed.html", network=network)


# --- The archive ------------------------------------------------------------------------

@bp.get("/n/<slug>/digest/archive")
@public
def archive(slug: str):
    network = directory.network_or_404(slug)
    return render_template("digest/archive.html", network=network, digests=service.archive(network))


@bp.get("/n/<slug>/digest/archive/<key>")
@public
def archived(slug: str, key: str):
    """One past digest; `key` is its week, e.g. 2026-W49."""
    network = directory.network_or_404(slug)
    if not service.WEEK_KEY.fullmatch(key):
        abort(404)
    digest = db.first_or_404(select(Digest).where(
        Digest.network_id == network.id, Digest.week == key, Digest.recipient_count > 0))
    return render_template("digest/archived.html", network=network, digest=digest, content=Markup(digest.content))


# --- The coordinators' pages -------------------------------------------------------------

def _managed(slug: str) -> Network:
    network = directory.network_or_404(slug)
    require(access.can_manage_network(current_user, network))
    return network


@bp.route("/n/<slug>/digest/settings", methods=["GET", "POST"])
def settings(slug: str):
    network = _managed(slug)
    setting = service.settings_of(network)
    form = SettingsForm(obj=setting)
    if request.method == "POST" and form.validate():
        form.populate_obj(setting)
        db.session.commit()
        flash(_("The digest's settings are saved."), "success")
        return see_other(url_for("digest.settings", slug=slug))
    return render_template("digest/settings.html", network=network, form=form, setting=setting,
                           counts=service.subscriber_counts(network)), 422 if request.method == "POST" else 200


@bp.route("/n/<slug>/digest/preview", methods=["GET", "POST"])
def preview(slug: str):
    network = _managed(slug)
    setting = service.settings_of(network)
    form = IntroForm(obj=setting)
    if request.method == "POST":
        if form.validate():
            setting.draft_intro = (form.draft_intro.data or "").strip()
            db.session.commit()
            flash(_("The intro is saved; it goes out with the coming digest."), "success")
            return see_other(url_for("digest.preview", slug=slug))
    coming_plan, parts, send_at = service.preview(network)
    return render_template("digest/preview.html", network=network, setting=setting, form=form, plan=coming_plan,
                           parts=parts, choices=service.Choices.load(network),
                           send_at=send_at), 422 if form.errors else 200
