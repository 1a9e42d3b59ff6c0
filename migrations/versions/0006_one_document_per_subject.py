"""one document per subject and kind: a second issue is refused, not numbered

Revision ID: 5d1e0a7c2b94
Revises: 3b8f0e6d2a41
Create Date: 2026-12-10 10:02:11.000000

A subject (an application, a session, a round...) has one number per kind
of document; corrections are new versions of that number. The unique index
backs the check in ``reports/services.py`` (``request_issue``). Documents
without a subject have a NULL subject_id, which never clashes.

A database holding a subject issued twice under two numbers cannot take the
index; the upgrade stops and names those documents, since which number
stands is for the secretariat to decide, not for a migration.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '5d1e0a7c2b94'
down_revision = '3b8f0e6d2a41'
branch_labels = None
depends_on = None

issued_documents = sa.table(
    'issued_documents',
    sa.column('kind', sa.String),
    sa.column('subject_type', sa.String),
    sa.column('subject_id', sa.Integer),
    sa.column('version', sa.Integer),
    sa.column('year', sa.Integer),
    sa.column('sequence', sa.Integer),
    sa.column('number', sa.String),
)


def upgrade():
    documents = issued_documents.c
    twice = (
        sa.select(documents.kind, documents.subject_type, documents.subject_id)
        .where(documents.subject_id.is_not(None), documents.version == 1)
        .group_by(documents.kind, documents.subject_type, documents.subject_id)
        .having(sa.func.count() > 1)
        .subquery()
    )
    clashes = op.get_bind().execute(
        sa.select(documents.kind, documents.subject_id, documents.number)
        .join(twice, sa.and_(documents.kind == twice.c.kind,
                             documents.subject_type == twice.c.subject_type,
                             documents.subject_id == twice.c.subject_id))
        .where(documents.version == 1)
        .order_by(documents.kind, documents.subject_id, documents.year, documents.sequence)
    ).all()
    if clashes:
        listed = "; ".join(f"{kind} #{subject}: {number}" for kind, subject, number in clashes)
        raise RuntimeError(
            "These subjects were issued the same kind of document under several numbers; "
            f"decide which number stands before upgrading: {listed}")
    with op.batch_alter_table('issued_documents', schema=None) as batch_op:
        batch_op.create_index('uq_issued_documents_kind_subject',
                              ['kind', 'subject_type', 'subject_id', 'version'], unique=True)


def downgrade():
    with op.batch_alter_table('issued_documents', schema=None) as batch_op:
        batch_op.drop_index('uq_issued_documents_kind_subject')
