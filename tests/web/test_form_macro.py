"""The form macro puts a required field's star inside its label, with "(verplicht)" for screen readers."""
from __future__ import annotations

import re

from flask import render_template_string
from flask import session as flask_session
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Optional

TEMPLATE = '{% from "_forms.html" import field %}{{ field(form.name) }}{{ field(form.city) }}{{ field(form.note) }}'


class _Form(FlaskForm):
    name = StringField("Naam", validators=[DataRequired()])
    city = StringField("Gemeente", validators=[DataRequired()], description="Waar je woont.")
    note = StringField("Opmerking", validators=[Optional()])


def _render(app, lang="nl") -> str:
    with app.test_request_context():
        flask_session["lang"] = lang
        return render_template_string(TEMPLATE, form=_Form(meta={"csrf": False}))


def test_required_star_sits_inside_the_label_with_a_hidden_word(app):
    html = _render(app)
    label = re.search(r'<label for="name">(.*?)</label>', html, re.S).group(1)
    assert label.startswith("Naam")
    assert '<span class="req" aria-hidden="true"> *</span>' in label
    assert '<span class="visually-hidden"> (verplicht)</span>' in label
    assert "</label><span class=\"req\"" not in html


def test_required_field_with_help_text_renders_too(app):
    html = _render(app)
    label = re.search(r'<label for="city">(.*?)</label>', html, re.S).group(1)
    assert "(verplicht)" in label and 'aria-describedby="city-help"' in html


def test_optional_field_has_no_star(app):
    label = re.search(r'<label for="note">(.*?)</label>', _render(app), re.S).group(1)
    assert label == "Opmerking"


def test_hidden_word_is_translated(app):
    assert "(required)" in _render(app, "en")
