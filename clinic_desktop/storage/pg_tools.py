"""Running PostgreSQL's own client tools (pg_dump, pg_restore) without showing the database password.

A command line can be read by every user of the computer (`ps`, /proc/PID/cmdline, Windows' task list), so the
connection string on it never holds the password: the tool gets it in its own environment (PGPASSWORD), which
only the same user and the system's administrator can read. What a tool says on failure is scrubbed of the
password too before it reaches a message or the log (a tool may echo the connection string it was given)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from typing import TYPE_CHECKING
from urllib.parse import quote, quote_plus

from clinic_desktop.domain.errors import ClinicError

if TYPE_CHECKING:  # the log's formatter uses `scrub` without loading SQLAlchemy
    from sqlalchemy.engine import URL

HIDDEN = "***"
#: `scheme://user:password@` in any text: a database URL that was not parsed (or not by us) still hides it.
_URL_PASSWORD = re.compile(r"(\b[a-z][a-z0-9+.-]*://[^\s:/@]*:)[^\s@]*@", re.IGNORECASE)


class ToolMissing(ClinicError):
    """A PostgreSQL client tool is not installed."""


def find_tool(name: str) -> str:
    tool = shutil.which(name)
    if tool is None:
        raise ToolMissing(f"{name} was not found: install the PostgreSQL client tools and try again.")
    return tool


def connection(url: URL) -> tuple[str, dict[str, str]]:
    """The libpq connection URI without the password, and the environment that carries the password."""
    from sqlalchemy.engine import URL
    password = _password(url)
    # (URL.set cannot clear a field: None there means "leave it as it is".)
    bare = URL.create("postgresql", url.username, None, url.host, url.port, url.database,
                      url.difference_update_query(["password"]).query)
    target = bare.render_as_string(hide_password=False)
    env = dict(os.environ)
    if password:
        env["PGPASSWORD"] = str(password)
    return target, env


def run(args: list[str], url: URL | None = None) -> subprocess.CompletedProcess[str]:
    """Run a client tool; with `url`, connected to that database, its password in the environment only (the
    URI is appended to `args` as --dbname=...). Its stdout and stderr are returned scrubbed of the password."""
    env = None
    if url is not None:
        target, env = connection(url)
        args = [*args, f"--dbname={target}"]
    result = subprocess.run(args, capture_output=True, text=True, check=False, env=env)
    secret = _password(url) if url is not None else None
    return subprocess.CompletedProcess(result.args, result.returncode, scrub(result.stdout, secret),
                                       scrub(result.stderr, secret))


def _password(url: URL) -> str | None:
    value = url.password or url.query.get("password")  # libpq also takes it as a URI parameter
    if isinstance(value, tuple):
        value = value[-1] if value else None
    return str(value) if value else None


def scrub(text: str, password: str | None = None) -> str:
    """`text` without `password` (as typed or percent-encoded) and without any URL's password."""
    if password:
        for form in {password, quote(password, safe=""), quote_plus(password)}:
            text = text.replace(form, HIDDEN)
    return _URL_PASSWORD.sub(rf"\g<1>{HIDDEN}@", text)
