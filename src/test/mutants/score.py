#!/usr/bin/env python3
"""Prints PIT's mutation score per package and fails when one falls below its floor.

Reads target/pit-reports/mutations.xml (written by mvn -Pmutation verify) and
src/test/mutants/floors.txt ('package percent' lines). A floor only ever goes up: raise it when
the score rises, never lower it to make a change pass. Surviving mutants judged equivalent are
listed with their reason in equivalent.txt and count as killed. An entry names the class and
method, the mutator and the whole code of the mutated line (between backticks, compared with
its whitespace collapsed), not the line number: an edit above it does not unmatch it, an edit of the
line itself does, and the mutant is then read again.
Usage: src/test/mutants/score.py [--survivors PACKAGE]
"""
import collections
import re
import os
import sys
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
REPORT = os.path.join(ROOT, "target", "pit-reports", "mutations.xml")


def read_pairs(name):
    result = {}
    path = os.path.join(HERE, name)
    if not os.path.exists(path):
        return result
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                key, value = line.split(None, 1)
                result[key] = value.strip()
    return result


def read_equivalents():
    """'Class.method:Mutator `code of the line` reason' -> {(key, code): reason}."""
    result = {}
    with open(os.path.join(HERE, "equivalent.txt"), encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip() or line.startswith("#"):
                continue
            m = re.match(r"^(\S+)\s+`(.+?)`\s+(.+)$", line.strip())
            if not m:
                sys.exit(f"equivalent.txt:{n}: expected 'Class.method:Mutator `code` reason'")
            result[(m.group(1), squeeze(m.group(2)))] = m.group(3)
    return result


def squeeze(code):
    return " ".join(code.split())


SOURCES = {}


def source_line(cls, source_file, line):
    path = os.path.join(ROOT, "src", "main", "java", *cls.split(".")[:-1], source_file)
    if path not in SOURCES:
        try:
            with open(path, encoding="utf-8") as f:
                SOURCES[path] = f.read().split("\n")
        except OSError:
            SOURCES[path] = []
    lines = SOURCES[path]
    return squeeze(lines[line - 1]) if 0 < line <= len(lines) else ""


def main():
    if not os.path.exists(REPORT):
        sys.exit(f"no PIT report at {REPORT}; run mvn -Pmutation verify")
    floors = {k: float(v) for k, v in read_pairs("floors.txt").items()}
    equivalent = read_equivalents()
    show = sys.argv[2] if len(sys.argv) > 2 and sys.argv[1] == "--survivors" else None
    total = collections.Counter()
    killed = collections.Counter()
    for m in ET.parse(REPORT).getroot().iter("mutation"):
        cls = m.findtext("mutatedClass")
        pkg = cls.rsplit(".", 1)[0]
        key = (f"{cls.rsplit('.', 1)[1]}.{m.findtext('mutatedMethod')}:"
               f"{m.findtext('mutator').rsplit('.', 1)[-1]}")
        status = m.get("status")
        if status == "NO_COVERAGE" or status == "SURVIVED":
            line = int(m.findtext("lineNumber"))
            code = source_line(cls, m.findtext("sourceFile"), line)
            if (key, code) in equivalent:
                status = "EQUIVALENT"
            elif show and pkg.endswith(show):
                print(f"  {status:11} {key} `{code}` (line {line})  {m.findtext('description')}")
        total[pkg] += 1
        if status in ("KILLED", "TIMED_OUT", "MEMORY_ERROR", "EQUIVALENT"):
            killed[pkg] += 1
    failed = False
    print(f"{'package':28} {'mutants':>8} {'killed':>8} {'score':>7} {'floor':>7}")
    for pkg in sorted(total):
        score = 100.0 * killed[pkg] / total[pkg]
        floor = floors.get(pkg)
        mark = ""
        if floor is not None and score + 1e-9 < floor:
            mark = "  BELOW FLOOR"
            failed = True
        print(f"{pkg:28} {total[pkg]:8} {killed[pkg]:8} {score:6.1f}% "
              f"{'' if floor is None else f'{floor:6.1f}%'}{mark}")
    all_total = sum(total.values())
    all_killed = sum(killed.values())
    print(f"{'all':28} {all_total:8} {all_killed:8} {100.0 * all_killed / max(1, all_total):6.1f}%")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
