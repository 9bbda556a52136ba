"""The audit key in the operating system's credential store (Windows Credential Manager, macOS Keychain, the
Secret Service on Linux) through the `keyring` package, for a clinic that keeps it out of the data folder.

The file `audit.key` stays the fallback: it is read first when present, and the store is asked only when it
is not (so a clinic that never moved its key never loads the package). Nothing here ever logs or shows the key.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

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
