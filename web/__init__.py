"""The Stagebrug web application: ``create_app`` builds and wires a Flask app."""
from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask

from web.config import REPO_ROOT, Config, check_production_config


def create_app(config: type | dict | None = None) -> Flask:
    """Build the Flask app from a config class or mapping (default: ``Config`` from the environment)."""
    app = Flask(
        __name__,
        template_folder=str(REPO_ROOT / "templates"),
        static_folder=str(Path(__file__).parent / "static"),
        instance_path=str(REPO_ROOT / "instance"),
    )
    app.config.from_object(Config)
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    check_production_config(app.config)
    if app.config["DATABASE_URL"].startswith("sqlite:///"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    logging.basicConfig(level=logging.INFO)
    register_request_hardening(app)

    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    return app


def register_request_hardening(app: Flask) -> None:
    """Trust forwarded headers only from the configured proxies, bound URL integers, keep tokens out of logs."""
    from web.security import BoundedIntConverter, install_token_log_filter, refuse_nul_bytes

    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies, x_prefix=proxies)
    app.url_map.converters["int"] = BoundedIntConverter
    app.before_request(refuse_nul_bytes)
    install_token_log_filter()


def register_extensions(app: Flask) -> None:
    from web import db, i18n
    from web.extensions import csrf, login_manager
    from web.security import TokenPathSessionInterface

    app.session_interface = TokenPathSessionInterface()
    db.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    i18n.init_app(app)
    from web import (
        auth,  # noqa: F401  (registers the user loader)
        layout,
    )

    layout.init_app(app)


def register_blueprints(app: Flask) -> None:
    from web.admin.routes import bp as admin_bp
    from web.api.routes import bp as api_bp
    from web.auth.routes import bp as auth_bp
    from web.coach.routes import bp as coach_bp
    from web.employer.routes import bp as employer_bp
    from web.extensions import csrf
    from web.main.routes import bp as main_bp
    from web.notifications.routes import bp as notifications_bp
    from web.participant.routes import bp as participant_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp, url_prefix="/auth")
    app.register_blueprint(employer_bp, url_prefix="/werkgever")
    app.register_blueprint(coach_bp, url_prefix="/coach")
    app.register_blueprint(participant_bp, url_prefix="/deelnemer")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(notifications_bp, url_prefix="/meldingen")
    from web.account.routes import bp as account_bp  # after the areas, so "Account" comes last in each menu

    app.register_blueprint(account_bp)  # /account/ and the calendar feed under /kalender/
    # The API authenticates with Bearer tokens only and never reads the session cookie: no CSRF surface.
    csrf.exempt(api_bp)
    app.register_blueprint(api_bp, url_prefix="/api/v1")


def register_errorhandlers(app: Flask) -> None:
    from web.errors import register

    register(app)


def register_commands(app: Flask) -> None:
    from web.commands import register

    register(app)
