"""Activities' attendance, hours, reminders and children; certificates; volunteers' birth date and ID number
(issue 18).

Revision ID: b020a0000020
Revises: b019a0000019
Create Date: 2026-12-06 17:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b020a0000020'
down_revision = 'b019a0000019'
branch_labels = None
depends_on = None

SIGNUP_COLUMNS = (
    ('signed_in_at', sa.DateTime(timezone=True)),
    ('signed_out_at', sa.DateTime(timezone=True)),
    ('attendance_note', sa.String(length=200)),
    ('minutes', sa.Integer()),
    ('hours_status', sa.String(length=10)),
    ('approved_minutes', sa.Integer()),
    ('approved_at', sa.DateTime(timezone=True)),
    ('hours_reason', sa.String(length=200)),
    ('reminded_24h_at', sa.DateTime(timezone=True)),
    ('reminded_2h_at', sa.DateTime(timezone=True)),
)


def upgrade():
    # Plain ALTER TABLE for the parent tables activity and volunteer_profile (SQLite 3.35+ drops columns too):
    # a batch rebuild would drop the old table, and SQLite would cascade-delete its sign-ups, skills and slots.
    op.add_column('activity', sa.Column('venue_radius_m', sa.Integer(), nullable=False, server_default='500'))
    with op.batch_alter_table('activity_signup') as batch:
        for name, kind in SIGNUP_COLUMNS:
            batch.add_column(sa.Column(name, kind, nullable=True))
        batch.add_column(sa.Column('signed_in_by_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('approved_by_id', sa.Integer(), nullable=True))
        batch.create_foreign_key('fk_activity_signup_signed_in_by_id_user', 'user', ['signed_in_by_id'], ['id'],
                                 ondelete='SET NULL')
        batch.create_foreign_key('fk_activity_signup_approved_by_id_user', 'user', ['approved_by_id'], ['id'],
                                 ondelete='SET NULL')
    op.create_table(
        'activity_child',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('activity_id', sa.Integer(), nullable=False),
        sa.Column('child_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['activity_id'], ['activity.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['child_id'], ['child.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('activity_id', 'child_id'),
    )
    op.create_index('ix_activity_child_child_id', 'activity_child', ['child_id'], unique=False)
    op.create_table(
        'certificate',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('number', sa.String(length=24), nullable=False),
        sa.Column('volunteer_id', sa.Integer(), nullable=True),
        sa.Column('masked_name', sa.String(length=40), nullable=False),
        sa.Column('period_start', sa.Date(), nullable=False),
        sa.Column('period_end', sa.Date(), nullable=False),
        sa.Column('minutes', sa.Integer(), nullable=False),
        sa.Column('activities', sa.Integer(), nullable=False),
        sa.Column('issuer', sa.String(length=120), nullable=False),
        sa.Column('issued_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['volunteer_id'], ['user.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('number'),
    )
    op.create_index('ix_certificate_volunteer_id', 'certificate', ['volunteer_id'], unique=False)
    op.add_column('volunteer_profile', sa.Column('birth_date', sa.Date(), nullable=True))
    op.add_column('volunteer_profile', sa.Column('id_number_enc', sa.Text(), nullable=True))
    op.add_column('volunteer_profile', sa.Column('id_number_mask', sa.String(length=24), nullable=True))


def downgrade():
    op.drop_column('volunteer_profile', 'id_number_mask')
    op.drop_column('volunteer_profile', 'id_number_enc')
    op.drop_column('volunteer_profile', 'birth_date')
    op.drop_index('ix_certificate_volunteer_id', table_name='certificate')
    op.drop_table('certificate')
    op.drop_index('ix_activity_child_child_id', table_name='activity_child')
    op.drop_table('activity_child')
    with op.batch_alter_table('activity_signup') as batch:
        batch.drop_constraint('fk_activity_signup_approved_by_id_user', type_='foreignkey')
        batch.drop_constraint('fk_activity_signup_signed_in_by_id_user', type_='foreignkey')
        batch.drop_column('approved_by_id')
        batch.drop_column('signed_in_by_id')
        for name, _ in reversed(SIGNUP_COLUMNS):
            batch.drop_column(name)
    op.drop_column('activity', 'venue_radius_m')
