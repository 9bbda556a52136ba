"""Every clinical and access row gets a seal (storage/row_seals.py): a keyed digest of its values, so a row changed
or added behind the application's back shows in `audit verify`. The rows already there are sealed with the data
folder's audit key once every step of the upgrade has run (migrate.upgrade, after its backup). Signatures and
amendments become append-only, as the audit log is.

Revision ID: 0008_row_seals
Revises: 0007_search_indexes
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from clinic_desktop.storage.migrate import reseal_after
from clinic_desktop.storage.models.audit import SIGNED_GUARD_DDL

revision = '0008_row_seals'
down_revision = '0007_search_indexes'
branch_labels = None
depends_on = None

#: Every table but the audit log (its own hash chain covers it), as they were at this revision.
SEALED = ('chairs', 'referring_clinicians', 'staff', 'clinic_images', 'clinic_settings', 'emergency_sessions',
          'patients', 'sheet_texts', 'signatures', 'allergies', 'amendments', 'consent_records', 'diagnoses',
          'infusion_series', 'medications', 'screening_records', 'weight_measurements', 'treatment_sessions',
          'dose_records', 'scale_responses', 'vital_signs', 'monitoring_notes')


def upgrade() -> None:
    for table in SEALED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('row_mac', sa.String(length=64), nullable=True))
    reseal_after(op, SEALED)
    dialect = op.get_bind().dialect.name
    for by_dialect in SIGNED_GUARD_DDL.values():
        for statement in by_dialect.get(dialect, ()):
            op.execute(statement)


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table, triggers in (("signatures", ("no_update", "superseded_once", "no_delete", "no_change", "no_truncate")),
                            ("amendments", ("no_update", "no_delete", "no_change", "no_truncate"))):
        for trigger in triggers:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_{trigger}" + (f" ON {table}" if postgresql else ""))
        if postgresql:
            op.execute(f"DROP FUNCTION IF EXISTS {table}_append_only()")
    for table in reversed(SEALED):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('row_mac')
