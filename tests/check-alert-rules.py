#!/usr/bin/python3
"""Checks docs/prometheus-alerts.yml: well-formed rule groups, and every
metric an expression names is one intake-server writes on /metrics (or the
textfile metric the runbook's audit check writes)."""
import re
import sys

import yaml

rules_path, *sources = sys.argv[1:]
with open(rules_path, encoding="utf-8") as f:
    doc = yaml.safe_load(f)

exported = set()
for path in sources:
    with open(path, encoding="utf-8") as f:
        exported |= set(re.findall(r"# TYPE (intake_[a-z_]+) ", f.read()))
# Not from intake-server: Prometheus' own, and the audit check's textfile.
exported |= {"up", "intake_audit_verify_ok"}
if len(exported) < 10:
    sys.exit(f"found only {len(exported)} metrics in {sources}")

problems = []
names = set()
for group in doc["groups"]:
    for rule in group["rules"]:
        for key in ("alert", "expr", "labels", "annotations"):
            if key not in rule:
                problems.append(f"{rule.get('alert', '?')}: no {key}")
        if rule["alert"] in names:
            problems.append(f"{rule['alert']}: twice")
        names.add(rule["alert"])
        expr = re.sub(r"\{[^}]*\}", "", rule["expr"])
        for metric in re.findall(r"\b([a-z_][a-z0-9_]*)\b(?!\s*\()", expr):
            if metric in ("or", "and", "unless"):
                continue
            if metric not in exported:
                problems.append(f"{rule['alert']}: {metric} is not exported")
if problems:
    sys.exit("\n".join(problems))
print(f"{len(names)} alert rules, every metric exported")
