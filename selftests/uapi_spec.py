#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# The YNL spec (module/uapi/tcptrail.yaml) must describe exactly what the
# uapi header defines: every enum entry, attribute, command and group, in
# the same order (their numbers), and attribute types that agree with the
# header's comments.  Prints KTAP; exit 0 pass, 1 fail, 4 skip.
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
HEADER = os.path.join(HERE, "..", "module", "uapi", "tcptrail.h")
SPEC = os.path.join(HERE, "..", "module", "uapi", "tcptrail.yaml")

try:
    import yaml
except ImportError:
    print("TAP version 13\n1..0 # SKIP python3-yaml is not installed")
    sys.exit(4)


def c_name(prefix, name):
    return (prefix + name).upper().replace("-", "_")


def header_enums(text):
    """enum name -> list of (constant, comment type word or None)."""
    enums = {}
    for m in re.finditer(r"enum\s+(\w+)\s*\{(.*?)\};", text, re.S):
        entries = []
        for line in m.group(2).splitlines():
            e = re.match(r"\s*(TCPTRAIL_\w+)\s*(=\s*[^,]*)?,\s*(/\*\s*(\w+))?", line)
            if e and not e.group(2):
                entries.append((e.group(1), e.group(4)))
        enums[m.group(1)] = entries
    return enums


def check(results, name, ok, why=""):
    results.append((name, ok, why))


def main():
    text = open(HEADER).read()
    spec = yaml.safe_load(open(SPEC))
    enums = header_enums(text)
    defines = dict(re.findall(r"#define\s+(TCPTRAIL_\w+)\s+(.+)", text))
    results = []

    check(results, "family name",
          defines.get("TCPTRAIL_GENL_NAME") == '"%s"' % spec["name"],
          "header says %s" % defines.get("TCPTRAIL_GENL_NAME"))

    for d in spec["definitions"]:
        names = [c_name(d["name-prefix"], e) for e in d["entries"]]
        if d["type"] == "enum":
            cenum = "tcptrail_" + d["name"].replace("-", "_")
            got = [c for c, _ in enums.get(cenum, [])]
            check(results, "enum %s" % d["name"], got == names,
                  "spec %s, header %s" % (names, got))
        else:
            bits = [defines.get(n, "").split("/*")[0].strip() for n in names]
            want = ["(1U << %d)" % i for i in range(len(names))]
            check(results, "flags %s" % d["name"], bits == want,
                  "spec %s, header %s" % (names, bits))

    for s in spec["attribute-sets"]:
        cenum = "tcptrail_attr_" + s["name"]
        header = enums.get(cenum, [])
        got = [c for c, _ in header if not c.endswith("_UNSPEC")]
        names = [c_name(s["name-prefix"], a["name"]) for a in s["attributes"]]
        check(results, "attribute-set %s: names and numbers" % s["name"],
              got == names, "spec %s, header %s" % (names, got))
        types = dict(header)
        bad = []
        for a in s["attributes"]:
            word = types.get(c_name(s["name-prefix"], a["name"]))
            want = {"nest": "nest", "pad": None}.get(a["type"], a["type"])
            if word and want and word != want:
                bad.append("%s: spec %s, header %s" % (a["name"], a["type"], word))
        check(results, "attribute-set %s: types" % s["name"], not bad,
              "; ".join(bad))

    ops = spec["operations"]
    names = [c_name(ops["name-prefix"], o["name"]) for o in ops["list"]]
    got = [c for c, _ in enums.get("tcptrail_cmd", [])
           if not c.endswith("_UNSPEC")]
    check(results, "commands", got == names, "spec %s, header %s" % (names, got))

    groups = ['"%s"' % g["name"] for g in spec["mcast-groups"]["list"]]
    hgroups = [v.strip() for k, v in defines.items()
               if k.startswith("TCPTRAIL_MCGRP_")]
    check(results, "multicast groups", groups == hgroups,
          "spec %s, header %s" % (groups, hgroups))

    print("TAP version 13")
    print("1..%d" % len(results))
    failed = 0
    for i, (name, ok, why) in enumerate(results, 1):
        if ok:
            print("ok %d %s" % (i, name))
        else:
            failed += 1
            print("not ok %d %s # %s" % (i, name, why))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
