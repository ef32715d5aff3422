"""What participants and the public see: the templates and modules whose texts must be
translated into every language of config.LANGUAGES (organizer pages speak German and English).
tests/test_translations.py reads the texts out of these files."""
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

TEMPLATES = [
    "_macros.html", "base.html", "core/*.html", "directory/public_network.html", "events/_card.html",
    "events/_filters.html", "events/_list.html", "events/archive.html", "events/list.html", "events/print.html",
    "events/show.html", "feeds/_subscribe.html", "mail/letter.html", "mail/pdf_pending.html", "mail/_pdf_pending.html",
    "minutes/_agenda_propose.html", "minutes/_agenda_public.html", "minutes/_event_page.html",
    "minutes/proposal.html", "minutes/action_item.html",
    "programmes/_programme_*.html", "programmes/_submission_*.html", "programmes/_teaser.html", "programmes/embed.html",
    "programmes/programme.html", "programmes/status*.html", "programmes/submit.html", "programmes/booklet.html",
    "registrations/_cancel.html", "registrations/cancel.html",
    "registrations/_fields.html", "registrations/_form.html", "registrations/confirmation.html",
    "registrations/invitation.html", "registrations/link_invalid.html", "registrations/manage.html",
    "registrations/register.html", "registrations/resend.html", "search/*.html", "events/_picture.html",
    "polls/answer.html", "polls/_answer*.html", "polls/deleted.html",
    "announcements/_item.html", "announcements/_box.html", "announcements/news.html", "announcements/entry.html",
    "digest/subscribe.html", "digest/subscribed.html", "digest/confirm.html", "digest/manage.html",
    "digest/unsubscribe.html", "digest/unsubscribed.html", "digest/link_invalid.html", "digest/archive.html",
    "digest/archived.html", "digest/_choices.html", "digest/_content.html", "digest/_entry.*", "digest/mail.*",
    "digest/_link.html",
    "newsletters/issue.html", "newsletters/archive.html", "newsletters/_issue.html", "newsletters/pdf.html",
    "newsletters/_link.html",
]
MODULES = [
    "app/core/*.py", "app/mail/*.py", "app/events/public.py", "app/events/labels.py",
    "app/registrations/views.py", "app/registrations/forms.py", "app/registrations/notifications.py",
    "app/registrations/invitations.py", "app/minutes/views/proposals.py", "app/minutes/agenda.py",
    "app/minutes/labels.py", "app/programmes/labels.py", "app/programmes/submission_form.py",
    "app/programmes/views/public.py", "app/programmes/views/submit.py", "app/programmes/service.py",
    "app/feeds/views.py", "app/search/*.py", "app/polls/views.py", "app/polls/service.py", "app/polls/mails.py",
    "app/polls/holds.py", "app/announcements/public.py", "app/digest/service.py", "app/digest/forms.py",
    "app/digest/views.py", "app/newsletters/service.py",
]


def files() -> list[Path]:
    found = [path for pattern in TEMPLATES for path in sorted((ROOT / "templates").glob(pattern))]
    found += [path for pattern in MODULES for path in sorted(ROOT.glob(pattern))]
    return found


def messages() -> set[tuple[str | None, str]]:
    """(context, msgid) of every text those files translate."""
    from babel.messages.extract import extract_from_file

    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2),
                "npgettext": ((1, "c"), 2, 3), "_l": None, "lazy_gettext": None, "_pl": ((1, "c"), 2),
                "lazy_pgettext": ((1, "c"), 2)}
    found = set()
    for path in files():
        html = path.suffix in (".html", ".txt")  # templates
        for _line, message, _comments, context in extract_from_file(
                "jinja2" if html else "python", str(path), keywords=keywords,
                options={"extensions": "jinja2.ext.i18n"} if html else {}):
            found.add((context, message[0] if isinstance(message, tuple) else message))
    return found
