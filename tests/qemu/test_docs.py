"""The docs cannot drift from the code: the tutorial's owner
(mm/example_movable.c) stays under 90 lines, docs/movable-types.md shows it
and its header verbatim, in order (blank lines aside), and the one-line
additions it describes are in the files it names. No QEMU needed."""
import os
import re

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
# A code block preceded by <!-- code: PATH --> is a piece of PATH (all the
# pieces of PATH, in order, make PATH); <!-- lines: PATH --> says each of
# its lines is a line of PATH.
BLOCK = re.compile(r"<!-- (code|lines): (\S+) -->\n```\w*\n(.*?)```", re.S)


def _read(path):
    with open(os.path.join(ROOT, path)) as f:
        return f.read()


def _nonblank(text):
    return [line for line in text.split("\n") if line.strip()]


def test_docs_tutorial_file_under_90_lines(ctx):
    n = len(_read("mm/example_movable.c").splitlines())
    assert n < 90, "mm/example_movable.c has %d lines; the tutorial promises under 90" % n


def test_docs_tutorial_code_matches_files(ctx):
    doc = _read("docs/movable-types.md")
    pieces = {}
    for kind, path, body in BLOCK.findall(doc):
        if kind == "code":
            pieces.setdefault(path, []).append(body)
        else:
            lines = _read(path).split("\n")
            for line in _nonblank(body):
                assert line in lines, "%s: line not found: %r" % (path, line)
    assert set(pieces) == {"mm/example_movable.c", "mm/example_movable.h"}, sorted(pieces)
    for path, bodies in pieces.items():
        shown = _nonblank("".join(bodies))
        actual = _nonblank(_read(path))
        assert shown == actual, "%s differs from docs/movable-types.md; first difference at %s" % (
            path, next((i for i, (a, b) in enumerate(zip(shown, actual)) if a != b),
                       min(len(shown), len(actual))))


def test_docs_readme_links_docs(ctx):
    readme = _read("README.md")
    for doc in ("docs/architecture.md", "docs/movable-types.md"):
        assert "(" + doc + ")" in readme, "README.md does not link " + doc
        assert os.path.exists(os.path.join(ROOT, doc)), doc
