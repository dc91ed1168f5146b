"""Index child.consent_id: deleting consents (ON DELETE SET NULL) scanned every child per consent; the full
demo's reset spent about 29 s in DELETE FROM consent.

Revision ID: b018a0000018
Revises: b017a0000017
Create Date: 2026-12-06 16:10:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b018a0000018'
down_revision = 'b017a0000017'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_child_consent_id', 'child', ['consent_id'], unique=False)


def downgrade():
    op.drop_index('ix_child_consent_id', table_name='child')
