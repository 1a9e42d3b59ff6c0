"""page cache version: a row that every write moves, on SQLite (thinktank.pagecache)

Revision ID: f40b77f49f59
Revises: 236a137de7d6
Create Date: 2026-11-29 03:55:03.872172

"""
import sqlalchemy as sa
from alembic import op

revision = 'f40b77f49f59'
down_revision = '236a137de7d6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'cache_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_cache_version')),
    )


def downgrade():
    op.drop_table('cache_version')
