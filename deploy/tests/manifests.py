"""Offline checks of the SpinKube manifests in deploy/spinkube.

Built-in kinds are checked against the Kubernetes API schemas that kubernetes-validate ships; the
SpinApp against deploy/schema/spinapp.v1alpha1.schema.json plus the rules only the operator's
admission webhook enforces, which a schema cannot say.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate  # type: ignore[import-untyped]  # ships no type information
import yaml

REPO = Path(__file__).resolve().parents[2]
SPINKUBE = REPO / "deploy" / "spinkube"
SPINAPP_SCHEMA = REPO / "deploy" / "schema" / "spinapp.v1alpha1.schema.json"
# The oldest Kubernetes release still supported upstream when these manifests were written: what
# passes here passes on newer clusters too.
KUBERNETES_VERSION = "1.33.0"

Manifest = dict[str, Any]


def load(path: Path) -> list[Manifest]:
    """Every YAML document of a file, empty documents left out."""
    with path.open(encoding="utf-8") as file:
        return [doc for doc in yaml.safe_load_all(file) if doc is not None]


def kustomization() -> Manifest:
    (doc,) = load(SPINKUBE / "kustomization.yaml")
    return doc


def applied() -> list[Manifest]:
    """What `kubectl apply -k deploy/spinkube` sends, before kustomize adds its labels."""
    return [doc for name in kustomization()["resources"] for doc in load(SPINKUBE / name)]


def builtin_errors(doc: Manifest) -> list[str]:
    """Schema errors of a built-in kind; unknown fields count (strict)."""
    try:
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
    except kubernetes_validate.ValidationError as error:
        where = ".".join(str(p) for p in error.path) or "(document)"
        return [f"{where}: {error.message}"]
    return []


def spinapp_errors(doc: Manifest) -> list[str]:
    """Schema errors of a SpinApp, then the webhook's rules."""
    schema = json.loads(SPINAPP_SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    errors = [
        f"{'.'.join(str(p) for p in e.absolute_path) or '(document)'}: {e.message}"
        for e in sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.path)))
    ]
    spec = doc.get("spec")
    if isinstance(spec, dict):
        errors += webhook_errors(spec)
    return errors


def webhook_errors(spec: Manifest) -> list[str]:
    """What the operator's admission webhook refuses although the schema allows it."""
    errors = []
    if not spec.get("executor"):
        # The webhook resolves the executor in the cluster; offline, it must at least be named.
        errors.append("spec.executor: an executor must be named")
    autoscaling = spec.get("enableAutoscaling") is True
    if autoscaling and "replicas" in spec:
        errors.append("spec.replicas: must not be set when enableAutoscaling is true")
    if not autoscaling and spec.get("replicas", 1) < 1:
        errors.append("spec.replicas: must be greater than 0")
    return errors


def errors(doc: Manifest) -> list[str]:
    if doc.get("kind") == "SpinApp":
        return spinapp_errors(doc)
    return builtin_errors(doc)


def spin_variables() -> set[str]:
    """The variables spin.toml declares: the only names a SpinApp may bind."""
    manifest = tomllib.loads((REPO / "spin.toml").read_text(encoding="utf-8"))
    return set(manifest["variables"])


def secret_key_refs(node: Any) -> set[tuple[str, str]]:
    """Every (secret name, key) a manifest reads through secretKeyRef, however deep."""
    found: set[tuple[str, str]] = set()
    if isinstance(node, dict):
        ref = node.get("secretKeyRef")
        if isinstance(ref, dict):
            found.add((ref["name"], ref["key"]))
        for value in node.values():
            found |= secret_key_refs(value)
    elif isinstance(node, list):
        for value in node:
            found |= secret_key_refs(value)
    return found
