"""Invitations to join an organisation (org_invitation): membership needs the invited person's yes.

Revision ID: b014b0000014
Revises: b014a0000013
Create Date: 2026-12-06 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b014b0000014'
down_revision = 'b014a0000013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'org_invitation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('phone', sa.String(length=20), nullable=False),
        sa.Column('role', sa.String(length=16), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('round', sa.Integer(), nullable=False),
        sa.Column('invited_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['invited_by_id'], ['user.id'], name=op.f('fk_org_invitation_invited_by_id_user'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'],
                                name=op.f('fk_org_invitation_organisation_id_organisation'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_org_invitation')),
        sa.UniqueConstraint('organisation_id', 'phone', name=op.f('uq_org_invitation_organisation_id_phone')),
    )
    with op.batch_alter_table('org_invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_org_invitation_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_org_invitation_phone'), ['phone'], unique=False)


def downgrade():
    with op.batch_alter_table('org_invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_org_invitation_phone'))
        batch_op.drop_index(batch_op.f('ix_org_invitation_organisation_id'))
    op.drop_table('org_invitation')
