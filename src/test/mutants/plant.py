#!/usr/bin/env python3
"""Plants realistic defects one at a time and checks that the tests catch each.

Each defect in defects.txt names a file, an exact piece of code, what it is replaced with, and
the tests expected to catch it. For every defect this script copies the working tree to a
scratch directory, plants the defect, checks that the code still compiles (a defect that does
not compile proves nothing), runs the named tests, and reports which of them failed. It exits
non-zero when any defect survives.

Usage: src/test/mutants/plant.py [--only NAME[,NAME]] [--keep]
Run from the repository root (mvn -Pmutation verify runs it).
"""
import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))


def parse(path):
    """Reads defects.txt: '### name' headers, 'file:'/'tests:'/'why:' lines, '--- find' and
    '--- replace' blocks."""
    defects, current, block = [], None, None
    with open(path, encoding="utf-8") as f:
        for line in f.read().split("\n"):
            if line.startswith("### "):
                current = {"name": line[4:].strip(), "find": [], "replace": []}
                defects.append(current)
                block = None
            elif current is None or line.startswith("#"):
                continue
            elif block is None and line.startswith("file:"):
                current["file"] = line[5:].strip()
            elif block is None and line.startswith("tests:"):
                current["tests"] = [t.strip() for t in line[6:].split(",") if t.strip()]
            elif block is None and line.startswith("why:"):
                current["why"] = line[4:].strip()
            elif line == "--- find":
                block = "find"
            elif line == "--- replace":
                block = "replace"
            elif line == "--- end":
                block = None
            elif block:
                current[block].append(line)
    for d in defects:
        d["find"] = "\n".join(d["find"])
        d["replace"] = "\n".join(d["replace"])
        for key in ("file", "tests", "why"):
            if key not in d:
                sys.exit(f"defect {d['name']}: missing '{key}:'")
    return defects


def copy_tree(dest):
    files = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"],
        cwd=ROOT, check=True, capture_output=True, text=True).stdout.split("\n")
    for rel in files:
        if not rel or rel.startswith("target/"):
            continue
        src = os.path.join(ROOT, rel)
        if not os.path.isfile(src):
            continue
        dst = os.path.join(dest, rel)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copy2(src, dst)


def mvn(workdir, *args):
    cmd = ["mvn", "-B", "-ntp", "-q", "-o", "-Dspotless.check.skip=true", *args]
    return subprocess.run(cmd, cwd=workdir, capture_output=True, text=True)


def failed_tests(workdir):
    failed = []
    for report in glob.glob(os.path.join(workdir, "target", "*-reports", "TEST-*.xml")):
        try:
            suite = ET.parse(report).getroot()
        except ET.ParseError:
            continue
        for case in suite.iter("testcase"):
            if case.find("failure") is not None or case.find("error") is not None:
                cls = case.get("classname", "").rsplit(".", 1)[-1]
                failed.append(f"{cls}.{case.get('name')}")
    return sorted(set(failed))


def run(defect, workdir):
    path = os.path.join(workdir, defect["file"])
    with open(path, encoding="utf-8") as f:
        original = f.read()
    count = original.count(defect["find"])
    if count != 1:
        return "STALE", f"the code to change occurs {count} times in {defect['file']}", 0.0
    with open(path, "w", encoding="utf-8") as f:
        f.write(original.replace(defect["find"], defect["replace"]))
    try:
        shutil.rmtree(os.path.join(workdir, "target", "surefire-reports"), ignore_errors=True)
        shutil.rmtree(os.path.join(workdir, "target", "failsafe-reports"), ignore_errors=True)
        built = mvn(workdir, "test-compile")
        if built.returncode != 0:
            return "NO-COMPILE", built.stdout[-400:], 0.0
        unit = [t for t in defect["tests"] if not t.endswith("IT")]
        its = [t for t in defect["tests"] if t.endswith("IT")]
        started = time.time()
        result = mvn(
            workdir, "verify",
            "-Dtest=" + (",".join(unit) if unit else "none"),
            "-Dit.test=" + (",".join(its) if its else "none"),
            "-Dsurefire.failIfNoSpecifiedTests=false",
            "-Dfailsafe.failIfNoSpecifiedTests=false",
            # One failing test is enough to call a defect caught: skip the rest (FailFast), so
            # that a defect that breaks the controller broadly costs one test's timeout, not
            # every test's.
            "-Dtelos.failFast=true",
            "-Djacoco.skip=true")
        took = time.time() - started
        failed = failed_tests(workdir)
        if result.returncode != 0 and failed:
            return "CAUGHT", ", ".join(failed), took
        if result.returncode != 0:
            return "BUILD-FAILED", result.stdout[-400:], took
        return "SURVIVED", "", took
    finally:
        with open(path, "w", encoding="utf-8") as f:
            f.write(original)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default="")
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    defects = parse(os.path.join(HERE, "defects.txt"))
    if args.only:
        wanted = set(args.only.split(","))
        defects = [d for d in defects if d["name"] in wanted]
    scratch = tempfile.mkdtemp(prefix="telos-mutants-")
    total = time.time()
    rows = []
    try:
        copy_tree(scratch)
        first = mvn(scratch, "test-compile")
        if first.returncode != 0:
            sys.exit("the unmodified code does not compile:\n" + first.stdout[-2000:])
        for d in defects:
            status, detail, took = run(d, scratch)
            rows.append((d, status, detail, took))
            print(f"{status:12} {took:6.1f}s  {d['name']}: {detail}", flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)
    print()
    print("| defect | planted in | caught by | seconds |")
    print("| --- | --- | --- | --- |")
    for d, status, detail, took in rows:
        caught = detail if status == "CAUGHT" else f"**{status}** {detail[:80]}"
        print(f"| {d['name']}: {d['why']} | `{os.path.basename(d['file'])}` | {caught} | {took:.0f} |")
    bad = [r for r in rows if r[1] != "CAUGHT"]
    print(f"\n{len(rows) - len(bad)} of {len(rows)} planted defects caught"
          f" in {time.time() - total:.0f} s")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
