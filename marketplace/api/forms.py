"""The form to create an API client."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField, widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from marketplace.api.models import SCOPES


class ApiClientForm(FlaskForm):
    name = StringField(
        _l("Naam van de koppeling"),
        validators=[
            DataRequired(_l("Geef de koppeling een naam, bijvoorbeeld het systeem dat ze gebruikt.")),
            Length(max=100, message=_l("De naam mag ten hoogste 100 tekens lang zijn.")),
        ],
    )
    scopes = SelectMultipleField(
        _l("Wat mag deze koppeling doen?"),
        choices=[SelectChoice(code, label) for code, label in SCOPES.items()],
        validators=[DataRequired(_l("Kies minstens één recht."))],
        option_widget=widgets.CheckboxInput(),
        widget=widgets.ListWidget(prefix_label=False),
    )
