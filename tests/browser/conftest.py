"""Browser fixtures: a live Stagebrug server on a free port and Playwright pages on Debian's Chromium."""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlmodel import Session, SQLModel
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
                 "--no-first-run", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)
            if not Path(CHROMIUM).exists():
                item.add_marker(pytest.mark.skip(reason="Chromium is not installed (apt-get install chromium)"))


@dataclass
class LiveServer:
    url: str
    app: object

    def session(self) -> Session:
        """A database session on the server's database, for builders and checks."""
        return Session(self.app.extensions["db_engine"])


@pytest.fixture
def live_server(tmp_path):
    """Serve the app with CSRF on and a fresh SQLite database in a background thread."""
    from web import create_app
    from web.config import TestConfig
    from web.db import build_engine

    app = create_app(TestConfig)
    app.config.update(WTF_CSRF_ENABLED=True, DATABASE_URL=f"sqlite:///{tmp_path / 'live.db'}")
    app.extensions["db_engine"].dispose()
    app.extensions["db_engine"] = build_engine(app.config["DATABASE_URL"])
    SQLModel.metadata.create_all(app.extensions["db_engine"])
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveServer(url=f"http://127.0.0.1:{server.server_port}", app=app)
    server.shutdown()
    thread.join(timeout=5)
    app.extensions["db_engine"].dispose()


@pytest.fixture(scope="session")
def _browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(_browser):
    """Factory: a fresh page (own cookies) at a viewport, e.g. browser_page(width=360, height=740)."""
    contexts = []

    def _make(width: int = 1280, height: int = 900, **kwargs):
        context = _browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True, **kwargs)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield _make
    for context in contexts:
        context.close()


@pytest.fixture
def shot():
    """Save a full-page screenshot to screenshots/<name>.png and return its path."""
    SCREENSHOTS.mkdir(exist_ok=True)

    def _shot(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return _shot


def ui_login(page, base_url: str, email: str, password: str) -> None:
    """Log in through the real form."""
    page.goto(f"{base_url}/auth/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("button[type=submit].primary")
    page.wait_for_load_state("networkidle")


def switch_language(page, language: str) -> None:
    """Use the header's language switch (a POST form with CSRF)."""
    label = "English" if language == "en" else "Nederlands"
    button = page.get_by_role("button", name=label)
    if button.count():
        button.first.click()
        page.wait_for_load_state("networkidle")
