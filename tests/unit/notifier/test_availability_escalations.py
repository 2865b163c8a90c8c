"""A missed availability target escalates through the policy: a closed month's
availability-reported with `met` false owes the duty manager one email, once whatever is
redelivered or republished; a met month owes nothing; a policy names who is told per class."""

from __future__ import annotations

import itertools
from datetime import datetime, timezone
from uuid import uuid4

import pytest

from hotline.contracts import AvailabilityReported
from hotline.contracts.envelope import CloudEvent
from hotline.eventstore import popo_env
from hotline_notifier.application import NotifierApplication
from hotline_notifier.domain.notification import Notification
from hotline_notifier.escalation.policy import EscalationPolicy, EscalationPolicyError, load_policy

NOW = datetime(2027, 1, 4, 17, 0, tzinfo=timezone.utc)
DUTY = "duty-manager@hotline.example"
positions = itertools.count(1)


def report(met: bool, service_class: str = "core") -> AvailabilityReported:
    return AvailabilityReported(
        customer="Globex Telecom", service_class=service_class, month="2026-12",
        seconds_in_month=2678400, downtime_seconds=268 if not met else 259,
        availability="99.9899" if not met else "99.9903", target="99.99", met=met,
        allowed_downtime_seconds=267.84, maintenance_rule="planned maintenance (announced ≥ 24 h "
        "ahead) excluded; emergency maintenance counted", outage_ids=[uuid4()], reported_at=NOW)


def publish(app, data, ce_id: str) -> None:
    app.take(CloudEvent(id=ce_id, source="/hotline/sla-timer", type=data.ce_type, time=NOW,
                        subject=f"{data.customer}/{data.service_class}/{data.month}",
                        position=next(positions), data=data))


def owed(app) -> list[Notification]:
    found = []
    for aggregate_id in {n.originator_id for n in app.recorder.select_notifications(1, 10_000)}:
        aggregate = app.repository.get(aggregate_id)
        if isinstance(aggregate, Notification) and aggregate.kind == "availability-escalation":
            found.append(aggregate)
    return found


@pytest.fixture
def app() -> NotifierApplication:
    return NotifierApplication(env=popo_env())


def test_a_missed_target_tells_the_duty_manager_once(app):
    data, ce_id = report(met=False), f"{uuid4()}:1"
    publish(app, data, ce_id)
    publish(app, data, ce_id)  # redelivered under another position (republished)
    [notification] = owed(app)
    assert notification.recipient == DUTY and notification.ticket_number is None
    assert notification.subject == ("Availability target missed: Globex Telecom – core services – "
                                    "2026-12: 99.9899% (target 99.99%)")
    assert "allowed 267.84 s of 2678400 s" in notification.body
    assert "planned maintenance (announced ≥ 24 h ahead) excluded" in notification.body


def test_a_met_target_owes_nothing(app):
    publish(app, report(met=True), f"{uuid4()}:1")
    assert owed(app) == []


def test_the_policy_says_who_is_told_per_class():
    policy = EscalationPolicy.model_validate({
        "name": "p", "recipients": {"boss": "boss@hotline.example"},
        "availability": [{"classes": ["core"], "notify": ["boss"]},
                         {"classes": ["core", "supporting"], "notify": ["noc@hotline.example"]}]})
    app = NotifierApplication(env=popo_env(), escalations=policy)
    publish(app, report(met=False), f"{uuid4()}:1")
    publish(app, report(met=False, service_class="supporting"), f"{uuid4()}:1")
    assert sorted(n.recipient for n in owed(app)) == [
        "boss@hotline.example", "noc@hotline.example", "noc@hotline.example"]


def test_a_customer_contact_cannot_be_told_of_a_month(tmp_path):
    bad = tmp_path / "policy.yaml"
    bad.write_text("name: p\navailability:\n  - classes: [core]\n    notify: [customer-contact]\n")
    with pytest.raises(EscalationPolicyError, match="customer-contact"):
        load_policy(bad)


def test_policies_without_availability_rules_keep_their_versions():
    plain = EscalationPolicy.model_validate({"name": "p", "rules": []})
    assert plain.version == "p-" + __import__("hashlib").sha256(
        b'{"name": "p", "recipients": {}, "rules": []}').hexdigest()[:8]
