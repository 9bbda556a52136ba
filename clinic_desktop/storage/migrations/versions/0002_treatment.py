"""Chairs, infusion series, sessions, dose records, vital signs, notes, scale responses.

Revision ID: 0002_treatment
Revises: 0001_people
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import clinic_desktop.storage.types

revision = '0002_treatment'
down_revision = '0001_people'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('chairs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chairs')),
    sa.UniqueConstraint('name', name=op.f('uq_chairs_name'))
    )
    op.create_table('infusion_series',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('protocol', sa.Enum('iv_induction', 'iv_maintenance', 'im_racemic', 'intranasal_esketamine', name='protocol', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('planned_sessions', sa.Integer(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('target_dose', clinic_desktop.storage.types.ExactDecimal(length=40), nullable=False),
    sa.Column('weekdays', sa.String(length=20), nullable=False),
    sa.Column('session_time', sa.Time(), nullable=False),
    sa.Column('chair_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('planned', 'active', 'completed', 'stopped', name='series_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('stop_reason', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('row_version', sa.Integer(), nullable=False),
    sa.Column('created_at', clinic_desktop.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['chair_id'], ['chairs.id'], name=op.f('fk_infusion_series_chair_id_chairs')),
    sa.ForeignKeyConstraint(['created_by_id'], ['staff.id'], name=op.f('fk_infusion_series_created_by_id_staff')),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('fk_infusion_series_patient_id_patients'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_infusion_series'))
    )
    with op.batch_alter_table('infusion_series', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_infusion_series_patient_id'), ['patient_id'], unique=False)
    op.create_table('treatment_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('series_id', sa.Integer(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('scheduled_at', clinic_desktop.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('chair_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('scheduled', 'checked_in', 'infusing', 'recovering', 'discharged', 'cancelled', 'no_show', name='session_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('status_reason', sa.Text(), nullable=False),
    sa.Column('checked_in_at', clinic_desktop.storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('discharged_at', clinic_desktop.storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('discharged_by_id', sa.Integer(), nullable=True),
    sa.Column('escort_name', sa.String(length=120), nullable=False),
    sa.Column('escort_phone', sa.String(length=40), nullable=False),
    sa.Column('escort_confirmed', sa.Boolean(), nullable=False),
    sa.Column('npo_confirmed', sa.Boolean(), nullable=True),
    sa.Column('pregnancy_status', sa.Enum('not_applicable', 'negative', 'positive', 'declined', name='pregnancy_status', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('checks_override_reason', sa.Text(), nullable=False),
    sa.Column('checks_overridden_keys', sa.String(length=400), nullable=False),
    sa.Column('checks_overridden_by_id', sa.Integer(), nullable=True),
    sa.Column('checks_overridden_at', clinic_desktop.storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('row_version', sa.Integer(), nullable=False),
    sa.Column('created_at', clinic_desktop.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['chair_id'], ['chairs.id'], name=op.f('fk_treatment_sessions_chair_id_chairs')),
    sa.ForeignKeyConstraint(['discharged_by_id'], ['staff.id'], name=op.f('fk_treatment_sessions_discharged_by_id_staff')),
    sa.ForeignKeyConstraint(['checks_overridden_by_id'], ['staff.id'], name=op.f('fk_treatment_sessions_checks_overridden_by_id_staff')),
    sa.ForeignKeyConstraint(['series_id'], ['infusion_series.id'], name=op.f('fk_treatment_sessions_series_id_infusion_series'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_treatment_sessions')),
    sa.UniqueConstraint('series_id', 'sequence', name='uq_treatment_sessions_series_id_sequence')
    )
    with op.batch_alter_table('treatment_sessions', schema=None) as batch_op:
        batch_op.create_index('ix_treatment_sessions_chair_id_scheduled_at', ['chair_id', 'scheduled_at'], unique=False)
        batch_op.create_index('ix_treatment_sessions_scheduled_at', ['scheduled_at'], unique=False)
    op.create_table('dose_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('mg_per_kg', clinic_desktop.storage.types.ExactDecimal(length=40), nullable=True),
    sa.Column('weight_basis', sa.Enum('actual', 'ideal', 'adjusted', name='weight_basis', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('weight_kg_used', clinic_desktop.storage.types.ExactDecimal(length=40), nullable=True),
    sa.Column('dose_mg', clinic_desktop.storage.types.ExactDecimal(length=40), nullable=False),
    sa.Column('vial_mg_per_ml', clinic_desktop.storage.types.ExactDecimal(length=40), nullable=True),
    sa.Column('drug_volume_ml', clinic_desktop.storage.types.ExactDecimal(length=40), nullable=True),
    sa.Column('diluent_ml', clinic_desktop.storage.types.ExactDecimal(length=40), nullable=True),
    sa.Column('total_volume_ml', clinic_desktop.storage.types.ExactDecimal(length=40), nullable=True),
    sa.Column('duration_min', clinic_desktop.storage.types.ExactDecimal(length=40), nullable=True),
    sa.Column('pump_rate_ml_per_h', clinic_desktop.storage.types.ExactDecimal(length=40), nullable=True),
    sa.Column('ordered_by_id', sa.Integer(), nullable=False),
    sa.Column('ordered_at', clinic_desktop.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('override_level', sa.Enum('ok', 'info', 'warn', 'override', 'refused', name='override_level', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('override_reason', sa.Text(), nullable=False),
    sa.Column('finding_codes', sa.String(length=400), nullable=False),
    sa.Column('lot_number', sa.String(length=40), nullable=False),
    sa.Column('lot_expiry', sa.Date(), nullable=True),
    sa.Column('started_at', clinic_desktop.storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('stopped_at', clinic_desktop.storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('volume_given_ml', clinic_desktop.storage.types.ExactDecimal(length=40), nullable=True),
    sa.Column('volume_wasted_ml', clinic_desktop.storage.types.ExactDecimal(length=40), nullable=True),
    sa.Column('administered_by_id', sa.Integer(), nullable=True),
    sa.Column('waste_witness_id', sa.Integer(), nullable=True),
    sa.Column('row_version', sa.Integer(), nullable=False),
    sa.Column('created_at', clinic_desktop.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['administered_by_id'], ['staff.id'], name=op.f('fk_dose_records_administered_by_id_staff')),
    sa.ForeignKeyConstraint(['ordered_by_id'], ['staff.id'], name=op.f('fk_dose_records_ordered_by_id_staff')),
    sa.ForeignKeyConstraint(['session_id'], ['treatment_sessions.id'], name=op.f('fk_dose_records_session_id_treatment_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['waste_witness_id'], ['staff.id'], name=op.f('fk_dose_records_waste_witness_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dose_records')),
    sa.UniqueConstraint('session_id', name=op.f('uq_dose_records_session_id'))
    )
    op.create_table('scale_responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=True),
    sa.Column('instrument', sa.String(length=32), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('taken_at', clinic_desktop.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('timepoint', sa.Enum('pre', 'during', 'post', 'visit', name='timepoint', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('rater', sa.Enum('patient', 'clinician', name='rater', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('acknowledged_by_id', sa.Integer(), nullable=True),
    sa.Column('acknowledged_at', clinic_desktop.storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', clinic_desktop.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['acknowledged_by_id'], ['staff.id'], name=op.f('fk_scale_responses_acknowledged_by_id_staff')),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('fk_scale_responses_patient_id_patients'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['staff.id'], name=op.f('fk_scale_responses_recorded_by_id_staff')),
    sa.ForeignKeyConstraint(['session_id'], ['treatment_sessions.id'], name=op.f('fk_scale_responses_session_id_treatment_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scale_responses'))
    )
    with op.batch_alter_table('scale_responses', schema=None) as batch_op:
        batch_op.create_index('ix_scale_responses_patient_id_instrument_taken_at', ['patient_id', 'instrument', 'taken_at'], unique=False)
        batch_op.create_index('ix_scale_responses_session_id', ['session_id'], unique=False)
    op.create_table('vital_signs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('taken_at', clinic_desktop.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('phase', sa.Enum('baseline', 'during', 'after', name='vitals_phase', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('systolic', sa.Integer(), nullable=True),
    sa.Column('diastolic', sa.Integer(), nullable=True),
    sa.Column('heart_rate', sa.Integer(), nullable=True),
    sa.Column('spo2', sa.Integer(), nullable=True),
    sa.Column('resp_rate', sa.Integer(), nullable=True),
    sa.Column('temperature_c', clinic_desktop.storage.types.ExactDecimal(length=40), nullable=True),
    sa.Column('alert_action', sa.Enum('continue', 'slow', 'pause', 'stop', 'medication_given', 'physician_notified', name='alert_action', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('alert_note', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', clinic_desktop.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['staff.id'], name=op.f('fk_vital_signs_recorded_by_id_staff')),
    sa.ForeignKeyConstraint(['session_id'], ['treatment_sessions.id'], name=op.f('fk_vital_signs_session_id_treatment_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vital_signs'))
    )
    with op.batch_alter_table('vital_signs', schema=None) as batch_op:
        batch_op.create_index('ix_vital_signs_session_id_taken_at', ['session_id', 'taken_at'], unique=False)
    op.create_table('monitoring_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('noted_at', clinic_desktop.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.Enum('dissociation', 'sedation', 'side_effect', 'adverse_event', 'free_text', name='note_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('values', sa.JSON(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('scale_response_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', clinic_desktop.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['staff.id'], name=op.f('fk_monitoring_notes_recorded_by_id_staff')),
    sa.ForeignKeyConstraint(['scale_response_id'], ['scale_responses.id'], name=op.f('fk_monitoring_notes_scale_response_id_scale_responses')),
    sa.ForeignKeyConstraint(['session_id'], ['treatment_sessions.id'], name=op.f('fk_monitoring_notes_session_id_treatment_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monitoring_notes'))
    )
    with op.batch_alter_table('monitoring_notes', schema=None) as batch_op:
        batch_op.create_index('ix_monitoring_notes_session_id_noted_at', ['session_id', 'noted_at'], unique=False)

def downgrade() -> None:
    with op.batch_alter_table('monitoring_notes', schema=None) as batch_op:
        batch_op.drop_index('ix_monitoring_notes_session_id_noted_at')
    op.drop_table('monitoring_notes')
    with op.batch_alter_table('vital_signs', schema=None) as batch_op:
        batch_op.drop_index('ix_vital_signs_session_id_taken_at')
    op.drop_table('vital_signs')
    with op.batch_alter_table('scale_responses', schema=None) as batch_op:
        batch_op.drop_index('ix_scale_responses_session_id')
        batch_op.drop_index('ix_scale_responses_patient_id_instrument_taken_at')
    op.drop_table('scale_responses')
    op.drop_table('dose_records')
    with op.batch_alter_table('treatment_sessions', schema=None) as batch_op:
        batch_op.drop_index('ix_treatment_sessions_scheduled_at')
        batch_op.drop_index('ix_treatment_sessions_chair_id_scheduled_at')
    op.drop_table('treatment_sessions')
    with op.batch_alter_table('infusion_series', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_infusion_series_patient_id'))
    op.drop_table('infusion_series')
    op.drop_table('chairs')
