"""Outbox: the subject key as kind and id, the snapshot a message was built from, and the message
it must not overtake.

``concerns_type`` held a table name ("invitations"); ``concerns_kind`` holds what the message is
about ("invitation"), so the mail layer's queries need no other table's name.

Revision ID: 9bb8ab4c2b42
Revises: 371fdc5a6316
Create Date: 2026-11-30 12:08:29.700247

"""
import sqlalchemy as sa
from alembic import op

revision = "9bb8ab4c2b42"
down_revision = "371fdc5a6316"
branch_labels = None
depends_on = None

KINDS = {
    "events": "event", "invitations": "invitation", "registrations": "registration",
    "certificates": "certificate", "users": "user", "board_accounts": "board_account",
}


def _translate(source: str, target: str, mapping: dict) -> None:
    table = sa.table("outbox_messages", sa.column(source, sa.String), sa.column(target, sa.String))
    for old, new in mapping.items():
        op.execute(table.update().where(table.c[source] == old).values({target: new}))


FOREIGN_KEY = "fk_outbox_messages_after_message_id_outbox_messages"


class _AttachmentsKept:
    """On SQLite a batch rebuilds outbox_messages, and dropping the old table with foreign keys on
    would cascade to its attachments: keep them aside and put them back."""

    def __enter__(self):
        self.sqlite = op.get_bind().dialect.name == "sqlite"
        if self.sqlite:
            op.execute("CREATE TEMPORARY TABLE kept_outbox_attachments AS SELECT * FROM outbox_attachments")

    def __exit__(self, *exc):
        if self.sqlite and exc[0] is None:
            op.execute("INSERT INTO outbox_attachments SELECT * FROM kept_outbox_attachments "
                       "WHERE id NOT IN (SELECT id FROM outbox_attachments)")
            op.execute("DROP TABLE kept_outbox_attachments")


def upgrade():
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("concerns_kind", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("snapshot", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("after_message_id", sa.Integer(), nullable=True))
    _translate("concerns_type", "concerns_kind", KINDS)
    with _AttachmentsKept(), op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_messages_concerns")
        batch_op.create_index("ix_outbox_messages_concerns", ["concerns_kind", "concerns_id"], unique=False)
        batch_op.create_index("ix_outbox_messages_after", ["after_message_id"], unique=False)
        batch_op.create_foreign_key(FOREIGN_KEY, "outbox_messages", ["after_message_id"], ["id"], ondelete="SET NULL")
        batch_op.drop_column("concerns_type")


def downgrade():
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("concerns_type", sa.String(length=64), nullable=True))
    _translate("concerns_kind", "concerns_type", {new: old for old, new in KINDS.items()})
    with _AttachmentsKept(), op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_constraint(FOREIGN_KEY, type_="foreignkey")
        batch_op.drop_index("ix_outbox_messages_after")
        batch_op.drop_index("ix_outbox_messages_concerns")
        batch_op.create_index("ix_outbox_messages_concerns", ["concerns_type", "concerns_id"], unique=False)
        batch_op.drop_column("after_message_id")
        batch_op.drop_column("snapshot")
        batch_op.drop_column("concerns_kind")
