"""What a commit changed, as a screen needs it: built from the audit entries the transaction wrote (every change
writes one in the same transaction), so the window's own saves and other workstations' saves are described the
same way (see services/changes.py and ui/change_hub.py)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

#: Audit actions that record no change to the data a screen shows.
NOT_CHANGES = frozenset({"login", "login_failed", "login_refused_locked", "logout", "lock", "unlock", "view", "print",
                         "export", "backup"})
#: Where a transaction keeps what it changed until it commits (Session.info is dropped with the session).
PENDING_CHANGES = "clinic_desktop.pending_changes"


@dataclass(frozen=True)
class Changed:
    """One changed object: ("patient", "12", 12, 3), ("session", "40", 12, 3), ("chair", "3", None, 1)."""

    object_type: str
    object_id: str
    patient_id: int | None
    staff_id: int | None


@dataclass(frozen=True)
class ChangeSet:
    """The changes up to `marker` (the newest audit sequence number they include)."""

    marker: int
    items: frozenset[Changed] = frozenset()
    #: Too many to list: everything on show should be read again.
    everything: bool = False
    #: The audit sequence numbers of the entries, so a poll can leave out what this workstation wrote itself.
    seqs: frozenset[int] = frozenset()

    def __bool__(self) -> bool:
        return self.everything or bool(self.items)

    @property
    def patient_ids(self) -> frozenset[int]:
        return frozenset(c.patient_id for c in self.items if c.patient_id is not None)

    @property
    def object_types(self) -> frozenset[str]:
        return frozenset(c.object_type for c in self.items)

    def touches(self, object_type: str, object_id: int | str) -> bool:
        return self.everything or any(c.object_type == object_type and c.object_id == str(object_id)
                                      for c in self.items)

    def touches_type(self, *object_types: str) -> bool:
        return self.everything or not self.object_types.isdisjoint(object_types)

    def touches_patient(self, patient_id: int) -> bool:
        return self.everything or patient_id in self.patient_ids

    def __or__(self, other: "ChangeSet") -> "ChangeSet":
        return ChangeSet(max(self.marker, other.marker), self.items | other.items,
                         self.everything or other.everything, self.seqs | other.seqs)


def record_pending(session: Session, seq: int, action: str, object_type: str, object_id: str,
                   patient_id: int | None, staff_id: int | None) -> None:
    """Note an audit entry this transaction wrote; `take_pending` hands them over once it has committed."""
    session.info.setdefault(PENDING_CHANGES, []).append((seq, action, object_type, object_id, patient_id, staff_id))


def take_pending(info: dict) -> ChangeSet | None:
    """What the committed transaction changed (None when it wrote no audit entry)."""
    rows = info.pop(PENDING_CHANGES, None)
    if not rows:
        return None
    return from_entries(rows)


def from_entries(rows: list[tuple]) -> ChangeSet:
    """A ChangeSet from (seq, action, object_type, object_id, patient_id, staff_id) rows in seq order."""
    items = frozenset(Changed(object_type, object_id, patient_id, staff_id)
                      for _seq, action, object_type, object_id, patient_id, staff_id in rows
                      if action not in NOT_CHANGES)
    return ChangeSet(max(r[0] for r in rows), items, seqs=frozenset(r[0] for r in rows))
