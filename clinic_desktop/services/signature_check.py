"""The signature part of `audit verify`: every record whose state is signed has its current signature, and every
signature is authentic and (unless an amendment superseded it) still covers what its record holds. A signature's
rows deleted behind the application's back would otherwise simply show as "not signed"."""

from __future__ import annotations

import hmac
from typing import Any, Mapping

from sqlalchemy import ColumnElement, Table, exists, select, true
from sqlalchemy.orm import Session

from clinic_desktop.services import signing
from clinic_desktop.storage import models
from clinic_desktop.storage.audit_chain import AuditKeyring
from clinic_desktop.storage.row_check import BATCH, Finding, describe

_DOSES: Table = models.DoseRecord.__table__
_SESSIONS: Table = models.TreatmentSession.__table__

#: For each kind of signature: the table of the records it signs, which of them are in the signed state, and
#: what that state is called.
SIGNED_STATE: dict[str, tuple[Table, ColumnElement[bool], str]] = {
    "dose_order": (_DOSES, true(), "ordered"),
    "administration": (_DOSES, _DOSES.c.stopped_at.is_not(None), "given"),
    "waste": (_DOSES, _DOSES.c.waste_witness_id.is_not(None), "recorded as wasted before a witness"),
    "checks_override": (_SESSIONS, _SESSIONS.c.checks_overridden_by_id.is_not(None),
                        "cleared by a physician's override of its checks"),
}

_CHECK = "signatures"


def check_signatures(session: Session, keyring: AuditKeyring) -> Finding | None:
    return _first_unsigned(session) or _first_not_holding(session, keyring)


def _first_unsigned(session: Session) -> Finding | None:
    sig = models.Signature.__table__
    for kind, (table, signed_state, state) in SIGNED_STATE.items():
        current = exists().where(sig.c.record_type == kind, sig.c.record_id == table.c.id,
                                 sig.c.superseded_by_id.is_(None))
        row = session.execute(select(table).where(signed_state, ~current).order_by(table.c.id).limit(1)) \
            .mappings().first()
        if row is not None:
            what = describe(session, table.name, row)
            return Finding(_CHECK, f"{what} was {state}, but its signature ({signing.MEANINGS[kind]}) is missing: it "
                                   "was removed outside the application.")
    return None


def _first_not_holding(session: Session, keyring: AuditKeyring) -> Finding | None:
    """Each kind's signatures with their records' signed fields, a batch at a time."""
    sig = models.Signature.__table__
    for kind, (table, _state, _words) in SIGNED_STATE.items():
        fields = signing.SIGNED_FIELDS[kind]
        stmt = (select(*sig.c, table.c.id.label("record_found"), *(table.c[f].label(f"signed_{f}") for f in fields))
                .select_from(sig.outerjoin(table, table.c.id == sig.c.record_id))
                .where(sig.c.record_type == kind).order_by(sig.c.id).execution_options(yield_per=BATCH))
        result = session.execute(stmt).mappings()
        try:
            problem = next((p for rows in result.partitions() for p in (_problem(r, keyring) for r in rows)
                            if p is not None), None)
        finally:
            result.close()  # before the record is described with further queries
        if problem is not None:
            row, why = problem
            if why == "record":
                return Finding(_CHECK, f"{describe(session, 'signatures', row)} signs "
                                       f"{describe(session, table.name, {'id': row['record_id']})}, which is missing "
                                       "(deleted outside the application).")
            if why == "mac":
                return Finding(_CHECK, f"{describe(session, 'signatures', row)} is not authentic: it was "
                                       "changed or made outside the application.")
            record = session.execute(select(table).where(table.c.id == row["record_id"])).mappings().one()
            return Finding(_CHECK, f"{describe(session, table.name, record)} no longer holds what its "
                                   f"signature ({row['meaning']}) signed: it was changed outside the application.")
    return None


def _problem(row: Mapping[str, Any], keyring: AuditKeyring) -> tuple[Mapping[str, Any], str] | None:
    if row["record_found"] is None:
        return row, "record"
    if not signing.is_authentic(keyring, row):
        return row, "mac"
    if row["superseded_by_id"] is None:
        kind = row["record_type"]
        values = {name: row[f"signed_{name}"] for name in signing.SIGNED_FIELDS[kind]}
        if not hmac.compare_digest(signing.content_hash_of(kind, values), row["content_hash"]):
            return row, "content"
    return None
