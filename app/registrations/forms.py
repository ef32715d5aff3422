"""The participant's forms. The registration form is built per event: its custom questions
become fields `q<id>`; every field has a length limit."""
from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..core.texts import LocalText
from .models import Question

TEXT_ANSWER_MAX = 1000
HONEYPOT = "homepage"  # an innocuous name bots like to fill; people never see the field


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def check_email(form, field) -> None:
    """Syntax only (no DNS: works offline and in tests); stores the normalized address."""
    try:
        field.data = validate_email(field.data or "", check_deliverability=False).normalized
    except EmailNotValidError:
        raise ValidationError(_l("Please enter a valid e-mail address, e.g. name@example.org.")) from None


class HoneypotForm(FlaskForm):
    # The honeypot: visually hidden, out of the tab order; a filled one means a bot.
    homepage = StringField(_l("Leave this field empty"), validators=[Optional(), Length(max=200)])


class RegistrationForm(HoneypotForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    email = StringField(_l("E-mail address"), validators=[DataRequired(), Length(max=254), check_email])
    # Free text: the public need not find their organization in a list; a name the network's
    # directory knows is linked to it on saving (views._organization).
    organization_name = StringField(_l("Organization"), validators=[Optional(), Length(max=200)])


class ManageForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    organization_name = StringField(_l("Organization"), validators=[Optional(), Length(max=200)])


class ResendForm(HoneypotForm):
    email = StringField(_l("E-mail address"), validators=[DataRequired(), Length(max=254), check_email])


def shown(text: LocalText):
    """A label in another language than the page's keeps its language (screen readers, RTL)."""
    if text.foreign:
        return Markup('<span lang="{}" dir="auto">{}</span>').format(text.lang, text.text)
    return text.text


def _question_field(question: Question, text_language: str):
    """The question in the reader's language where the organizers translated it; answers are
    stored as the original option, whatever language showed it."""
    required = [InputRequired(message=_l("Please answer this question."))] if question.required else [Optional()]
    label = shown(question.label_in(text_language))
    options = [SelectChoice(value, shown(text)) for value, text in question.choices_in(text_language)]
    if question.kind == "single":
        return RadioField(label, choices=options, validators=required)
    if question.kind == "multiple":
        return MultiCheckboxField(label, choices=options, validators=required if question.required else [])
    if question.kind == "yesno":
        return RadioField(label, choices=[SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))], validators=required)
    return TextAreaField(label, validators=required + [Length(max=TEXT_ANSWER_MAX)])


def build(base, questions: list[Question], organization_names: list[str], ask_organization: bool,
          formdata=None, text_language: str = "de", **data):
    """An instance of `base` with one field per question and the organizations to suggest;
    `text_language` is the language the event's questions are written in."""

    class Form(base):
        pass

    for question in questions:
        setattr(Form, f"q{question.id}", _question_field(question, text_language))
    form = Form(formdata=formdata, **data) if formdata is not None else Form(**data)
    if ask_organization:
        form.organization_names = organization_names
    else:
        del form.organization_name
    form.questions = [(question, form[f"q{question.id}"]) for question in questions]
    return form


def answers_from(form) -> dict:
    """{question id (as text): answer} of the questions answered."""
    answers = {}
    for question, field in form.questions:
        value = field.data
        if isinstance(value, list):
            value = [v for v in value if v]
        elif isinstance(value, str):
            value = value.strip()
        if value:
            answers[str(question.id)] = value
    return answers


def answers_to_formdata(questions, answers: dict) -> dict:
    return {f"q{q.id}": answers[str(q.id)] for q in questions if str(q.id) in answers}
