"""Webhook signing secrets are encrypted at rest (Fernet, key derived from SECRET_KEY): the database never holds one in
the clear, deliveries still verify at the receiver, a secret is shown once on creation and on rotation, an older
SECRET_KEY kept in SECRET_KEY_FALLBACKS still opens (and re-seals) it, and migration 0010 encrypts existing rows."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import Session, SQLModel, select

from tests.conftest import make_employer, make_participant, make_place, make_user
from tests.web.api_helpers import auth, sealed, token_for
from tests.web.test_webhooks import Receiver
from web.models import AuditLog, WebhookDelivery, WebhookEndpoint, utcnow
from web.services import webhooks
from web.services.secret_box import open_secret, seal_secret


@pytest.fixture
def receiver():
    server = Receiver([200, 200, 200])
    yield server
    server.close()


@pytest.fixture
def world(app, session):
    employer_user = make_user(session, "employer")
    employer = make_employer(session, employer_user)
    coach = make_user(session, "coach")
    place = make_place(session, employer, title="Magazijnier")
    person = make_participant(session, coach)
    return {"employer": token_for(app, employer_user), "coach": token_for(app, coach), "place": place, "person": person,
            "employer_id": employer.id}


def _every_stored_text(app) -> str:
    """Every value of every row of every table, as one text."""
    with app.extensions["db_engine"].connect() as conn:
        return "\n".join(repr(tuple(r)) for t in SQLModel.metadata.sorted_tables for r in conn.execute(t.select()).all())


def _deliver(app, now=None):
    with app.app_context(), Session(app.extensions["db_engine"]) as db:
        result = webhooks.deliver_due_webhooks(session=db, now=now or utcnow())
        db.commit()
    return result


def _propose(client, world):
    response = client.post("/api/v1/coach/proposals", json={"participant_id": world["person"].id, "place_id": world["place"].id},
                           headers=auth(world["coach"]))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_the_database_never_holds_the_secret_and_deliveries_still_verify(app, client, session, world, receiver):
    created = client.post("/api/v1/employer/webhooks", json={"url": receiver.url, "events": ["proposal.created"]}, headers=auth(world["employer"]))
    assert created.status_code == 201
    secret = created.get_json()["secret"]
    assert secret.startswith("whsec_") and len(secret) > 40

    stored = _every_stored_text(app)
    assert secret not in stored and secret.removeprefix("whsec_") not in stored
    column = session.exec(select(WebhookEndpoint)).one().secret_encrypted
    assert secret not in column
    assert open_secret(column, keys=[app.config["SECRET_KEY"]]).plain == secret  # the app's key opens it
    with pytest.raises(Exception, match="InvalidToken|^$"):
        open_secret(column, keys=["another-key-of-at-least-32-characters!!"])
    for url in ("/api/v1/employer/webhooks", f"/api/v1/employer/webhooks/{created.get_json()['id']}/deliveries"):
        assert secret not in client.get(url, headers=auth(world["employer"])).get_data(as_text=True)  # shown once only

    receiver.secret = secret
    _propose(client, world)
    assert _deliver(app) == {"sent": 1, "failed": 0}
    assert receiver.received[0]["valid"]
    assert secret not in _every_stored_text(app)


def test_rotating_the_secret_shows_the_new_one_once_and_signs_with_it_only(app, client, session, world, receiver):
    created = client.post("/api/v1/employer/webhooks", json={"url": receiver.url, "events": ["proposal.created"]},
                          headers=auth(world["employer"])).get_json()
    old = created["secret"]
    rotated = client.post(f"/api/v1/employer/webhooks/{created['id']}/secret", json={}, headers=auth(world["employer"]))
    assert rotated.status_code == 200, rotated.get_json()
    new = rotated.get_json()["secret"]
    assert new != old and rotated.get_json()["id"] == created["id"] and rotated.get_json()["url"] == receiver.url
    assert new not in _every_stored_text(app)
    (audit,) = session.exec(select(AuditLog).where(AuditLog.action == "webhook.secret_rotated")).all()
    assert audit.object_id == str(created["id"]) and new not in str(audit.detail)

    _propose(client, world)
    receiver.secret = new
    assert _deliver(app) == {"sent": 1, "failed": 0}
    delivery = receiver.received[0]
    assert delivery["valid"]
    assert not webhooks.verify(old, delivery["timestamp"], delivery["body"], delivery["signature"])


def test_another_employers_secret_cannot_be_rotated(app, client, session, world):
    created = client.post("/api/v1/employer/webhooks", json={"url": "https://example.org/hook", "events": ["proposal.created"]},
                          headers=auth(world["employer"])).get_json()
    stranger = make_user(session, "employer")
    make_employer(session, stranger, name="Buur")
    before = session.exec(select(WebhookEndpoint.secret_encrypted)).one()
    response = client.post(f"/api/v1/employer/webhooks/{created['id']}/secret", json={}, headers=auth(token_for(app, stranger)))
    assert response.status_code == 404 and response.content_type == "application/problem+json"
    session.expire_all()
    assert session.exec(select(WebhookEndpoint.secret_encrypted)).one() == before


def test_a_secret_sealed_under_a_previous_secret_key_still_signs_and_is_sealed_again(app, session, world, receiver):
    old_key = "the-previous-secret-key-of-the-app-123456"
    session.add(WebhookEndpoint(employer_id=world["employer_id"], url=receiver.url, events=["place.expiring"],
                                secret_encrypted=seal_secret("whsec_oud", keys=[old_key])))
    session.commit()
    webhooks.enqueue(session=session, employer_id=world["employer_id"], event="place.expiring", data={})
    session.commit()
    app.config["SECRET_KEY_FALLBACKS"] = [old_key]
    receiver.secret = "whsec_oud"
    assert _deliver(app) == {"sent": 1, "failed": 0}
    assert receiver.received[0]["valid"]
    session.expire_all()
    column = session.exec(select(WebhookEndpoint)).one().secret_encrypted
    assert open_secret(column, keys=[app.config["SECRET_KEY"]]).resealed is None  # now under the current key alone


def test_a_secret_no_key_opens_is_logged_not_sent(app, session, world):
    session.add(WebhookEndpoint(employer_id=world["employer_id"], url="https://example.org/hook", events=["place.expiring"],
                                secret_encrypted=seal_secret("whsec_kwijt", keys=["a-key-the-app-no-longer-has-123456789"])))
    session.commit()
    webhooks.enqueue(session=session, employer_id=world["employer_id"], event="place.expiring", data={})
    session.commit()
    calls = []
    with app.app_context():
        assert webhooks.deliver_due_webhooks(session=session, now=utcnow(), post=lambda *a: calls.append(a) or 200) == {"sent": 0, "failed": 1}
    assert calls == []
    assert "rotate the secret" in session.exec(select(WebhookDelivery)).one().last_error


def test_migration_0010_encrypts_existing_secrets_and_downgrade_decrypts_them(tmp_path):
    from alembic import command
    from alembic.config import Config

    from web.db import build_engine

    engine = build_engine(f"sqlite:///{tmp_path / 'm.db'}")
    config = Config(str(Path(__file__).resolve().parents[2] / "migrations" / "alembic.ini"))
    config.attributes["secret_key"] = "the-key-of-this-installation-0123456789"
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0008")
        conn.execute(text("INSERT INTO employer (id, name, kbo_number, sector, postal_code, created_at) "
                          "VALUES (1, 'W', '0123456789', 'logistiek', '9000', CURRENT_TIMESTAMP)"))
        conn.execute(text("INSERT INTO webhook_endpoint (id, employer_id, url, secret, events, active, created_at) "
                          "VALUES (1, 1, 'https://example.org/hook', 'whsec_bestaand', '[]', 1, CURRENT_TIMESTAMP)"))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0010")
    with engine.connect() as conn:
        columns = [c[1] for c in conn.execute(text("PRAGMA table_info(webhook_endpoint)")).all()]
        column = conn.execute(text("SELECT secret_encrypted FROM webhook_endpoint")).scalar_one()
    assert "secret" not in columns and "whsec_bestaand" not in column
    assert open_secret(column, keys=[config.attributes["secret_key"]]).plain == "whsec_bestaand"
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0008")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT secret FROM webhook_endpoint")).scalar_one() == "whsec_bestaand"
    engine.dispose()


def test_the_sealed_value_fits_its_column(app):
    assert len(sealed(app, webhooks.new_secret())) <= WebhookEndpoint.model_fields["secret_encrypted"].metadata[0].max_length
