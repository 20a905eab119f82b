#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Validates tcptrail --json output against selftests/schema/tcptrail.schema.json
(JSON Schema draft 2020-12, with python3-jsonschema).

  cli_schema.py KIND FILE          one JSON document
  cli_schema.py KIND FILE --lines  one document per line (watch --json)
  cli_schema.py --all KIND:FILE[:lines]...
                                   several at once (python starts slowly
                                   under emulation)
  cli_schema.py --check            the schema itself is valid; exit 4 when
                                   jsonschema is not installed

KIND is a definition of the schema: list, show, watch_line, stats, config,
hist, top, trace.  Prints every violation; exit 0 when there is none.
"""

import json
import os
import sys

try:
    import jsonschema
except ImportError:
    jsonschema = None

SCHEMA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "schema",
                      "tcptrail.schema.json")


def validator(kind):
    with open(SCHEMA) as f:
        doc = json.load(f)
    if kind not in doc["$defs"]:
        sys.exit(f"no definition '{kind}' in {SCHEMA}")
    cls = jsonschema.Draft202012Validator
    cls.check_schema(doc)
    # the document with a root that points at one of its definitions
    root = dict(doc)
    root["$ref"] = f"#/$defs/{kind}"
    return cls(root, format_checker=jsonschema.FormatChecker())


def main():
    if jsonschema is None:
        print("python3-jsonschema is not installed", file=sys.stderr)
        return 4
    if sys.argv[1:] == ["--check"]:
        with open(SCHEMA) as f:
            jsonschema.Draft202012Validator.check_schema(json.load(f))
        return 0
    if sys.argv[1:2] == ["--all"]:
        bad = 0
        for spec in sys.argv[2:]:
            kind, path, *rest = spec.split(":")
            r = check(kind, path, rest == ["lines"])
            print(f"{'ok' if not r else 'FAIL'}: {path} as {kind}")
            bad |= r
        return bad
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    return check(sys.argv[1], sys.argv[2], "--lines" in sys.argv[3:])


def check(kind, path, lines):
    v = validator(kind)
    with open(path) as f:
        text = f.read()
    docs = [json.loads(l) for l in text.splitlines() if l.strip()] if lines \
        else [json.loads(text)]
    if not docs:
        print(f"{path}: no JSON document", file=sys.stderr)
        return 1
    bad = 0
    for i, d in enumerate(docs):
        for e in sorted(v.iter_errors(d), key=lambda e: list(e.path)):
            bad += 1
            where = "/".join(str(p) for p in e.absolute_path)
            print(f"{path}:{i + 1}: {kind}: at '{where}': {e.message[:300]}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
