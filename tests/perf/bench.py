"""`python -m tests.perf.bench --patients N [--json FILE]`: the benchmark at a clinic's scale, one table.

Builds (once, into a cache folder) or reuses demo clinics of N and of 1,000 patients, then measures start-up
against the bare stack, patient search, the chart, the session screen, a reading saved, the sheets and their
preview, the GUI thread's longest stalls, a backup and resident memory; prints medians and 95th percentiles
beside the issue's targets. Not part of the test run (it takes minutes and writes a few records of its own into
the cached clinic: fictional bench patients, their readings and orders)."""

from __future__ import annotations

import argparse
import os
import platform
import sys
from datetime import datetime
from pathlib import Path

from tests.perf import bench_data, bench_services, bench_startup
from tests.perf.bench_report import MEDIAN, VALUE, WORST, Figure, Results, Target, header, table

#: The reference clinic the search at N patients is compared with.
REFERENCE_PATIENTS = 1000
#: Rows scrolled for the memory figure.
SCROLL_ROWS = 10_000
#: Targets of tests/perf/test_paperwork_speed.py for the sheets (the issue sets none).
SHEET_TARGETS = {"summary letter": 400.0}


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.perf.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=100_000, help="size of the clinic measured (default 100000)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write every sample and verdict here")
    parser.add_argument("--cache", type=Path, default=bench_data.default_cache(),
                        help="folder of the demo clinics built once and reused")
    parser.add_argument("--runs", type=int, default=10, help="repetitions of each in-window step (default 10)")
    parser.add_argument("--startup-runs", type=int, default=5, help="fresh processes of each kind (default 5)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    results = Results(meta={"patients": args.patients, "when": datetime.now().isoformat(timespec="seconds"),
                            "python": platform.python_version(), "cpus": os.cpu_count()})
    say = lambda text: print(text, file=sys.stderr, flush=True)  # noqa: E731 (progress, apart from the table)
    bench = bench_data.clinic(args.cache, args.patients, say)
    reference = bench if args.patients == REFERENCE_PATIENTS else bench_data.clinic(args.cache, REFERENCE_PATIENTS, say)
    say("start-up in fresh processes...")
    startup(results, bench, args.startup_runs)
    say("service calls...")
    services(results, bench, reference, args.runs)
    say("in the window...")
    from tests.perf import bench_window  # Qt's application is made only now, after the children above

    bench_window.measure(results, bench, args.runs)
    if args.json:
        results.write_json(args.json)
    print(header(results))
    print(table(results), flush=True)
    return 0


def startup(results: Results, bench: bench_data.BenchClinic, runs: int) -> None:
    try:
        s = bench_startup.measure(bench, runs, SCROLL_ROWS)
    except Exception as exc:  # noqa: BLE001 (a figure not measured says why; the others still run)
        results.add(Figure("startup", "start-up to the board shown", "ms", problem=str(exc)))
        return
    bare = results.add(Figure("startup.bare", "floor: bare PySide6 window + sqlalchemy.orm", "ms", tuple(s.bare_ms),
                              beside="fresh process"))
    results.add(Figure("startup.sign_in_page", "start-up to the sign-in page", "ms", tuple(s.sign_in_page_ms)))
    board = results.add(Figure("startup.board", "start-up to the board shown (sign-in apart)", "ms",
                               tuple(s.board_ms), beside="" if s.board_visible else "the board was not on show"))
    loaded = ", ".join(s.modules) or "none of them"
    results.add(Figure("startup.ratio", "start-up / bare window (medians)", "x", (board.median / bare.median,),
                       Target(1.5, VALUE), beside=f"of alembic, reportlab, pypdfium2, argon2 loaded before sign-in: "
                                                  f"{loaded}"))
    results.add(Figure("startup.sign_in", "sign-in password check (apart)", "ms", tuple(s.sign_in_ms)))
    results.add(Figure("startup.after_sign_in", "signed in to the board painted", "ms",
                       tuple(s.board_after_sign_in_ms)))
    results.add(Figure("rss.startup", "resident memory after start-up", "MB", tuple(s.rss), Target(300, WORST),
                       beside=f"bare window {max(s.bare_rss):.0f} MB"))
    if s.rss_scrolled:
        results.add(Figure("scroll", f"scroll the patient list to {s.scrolled:,} rows", "ms", tuple(s.scroll_ms)))
        results.add(Figure("rss.scrolled", f"resident memory after scrolling {s.scrolled:,} rows", "MB",
                           tuple(s.rss_scrolled), Target(300, WORST)))


def services(results: Results, bench: bench_data.BenchClinic, reference: bench_data.BenchClinic, runs: int) -> None:
    main_services, _ = bench_data.open_clinic(bench)
    ref_services, _ = bench_data.open_clinic(reference)
    try:
        actor = bench_data.sign_in(main_services, bench, "physician")
        ref_actor = bench_data.sign_in(ref_services, reference, "physician")
        picks, ref_picks = bench_data.picks(main_services), bench_data.picks(ref_services)
        n = f"{bench.patients:,}"
        for kind, words in bench_services.SEARCHES:
            at_n = results.add(Figure(f"search.{kind}", f"search by {words} (service, {n} patients)", "ms",
                                      tuple(bench_services.search_ms(main_services, actor,
                                                                     bench_services.search_terms(picks, kind))),
                                      Target(5)))
            if reference is bench:
                continue
            at_ref = results.add(Figure(f"search.{kind}.ref", f"search by {words} (service, "
                                        f"{reference.patients:,} patients)", "ms",
                                        tuple(bench_services.search_ms(ref_services, ref_actor,
                                                                       bench_services.search_terms(ref_picks, kind)))))
            results.add(Figure(f"search.{kind}.growth", f"  growth, p95 at {n} / at {reference.patients:,}", "x",
                               (at_n.p95 / at_ref.p95,), Target(2, VALUE)))
        results.add(Figure("count.name", f"count of name-prefix matches (service, {n} patients)", "ms",
                           tuple(bench_services.count_ms(main_services, actor, picks.name_prefixes)),
                           beside="the list shows it beside the first page"))
        for name, make in bench_services.sheets(main_services, actor, picks).items():
            results.add(Figure(f"sheet.{name}", f"render the {name} (service)", "ms",
                               tuple(bench_services.repeat_ms(make, max(3, runs // 2))),
                               Target(SHEET_TARGETS.get(name, 150.0), MEDIAN, "tests/perf")))
        admin = bench_data.sign_in(main_services, bench, "administrator")
        samples, size = bench_services.backup_ms(main_services, admin, 2)
        results.add(Figure("backup", f"back up and verify the {n}-patient database (service)", "ms",
                           tuple(samples), beside=f"{size / 1e6:,.0f} MB"))
    finally:
        main_services.context.db.close()
        ref_services.context.db.close()


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # Past this point only the interpreter's teardown is left, and PySide6 can crash destroying widgets in the
    # wrong order there: the results are already printed and written, so the process ends here.
    os._exit(code)
