"""merge visits wishes logistics

Revision ID: dd6055fc5d85
Revises: 5a11c0de0005, 6a11c0de0006, 7a11c0de0007
Create Date: 2026-11-23 14:28:25.241490

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'dd6055fc5d85'
down_revision = ('5a11c0de0005', '6a11c0de0006', '7a11c0de0007')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
