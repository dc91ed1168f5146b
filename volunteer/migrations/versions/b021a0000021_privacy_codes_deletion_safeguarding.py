"""Privacy notice and consents, SMS verification codes, account deletion, safeguarding checks (issue 19).

Revision ID: b021a0000021
Revises: b020a0000020
Create Date: 2026-12-06 18:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b021a0000021'
down_revision = 'b020a0000020'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'privacy_notice',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version', sa.String(length=20), nullable=False),
        sa.Column('text_zh', sa.Text(), nullable=False),
        sa.Column('text_en', sa.Text(), nullable=False),
        sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('version'),
    )
    op.create_index('ix_privacy_notice_published_at', 'privacy_notice', ['published_at'], unique=False)
    op.create_table(
        'privacy_consent',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('notice_id', sa.Integer(), nullable=False),
        sa.Column('given_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('via', sa.String(length=12), nullable=False),
        sa.ForeignKeyConstraint(['notice_id'], ['privacy_notice.id'], ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_privacy_consent_user_id', 'privacy_consent', ['user_id'], unique=False)
    op.create_table(
        'verification_code',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('purpose', sa.String(length=12), nullable=False),
        sa.Column('phone', sa.String(length=16), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('tries', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_verification_code_phone_purpose', 'verification_code', ['phone', 'purpose'], unique=False)
    op.create_table(
        'safeguarding_check',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=24), nullable=False),
        sa.Column('file_name', sa.String(length=255), nullable=False),
        sa.Column('content_type', sa.String(length=40), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('issued_on', sa.Date(), nullable=True),
        sa.Column('expires_on', sa.Date(), nullable=True),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('reason', sa.String(length=200), nullable=True),
        sa.Column('verified_by_id', sa.Integer(), nullable=True),
        sa.Column('verified_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['verified_by_id'], ['user.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_safeguarding_check_user_kind', 'safeguarding_check', ['user_id', 'kind'], unique=False)
    # Plain ALTER TABLE (SQLite 3.35+ drops columns too): a batch rebuild of user would drop the old table, and
    # SQLite would cascade-delete every row that refers to a user.
    op.add_column('user', sa.Column('deletion_requested_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('user', sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('signup_request', sa.Column('notice_id', sa.Integer(), nullable=True))


def downgrade():
    op.drop_column('signup_request', 'notice_id')
    op.drop_column('user', 'erased_at')
    op.drop_column('user', 'deletion_requested_at')
    op.drop_index('ix_safeguarding_check_user_kind', table_name='safeguarding_check')
    op.drop_table('safeguarding_check')
    op.drop_index('ix_verification_code_phone_purpose', table_name='verification_code')
    op.drop_table('verification_code')
    op.drop_index('ix_privacy_consent_user_id', table_name='privacy_consent')
    op.drop_table('privacy_consent')
    op.drop_index('ix_privacy_notice_published_at', table_name='privacy_notice')
    op.drop_table('privacy_notice')
