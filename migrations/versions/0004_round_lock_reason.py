"""review rounds: the reason for locking the results with group opinions missing

Revision ID: 7d3e5a1c9b20
Revises: 0c44c10a9cbe
Create Date: 2026-12-08 00:10:00

"""
import sqlalchemy as sa
from alembic import op

revision = '7d3e5a1c9b20'
down_revision = '0c44c10a9cbe'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('review_rounds') as batch_op:
        batch_op.add_column(sa.Column('lock_reason', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('review_rounds') as batch_op:
        batch_op.drop_column('lock_reason')
