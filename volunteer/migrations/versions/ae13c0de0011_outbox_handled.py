"""An event is done once its handlers have run (outbox_event.handled_at, outbox_handled), not once queued.

Events already dispatched before this revision count as handled: their jobs ran under the old rule.

Revision ID: ae13c0de0011
Revises: ab10ffe40010
Create Date: 2026-12-06 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'ae13c0de0011'
down_revision = 'ab10ffe40010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('handled_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_outbox_event_handled_at'), ['handled_at'], unique=False)
    op.execute("UPDATE outbox_event SET handled_at = dispatched_at WHERE dispatched_at IS NOT NULL")
    op.create_table(
        'outbox_handled',
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('handler', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('handled_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['event_id'], ['outbox_event.id'], name=op.f('fk_outbox_handled_event_id_outbox_event'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('event_id', 'handler', name=op.f('pk_outbox_handled')),
    )


def downgrade():
    op.drop_table('outbox_handled')
    with op.batch_alter_table('outbox_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_event_handled_at'))
        batch_op.drop_column('handled_at')
