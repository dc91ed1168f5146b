"""A service is counted by form and by content (defaults per service type, a visit may override), and by the
children it served (person-times).

Revision ID: b017a0000017
Revises: b016a0000016
Create Date: 2026-12-06 15:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b017a0000017'
down_revision = 'b016a0000016'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER TABLE (no batch rebuild of visit on SQLite: its rows are referenced by many tables).
    op.add_column('visit', sa.Column('service_form', sa.String(length=24), nullable=True))
    op.add_column('visit', sa.Column('service_content', sa.String(length=24), nullable=True))
    op.add_column('visit', sa.Column('children_served', sa.Integer(), nullable=False, server_default='1'))


def downgrade():
    op.drop_column('visit', 'children_served')
    op.drop_column('visit', 'service_content')
    op.drop_column('visit', 'service_form')
