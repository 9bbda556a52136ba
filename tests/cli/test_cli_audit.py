"""`clinic-desktop audit verify | accept-head | head-copy | key`: the witnesses of the audit head and where the
key is kept, from the command line; the key itself never appears in any output, message or log."""

from __future__ import annotations

import json
import shutil
import sqlite3

import keyring
import pytest
from keyring.backend import KeyringBackend

from clinic_desktop.cli import main
from clinic_desktop.storage import audit_key_store


class MemoryKeyring(KeyringBackend):
    """A credential store in memory: what the operating system's store does, without touching it."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        del self.items[(service, username)]


@pytest.fixture
def store():
    previous = keyring.get_keyring()
    memory = MemoryKeyring()
    keyring.set_keyring(memory)
    yield memory
    keyring.set_keyring(previous)


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    assert main(["--data-dir", str(folder), "demo", "--patients", "2", "--today", "2026-03-04"]) == 0
    return folder


@pytest.fixture
def clinic(demo_folder, tmp_path, capsys):
    """A copy of a small demo clinic's data folder (the demo is made once for the module)."""
    shutil.copytree(demo_folder, tmp_path, dirs_exist_ok=True)
    capsys.readouterr()
    return tmp_path


def last_action(folder) -> tuple:
    with sqlite3.connect(folder / "clinic.db") as con:
        return con.execute("SELECT action, details FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()


def everything_written(folder, capsys) -> str:
    """What the commands printed, the log file and every audit entry: where a key must never be."""
    out = capsys.readouterr()
    logs = "".join(p.read_text() for p in (folder / "logs").glob("*.log*"))
    with sqlite3.connect(folder / "clinic.db") as con:
        entries = " ".join(str(r) for r in con.execute("SELECT * FROM audit_log"))
    return out.out + out.err + logs + entries


def test_a_deleted_head_file_fails_verify_until_an_administrator_accepts_the_log(clinic, capsys):
    (clinic / "audit-head.json").unlink()
    assert main(["--data-dir", str(clinic), "audit", "verify"]) == 3
    err = capsys.readouterr().err
    assert "audit-head.json" in err and "missing" in err and "accept-head" in err
    assert main(["--data-dir", str(clinic), "audit", "accept-head"]) == 0
    assert "accepted" in capsys.readouterr().out
    assert last_action(clinic)[0] == "audit_head_accepted"
    assert main(["--data-dir", str(clinic), "audit", "verify"]) == 0
    assert main(["--data-dir", str(clinic), "audit", "accept-head"]) == 1
    assert "nothing to accept" in capsys.readouterr().err


def test_head_copy_keeps_a_second_copy_and_verify_says_when_it_is_unavailable(clinic, tmp_path_factory, capsys):
    usb = tmp_path_factory.mktemp("usb")
    assert main(["--data-dir", str(clinic), "audit", "head-copy", str(usb)]) == 0
    assert str(usb) in capsys.readouterr().out
    copies = list(usb.glob("audit-head-*.json"))
    assert len(copies) == 1
    head = json.loads((clinic / "audit-head.json").read_text())
    assert (json.loads(copies[0].read_text())["seq"], head["mirror"]) == (head["seq"], str(usb))
    copies[0].unlink()
    usb.rmdir()
    assert main(["--data-dir", str(clinic), "audit", "verify"]) == 0
    assert "could not be checked" in capsys.readouterr().out
    assert main(["--data-dir", str(clinic), "audit", "head-copy", "--off"]) == 0
    assert "mirror" not in json.loads((clinic / "audit-head.json").read_text())


def test_the_key_moves_to_the_credential_store_and_back_and_is_never_shown(clinic, store, capsys):
    key_text = (clinic / "audit.key").read_text().strip()
    assert main(["--data-dir", str(clinic), "audit", "key", "--to-store"]) == 0
    assert not (clinic / "audit.key").exists()
    assert list(store.items.values()) == [key_text]
    assert main(["--data-dir", str(clinic), "audit", "verify"]) == 0, "the key is found in the store"
    assert main(["--data-dir", str(clinic), "audit", "key", "--where"]) == 0
    assert "credential store" in capsys.readouterr().out
    assert main(["--data-dir", str(clinic), "backup"]) == 0, "audited work goes on with the key in the store"
    assert main(["--data-dir", str(clinic), "audit", "key", "--to-store"]) == 1
    assert "already in the credential store" in capsys.readouterr().err
    assert main(["--data-dir", str(clinic), "audit", "key", "--to-file"]) == 0
    assert (clinic / "audit.key").read_text().strip() == key_text and store.items == {}
    assert (clinic / "audit.key").stat().st_mode & 0o077 == 0
    assert main(["--data-dir", str(clinic), "audit", "verify"]) == 0
    assert [a for a in ("credential store", "audit.key") if a in str(last_action(clinic)[1])]
    assert key_text not in everything_written(clinic, capsys)


def test_without_a_credential_store_the_key_stays_in_its_file(clinic, capsys):
    """The tests' default backend is keyring's "no store" one, as on a computer without a credential store."""
    key_text = (clinic / "audit.key").read_text()
    assert main(["--data-dir", str(clinic), "audit", "key", "--to-store"]) == 1
    err = capsys.readouterr().err
    assert "cannot be kept in the credential store" in err and "stays in" in err and len(err.splitlines()) == 1
    assert (clinic / "audit.key").read_text() == key_text
    assert main(["--data-dir", str(clinic), "audit", "verify"]) == 0


def test_a_key_in_neither_place_is_named_with_both(clinic, store, capsys):
    (clinic / "audit.key").unlink()
    assert main(["--data-dir", str(clinic), "audit", "verify"]) == 1
    err = capsys.readouterr().err
    assert "audit.key" in err and "credential store" in err
    assert audit_key_store.stored_key(clinic) is None
