"""The schema revisions this program knows, oldest first. Read at start-up without importing Alembic."""

from __future__ import annotations

#: Every Alembic revision id in order; a test checks this against the migration scripts.
REVISIONS: tuple[str, ...] = ("0001_people", "0002_treatment", "0003_access", "0004_check_notes",
                                 "0005_consent_signer", "0006_clinic_setup", "0007_search_indexes",
                                 "0008_row_seals")
HEAD = REVISIONS[-1]


def is_known(revision: str) -> bool:
    return revision in REVISIONS


def is_older(revision: str) -> bool:
    return is_known(revision) and REVISIONS.index(revision) < REVISIONS.index(HEAD)
