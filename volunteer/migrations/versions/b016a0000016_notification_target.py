"""Notifications say what they are about (target_kind, target_id): opening one lands on its subject.
Existing messages keep no target and open the inbox.

Revision ID: b016a0000016
Revises: b014e0000015
Create Date: 2026-12-08 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b016a0000016'
down_revision = 'b014e0000015'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER TABLE on both backends (SQLite 3.35+ drops columns too): no batch rebuild of notification,
    # which would cascade-delete its deliveries on SQLite.
    op.add_column('notification', sa.Column('target_kind', sa.String(length=24), nullable=True))
    op.add_column('notification', sa.Column('target_id', sa.Integer(), nullable=True))


def downgrade():
    op.drop_column('notification', 'target_id')
    op.drop_column('notification', 'target_kind')
