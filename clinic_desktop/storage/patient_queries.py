"""Patient search that stays on its indexes: prefix ranges over folded name keys, keyset paging."""

from __future__ import annotations

import heapq
import re
from datetime import date
from typing import Any

from sqlalchemy import Row, Select, and_, func, or_, select, tuple_
from sqlalchemy.orm import Session

from clinic_desktop.domain.text import search_key
from clinic_desktop.storage.models import Patient

#: Above every character a search key can contain, so [p, p + TOP) is "starts with p" and uses a B-tree.
_TOP = chr(0x10FFFF)
_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")

ORDER = (Patient.family_key, Patient.given_key, Patient.id)


def _starts_with(column: Any, prefix: str) -> Any:
    return and_(column >= prefix, column < prefix + _TOP)


def parse_date(text: str) -> date | None:
    """2026-11-27 or 11/27/2026 (US order): the two ways a date of birth is typed into the search box."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    match = _US_DATE.match(text)
    if match:
        month, day, year = (int(g) for g in match.groups())
        try:
            return date(year, month, day)
        except ValueError:
            return None
    return None


def search_filter(query: str) -> Any | None:
    """The WHERE clause for what was typed: an MRN (digits), a date of birth, "family, given", or words
    that begin the family name, the given names, or both in either order. None means everyone."""
    text = query.strip()
    if not text:
        return None
    if text.isdigit():
        return _starts_with(Patient.mrn, text)
    born = parse_date(text)
    if born is not None:
        return Patient.date_of_birth == born
    if "," in text:
        family, _, given = text.partition(",")
        clauses = [_starts_with(Patient.family_key, search_key(family))]
        if search_key(given):
            clauses.append(_starts_with(Patient.given_key, search_key(given)))
        return and_(*clauses)
    key = search_key(text)
    if not key:
        return None
    options = [_starts_with(Patient.family_key, key), _starts_with(Patient.given_key, key)]
    first, _, rest = key.partition(" ")
    if rest:
        options.append(and_(_starts_with(Patient.given_key, first), _starts_with(Patient.family_key, rest)))
        options.append(and_(_starts_with(Patient.family_key, first), _starts_with(Patient.given_key, rest)))
    return or_(*options)


def order_for(query: str) -> tuple[Any, ...]:
    """The list order for what was typed: digits (an MRN being typed) in MRN order, everything else by name.

    An MRN's first digits match most of the clinic; in MRN order the unique index hands over the first page
    at once, where name order would sort every match first."""
    return (Patient.mrn,) if query.strip().isdigit() else ORDER


def search_statement(query: str, after: tuple[Any, ...] | None, limit: int) -> Select:
    """One page of matches in list order (`order_for`), starting after the keyset cursor `after`."""
    order = order_for(query)
    stmt = select(*_COLUMNS, *ORDER)
    where = search_filter(query)
    if where is not None:
        stmt = stmt.where(where)
    if after is not None:
        stmt = stmt.where(tuple_(*order) > tuple_(*after))
    return stmt.order_by(*order).limit(limit)


def search_rows(session: Session, query: str, after: tuple[Any, ...] | None, limit: int) -> list[Row]:
    """One page of matches, as `search_statement` gives it, read so that its cost hardly grows with the clinic.

    One word matches the start of the family name or of the given names: each is read on its own index, keys
    only (the family names already in list order; the given names' index holds every key of list order, so a
    page of them is picked from index entries without reading the table), the two merged here, and only the
    page's rows read in full. As one statement the database would read and sort every matching row."""
    text = query.strip()
    key = search_key(text)
    if not key or " " in key or "," in text or text.isdigit() or parse_date(text) is not None:
        return list(session.execute(search_statement(query, after, limit)).all())
    later = tuple_(*ORDER) > tuple_(*after) if after is not None else None
    runs = [_run(_starts_with(Patient.family_key, key), later, limit),
            _run(_starts_with(Patient.given_key, key), later, limit)]
    ids: list[int] = []
    for row in heapq.merge(*(session.execute(run).all() for run in runs)):
        if not ids or ids[-1] != row.id:  # someone whose family and given names both match comes twice
            ids.append(row.id)
            if len(ids) == limit:
                break
    if not ids:
        return []
    found = {r.id: r for r in session.execute(select(*_COLUMNS, *ORDER).where(Patient.id.in_(ids)))}
    return [found[i] for i in ids]


def _run(where: Any, later: Any | None, limit: int) -> Select:
    """One stretch of an index in list order (its keys only): at most a page of it is read."""
    stmt = select(*ORDER).where(where)
    if later is not None:
        stmt = stmt.where(later)
    return stmt.order_by(*ORDER).limit(limit)


#: What a row of the patient list shows.
_COLUMNS = (Patient.id, Patient.mrn, Patient.family_name, Patient.given_names, Patient.preferred_name,
            Patient.date_of_birth, Patient.sex, Patient.phone)


def count_matches(session: Session, query: str) -> int:
    stmt = select(func.count()).select_from(Patient)
    where = search_filter(query)
    if where is not None:
        stmt = stmt.where(where)
    return session.execute(stmt).scalar_one()


def next_mrn_sequence(session: Session) -> int:
    """The next patient number: one more than the highest issued (the unique MRN index settles races)."""
    highest = session.execute(select(func.max(Patient.mrn))).scalar_one_or_none()
    return 1 if highest is None else int(highest[:-1]) - 1_000_000 + 1


__all__ = ["count_matches", "next_mrn_sequence", "order_for", "parse_date", "search_filter", "search_rows",
           "search_statement"]
