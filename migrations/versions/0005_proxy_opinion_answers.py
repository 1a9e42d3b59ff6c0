"""group opinion answers: who entered a paper answer on the expert's behalf (代录)

Revision ID: 3b8f0e6d2a41
Revises: 7d3e5a1c9b20
Create Date: 2026-12-08 00:20:00

"""
import sqlalchemy as sa
from alembic import op

revision = '3b8f0e6d2a41'
down_revision = '7d3e5a1c9b20'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('review_opinion_confirmations') as batch_op:
        batch_op.add_column(sa.Column('entered_by_proxy_user_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_review_opinion_confirmations_entered_by_proxy_user_id_users'),
            'users', ['entered_by_proxy_user_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('review_opinion_confirmations') as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_review_opinion_confirmations_entered_by_proxy_user_id_users'),
            type_='foreignkey')
        batch_op.drop_column('entered_by_proxy_user_id')
