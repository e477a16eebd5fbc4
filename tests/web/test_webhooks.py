"""Webhooks: registered through the API, queued in the outbox by the services, delivered by the scheduler's job to a
real HTTP receiver that checks the signature, retried with backoff after a 500, logged, and never carrying a name."""
from __future__ import annotations

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlmodel import Session, select

from tests.conftest import make_employer, make_participant, make_place, make_user
from tests.web.api_helpers import auth, sealed, token_for
from web.models import WebhookDelivery, utcnow
from web.services import webhooks


class Receiver:
    """An HTTP server on 127.0.0.1 that verifies each delivery and answers with the next planned status."""

    def __init__(self, statuses):
        self.statuses = list(statuses)
        self.received: list[dict] = []
        self.secret = None
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append({
                    "body": body, "id": self.headers["Stagebrug-Webhook-Id"], "timestamp": self.headers["Stagebrug-Webhook-Timestamp"],
                    "signature": self.headers["Stagebrug-Webhook-Signature"], "content_type": self.headers["Content-Type"],
                    "valid": webhooks.verify(receiver.secret, self.headers["Stagebrug-Webhook-Timestamp"], body,
                                             self.headers["Stagebrug-Webhook-Signature"]),
                })
                self.send_response(receiver.statuses.pop(0) if receiver.statuses else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture
def receiver():
    server = Receiver([500, 200])
    yield server
    server.close()


@pytest.fixture
def setup(app, session):
    employer_user = make_user(session, "employer")
    employer = make_employer(session, employer_user)
    coach = make_user(session, "coach")
    place = make_place(session, employer, title="Magazijnier")
    person = make_participant(session, coach, first_name="Zorro", last_name="Geheimnaam", email="zorro@example.be", consent_level="skills_name")
    return {"employer": token_for(app, employer_user), "coach": token_for(app, coach), "place": place, "person": person}


def _deliver(app, now):
    with app.app_context(), Session(app.extensions["db_engine"]) as db:
        result = webhooks.deliver_due_webhooks(session=db, now=now)
        db.commit()
    return result


def test_a_delivery_is_signed_retried_after_a_500_and_logged(app, client, session, setup, receiver):
    created = client.post("/api/v1/employer/webhooks", json={"url": receiver.url, "events": ["proposal.created", "proposal.updated"]},
                          headers=auth(setup["employer"]))
    assert created.status_code == 201, created.get_json()
    hook = created.get_json()
    receiver.secret = hook["secret"]
    assert "secret" not in client.get("/api/v1/employer/webhooks", headers=auth(setup["employer"])).get_json()["items"][0]

    proposal = client.post("/api/v1/coach/proposals", json={"participant_id": setup["person"].id, "place_id": setup["place"].id},
                           headers=auth(setup["coach"]))
    assert proposal.status_code == 201
    assert receiver.received == []  # never sent from the request: the outbox holds it
    queued = session.exec(select(WebhookDelivery)).all()
    assert [(d.event, d.attempts, d.delivered_at) for d in queued] == [("proposal.created", 0, None)]

    now = utcnow()
    assert _deliver(app, now) == {"sent": 0, "failed": 1}
    first = receiver.received[0]
    assert first["valid"] and first["content_type"] == "application/json"
    assert webhooks.sign(hook["secret"], int(first["timestamp"]), first["body"]) == first["signature"]
    assert not webhooks.verify("whsec_wrong", first["timestamp"], first["body"], first["signature"])
    assert not webhooks.verify(hook["secret"], first["timestamp"], first["body"] + b" ", first["signature"])
    payload = json.loads(first["body"])
    assert payload["type"] == "proposal.created" and payload["id"] == first["id"]
    assert payload["data"]["proposal"]["place_id"] == setup["place"].id

    session.expire_all()
    delivery = session.exec(select(WebhookDelivery)).one()
    assert (delivery.attempts, delivery.last_status, delivery.delivered_at) == (1, 500, None)
    assert delivery.next_attempt_at == now + timedelta(minutes=1)
    assert _deliver(app, now + timedelta(seconds=30)) == {"sent": 0, "failed": 0}  # not due yet: backoff
    assert _deliver(app, now + timedelta(minutes=1)) == {"sent": 1, "failed": 0}
    second = receiver.received[1]
    assert second["valid"] and second["id"] == first["id"]  # the same event id on the retry

    log = client.get(f"/api/v1/employer/webhooks/{hook['id']}/deliveries", headers=auth(setup["employer"])).get_json()
    assert log["total"] == 1
    assert log["items"][0]["attempts"] == 2 and log["items"][0]["last_status"] == 200 and log["items"][0]["delivered_at"]


def test_a_participants_name_never_appears_in_a_payload(app, client, session, setup):
    webhooks_url = "https://example.org/hook"
    assert client.post("/api/v1/employer/webhooks", json={"url": webhooks_url, "events": ["proposal.created", "proposal.updated"]},
                       headers=auth(setup["employer"])).status_code == 201
    proposal = client.post("/api/v1/coach/proposals", json={"participant_id": setup["person"].id, "place_id": setup["place"].id},
                           headers=auth(setup["coach"])).get_json()
    client.post(f"/api/v1/coach/proposals/{proposal['id']}/transitions", json={"to_state": "participant_agreed"}, headers=auth(setup["coach"]))
    payloads = [json.dumps(d.payload) for d in session.exec(select(WebhookDelivery).order_by(WebhookDelivery.id)).all()]
    assert [json.loads(p)["data"]["proposal"]["state"] for p in payloads] == ["proposed", "participant_agreed"]
    for payload in payloads:
        assert "Zorro" not in payload and "Geheimnaam" not in payload and "zorro@" not in payload


def test_deliveries_stop_after_the_last_attempt(app, session, setup):
    employer_user = make_user(session, "employer")
    employer = make_employer(session, employer_user)
    from web.models import WebhookEndpoint

    endpoint = WebhookEndpoint(employer_id=employer.id, url="https://example.org/hook", secret_encrypted=sealed(app, "whsec_s"), events=["place.expiring"])
    session.add(endpoint)
    session.commit()
    webhooks.enqueue(session=session, employer_id=employer.id, event="place.expiring", data={})
    session.commit()
    now = utcnow()
    calls = []
    for _ in range(webhooks.MAX_ATTEMPTS + 2):
        with app.app_context():
            webhooks.deliver_due_webhooks(session=session, now=now, post=lambda url, body, headers: calls.append(url) or 503)
        session.commit()
        now += timedelta(days=1)
    delivery = session.exec(select(WebhookDelivery)).one()
    assert len(calls) == webhooks.MAX_ATTEMPTS
    assert delivery.failed_at is not None and delivery.attempts == webhooks.MAX_ATTEMPTS and delivery.last_error == "HTTP 503"


@pytest.mark.parametrize("url", ["http://example.org/hook", "https://127.0.0.1/hook", "https://10.1.2.3/hook", "https://[::1]/hook",
                                 "https://localhost/hook", "https://169.254.169.254/latest", "https://user:pw@example.org/", "ftp://example.org/"])
def test_production_refuses_private_loopback_and_plain_addresses(url):
    with pytest.raises(webhooks.WebhookError):
        webhooks.check_url(url, allow_private_addresses=False)


def test_the_api_refuses_a_loopback_address_when_private_addresses_are_off(app, client, setup):
    app.config["WEBHOOK_ALLOW_PRIVATE"] = False
    response = client.post("/api/v1/employer/webhooks", json={"url": "https://127.0.0.1:8443/hook", "events": ["proposal.created"]},
                           headers=auth(setup["employer"], **{"Accept-Language": "en"}))
    assert response.status_code == 422 and response.content_type == "application/problem+json"
    assert response.get_json()["errors"][0]["pointer"] == "/url"
    assert "internal or local network" in response.get_json()["errors"][0]["detail"]


def test_an_address_that_turns_private_is_not_called_at_delivery(app, session, setup):
    employer_user = make_user(session, "employer")
    employer = make_employer(session, employer_user)
    from web.models import WebhookEndpoint

    session.add(WebhookEndpoint(employer_id=employer.id, url="https://127.0.0.1/hook", secret_encrypted=sealed(app, "whsec_s"), events=["place.expiring"]))
    session.commit()
    webhooks.enqueue(session=session, employer_id=employer.id, event="place.expiring", data={})
    session.commit()
    calls = []
    with app.app_context():
        webhooks.deliver_due_webhooks(session=session, now=utcnow(), post=lambda *a: calls.append(a) or 200, allow_private_addresses=False)
    assert calls == []
    assert session.exec(select(WebhookDelivery)).one().last_error == "refused address: private"


def test_an_expiring_place_is_announced_once(app, session, setup):
    from web.models import StagePlace, WebhookEndpoint

    place = session.get(StagePlace, setup["place"].id)
    place.expires_at = utcnow() + timedelta(days=3)
    session.add(place)
    session.add(WebhookEndpoint(employer_id=place.employer_id, url="https://example.org/hook", secret_encrypted=sealed(app, "whsec_s"), events=["place.expiring"]))
    session.commit()
    assert webhooks.enqueue_expiring_places(session=session) == 1
    assert webhooks.enqueue_expiring_places(session=session) == 0
    session.commit()
    delivery = session.exec(select(WebhookDelivery)).one()
    assert delivery.event == "place.expiring" and delivery.payload["data"]["place"]["id"] == place.id


def test_a_confirmed_or_moved_meeting_is_announced_with_its_times_and_no_name(app, client, session, setup):
    from tests.conftest import make_meeting, make_proposal
    from web.models import Meeting, User
    from web.services import meetings

    assert client.post("/api/v1/employer/webhooks", json={"url": "https://example.org/hook", "events": ["meeting.confirmed"]},
                       headers=auth(setup["employer"])).status_code == 201
    proposal = make_proposal(session, setup["person"], setup["place"], state="employer_interested", participant_consented_at=utcnow())
    option = make_meeting(session, proposal, status="option", days_ahead=5)
    coach = session.get(User, setup["person"].coach_id)
    with app.test_request_context():
        meetings.pick_slot(session=session, meeting=session.get(Meeting, option.id), actor=coach)
        later = meetings.Slot(option.starts_at + timedelta(days=1), option.ends_at + timedelta(days=1))
        meetings.reschedule(session=session, meeting=session.get(Meeting, option.id), actor=coach, slot=later, reason="Ander uur")
        session.commit()
    deliveries = session.exec(select(WebhookDelivery).where(WebhookDelivery.event == "meeting.confirmed").order_by(WebhookDelivery.id)).all()
    assert [d.payload["data"]["meeting"]["sequence"] for d in deliveries] == [0, 1]
    assert {d.payload["data"]["meeting"]["uid"] for d in deliveries} == {option.uid}
    assert deliveries[1].payload["data"]["meeting"]["starts_at"] == later.starts_at.isoformat()
    for delivery in deliveries:
        text = json.dumps(delivery.payload)
        assert "Zorro" not in text and "Geheimnaam" not in text and "zorro@" not in text
