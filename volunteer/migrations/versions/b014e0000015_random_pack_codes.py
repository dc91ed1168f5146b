"""Pack codes say nothing about the child: unique per campaign (not across campaigns), up to 24 characters;
packs of proposals not yet confirmed get a random code in place of one built from the child's id (confirmed
packs keep theirs: their labels may be printed).

Revision ID: b014e0000015
Revises: b014b0000014
Create Date: 2026-12-06 10:00:00

"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b014e0000015'
down_revision = 'b014b0000014'
branch_labels = None
depends_on = None

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"  # as volunteer/logistics/allocation.py


def upgrade():
    # No table refers to allocation, so SQLite's batch rebuild loses nothing.
    with op.batch_alter_table('allocation', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_allocation_code'), type_='unique')
        batch_op.alter_column('code', existing_type=sa.String(length=16), type_=sa.String(length=24),
                              existing_nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_allocation_campaign_id_code'), ['campaign_id', 'code'])
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, campaign_id, kind_id FROM allocation WHERE status = 'proposed'")).all()
    for id_, campaign_id, kind_id in rows:
        code = f"{campaign_id}-{kind_id}-" + "".join(secrets.choice(ALPHABET) for _ in range(8))
        conn.execute(sa.text("UPDATE allocation SET code = :code WHERE id = :id"), {"code": code, "id": id_})


def downgrade():
    with op.batch_alter_table('allocation', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_allocation_campaign_id_code'), type_='unique')
        batch_op.alter_column('code', existing_type=sa.String(length=24), type_=sa.String(length=16),
                              existing_nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_allocation_code'), ['code'])
