#!/usr/bin/env python3
"""KTAP v1 parser (standard library only).

Reads KTAP as lib/ktest.c prints it (KUnit style: a top-level plan of
suites, each suite a subtest indented by four spaces with its own plan and
case lines, diagnostics as "# ..." lines before a result) from text that may
contain other log lines. Leaf cases are what count.

As a script: ktap.py [FILE]  (stdin by default) prints each failure with its
diagnostics and a summary; exit status 1 if anything failed or is missing.
"""
import re
import sys

RESULT = re.compile(r"^(not ok|ok) (\d+) ([^#]*?)\s*(?:#\s*(SKIP|TODO)\b\s*(.*))?$")
PLAN = re.compile(r"^1\.\.(\d+)$")
SUBTEST = re.compile(r"^# Subtest: (.+)$")


class Case:
    def __init__(self, suite, name, ok, skipped, diagnostics):
        self.suite = suite
        self.name = name
        self.ok = ok
        self.skipped = skipped
        self.diagnostics = diagnostics

    @property
    def full_name(self):
        return "%s.%s" % (self.suite, self.name)


class Result:
    def __init__(self):
        self.cases = []
        self.errors = []  # structural problems: missing results, no plan

    @property
    def passed(self):
        return sum(1 for c in self.cases if c.ok and not c.skipped)

    @property
    def failed(self):
        return sum(1 for c in self.cases if not c.ok) + len(self.errors)

    @property
    def skipped(self):
        return sum(1 for c in self.cases if c.skipped)


def parse(text):
    """Parse KTAP from `text`; return a Result."""
    res = Result()
    lines = [l.rstrip("\r") for l in text.split("\n")]
    try:
        start = lines.index("KTAP version 1")
    except ValueError:
        res.errors.append("no 'KTAP version 1' header (the kernel never started its tests)")
        return res
    top_plan = None
    suite = None
    suite_plan = None
    suite_seen = 0
    diags = []
    suites_done = 0
    for raw in lines[start + 1:]:
        if raw.startswith("    "):
            line = raw[4:]
            m = SUBTEST.match(line)
            if m:
                suite, suite_plan, suite_seen, diags = m.group(1), None, 0, []
                continue
            m = PLAN.match(line)
            if m and suite is not None and suite_plan is None:
                suite_plan = int(m.group(1))
                continue
            if line.startswith("#"):
                diags.append(line)
                continue
            m = RESULT.match(line)
            if m and suite is not None:
                ok = m.group(1) == "ok"
                skipped = m.group(4) == "SKIP"
                res.cases.append(Case(suite, m.group(3), ok, skipped, diags))
                suite_seen += 1
                diags = []
            continue
        m = PLAN.match(raw)
        if m and top_plan is None:
            top_plan = int(m.group(1))
            continue
        m = RESULT.match(raw)
        if m and suite is not None:
            if suite_plan is not None and suite_seen != suite_plan:
                res.errors.append("suite %s: planned %d cases, saw %d" %
                                  (suite, suite_plan, suite_seen))
            suites_done += 1
            suite = None
            if top_plan is not None and suites_done == top_plan:
                break
    if suite is not None:
        last = res.cases[-1].full_name if res.cases else "(none)"
        res.errors.append("suite %s did not finish (after %s): crash or hang" % (suite, last))
    if top_plan is None:
        res.errors.append("no top-level plan")
    elif suites_done < top_plan:
        res.errors.append("planned %d suites, %d finished" % (top_plan, suites_done))
    return res


def report(res, label, out=sys.stdout):
    """Print failures with diagnostics and one summary line for `label`."""
    for c in res.cases:
        if not c.ok:
            out.write("FAIL %s: %s\n" % (label, c.full_name))
            for d in c.diagnostics:
                out.write("    %s\n" % d)
    for e in res.errors:
        out.write("FAIL %s: %s\n" % (label, e))
    out.write("%s: %d passed, %d failed, %d skipped\n" %
              (label, res.passed, res.failed, res.skipped))


def main():
    text = open(sys.argv[1]).read() if len(sys.argv) > 1 else sys.stdin.read()
    res = parse(text)
    report(res, "ktap")
    return 1 if res.failed else 0


if __name__ == "__main__":
    sys.exit(main())
