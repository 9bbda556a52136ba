"""A nurse's explanation for each pre-infusion checklist item of a session.

Revision ID: 0004_check_notes
Revises: 0003_access
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004_check_notes'
down_revision = '0003_access'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('treatment_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('check_notes', sa.JSON(), server_default=sa.text("'{}'"), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('treatment_sessions', schema=None) as batch_op:
        batch_op.drop_column('check_notes')
