"""seed the expertise fields: the taxonomy of the official import template

Revision ID: 0c44c10a9cbe
Revises: f40b77f49f59
Create Date: 2026-12-07 09:12:41.508153

A data migration: a database made by ``db upgrade`` alone must accept the
专业领域 of the official expert import template, without ``demo load``.
Each seeded field is inserted only where no field of that name exists, and
nothing else is touched: a database that has its taxonomy already keeps it
as it is. From then on the taxonomy is the administrators' to edit; this
migration runs once, so a field they rename or deactivate stays so.

The names are written out here rather than imported from the app, so that
the migration stays what it was when it ran, whatever the models and
constants become (thinktank/vocabulary.py SEED_FIELDS holds the same
list, for ``demo load`` and the tests).
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0c44c10a9cbe'
down_revision = 'f40b77f49f59'
branch_labels = None
depends_on = None

SEEDED_FIELDS = (
    '生物医药', '生物化工', '新食品', '生物材料', '生物能源', '酶制剂', '中试与工程化',
    '产业规划', '政策研究', '投融资', '标准制定', '知识产权', '生物安全', '法规伦理',
    '数字化与智能制造',
)

expertise_fields = sa.table(
    'expertise_fields',
    sa.column('name', sa.String),
    sa.column('position', sa.Integer),
    sa.column('active', sa.Boolean),
)


def upgrade():
    # INSERT ... SELECT ... WHERE NOT EXISTS: one statement per field, which
    # also renders as plain SQL for `db upgrade --sql`.
    for position, name in enumerate(SEEDED_FIELDS):
        absent = ~sa.exists().where(expertise_fields.c.name == name)
        op.execute(expertise_fields.insert().from_select(
            ['name', 'position', 'active'],
            sa.select(sa.literal(name, sa.String), sa.literal(position, sa.Integer),
                      sa.true()).where(absent),
        ))


def downgrade():
    # The fields stay: experts may be filed under them, and administrators
    # may have edited them since.
    pass
