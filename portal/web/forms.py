"""The base of every form, and what form templates need to render a field accessibly."""

import re

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import StopValidation


def field_attributes(field, extra: dict | None = None) -> dict:
    """Input attributes for a field: those asked for, plus links to its hint and error messages."""
    attributes = dict(extra or {})
    described_by = []
    if field.description:
        described_by.append(f"{field.id}-hint")
    if field.errors:
        attributes["aria-invalid"] = "true"
        described_by.append(f"{field.id}-errors")
    if described_by:
        attributes["aria-describedby"] = " ".join(described_by)
    return attributes


# Characters no text field takes: control characters but tab and line breaks (PostgreSQL refuses
# NUL in text; the others can't be shown), and lone surrogates.
UNACCEPTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
UNACCEPTABLE_MESSAGE = "That contains a character we can’t accept."


def acceptable_characters(form, field):
    if isinstance(field.data, str) and UNACCEPTABLE.search(field.data):
        raise StopValidation(UNACCEPTABLE_MESSAGE)  # the field's other checks would only confuse


class Form(FlaskForm):
    """The base of every form: each text field (email, password and hidden ones too) first checks
    its characters, so no view is handed text the database or a page can't hold."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            field = super().bind_field(form, unbound_field, options)
            if isinstance(field, StringField):
                field.validators = [acceptable_characters, *field.validators]
            return field

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        # Hidden fields show no messages of their own: say it above the form.
        if any(isinstance(field, HiddenField) and UNACCEPTABLE_MESSAGE in field.errors for field in self):
            self.form_errors.append(UNACCEPTABLE_MESSAGE)
        return valid


class ActionForm(Form):
    """A form that is only a button: the CSRF token is all it carries."""
