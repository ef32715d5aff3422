"""The digest's forms. The filters' choices (the network's groups, kinds and tags) are set per
request (`with_choices`); an empty choice means "all of them"."""
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange

from ..core.i18n import LANGUAGE_NAMES
from ..events.labels import kind_label
from ..registrations.forms import HoneypotForm, MultiCheckboxField, check_email

WEEKDAYS = (_l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"), _l("Friday"), _l("Saturday"),
            _l("Sunday"))


class ChoicesForm(FlaskForm):
    language = SelectField(_l("Language of the mails"))
    wants_digest = BooleanField(_l("The weekly digest of coming events"), default=True)
    wants_newsletter = BooleanField(_l("The newsletter (a few times a year)"))
    groups = MultiCheckboxField(_l("Working groups"), coerce=int, validate_choice=False)
    kinds = MultiCheckboxField(_l("Kinds of event"), coerce=int, validate_choice=False)
    tags = MultiCheckboxField(_l("Topics"), coerce=int, validate_choice=False)

    def with_choices(self, choices) -> "ChoicesForm":
        # Each language in its own name: a reader looks for theirs.
        self.language.choices = [SelectChoice(code, LANGUAGE_NAMES[code]) for code in current_app.config["LANGUAGES"]]
        self.groups.choices = [SelectChoice(group.id, group.name) for group in choices.groups]
        self.kinds.choices = [SelectChoice(kind.id, kind_label(kind)) for kind in choices.kinds]
        self.tags.choices = [SelectChoice(tag.id, tag.name) for tag in choices.tags]
        return self


class SubscribeForm(HoneypotForm, ChoicesForm):
    email = StringField(_l("E-mail address"), validators=[DataRequired(), Length(max=254), check_email])


class SettingsForm(FlaskForm):
    enabled = BooleanField(_l("Send the weekly digest"))
    weekday = SelectField(_l("Day"), coerce=int, choices=[SelectChoice(n, day) for n, day in enumerate(WEEKDAYS)])
    hour = SelectField(_l("Hour (local time)"), coerce=int, choices=[SelectChoice(h, f"{h:02d}:00") for h in range(24)],
                       validators=[NumberRange(min=0, max=23)])


class IntroForm(FlaskForm):
    draft_intro = TextAreaField(_l("Personal intro of the coming digest (Markdown)"),
                                validators=[Length(max=5000)])
