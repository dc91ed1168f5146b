"""At most one live visit per need (a partial unique index), job leases (job_lease), and the visits a
proposal made as rows (autoassign_visit) instead of a JSON list rewritten after every visit.

Needs that already have more than one live visit (two confirm runs raced) keep their earliest; the later
duplicates are cancelled, so the index can be built.

Revision ID: af13c0de0012
Revises: ae13c0de0011
Create Date: 2026-12-06 10:00:00

"""
from alembic import op
import json

import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'af13c0de0012'
down_revision = 'ae13c0de0011'
branch_labels = None
depends_on = None

LIVE = "status IN ('proposed', 'offered', 'accepted', 'checked_in')"


def upgrade():
    op.execute(f"UPDATE visit SET status = 'cancelled' WHERE {LIVE} AND id > "  # nosec B608 # constant SQL, no input
               f"(SELECT MIN(v2.id) FROM visit v2 WHERE v2.need_id = visit.need_id AND v2.{LIVE})")
    op.create_index('uq_visit_live_need', 'visit', ['need_id'], unique=True,
                    sqlite_where=sa.text(LIVE), postgresql_where=sa.text(LIVE))
    op.create_table(
        'job_lease',
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('owner', sa.String(length=64), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_job_lease')),
    )
    # Read the lists first: SQLite's batch mode rebuilds autoassign_proposal, and dropping the old table
    # would cascade to rows already pointing at it.
    conn = op.get_bind()
    visits = {v for (v,) in conn.execute(sa.text("SELECT id FROM visit"))}
    rows = [{"p": pid, "n": int(need), "v": int(visit)}
            for pid, confirmed in conn.execute(sa.text("SELECT id, confirmed FROM autoassign_proposal")).all()
            for need, visit in json.loads(confirmed or "{}").items() if int(visit) in visits]
    with op.batch_alter_table('autoassign_proposal', schema=None) as batch_op:
        batch_op.drop_column('confirmed')
    op.create_table(
        'autoassign_visit',
        sa.Column('proposal_id', sa.Integer(), nullable=False),
        sa.Column('need_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('visit_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['proposal_id'], ['autoassign_proposal.id'],
                                name=op.f('fk_autoassign_visit_proposal_id_autoassign_proposal'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['visit_id'], ['visit.id'], name=op.f('fk_autoassign_visit_visit_id_visit'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('proposal_id', 'need_id', name=op.f('pk_autoassign_visit')),
    )
    op.create_index(op.f('ix_autoassign_visit_visit_id'), 'autoassign_visit', ['visit_id'], unique=False)
    if rows:
        conn.execute(sa.text("INSERT INTO autoassign_visit (proposal_id, need_id, visit_id) VALUES (:p, :n, :v)"), rows)


def downgrade():
    conn = op.get_bind()
    kept = {}
    for pid, need, visit in conn.execute(sa.text("SELECT proposal_id, need_id, visit_id FROM autoassign_visit")).all():
        kept.setdefault(pid, {})[str(need)] = visit
    op.drop_index(op.f('ix_autoassign_visit_visit_id'), table_name='autoassign_visit')
    op.drop_table('autoassign_visit')
    with op.batch_alter_table('autoassign_proposal', schema=None) as batch_op:
        batch_op.add_column(sa.Column('confirmed', sa.Text(), nullable=False, server_default='{}'))
    for pid, confirmed in kept.items():
        conn.execute(sa.text("UPDATE autoassign_proposal SET confirmed = :c WHERE id = :p"),
                     {"c": json.dumps(confirmed), "p": pid})
    op.drop_table('job_lease')
    op.drop_index('uq_visit_live_need', table_name='visit')
