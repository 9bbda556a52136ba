"""Where the clinic's data lives: the data folder (platformdirs) and the database URL, from options or environment."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

APP_NAME = "clinic_desktop"
ENV_DATA_DIR = "CLINIC_DESKTOP_DATA_DIR"
ENV_DATABASE_URL = "CLINIC_DESKTOP_DATABASE_URL"
DATABASE_FILENAME = "clinic.db"


@dataclass(frozen=True)
class Locations:
    """The resolved data folder and database URL for this run."""

    data_dir: Path
    database_url: str

    @property
    def backups_dir(self) -> Path:
        return self.data_dir / "backups"

    @property
    def logs_dir(self) -> Path:
        """The log for IT (see logs.py): in the data folder whichever database is used."""
        return self.data_dir / "logs"

    @property
    def uses_default_sqlite(self) -> bool:
        return self.database_url == sqlite_url(self.data_dir / DATABASE_FILENAME)


def sqlite_url(path: Path) -> str:
    """A URL for an SQLite file; built, not pasted, so "#", "?" or "%" in a folder name stay part of the path."""
    from sqlalchemy.engine import URL

    return URL.create("sqlite", database=str(path)).render_as_string(hide_password=False)


def default_data_dir() -> Path:
    """The per-user data folder: ~/.local/share/clinic_desktop, %LOCALAPPDATA%\\clinic_desktop, ~/Library/..."""
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


def resolve_locations(data_dir: str | None = None, database_url: str | None = None,
                      environ: Mapping[str, str] | None = None) -> Locations:
    """Command-line options first, then the environment, then the per-user default. A folder or URL that is not
    valid text is refused here (ClinicError): SQLite and the URL both need UTF-8."""
    env = os.environ if environ is None else environ
    folder = Path(_text(data_dir or env.get(ENV_DATA_DIR), "data folder") or default_data_dir()).expanduser()
    url = _text(database_url or env.get(ENV_DATABASE_URL), "database URL") or sqlite_url(folder / DATABASE_FILENAME)
    return Locations(folder, url)


def prepare_data_dir(folder: Path) -> None:
    """Make the data folder if it is missing (only its owner may enter it); refuse, with a sentence saying why,
    one that is a file, cannot be made, or cannot be read and written by this user."""
    from clinic_desktop.domain.errors import ClinicError

    shown = shown_path(folder)
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except FileExistsError:
        raise ClinicError(f"The data folder {shown} is a file, not a folder: choose a folder with --data-dir.") \
            from None
    except OSError as exc:
        raise ClinicError(f"Cannot use the data folder {shown}: {exc.strerror or exc}. Choose another with "
                          "--data-dir.") from None
    if not os.access(folder, os.R_OK | os.W_OK | os.X_OK):
        raise ClinicError(f"Cannot use the data folder {shown}: this user may not read and write in it. Choose "
                          "another with --data-dir, or ask IT to give it back to this user.")


def shown_path(path: Path | str, limit: int = 120) -> str:
    """A path as a message shows it: in one line, shortened in the middle when it is very long."""
    text = str(path).encode("utf-8", "backslashreplace").decode("utf-8")
    text = "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)
    return text if len(text) <= limit else f"{text[:limit // 2]}...{text[-limit // 2:]}"


def _text(value: str | None, what: str) -> str | None:
    if value is not None:
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            from clinic_desktop.domain.errors import ClinicError

            raise ClinicError(f"The {what} {shown_path(value)} is not valid UTF-8 text: rename it, or choose "
                              "another.") from None
    return value
