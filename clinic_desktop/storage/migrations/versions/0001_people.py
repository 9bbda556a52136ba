"""Staff, patients and their history, screening, consent, clinic settings.

Revision ID: 0001_people
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import clinic_desktop.storage.types

revision = '0001_people'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('referring_clinicians',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('full_name', sa.String(length=120), nullable=False),
    sa.Column('practice', sa.String(length=200), nullable=False),
    sa.Column('address', sa.Text(), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('fax', sa.String(length=40), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('created_at', clinic_desktop.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referring_clinicians'))
    )
    op.create_table('staff',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('full_name', sa.String(length=120), nullable=False),
    sa.Column('credentials', sa.String(length=40), nullable=False),
    sa.Column('role', sa.Enum('front_desk', 'nurse', 'physician', 'administrator', name='staff_role', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', clinic_desktop.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff'))
    )
    op.create_table('clinic_settings',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('value', sa.String(length=200), nullable=False),
    sa.Column('updated_at', clinic_desktop.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['staff.id'], name=op.f('fk_clinic_settings_updated_by_id_staff')),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_clinic_settings'))
    )
    op.create_table('patients',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mrn', sa.String(length=16), nullable=False),
    sa.Column('given_names', sa.String(length=120), nullable=False),
    sa.Column('family_name', sa.String(length=120), nullable=False),
    sa.Column('preferred_name', sa.String(length=120), nullable=False),
    sa.Column('given_key', sa.String(length=120).with_variant(sa.String(length=120, collation='C'), 'postgresql'), nullable=False),
    sa.Column('family_key', sa.String(length=120).with_variant(sa.String(length=120, collation='C'), 'postgresql'), nullable=False),
    sa.Column('date_of_birth', sa.Date(), nullable=False),
    sa.Column('sex', sa.Enum('female', 'male', 'other', name='sex', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('address', sa.Text(), nullable=False),
    sa.Column('emergency_contact_name', sa.String(length=120), nullable=False),
    sa.Column('emergency_contact_phone', sa.String(length=40), nullable=False),
    sa.Column('emergency_contact_relation', sa.String(length=60), nullable=False),
    sa.Column('escort_name', sa.String(length=120), nullable=False),
    sa.Column('escort_phone', sa.String(length=40), nullable=False),
    sa.Column('referring_clinician_id', sa.Integer(), nullable=True),
    sa.Column('height_cm', clinic_desktop.storage.types.ExactDecimal(length=40), nullable=True),
    sa.Column('rems_enrolled_on', sa.Date(), nullable=True),
    sa.Column('row_version', sa.Integer(), nullable=False),
    sa.Column('created_at', clinic_desktop.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['referring_clinician_id'], ['referring_clinicians.id'], name=op.f('fk_patients_referring_clinician_id_referring_clinicians')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_patients')),
    sa.UniqueConstraint('mrn', name=op.f('uq_patients_mrn'))
    )
    with op.batch_alter_table('patients', schema=None) as batch_op:
        batch_op.create_index('ix_patients_date_of_birth', ['date_of_birth'], unique=False)
        batch_op.create_index('ix_patients_family_key_given_key_id', ['family_key', 'given_key', 'id'], unique=False)
        batch_op.create_index('ix_patients_given_key', ['given_key'], unique=False)
    op.create_table('allergies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('substance', sa.String(length=120), nullable=False),
    sa.Column('reaction', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('fk_allergies_patient_id_patients'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_allergies'))
    )
    with op.batch_alter_table('allergies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_allergies_patient_id'), ['patient_id'], unique=False)
    op.create_table('consent_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('protocol', sa.Enum('iv_induction', 'iv_maintenance', 'im_racemic', 'intranasal_esketamine', name='protocol', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('template_version', sa.String(length=32), nullable=False),
    sa.Column('signed_at', clinic_desktop.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('witness_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('withdrawn_at', clinic_desktop.storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', clinic_desktop.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('fk_consent_records_patient_id_patients'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['staff.id'], name=op.f('fk_consent_records_recorded_by_id_staff')),
    sa.ForeignKeyConstraint(['witness_id'], ['staff.id'], name=op.f('fk_consent_records_witness_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consent_records'))
    )
    with op.batch_alter_table('consent_records', schema=None) as batch_op:
        batch_op.create_index('ix_consent_records_patient_id_protocol', ['patient_id', 'protocol'], unique=False)
    op.create_table('diagnoses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('is_primary', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('fk_diagnoses_patient_id_patients'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_diagnoses'))
    )
    with op.batch_alter_table('diagnoses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_diagnoses_patient_id'), ['patient_id'], unique=False)
    op.create_table('medications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('dose', sa.String(length=120), nullable=False),
    sa.Column('drug_class', sa.Enum('benzodiazepine', 'opioid', 'maoi', 'stimulant', 'lamotrigine', 'theophylline', 'thyroid_hormone', 'other', name='medication_class', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('fk_medications_patient_id_patients'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_medications'))
    )
    with op.batch_alter_table('medications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_medications_patient_id'), ['patient_id'], unique=False)
    op.create_table('screening_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('screened_on', sa.Date(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', clinic_desktop.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('fk_screening_records_patient_id_patients'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['staff.id'], name=op.f('fk_screening_records_recorded_by_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_screening_records'))
    )
    with op.batch_alter_table('screening_records', schema=None) as batch_op:
        batch_op.create_index('ix_screening_records_patient_id_screened_on', ['patient_id', 'screened_on'], unique=False)
    op.create_table('weight_measurements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('measured_on', sa.Date(), nullable=False),
    sa.Column('weight_kg', clinic_desktop.storage.types.ExactDecimal(length=40), nullable=False),
    sa.Column('entered_unit', sa.Enum('kg', 'lb', name='weight_unit', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', clinic_desktop.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('fk_weight_measurements_patient_id_patients'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['staff.id'], name=op.f('fk_weight_measurements_recorded_by_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_weight_measurements'))
    )
    with op.batch_alter_table('weight_measurements', schema=None) as batch_op:
        batch_op.create_index('ix_weight_measurements_patient_id_measured_on', ['patient_id', 'measured_on'], unique=False)

def downgrade() -> None:
    with op.batch_alter_table('weight_measurements', schema=None) as batch_op:
        batch_op.drop_index('ix_weight_measurements_patient_id_measured_on')
    op.drop_table('weight_measurements')
    with op.batch_alter_table('screening_records', schema=None) as batch_op:
        batch_op.drop_index('ix_screening_records_patient_id_screened_on')
    op.drop_table('screening_records')
    with op.batch_alter_table('medications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_medications_patient_id'))
    op.drop_table('medications')
    with op.batch_alter_table('diagnoses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_diagnoses_patient_id'))
    op.drop_table('diagnoses')
    with op.batch_alter_table('consent_records', schema=None) as batch_op:
        batch_op.drop_index('ix_consent_records_patient_id_protocol')
    op.drop_table('consent_records')
    with op.batch_alter_table('allergies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_allergies_patient_id'))
    op.drop_table('allergies')
    with op.batch_alter_table('patients', schema=None) as batch_op:
        batch_op.drop_index('ix_patients_given_key')
        batch_op.drop_index('ix_patients_family_key_given_key_id')
        batch_op.drop_index('ix_patients_date_of_birth')
    op.drop_table('patients')
    op.drop_table('clinic_settings')
    op.drop_table('staff')
    op.drop_table('referring_clinicians')
