"""Activities (group services, community activities, camps) and volunteers' sign-ups (issue 18).

Revision ID: b019a0000019
Revises: b018a0000018
Create Date: 2026-12-06 16:10:00

"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = 'b019a0000019'
down_revision = 'b018a0000018'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'activity',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=80), nullable=False),
        sa.Column('service_type', sa.String(length=30), nullable=False),
        sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('signup_deadline', sa.DateTime(timezone=True), nullable=False),
        sa.Column('venue', sa.String(length=120), nullable=False),
        sa.Column('lat', sa.Float(), nullable=False),
        sa.Column('lon', sa.Float(), nullable=False),
        sa.Column('district_code', sa.String(length=12), nullable=False),
        sa.Column('town_code', sa.String(length=12), nullable=True),
        sa.Column('places', sa.Integer(), nullable=False),
        sa.Column('places_taken', sa.Integer(), nullable=False),
        sa.Column('waitlist_seq', sa.Integer(), nullable=False),
        sa.Column('skills', sa.String(length=200), nullable=False),
        sa.Column('min_age', sa.Integer(), nullable=True),
        sa.Column('children_expected', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('org_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['org_id'], ['organisation.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_activity_district_code', 'activity', ['district_code'], unique=False)
    op.create_index('ix_activity_status_lat_lon', 'activity', ['status', 'lat', 'lon'], unique=False)
    op.create_table(
        'activity_signup',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('activity_id', sa.Integer(), nullable=False),
        sa.Column('volunteer_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('position', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['activity_id'], ['activity.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['volunteer_id'], ['user.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('activity_id', 'volunteer_id'),
    )
    op.create_index('ix_activity_signup_volunteer_id', 'activity_signup', ['volunteer_id'], unique=False)


def downgrade():
    op.drop_index('ix_activity_signup_volunteer_id', table_name='activity_signup')
    op.drop_table('activity_signup')
    op.drop_index('ix_activity_status_lat_lon', table_name='activity')
    op.drop_index('ix_activity_district_code', table_name='activity')
    op.drop_table('activity')
