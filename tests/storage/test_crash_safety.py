"""Kill -9 a process charting a running infusion at random moments, many times over: after every kill, each
record whose save was acknowledged is there, the file is intact, and the audit log still verifies.

CLINIC_DESKTOP_CRASH_KILLS sets the number of kills (default 15, about 10 s; e.g. 200 for a long run) and
CLINIC_DESKTOP_CRASH_SEED the random seed (printed, so a failing run can be repeated)."""

from __future__ import annotations

import os
import queue
import random
import signal
import subprocess
import sys
import threading
import time

import pytest

from tests.storage.crash_support import WRITER_SOURCE, health, infusing_clinic

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL and fork are POSIX")

KILLS = int(os.environ.get("CLINIC_DESKTOP_CRASH_KILLS", "15"))
#: A kill lands this long after the writer was forked: early ones hit the opening (WAL recovery, pragmas),
#: later ones a save in flight.
DELAY_S = (0.0, 0.5)

#: A zygote: imports the application once, then forks one writer per "run" line, so each kill cycle costs a
#: fork instead of a 0.6 s interpreter start. No database connection exists before the fork (SQLite
#: connections must never cross one); each writer opens the folder itself.
ZYGOTE = WRITER_SOURCE + """
import os
folder = sys.argv[1]
session_id = int(sys.argv[2])

def ack(line):
    # One write() call: a pipe write under PIPE_BUF is atomic, so a kill never leaves half a line (print()
    # may write the text and its newline separately).
    os.write(1, (line + "\\n").encode())

def write_forever():
    services, nurse = writer(folder)
    k = 0
    while True:
        k += 1
        if k % 2:
            entry = services.monitoring.record_vitals(nurse, session_id, VitalsPhase.DURING, NORMAL)
            ack(f"ACK vitals {entry.id}")  # only once the service call has returned
        else:
            entry = services.monitoring.add_note(nurse, session_id, NoteKind.FREE_TEXT, text=f"comfortable {k}")
            ack(f"ACK note {entry.id}")

for line in sys.stdin:
    if line.strip() != "run":
        break
    pid = os.fork()
    if pid == 0:
        try:
            write_forever()
        finally:
            os._exit(1)
    print(f"PID {pid}", flush=True)
    _, status = os.waitpid(pid, 0)
    print(f"DEAD {pid} {status}", flush=True)
"""


class Zygote:
    """The forking child and a thread that queues its output lines, so the test can wait with a deadline."""

    def __init__(self, folder, session_id: int) -> None:
        self.proc = subprocess.Popen([sys.executable, "-c", ZYGOTE, str(folder), str(session_id)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, bufsize=1)
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(line.strip())
        self.lines.put("EOF")

    def next_line(self, timeout: float) -> str:
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"the writer said nothing for {timeout} s") from None
        if line == "EOF":
            raise AssertionError(f"the writer process ended: {self.proc.stderr.read()}")
        return line

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def run_and_kill(zygote: Zygote, delay: float) -> tuple[set[int], set[int], int]:
    """Fork a writer, SIGKILL it `delay` seconds later; the vitals and note ids it acknowledged, and its status."""
    acked: dict[str, set[int]] = {"vitals": set(), "note": set()}
    zygote.proc.stdin.write("run\n")
    zygote.proc.stdin.flush()

    def take(line: str) -> None:
        kind, _, ident = line.removeprefix("ACK ").partition(" ")
        if kind not in acked or not ident.isdigit():
            raise AssertionError(f"unexpected output from the writer: {line!r}")
        acked[kind].add(int(ident))

    pid = None
    while pid is None:
        line = zygote.next_line(30)
        if line.startswith("PID "):
            pid = int(line.split()[1])
        else:
            take(line)
    deadline = time.monotonic() + delay
    while (left := deadline - time.monotonic()) > 0:
        try:
            line = zygote.lines.get(timeout=left)
        except queue.Empty:
            break
        if line.startswith("ACK "):
            take(line)
        else:
            raise AssertionError(f"the writer stopped on its own: {line} {zygote.proc.stderr.read()}")
    os.kill(pid, signal.SIGKILL)
    while not (line := zygote.next_line(30)).startswith("DEAD "):
        take(line)  # printed before the kill landed: acknowledged, so they must be there
    return acked["vitals"], acked["note"], int(line.split()[2])


def test_every_acknowledged_record_survives_sigkill_at_random_moments(tmp_path):
    """Each of KILLS cycles: a writer is killed mid-flight; everything it acknowledged is present, the file
    passes integrity and foreign key checks, each record has its audit entry, and the audit log verifies."""
    seed = int(os.environ.get("CLINIC_DESKTOP_CRASH_SEED", random.randrange(1 << 30)))
    print(f"crash test: {KILLS} kills, seed {seed}")
    rng = random.Random(seed)
    clinic = infusing_clinic(tmp_path / "data")
    baseline = health(clinic.folder)
    all_vitals, all_notes = set(), set()
    killed_while_saving = 0
    started = time.monotonic()
    zygote = Zygote(clinic.folder, clinic.session_id)
    try:
        for cycle in range(KILLS):
            vitals, notes, status = run_and_kill(zygote, rng.uniform(*DELAY_S))
            assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, (cycle, status)
            all_vitals |= vitals
            all_notes |= notes
            state = health(clinic.folder)
            where = f"cycle {cycle}, seed {seed}"
            assert state.integrity == ["ok"], where
            assert state.foreign_key_problems == [], where
            assert all_vitals <= state.vitals and all_notes <= state.notes, where
            # Nothing half-saved: a record without its audit entry (or the reverse) would show here.
            assert state.vitals == state.audited_vitals and state.notes == state.audited_notes, where
            assert state.audit.ok, f"{where}: {state.audit.message}"
            # The head file is published just after the commit, so a kill between the two leaves it one
            # entry behind (which verify accepts); it is never ahead, and never further behind.
            assert state.head_seq in (state.last_seq, state.last_seq - 1), (where, state.head_seq, state.last_seq)
            unacknowledged = (state.vitals - baseline.vitals - all_vitals) | (state.notes - baseline.notes - all_notes)
            killed_while_saving += bool(unacknowledged) or state.head_seq != state.last_seq
            all_vitals |= state.vitals - baseline.vitals  # saved though not acknowledged: must stay saved too
            all_notes |= state.notes - baseline.notes
    finally:
        zygote.close()
    elapsed = time.monotonic() - started
    saved = len(all_vitals) + len(all_notes)
    print(f"crash test: {KILLS} kills in {elapsed:.1f} s, {saved} saves, "
          f"{killed_while_saving} kills landed between a commit and its acknowledgement or head publish")
    # The test must have exercised something: writers got to save, beyond the set-up's own records.
    assert saved > KILLS
    assert len(health(clinic.folder).vitals) > len(baseline.vitals)
