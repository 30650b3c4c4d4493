"""End-to-end tests of the monitor shell itself: line editing (backspace,
Ctrl-U, up/down-arrow history), unknown commands, `help` against the
MONITOR_CMD registrations in the sources, a usage line for bad arguments to
every command, the scripting monitor on COM2 through tools/monitor.py, and
the `make run` tour (tools/run.py --demo) driven through pipes."""
import glob
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time

TOOLS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools")
sys.path.insert(0, TOOLS)
import qemu  # noqa: E402

UP = "\x1b[A"
DOWN = "\x1b[B"
LEFT = "\x1b[D"
RIGHT = "\x1b[C"
CTRL_U = "\x15"
DEL = "\x7f"

# Arguments that each command must reject with its usage line, beyond the
# "too many words" case every command gets.
BAD_ARGS = {
    "alloc": ["", "x", "3 sideways"],
    "free": ["", "nope"],
    "frag": ["bogus"],
    "compact": ["x", "99"],
    "contig": ["", "0", "x"],
    "proactive": ["maybe", "on x y"],
    "mapped": ["", "x"],
    "migrate": ["", "x"],
    "mslab": ["", "alloc", "alloc x", "free some"],
    "mslabinfo": ["x"],
    "slabinfo": ["x"],
    "bench": ["slow"],
    "test": [""],
}


def registered_commands():
    """The names of every MONITOR_CMD; they all live in monitor/ (one file
    per subsystem), none anywhere else."""
    names = set()
    pattern = re.compile(r'MONITOR_CMD\(\s*"([^"]+)"')
    for path in glob.glob(os.path.join(qemu.ROOT, "**", "*.c"), recursive=True):
        rel = os.path.relpath(path, qemu.ROOT)
        if rel.startswith(("build", "tests")):
            continue
        with open(path) as f:
            found = pattern.findall(f.read())
        assert not found or rel.startswith("monitor" + os.sep), \
            "%s registers %s outside monitor/" % (rel, found)
        names.update(found)
    return names


def help_commands(out):
    """Command names from `help` output (one "  NAME ARGS  text" per line)."""
    return [l.split()[0] for l in out.splitlines() if l.startswith("  ") and l.strip()]


def test_monitor_line_editing(ctx):
    with ctx.machine(name="monitor-edit", qmp=False) as m:
        m.wait_ready(30)
        m.expect("> ", 10)
        assert "memdesc kernel" in m.command("version")
        # Up arrow recalls the last line; Enter runs it again.
        m.send(UP + "\r")
        assert "memdesc kernel" in m.expect_re(qemu.PROMPT_RE, 10)
        # Two back, then one forward: uptime, version -> uptime is recalled.
        m.command("uptime")
        m.command("version")
        m.send(UP + UP + UP + DOWN + DOWN + "\r")
        assert "memdesc kernel" in m.expect_re(qemu.PROMPT_RE, 10)
        m.send(UP + UP + "\r")
        assert re.search(r"up \d+\.\d+ s", m.expect_re(qemu.PROMPT_RE, 10))
        # Down past the newest entry gives back the draft being typed.
        m.send("upt" + UP + DOWN + "ime\r")
        assert re.search(r"up \d+\.\d+ s", m.expect_re(qemu.PROMPT_RE, 10))
        # Left/right arrows and parameterised sequences are swallowed whole.
        m.send("ver" + LEFT + RIGHT + "\x1b[1;5D" + "sion\r")
        assert "memdesc kernel" in m.expect_re(qemu.PROMPT_RE, 10)
        # Ctrl-U kills the line; backspace (DEL or ^H) erases one character.
        m.send("poweroff" + CTRL_U + "version\r")
        assert "memdesc kernel" in m.expect_re(qemu.PROMPT_RE, 10)
        m.send("versionx" + DEL + "\r")
        assert "memdesc kernel" in m.expect_re(qemu.PROMPT_RE, 10)
        m.send("versiox\b\bon\r")
        assert "memdesc kernel" in m.expect_re(qemu.PROMPT_RE, 10)
        out = m.command("frobnicate now")
        assert "error: unknown command 'frobnicate'" in out, out
        assert m.proc.poll() is None


def test_monitor_help_and_usage(ctx):
    names = registered_commands()
    assert {"help", "version", "meminfo", "compact", "balloon"} <= names, names
    with ctx.machine(name="monitor-usage", qmp=False) as m:
        m.wait_ready(30)
        m.expect("> ", 10)
        listed = help_commands(m.command("help"))
        assert sorted(listed) == sorted(names), (sorted(listed), sorted(names))
        for name in sorted(names):
            for args in ["bad1 bad2 bad3 bad4 bad5"] + BAD_ARGS.get(name, []):
                line = ("%s %s" % (name, args)).strip()
                out = m.command(line, 60)
                assert re.search(r"^usage: %s\b" % re.escape(name), out, re.M), (line, out)
        assert m.proc.poll() is None  # `poweroff x` must not have powered off


def run_monitor_py(sock, *commands):
    return subprocess.run([sys.executable, os.path.join(TOOLS, "monitor.py"), "--sock", sock,
                           "--timeout", "30"] + list(commands),
                          capture_output=True, text=True, timeout=60)


def test_monitor_script_port(ctx):
    with ctx.machine(name="monitor-com2", qmp=False) as m:
        m.wait_ready(30)
        m.expect("> ", 10)
        r = run_monitor_py(m.monitor_path, "meminfo", "version")
        assert r.returncode == 0, (r.returncode, r.stdout, r.stderr)
        assert "MemFree:" in r.stdout and "memdesc kernel" in r.stdout, r.stdout
        # The answers went to COM2 only: nothing of them on the console.
        assert "MemFree:" not in m.command("uptime")
        assert "MemFree:" not in m.output
        r = run_monitor_py(m.monitor_path, "version", "nosuchcommand")
        assert r.returncode == 1 and "error: unknown command" in r.stdout, (r.returncode, r.stdout)
        r = run_monitor_py(m.monitor_path, "alloc")
        assert r.returncode == 1 and "usage: alloc" in r.stdout, (r.returncode, r.stdout)
        r = run_monitor_py(m.monitor_path + ".missing", "version")
        assert r.returncode == 2 and "cannot connect" in r.stderr, (r.returncode, r.stderr)
        # The console monitor still works beside it.
        assert "memdesc kernel" in m.command("version")


def _read_until(proc, text, out, timeout, start=0):
    """Collect proc's stdout into out[0] until @text appears at or after
    offset @start; return where it starts."""
    deadline = time.monotonic() + timeout
    while out[0].find(text, start) < 0:
        left = deadline - time.monotonic()
        assert left > 0, "no %r within %.0f s; got:\n%s" % (text, timeout, out[0][-3000:])
        r, _, _ = select.select([proc.stdout], [], [], min(left, 0.5))
        if r:
            chunk = os.read(proc.stdout.fileno(), 65536)
            assert chunk, "run.py ended before %r; got:\n%s" % (text, out[0][-3000:])
            out[0] += chunk.decode("utf-8", "replace").replace("\r\n", "\n")
    return out[0].find(text, start)


def test_run_demo(ctx):
    """`make run`'s tour with stdin a pipe: every step shows, then the prompt."""
    del ctx  # run.py boots its own machine
    sock_dir = tempfile.mkdtemp(prefix="memdesc-demo-")  # not a running `make run`'s sockets
    proc = subprocess.Popen([sys.executable, os.path.join(TOOLS, "run.py"), "--demo",
                             "--sock-dir", sock_dir],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, env=dict(os.environ, TERM="dumb"))
    out = [""]
    try:
        done = _read_until(proc, "[demo] done", out, 50)
        _read_until(proc, "\n> ", out, 10, start=done)
        proc.stdin.write(b"poweroff\r")
        proc.stdin.flush()
        proc.wait(20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdin.close()
        proc.stdout.close()
        shutil.rmtree(sock_dir, ignore_errors=True)
    # Line ends as the terminal gets them: run.py relays the serial bytes in
    # chunks and a "\r\n" split across two chunks keeps its "\r".
    text = out[0].replace("\r\n", "\n")
    assert proc.returncode == 0, (proc.returncode, text[-2000:])
    for expected in ("[demo] memory summary", "MemFree:",
                     "[demo] QMP: balloon to 384 MiB of 512 MiB",
                     "[demo] QMP: query-balloon reports 384 MiB",
                     "frag mixed:", "\npicture\n", "2 MiB blocks:", "recovered_pct", "by owner:",
                     "migration:", "[demo] done"):
        assert expected in text, (expected, text[-3000:])
    assert text.index("frag mixed:") < text.index("recovered_pct") < text.index("[demo] done")
    # run.py's default is 2 CPUs: compaction runs under the writer on CPU 1,
    # which loses nothing.
    assert text.index("writer: on cpu 1") < text.index("recovered_pct") < \
        text.index("writer: cpu 1,"), text[-3000:]
    assert re.search(r"writer: cpu 1, \d+ passes, \d+ writes in \d+ ms, \d+ faults-and-waits, "
                     r"0 lost", text), text[-3000:]
