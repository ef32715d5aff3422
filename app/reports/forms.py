"""The one form of the report pages: the intro text of a report."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import Length

MAX_INTRO = 10_000


class IntroForm(FlaskForm):
    text = TextAreaField(_l("Intro text"), validators=[Length(max=MAX_INTRO)],
                         description=_l("Shown above the figures, on the page and in the PDF. "
                                        "Markdown: *italic*, **bold**, lists with -. Leave it empty to have none."))
