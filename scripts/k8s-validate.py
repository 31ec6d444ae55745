"""Validates rendered Kubernetes manifests offline (scripts/helm-check.sh runs it in its venv).

  python k8s-validate.py --kubernetes-version 1.29.0 [--crd-dir DIR] manifests.yaml...

Built-in kinds are checked against the Kubernetes OpenAPI schemas that the PyPI package kubernetes-validate
ships, strictly (an unknown field is an error). The custom resources of the operators the chart relies on
(Strimzi, CloudNativePG, cert-manager, prometheus-operator) are not in those schemas: with --crd-dir (a
folder of the operators' CustomResourceDefinition YAML files, e.g. from their release bundles) they are
checked against the CRDs' openAPIV3Schema; without it they are listed as skipped, by name. Any other kind
(an apiVersion no one validates) is an error, so nothing passes unchecked without being named.
"""

import argparse
import collections
import glob
import os
import sys

import jsonschema
import kubernetes_validate
import yaml

# API groups of the operators' custom resources: skipped unless --crd-dir holds their CRDs.
CRD_GROUPS = {
    "kafka.strimzi.io": "Strimzi",
    "postgresql.cnpg.io": "CloudNativePG",
    "cert-manager.io": "cert-manager",
    "monitoring.coreos.com": "prometheus-operator",
}


def load_crds(folder):
    """(group, version, kind) -> openAPIV3Schema of every CRD in the folder's YAML files."""
    schemas = {}
    for path in sorted(glob.glob(os.path.join(folder, "**", "*.y*ml"), recursive=True)):
        with open(path, encoding="utf-8") as f:
            for doc in yaml.safe_load_all(f):
                if not doc or doc.get("kind") != "CustomResourceDefinition":
                    continue
                spec = doc["spec"]
                for version in spec.get("versions", []):
                    schema = (version.get("schema") or {}).get("openAPIV3Schema")
                    if schema:
                        schemas[(spec["group"], version["name"], spec["names"]["kind"])] = schema
    return schemas


def to_json_schema(node):
    """An openAPIV3Schema as JSON Schema: drop the Kubernetes extensions jsonschema does not know, and
    refuse unknown fields where the API server would (kubectl's default strict field validation)."""
    if isinstance(node, dict):
        out = {k: to_json_schema(v) for k, v in node.items() if not k.startswith("x-kubernetes-")}
        if "properties" in node and "additionalProperties" not in node and not node.get(
            "x-kubernetes-preserve-unknown-fields"
        ):
            out["additionalProperties"] = False
        if node.get("x-kubernetes-int-or-string"):
            out.pop("type", None)
            out["anyOf"] = [{"type": "integer"}, {"type": "string"}]
        if node.get("x-kubernetes-preserve-unknown-fields") and "type" not in node:
            out = {}
        if node.get("nullable") is True and "type" in out:
            out["type"] = [out["type"], "null"]
        out.pop("nullable", None)
        return out
    if isinstance(node, list):
        return [to_json_schema(v) for v in node]
    return node


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kubernetes-version", required=True)
    parser.add_argument("--crd-dir", default="")
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()

    crds = load_crds(args.crd_dir) if args.crd_dir else {}
    errors, checked, skipped = [], collections.Counter(), collections.Counter()
    for path in args.files:
        with open(path, encoding="utf-8") as f:
            docs = [d for d in yaml.safe_load_all(f) if d]
        for doc in docs:
            api, kind = doc.get("apiVersion", ""), doc.get("kind", "")
            name = f"{kind}/{doc.get('metadata', {}).get('name', '?')} ({api})"
            group, _, version = api.rpartition("/")
            if group in CRD_GROUPS:
                schema = crds.get((group, version, kind))
                if schema is None:
                    skipped[f"{kind} ({api}, {CRD_GROUPS[group]} CRD)"] += 1
                    continue
                try:
                    jsonschema.validate(doc, to_json_schema(schema))
                    checked[f"{kind} (CRD)"] += 1
                except jsonschema.ValidationError as e:
                    where = "/".join(str(p) for p in e.absolute_path)
                    errors.append(f"{path}: {name}: {where}: {e.message}")
                continue
            try:
                kubernetes_validate.validate(doc, args.kubernetes_version, strict=True)
                checked[kind] += 1
            except kubernetes_validate.SchemaNotFoundError:
                errors.append(f"{path}: {name}: no schema for this kind in Kubernetes {args.kubernetes_version}")
            except kubernetes_validate.ValidationError as e:
                where = "/".join(str(p) for p in e.path)
                errors.append(f"{path}: {name}: {where}: {e.message}")

    print(f"  Kubernetes {args.kubernetes_version}: valid " + ", ".join(f"{n} {k}" for k, n in sorted(checked.items())))
    if skipped:
        print("  skipped (custom resources, no CRD schema given): " + ", ".join(f"{n} {k}" for k, n in sorted(skipped.items())))
    for e in errors:
        print(f"  INVALID {e}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
