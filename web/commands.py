"""Flask CLI commands: demo data, outbox delivery, admin creation, API tokens."""
from __future__ import annotations

import time
from pathlib import Path

import click
from flask import Flask, current_app

from web.db import get_engine, session_scope

DEMO_PASSWORD = "stagebrug-demo"
DEMO_ACCOUNTS = (
    ("admin@stagebrug.be", "admin"),
    ("coach@stagebrug.be", "coach"),
    ("werkgever@stagebrug.be", "employer"),
    ("deelnemer@stagebrug.be", "participant"),
)


def register(app: Flask) -> None:
    @app.cli.command("seed-demo")
    def seed_demo():
        """Load the demo data set (does nothing when it is already there) and print the demo logins."""
        from web.security import hash_password
        from web.services.demo import load_demo_data

        started = time.perf_counter()
        with session_scope(get_engine()) as session:
            counts = load_demo_data(
                session=session, seeds_dir=Path(current_app.config["SEEDS_DIR"]), password_hash=hash_password(DEMO_PASSWORD)
            )
        if counts.get("skipped"):
            click.echo("Demo data already present: nothing changed.")
        else:
            click.echo(f"Demo data loaded in {time.perf_counter() - started:.1f}s: " + ", ".join(f"{k}={v}" for k, v in counts.items()))
            from web.services.matching import refresh_all_matches

            started = time.perf_counter()
            with session_scope(get_engine()) as session:
                result = refresh_all_matches(session=session)
            click.echo(f"Match scores computed in {time.perf_counter() - started:.1f}s: {result}")
        click.echo(f"\nDemo logins (password: {DEMO_PASSWORD})")
        for email, role in DEMO_ACCOUNTS:
            click.echo(f"  {role:<12} {email}")

    @app.cli.command("deliver-outbox")
    def deliver_outbox_command():
        """Deliver the e-mails waiting in the outbox."""
        from web.services.mail import deliver_outbox

        with session_scope(get_engine()) as session:
            sent = deliver_outbox(session=session, app=current_app._get_current_object())
        click.echo(f"{sent} e-mail(s) sent")

    @app.cli.command("api-token")
    @click.argument("email")
    @click.option("--name", default="cli", help="a name to recognise the token by")
    @click.option("--scope", type=click.Choice(["read", "read_write"]), default="read")
    @click.option("--days", type=int, default=90, help="days until it expires")
    def api_token(email, name, scope, days):
        """Create a personal access token for an account and print it (shown only now)."""
        from web.services.accounts import find_user_by_email
        from web.services.api_tokens import create_token

        with session_scope(get_engine()) as session:
            user = find_user_by_email(session=session, email=email)
            if user is None:
                raise click.ClickException(f"no account {email}")
            _token, raw = create_token(session=session, user=user, name=name, scope=scope, lifetime_days=days)
        click.echo(raw)

    @app.cli.command("create-admin")
    @click.argument("email")
    @click.argument("full_name")
    @click.password_option()
    def create_admin(email, full_name, password):
        """Create an administrator account."""
        from web.models import User
        from web.security import hash_password

        with session_scope(get_engine()) as session:
            session.add(User(email=email.strip().lower(), full_name=full_name, role="admin", password_hash=hash_password(password)))
        click.echo(f"admin {email} created")
