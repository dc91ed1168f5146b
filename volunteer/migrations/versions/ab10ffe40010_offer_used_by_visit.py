"""An accepted near-me offer is used once: the visit planned from it (offer.visit_id, status "planned").

Offers already used by a visit planned from them (source "offer", with the volunteer, made after the
offer was accepted) are marked so; the rest stay as they are.

Revision ID: ab10ffe40010
Revises: 9c13c0de0009
Create Date: 2026-11-24 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'ab10ffe40010'
down_revision = '9c13c0de0009'
branch_labels = None
depends_on = None

USED_BY = """(SELECT MIN(v.id) FROM visit v JOIN visit_assignee a ON a.visit_id = v.id
              WHERE v.need_id = offer.need_id AND a.user_id = offer.volunteer_id AND v.source = 'offer'
                AND v.created_at >= offer.decided_at)"""


def upgrade():
    with op.batch_alter_table('offer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('visit_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_offer_visit_id'), ['visit_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_offer_visit_id_visit'), 'visit', ['visit_id'], ['id'],
                                    ondelete='SET NULL')
    op.execute(f"UPDATE offer SET status = 'planned', visit_id = {USED_BY} "  # nosec B608 # constant SQL, no input
               f"WHERE status = 'accepted' AND {USED_BY} IS NOT NULL")


def downgrade():
    op.execute("UPDATE offer SET status = 'accepted' WHERE status = 'planned'")
    with op.batch_alter_table('offer', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_offer_visit_id_visit'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_offer_visit_id'))
        batch_op.drop_column('visit_id')
