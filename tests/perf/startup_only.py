"""`python -m tests.perf.startup_only --cache DIR [--runs 7] [--source DIR ...]`: only the benchmark's start-up rows.

The same fresh-process children as tests/perf/bench_startup.py (the application's start path to the board shown,
sign-in timed apart, against a bare PySide6 window + `import sqlalchemy.orm`), without the minutes of the whole
benchmark. With `--source`, each given checkout of the package is measured in turn, run by run, so a before and an
after share the machine's load; without it, the installed package is measured."""

from __future__ import annotations

import argparse
import compileall
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from tests.perf import bench_data, bench_startup
from tests.perf.bench_startup import _PRELUDE, APP, BARE


def _cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _child(code: str, settings: str, source: Path | None) -> tuple[float, dict]:
    """(spawned, the child's report); the report gains "cpu_ms": the child's processor time, steadier than the
    wall clock on a loaded machine (it includes the sign-in's hash, and the teardown after the report)."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    if source is not None:
        env["PYTHONPATH"] = str(source)
    script = textwrap.dedent(_PRELUDE.format(settings=settings)) + textwrap.dedent(code)
    cpu = _cpu_of_children()
    spawned = time.time()
    # Run from an empty folder so that the current directory never shadows the checkout being measured.
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=600,
                          cwd=tempfile.gettempdir())
    if done.returncode != 0:
        raise RuntimeError(f"the start-up child failed: {done.stderr.strip().splitlines()[-1:]}")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    return spawned, {**report, "cpu_ms": (_cpu_of_children() - cpu) * 1000}


def _compile(source: Path | None) -> None:
    """Bytecode beside the sources of the package in `source` (None: this checkout's)."""
    if source is None:
        bench_startup.compile_package()
    elif not compileall.compile_dir(str(source / "clinic_desktop"), quiet=1):
        raise RuntimeError(f"could not compile {source}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.perf.startup_only", description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=bench_data.default_cache())
    parser.add_argument("--patients", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=7, help="fresh processes of each kind (default 7)")
    parser.add_argument("--source", type=Path, action="append", help="a checkout to measure (repeatable)")
    parser.add_argument("--compiled", action="store_true",
                        help="compile the package's bytecode first, as an installed wheel or bundle has it (with "
                             "PYTHONDONTWRITEBYTECODE set, a checkout is otherwise compiled afresh at every start)")
    args = parser.parse_args(argv)
    bench = bench_data.clinic(args.cache, args.patients, lambda text: print(text, file=sys.stderr))
    username, password = bench.accounts["nurse"]
    sources: list[Path | None] = list(args.source or [None])
    if args.compiled:
        for source in sources:
            _compile(source)
    bare: list[float] = []
    bare_cpu: list[float] = []
    cpu: dict[Path | None, list[float]] = {s: [] for s in sources}
    board: dict[Path | None, list[float]] = {s: [] for s in sources}
    sign_in: dict[Path | None, list[float]] = {s: [] for s in sources}
    app_code = APP.format(data_dir=str(bench.data_dir), username=username, password=password, scroll=0)
    with tempfile.TemporaryDirectory(prefix="bench-qsettings-") as settings:
        for n in range(args.runs + 1):
            spawned, shown = _child(BARE.format(), settings, None)
            if n:  # the first round warms the file cache and Qt's font cache
                bare.append((shown["shown"] - spawned) * 1000)
                bare_cpu.append(shown["cpu_ms"])
            for source in sources:
                spawned, app = _child(app_code, settings, source)
                if n:
                    board[source].append((app["shown"] - spawned) * 1000)
                    sign_in[source].append(app["sign_in_ms"])
                    cpu[source].append(app["cpu_ms"])
    floor = statistics.median(bare)
    print(f"bare PySide6 window + sqlalchemy.orm: median {floor:.0f} ms of {len(bare)} fresh processes "
          f"(processor time {statistics.median(bare_cpu):.0f} ms)")
    for source in sources:
        median = statistics.median(board[source])
        print(f"{source or 'installed package'}: board shown (sign-in apart) median {median:.0f} ms, "
              f"{median / floor:.2f}x the bare window; sign-in {statistics.median(sign_in[source]):.0f} ms; "
              f"processor time of the whole child {statistics.median(cpu[source]):.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
