"""Patient search by given name reads its matches in list order: the given-name index also holds the family
name and id, so each given name's patients come from it already sorted (and without reading the table).

Revision ID: 0007_search_indexes
Revises: 0006_clinic_setup
"""

from __future__ import annotations

from alembic import op

revision = '0007_search_indexes'
down_revision = '0006_clinic_setup'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('patients', schema=None) as batch_op:
        batch_op.create_index('ix_patients_given_key_family_key_id', ['given_key', 'family_key', 'id'], unique=False)
        batch_op.drop_index('ix_patients_given_key')


def downgrade() -> None:
    with op.batch_alter_table('patients', schema=None) as batch_op:
        batch_op.create_index('ix_patients_given_key', ['given_key'], unique=False)
        batch_op.drop_index('ix_patients_given_key_family_key_id')
