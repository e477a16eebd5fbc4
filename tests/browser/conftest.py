"""Browser fixtures: a live Stagebrug server on a free port and Playwright pages on Debian's Chromium."""
from __future__ import annotations

import os
import shutil
import subprocess
import tarfile
import tempfile
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
VENDOR = Path(__file__).resolve().parent / "vendor"
AXE = VENDOR / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


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
def live_server(tmp_path, sqlite_schema):
    """Serve the app with CSRF on and a fresh SQLite database (a copy of the prepared schema) in a background thread."""
    from web import create_app
    from web.config import TestConfig
    from web.db import build_engine

    if sqlite_schema is not None:
        shutil.copyfile(sqlite_schema, tmp_path / "live.db")
    app = create_app(TestConfig)
    app.config.update(WTF_CSRF_ENABLED=True, DATABASE_URL=f"sqlite:///{tmp_path / 'live.db'}")
    app.extensions["db_engine"].dispose()
    app.extensions["db_engine"] = build_engine(app.config["DATABASE_URL"])
    if sqlite_schema is None:
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


@pytest.fixture(scope="session")
def axe_source() -> str:
    """The axe-core script, fetched once with npm (``npm pack axe-core``) into tests/browser/vendor/; no CDN."""
    if not AXE.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("npm is needed once to vendor axe-core")
        with tempfile.TemporaryDirectory() as tmp:
            result = subprocess.run([npm, "pack", "axe-core", "--silent"], cwd=tmp, capture_output=True, text=True, timeout=120)
            if result.returncode != 0:
                pytest.skip(f"could not fetch axe-core: {result.stderr[:200]}")
            archive = next(Path(tmp).glob("axe-core-*.tgz"))
            with tarfile.open(archive) as tar:
                member = tar.getmember("package/axe.min.js")
                VENDOR.mkdir(exist_ok=True)
                AXE.write_bytes(tar.extractfile(member).read())
    return AXE.read_text(encoding="utf-8")


@pytest.fixture
def axe(axe_source):
    """Run axe-core (WCAG 2.x A/AA and best practice) in a page: ``axe(page)`` returns its list of violations.

    The page's context needs ``bypass_csp=True`` so the script may run.
    """

    def _run(page) -> list[dict]:
        page.evaluate(axe_source)
        result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
        return result["violations"]

    return _run


def serious_violations(violations: list[dict]) -> list[tuple]:
    """(rule, impact, first targets) for the serious and critical violations only."""
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in violations if v["impact"] in ("serious", "critical")]
