"""Who signed a consent form: the patient or a legal representative.

Revision ID: 0005_consent_signer
Revises: 0004_check_notes
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005_consent_signer'
down_revision = '0004_check_notes'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('consent_records', schema=None) as batch_op:
        for name, length in (('signer_name', 200), ('signer_relation', 120)):
            batch_op.add_column(sa.Column(name, sa.String(length=length), server_default=sa.text("''"),
                                          nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('consent_records', schema=None) as batch_op:
        batch_op.drop_column('signer_relation')
        batch_op.drop_column('signer_name')
