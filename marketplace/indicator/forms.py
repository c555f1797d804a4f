"""The period choice of the indicator pages (a GET form, so a chosen period can be shared as a URL)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.validators import ValidationError

from marketplace.indicator.compute import quarter_from_index, quarter_index
from marketplace.indicator.queries import current_quarter, quarter_bounds

DEFAULT_QUARTERS = 8
MAX_QUARTERS = 40


def quarter_label(quarter: str) -> str:
    return f"{quarter[:4]} K{quarter[-1]}"


class PeriodForm(FlaskForm):
    class Meta:
        csrf = False

    van = SelectField(_l("Van kwartaal"), validate_choice=False)
    tot = SelectField(_l("Tot en met kwartaal"), validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        now = quarter_index(current_quarter())
        first, last = quarter_bounds()
        low = min(now - 19, quarter_index(first) if first else now)
        high = max(now + 4, quarter_index(last) if last else now)
        self.options = [quarter_from_index(i) for i in range(low, high + 1)]
        choices = [(q, quarter_label(q)) for q in self.options]
        self.van.choices = choices
        self.tot.choices = choices
        if not self.van.data:
            self.van.data = quarter_from_index(now - DEFAULT_QUARTERS + 1)
        if not self.tot.data:
            self.tot.data = quarter_from_index(now)

    def validate_van(self, field):
        if field.data not in self.options:
            raise ValidationError(_l("Kies een beginkwartaal uit de lijst."))

    def validate_tot(self, field):
        if field.data not in self.options:
            raise ValidationError(_l("Kies een eindkwartaal uit de lijst."))
        if self.van.data in self.options:
            span = quarter_index(field.data) - quarter_index(self.van.data) + 1
            if span < 1:
                raise ValidationError(_l("Het eindkwartaal mag niet voor het beginkwartaal liggen."))
            if span > MAX_QUARTERS:
                raise ValidationError(_l("Kies een periode van hoogstens %(n)s kwartalen.", n=MAX_QUARTERS))

    def quarters(self) -> list[str]:
        """The chosen quarters; the default (last eight) when the choice is not valid."""
        if self.errors:
            now = quarter_index(current_quarter())
            return [quarter_from_index(i) for i in range(now - DEFAULT_QUARTERS + 1, now + 1)]
        return [quarter_from_index(i) for i in range(quarter_index(self.van.data), quarter_index(self.tot.data) + 1)]
