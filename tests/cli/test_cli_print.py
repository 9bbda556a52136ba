"""`clinic-desktop print ...`: a sheet to a PDF file in a signed-in user's name; one-line errors otherwise."""

from __future__ import annotations

import io
import sys

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from clinic_desktop.app import open_services
from clinic_desktop.cli import main
from clinic_desktop.domain.enums import SessionStatus
from clinic_desktop.storage import models
from tests.cli.folder_state import folder_state


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory):
    """A small demo clinic, and the front desk's demo account (user name, password) from what `demo` printed."""
    folder = tmp_path_factory.mktemp("clinic")
    out = io.StringIO()
    real_stdout, sys.stdout = sys.stdout, out
    try:
        assert main(["--data-dir", str(folder), "demo", "--patients", "4", "--today", "2026-03-20"]) == 0
    finally:
        sys.stdout = real_stdout
    desk = next(line.split() for line in out.getvalue().splitlines() if "Front desk" in line)
    return folder, desk[0], desk[1]


@pytest.fixture(scope="module")
def ids(demo_folder):
    """A discharged session, its series and its patient's MRN."""
    services, _ = open_services(str(demo_folder[0]), None)
    try:
        with services.context.db.read() as uow:
            ts = uow.session.execute(select(models.TreatmentSession).where(
                models.TreatmentSession.status == SessionStatus.DISCHARGED).limit(1)).scalar_one()
            return {"session": ts.id, "series": ts.series_id, "mrn": ts.series.patient.mrn}
    finally:
        services.context.db.close()


@pytest.fixture
def cli(demo_folder, monkeypatch, capsys):
    folder, user, password = demo_folder

    def run(*args: str, as_user: str | None = user, typed: str = password) -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "stdin", io.StringIO(typed + "\n"))
        extra = ["--as", as_user] if as_user else []
        code = main(["--data-dir", str(folder), "print", *args, *extra])
        out, err = capsys.readouterr()
        return code, out, err
    return run


def pdf_text(path) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(path).pages).split())


@pytest.mark.parametrize("sheet, option, key, expected", [
    ("consent", "--patient", "mrn", "Consent"),
    ("discharge", "--session", "session", "988"),
    ("record", "--session", "session", "Infusion record"),
    ("summary", "--series", "series", "Course of treatment"),
])
def test_each_sheet_is_written_and_the_print_is_audited(cli, ids, tmp_path, demo_folder, sheet, option, key,
                                                        expected):
    out = tmp_path / f"{sheet}.pdf"
    code, said, err = cli(sheet, option, str(ids[key]), "--out", str(out))
    assert (code, err) == (0, "") and f"to {out}" in said
    assert expected in pdf_text(out)
    services, _ = open_services(str(demo_folder[0]), None)
    try:
        with services.context.db.read() as uow:
            last = uow.session.execute(select(models.AuditEntry).where(models.AuditEntry.action == "print")
                                       .order_by(models.AuditEntry.seq.desc()).limit(1)).scalar_one()
            assert last.action == "print" and last.details["destination"] == f"PDF file: {out.name}"
            assert last.username == demo_folder[1]
    finally:
        services.context.db.close()


@pytest.mark.parametrize("args, message", [
    (("consent", "--patient", "99999997"), "99999997"),
    (("discharge", "--session", "424242"), "session"),
    (("record", "--session", "424242"), "session"),
    (("summary", "--series", "424242"), "series"),
])
def test_unknown_patient_session_or_series_is_a_one_line_error(cli, tmp_path, args, message):
    out = tmp_path / "x.pdf"
    code, said, err = cli(*args, "--out", str(out))
    assert code == 1 and said == "" and not out.exists()
    assert err.startswith("clinic-desktop: error:") and err.count("\n") == 1 and message in err.lower()


def test_a_wrong_password_or_no_user_prints_nothing(cli, ids, tmp_path):
    out = tmp_path / "x.pdf"
    code, _said, err = cli("discharge", "--session", str(ids["session"]), "--out", str(out), typed="wrong")
    assert code == 1 and err.count("\n") == 1 and not out.exists()
    code, _said, err = cli("discharge", "--session", str(ids["session"]), "--out", str(out), as_user=None)
    assert code == 1 and "--as USER" in err and not out.exists()


def test_an_output_folder_that_does_not_exist_is_refused_before_anything_else(cli, ids, tmp_path):
    code, _said, err = cli("discharge", "--session", str(ids["session"]), "--out", str(tmp_path / "no" / "x.pdf"))
    assert code == 1 and "does not exist" in err


@pytest.mark.parametrize("target, words", [
    ("clinic.db", "is the clinic's live database: it is never overwritten"),
    ("clinic.db-wal", "is the live database's write-ahead log: it is never overwritten"),
    ("audit.key", "is the audit log's key: it is never overwritten"),
    ("audit-head.json", "is the audit log's head file: it is never overwritten"),
    ("notes.pdf", "is inside the clinic's data folder"),
    ("logs/clinic-desktop.log", "is inside the clinic's data folder"),
    ("backups", "is a folder"),
])
def test_out_never_lands_on_the_clinics_files_even_with_force(cli, ids, demo_folder, target, words):
    """--out at the database, its WAL, the key, the head, anything else in the data folder: one line, exit 1,
    refused before the password is asked (the typed password is left unread), and no file changes."""
    folder = demo_folder[0]
    (folder / "backups").mkdir(exist_ok=True)
    before = folder_state(folder)
    for force in ((), ("--force",)):
        code, said, err = cli("record", "--session", str(ids["session"]), "--out", str(folder / target), *force)
        assert (code, said) == (1, "") and err.count("\n") == 1 and words in err, err
    assert folder_state(folder) == before


def test_an_existing_file_needs_force_and_is_then_replaced_whole(cli, ids, tmp_path):
    out = tmp_path / "record.pdf"
    out.write_bytes(b"yesterday's copy")
    code, _said, err = cli("record", "--session", str(ids["session"]), "--out", str(out))
    assert code == 1 and err == (f"clinic-desktop: error: {out} already exists: choose another name, or add "
                                 "--force to replace it.\n")
    assert out.read_bytes() == b"yesterday's copy"
    code, _said, err = cli("record", "--session", str(ids["session"]), "--out", str(out), "--force")
    assert (code, err) == (0, "") and out.read_bytes().startswith(b"%PDF")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["record.pdf"], "no temporary file is left"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX devices")
@pytest.mark.parametrize("device", ["/dev/null", "/dev/zero", "/dev/full"])
def test_out_to_a_device_is_refused(cli, ids, device):
    code, _said, err = cli("record", "--session", str(ids["session"]), "--out", device, "--force")
    assert code == 1 and err == (f"clinic-desktop: error: {device} is not an ordinary file (a device, pipe or "
                                 "socket): give the name of a file.\n")
