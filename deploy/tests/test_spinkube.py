"""The manifests an operator applies are valid, consistent with each other and with spin.toml,
and the checks refuse manifests the cluster would refuse."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

import manifests as m


def the(kind: str) -> m.Manifest:
    (doc,) = [d for d in m.applied() if d["kind"] == kind]
    return doc


def test_the_kustomization_applies_the_spinapp_its_autoscaler_and_the_drain() -> None:
    kinds = sorted(doc["kind"] for doc in m.applied())
    assert kinds == ["CronJob", "HorizontalPodAutoscaler", "SpinApp"]


@pytest.mark.parametrize("path", sorted(m.SPINKUBE.glob("*.yaml")), ids=lambda p: p.name)
def test_every_manifest_is_valid(path: Path) -> None:
    for doc in load_resources(path):
        assert m.errors(doc) == [], f"{path.name} ({doc['kind']})"


def load_resources(path: Path) -> list[m.Manifest]:
    # kustomization.yaml is kustomize's own input, not a resource the API server knows.
    return [d for d in m.load(path) if d.get("kind") != "Kustomization"]


def test_the_spinapp_checks_health_and_scales_with_the_autoscaler() -> None:
    spec = the("SpinApp")["spec"]
    assert spec["checks"]["readiness"]["httpGet"]["path"] == "/health"
    assert spec["checks"]["liveness"]["httpGet"]["path"] == "/health"
    hpa = the("HorizontalPodAutoscaler")["spec"]
    # The operator names the Deployment after the SpinApp.
    assert hpa["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": the("SpinApp")["metadata"]["name"],
    }
    assert hpa["minReplicas"] >= 2
    assert "cpu" in spec["resources"]["requests"], "a CPU target needs a CPU request"


def test_the_spinapp_binds_only_variables_spin_toml_declares() -> None:
    bound = [v["name"] for v in the("SpinApp")["spec"]["variables"]]
    assert len(bound) == len(set(bound)), "a variable is bound twice"
    assert set(bound) <= m.spin_variables()


def test_secrets_come_from_the_secret_and_the_template_has_every_key() -> None:
    spinapp = the("SpinApp")
    by_name = {v["name"]: v for v in spinapp["spec"]["variables"]}
    for secret in ["database_url", "jwt_private_key", "admin_token", "events_password"]:
        assert "secretKeyRef" in by_name[secret].get("valueFrom", {}), secret
    (template,) = m.load(m.SPINKUBE / "secret.template.yaml")
    provided = {(template["metadata"]["name"], key) for key in template["stringData"]}
    wanted = m.secret_key_refs(m.applied())
    assert wanted <= provided


def test_the_drain_posts_to_the_spinapps_service_with_the_admin_token() -> None:
    job = the("CronJob")["spec"]
    assert job["concurrencyPolicy"] == "Forbid"
    (container,) = job["jobTemplate"]["spec"]["template"]["spec"]["containers"]
    url = container["args"][-1]
    assert url == f"http://{the('SpinApp')['metadata']['name']}/admin/outbox/drain"
    assert ("auth-service", "admin_token") in m.secret_key_refs(container)


def broken(change: Any) -> m.Manifest:
    doc = copy.deepcopy(the("SpinApp"))
    change(doc["spec"])
    return doc


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        (lambda s: s.update(replicas=3), "must not be set when enableAutoscaling"),
        (lambda s: s.update(enableAutoscaling=False, replicas=0), "greater than 0"),
        (lambda s: s.pop("executor"), "executor must be named"),
        (lambda s: s.pop("image"), "'image' is a required property"),
        (lambda s: s.update(replica=3), "'replica' was unexpected"),
        (lambda s: s.update(replicas="3"), "'3' is not of type 'integer'"),
        (lambda s: s["checks"]["readiness"]["httpGet"].pop("path"), "'path' is a required"),
        (lambda s: s["resources"]["requests"].update(cpu="lots"), "cpu"),
        (lambda s: s["variables"].append({"name": "x", "value": "1", "valueFrom": {}}), "variables"),
        (
            lambda s: s.update(runtimeConfig={"keyValueStores": [{"name": "default"}]}),
            "'type' is a required property",
        ),
    ],
    ids=[
        "replicas-with-autoscaling",
        "zero-replicas",
        "no-executor",
        "no-image",
        "misspelt-field",
        "replicas-as-text",
        "probe-without-path",
        "bad-quantity",
        "value-and-valueFrom",
        "store-without-type",
    ],
)
def test_a_spinapp_the_operator_would_refuse_is_refused(change: Any, complaint: str) -> None:
    found = m.errors(broken(change))
    assert any(complaint in e for e in found), found


def test_a_broken_builtin_manifest_is_refused() -> None:
    hpa = copy.deepcopy(the("HorizontalPodAutoscaler"))
    hpa["spec"]["maxReplica"] = 10
    assert any("maxReplica" in e for e in m.errors(hpa))
    job = copy.deepcopy(the("CronJob"))
    job["spec"]["schedule"] = 5
    assert m.errors(job) != []


def test_replicas_without_autoscaling_are_accepted() -> None:
    def fixed(spec: m.Manifest) -> None:
        spec.update(enableAutoscaling=False, replicas=3)

    assert m.errors(broken(fixed)) == []
