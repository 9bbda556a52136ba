"""A clinic sets itself up: chairs in the order of the room, sheet texts and the letterhead logo in the database.

Revision ID: 0006_clinic_setup
Revises: 0005_consent_signer
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from clinic_desktop.storage.types import UTCDateTime

revision = '0006_clinic_setup'
down_revision = '0005_consent_signer'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('chairs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('position', sa.Integer(), server_default=sa.text('0'), nullable=False))
    # Existing chairs keep the order the board showed them in until now (by name).
    chairs = sa.table('chairs', sa.column('id', sa.Integer), sa.column('name', sa.String),
                      sa.column('position', sa.Integer))
    conn = op.get_bind()
    for index, row in enumerate(conn.execute(sa.select(chairs.c.id).order_by(chairs.c.name)).all()):
        conn.execute(chairs.update().where(chairs.c.id == row.id).values(position=index + 1))

    op.create_table('sheet_texts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('version', sa.String(length=20), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['staff.id'], name=op.f('fk_sheet_texts_created_by_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sheet_texts')),
    sa.UniqueConstraint('kind', 'version', name=op.f('uq_sheet_texts_kind'))
    )
    op.create_table('clinic_images',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('media_type', sa.String(length=40), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['staff.id'], name=op.f('fk_clinic_images_updated_by_id_staff')),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_clinic_images'))
    )


def downgrade() -> None:
    op.drop_table('clinic_images')
    op.drop_table('sheet_texts')
    with op.batch_alter_table('chairs', schema=None) as batch_op:
        batch_op.drop_column('position')
