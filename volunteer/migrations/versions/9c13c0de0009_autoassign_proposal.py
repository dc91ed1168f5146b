"""Auto-assign proposals in a table (they lived only in the job's meta in Redis).

Revision ID: 9c13c0de0009
Revises: 8b12c0de0008
Create Date: 2026-11-23 17:10:00

"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = '9c13c0de0009'
down_revision = '8b12c0de0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('autoassign_proposal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rq_id', sa.String(length=64), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('choices', sa.Text(), nullable=False),
    sa.Column('confirmed', sa.Text(), nullable=False),
    sa.Column('errors', sa.Text(), nullable=False),
    sa.Column('result', sa.Text(), nullable=False),
    sa.Column('confirm_job', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['owner_id'], ['user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('rq_id')
    )
    with op.batch_alter_table('autoassign_proposal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_autoassign_proposal_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_autoassign_proposal_owner_id'), ['owner_id'], unique=False)


def downgrade():
    with op.batch_alter_table('autoassign_proposal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_autoassign_proposal_owner_id'))
        batch_op.drop_index(batch_op.f('ix_autoassign_proposal_expires_at'))
    op.drop_table('autoassign_proposal')
