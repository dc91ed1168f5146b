"""Hubs and pack kinds can be retired: an active flag (existing rows stay active).

Revision ID: 8b12c0de0008
Revises: dd6055fc5d85
Create Date: 2026-11-23 17:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8b12c0de0008'
down_revision = 'dd6055fc5d85'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('hub') as batch_op:
        batch_op.add_column(sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False))
    with op.batch_alter_table('pack_kind') as batch_op:
        batch_op.add_column(sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade():
    with op.batch_alter_table('pack_kind') as batch_op:
        batch_op.drop_column('active')
    with op.batch_alter_table('hub') as batch_op:
        batch_op.drop_column('active')
