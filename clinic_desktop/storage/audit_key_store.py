"""The audit key in the operating system's credential store (Windows Credential Manager, macOS Keychain, the
Secret Service on Linux) through the `keyring` package, for a clinic that keeps it out of the data folder.

The file `audit.key` stays the fallback: it is read first when present, and the store is asked only when it
is not (so a clinic that never moved its key never loads the package). Nothing here ever logs or shows the key.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clinic_desktop.domain.errors import ClinicError

if TYPE_CHECKING:  # audit_chain reads the key through this module
    from clinic_desktop.storage.audit_chain import AuditKeyring

log = logging.getLogger(__name__)

#: The credential's service name; its user name is the data folder, so two clinics on one computer keep two keys.
SERVICE = "clinic_desktop audit key"


class KeyStoreUnavailable(Exception):
    """The credential store cannot be used here (the package is missing, or no store is running)."""


def _backend() -> Any:
    try:
        import keyring
        from keyring.backends import fail
    except ImportError:
        raise KeyStoreUnavailable("the keyring package is not installed") from None
    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring):
        raise KeyStoreUnavailable("this computer has no credential store that keyring can use")
    return keyring


def account(folder: Path) -> str:
    return str(folder.expanduser().absolute())


def stored_key(folder: Path) -> str | None:
    """The key's hex text from the store, or None when it holds none for this folder or cannot be asked."""
    try:
        store = _backend()
        return store.get_password(SERVICE, account(folder))
    except KeyStoreUnavailable as exc:
        log.debug("The credential store was not asked for the audit key: %s", exc)
        return None
    except Exception as exc:  # noqa: BLE001 (each store raises its own kinds; the file remains the fallback)
        log.warning("The credential store could not be read (%s)", type(exc).__name__)
        return None


def store_key(folder: Path, key_hex: str) -> None:
    """Save the key and read it back: raises KeyStoreUnavailable when it did not stick."""
    store = _backend()
    try:
        store.set_password(SERVICE, account(folder), key_hex)
        back = store.get_password(SERVICE, account(folder))
    except Exception as exc:  # noqa: BLE001 (the store's own errors; their text never holds the key)
        raise KeyStoreUnavailable(f"the credential store refused it ({type(exc).__name__})") from None
    if back != key_hex:
        raise KeyStoreUnavailable("the credential store did not give the key back unchanged")


def delete_key(folder: Path) -> None:
    store = _backend()
    try:
        store.delete_password(SERVICE, account(folder))
    except Exception as exc:  # noqa: BLE001 (already gone, or the store refused)
        log.warning("The audit key could not be removed from the credential store (%s)", type(exc).__name__)


def move_to_store(keyring: AuditKeyring) -> None:
    """Put the key from `audit.key` into the credential store, check it reads back, then remove the file."""
    path = keyring.key_path
    if not path.exists():
        raise ClinicError(f"There is no {path.name} in {keyring.folder} to move" + (
            ": the key is already in the credential store." if stored_key(keyring.folder) else "."))
    keyring.key()  # refuses a damaged key file before anything moves
    key_hex = path.read_text().strip()
    try:
        store_key(keyring.folder, key_hex)
    except KeyStoreUnavailable as exc:
        raise ClinicError(f"The audit key cannot be kept in the credential store here: {exc}. It stays in "
                          f"{path}.") from None
    path.unlink()
    log.info("The audit key of %s is now kept in the operating system's credential store", keyring.folder)


def move_to_file(keyring: AuditKeyring) -> None:
    """Write the key from the credential store to `audit.key` (owner-only), check it, then remove it from the
    store."""
    path = keyring.key_path
    if path.exists():
        raise ClinicError(f"The audit key is already in {path}.")
    key_hex = stored_key(keyring.folder)
    if key_hex is None:
        raise ClinicError("The operating system's credential store holds no audit key for this data folder "
                          "(or cannot be reached).")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key_hex)
        handle.flush()
        os.fsync(handle.fileno())
    if path.read_text().strip() != key_hex:
        path.unlink()
        raise ClinicError(f"The audit key could not be written to {path} unchanged; it stays in the credential "
                          "store.")
    delete_key(keyring.folder)
    log.info("The audit key of %s is now kept in %s", keyring.folder, path.name)
