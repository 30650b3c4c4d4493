"""Finding test and benchmark functions by name (standard library only).

discover(directory, file_prefix, func_prefix) loads every
`<file_prefix>*.py` in `directory` and returns [(module.function, function)]
for each callable named `<func_prefix>*`, sorted by file, then by name.
Used by tools/testrun.py (tests/qemu/test_*.py) and tools/bench.py
(bench/qemu_*.py).
"""
import importlib.util
import os


def discover(directory, file_prefix, func_prefix):
    found = []
    for fname in sorted(os.listdir(directory)):
        if not (fname.startswith(file_prefix) and fname.endswith(".py")):
            continue
        spec = importlib.util.spec_from_file_location(fname[:-3], os.path.join(directory, fname))
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        for name in sorted(dir(mod)):
            if name.startswith(func_prefix) and callable(getattr(mod, name)):
                found.append(("%s.%s" % (fname[:-3], name), getattr(mod, name)))
    return found
