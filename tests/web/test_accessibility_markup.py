"""Markup that axe-core checks in the browser (tests/browser/test_accessibility.py), pinned here quickly: the form
macro only writes ARIA attributes that apply, and the admin's sideways-scrolling tables are named, focusable regions."""
from __future__ import annotations

import re

from flask import render_template_string
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired

from tests.conftest import make_user

TEMPLATE = '{% from "_forms.html" import field %}{{ field(form.name) }}{{ field(form.city) }}{{ field(form.agree) }}'


class _Form(FlaskForm):
    name = StringField("Naam", validators=[DataRequired()])
    city = StringField("Gemeente", description="Waar je woont.")
    agree = BooleanField("Akkoord")


def _render(app, data=None) -> str:
    with app.test_request_context(method="POST" if data is not None else "GET", data=data or {}):
        form = _Form(meta={"csrf": False})
        if data is not None:
            form.validate()
        return render_template_string(TEMPLATE, form=form)


def test_a_field_without_help_or_errors_has_no_aria_attributes(app):
    html = _render(app)
    assert '"None"' not in html
    assert 'aria-invalid' not in html
    name = re.search(r'<input[^>]*id="name"[^>]*>', html).group(0)
    assert "aria-describedby" not in name


def test_a_field_with_an_error_points_to_it_and_is_marked_invalid(app):
    html = _render(app, data={"name": "", "city": "Gent"})
    name = re.search(r'<input[^>]*id="name"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in name and 'aria-describedby="name-error"' in name
    assert 'id="name-error"' in html
    city = re.search(r'<input[^>]*id="city"[^>]*>', html).group(0)
    assert 'aria-describedby="city-help"' in city and "aria-invalid" not in city
    assert '"None"' not in html


def test_login_and_registration_pages_write_no_none_attributes(client):
    for path in ("/auth/login", "/auth/registreren", "/auth/wachtwoord-vergeten"):
        assert '="None"' not in client.get(path).get_data(as_text=True), path


def test_admin_tables_scroll_in_named_focusable_regions(client, session, login_as):
    login_as(make_user(session, "admin"))
    for path in ("/admin/", "/admin/gebruikers", "/admin/vaardigheden", "/admin/premies", "/admin/audit",
                 "/admin/monitoring?date_from=2025-01-01&date_to=2025-12-31"):
        html = client.get(path).get_data(as_text=True)
        wraps = re.findall(r'<div class="table-wrap"[^>]*>', html)
        assert wraps or path == "/admin/", path  # the dashboard shows its table only when jobs have run
        for wrap in wraps:
            assert 'role="region"' in wrap and 'tabindex="0"' in wrap, (path, wrap)
            target = re.search(r'aria-labelledby="([^"]+)"', wrap).group(1)
            assert f'id="{target}"' in html, (path, target)
