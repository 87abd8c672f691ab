"""A participant's sex, optional (never required, never guessed), for the participants report

Revision ID: e9fbf10790f6
Revises: b0df41beedd0
Create Date: 2026-11-30 17:58:39.622113

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e9fbf10790f6'
down_revision = 'b0df41beedd0'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sex', sa.Enum('female', 'male', name='sex', native_enum=False, length=10), nullable=True))



def downgrade():
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.drop_column('sex')

