"""Offline actions: idempotency keys, and when an offline check-in, check-out or report arrived (issue 20).

Revision ID: b022a0000022
Revises: b021a0000021
Create Date: 2026-12-06 18:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b022a0000022'
down_revision = 'b021a0000021'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'idempotency_key',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('endpoint', sa.String(length=80), nullable=False),
        sa.Column('status_code', sa.Integer(), nullable=True),
        sa.Column('response', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('user_id', 'key'),
    )
    op.create_index('ix_idempotency_key_expires_at', 'idempotency_key', ['expires_at'], unique=False)
    # Plain ALTER TABLE (SQLite 3.35+ drops columns too): a batch rebuild of visit or visit_report would drop the
    # old table, and SQLite would cascade-delete their assignees, reports and photos.
    op.add_column('visit', sa.Column('check_in_synced_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('visit', sa.Column('check_out_synced_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('visit_report', sa.Column('synced_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    op.drop_column('visit_report', 'synced_at')
    op.drop_column('visit', 'check_out_synced_at')
    op.drop_column('visit', 'check_in_synced_at')
    op.drop_index('ix_idempotency_key_expires_at', table_name='idempotency_key')
    op.drop_table('idempotency_key')
