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
    """Command-line options first, then the environment, then the per-user default."""
    env = os.environ if environ is None else environ
    folder = Path(data_dir or env.get(ENV_DATA_DIR) or default_data_dir()).expanduser()
    url = database_url or env.get(ENV_DATABASE_URL) or sqlite_url(folder / DATABASE_FILENAME)
    return Locations(folder, url)
