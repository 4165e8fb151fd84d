"""Policy versions: the `policies` row becomes version 1 (active) of a governed life cycle,
and every score and stage records the version that produced it.

Revision ID: c3d9e1f2a7b4
Revises: c3a9d2e4f1b7
Create Date: 2026-12-02 09:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = "c3d9e1f2a7b4"
down_revision: str | Sequence[str] | None = "c3a9d2e4f1b7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Once proposed, a version's content is frozen and it is never deleted: what decided a
# request stays readable as it was. Only the life-cycle columns may still move.
FROZEN = """
CREATE FUNCTION policies_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.status <> 'draft' THEN
            RAISE EXCEPTION 'policy version % is % and cannot be deleted', OLD.version, OLD.status
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.status <> 'draft' AND (
        NEW.document IS DISTINCT FROM OLD.document
        OR NEW.name IS DISTINCT FROM OLD.name
        OR NEW.version IS DISTINCT FROM OLD.version
        OR NEW.reason IS DISTINCT FROM OLD.reason
        OR NEW.created_by IS DISTINCT FROM OLD.created_by
        OR NEW.proposed_by IS DISTINCT FROM OLD.proposed_by
    ) THEN
        RAISE EXCEPTION 'policy version % is % and immutable', OLD.version, OLD.status
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END $$;
"""

USER_COLUMNS = ("created_by", "proposed_by", "approved_by", "activated_by")


def upgrade() -> None:
    op.add_column("policies", sa.Column("id", sa.Uuid(), nullable=True))
    op.execute("UPDATE policies SET id = gen_random_uuid()")
    op.alter_column("policies", "id", nullable=False)
    op.drop_constraint("pk_policies", "policies", type_="primary")
    op.create_primary_key("pk_policies", "policies", ["id"])
    op.add_column(
        "policies",
        sa.Column("status", sa.String(length=16), nullable=False, server_default="draft"),
    )
    op.alter_column("policies", "status", server_default=None)
    op.add_column("policies", sa.Column("reason", sa.Text(), nullable=True))
    for column in USER_COLUMNS:
        op.add_column("policies", sa.Column(column, sa.Uuid(), nullable=True))
        op.create_foreign_key(
            op.f(f"fk_policies_{column}_users"), "policies", "users", [column], ["id"]
        )
    op.add_column(
        "policies",
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
    )
    for column in ("proposed_at", "approved_at", "activated_at", "active_from", "retired_at"):
        op.add_column("policies", sa.Column(column, sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "policies",
        sa.Column("simulation", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    )
    op.add_column("policies", sa.Column("simulated_at", sa.DateTime(timezone=True), nullable=True))
    # The document in force so far is version 1, active since the migration.
    op.execute(
        "UPDATE policies SET status = 'active', version = 1, "
        "reason = 'The policy in force before versions were kept.', "
        "activated_at = now(), active_from = now()"
    )
    op.create_unique_constraint(op.f("uq_policies_name"), "policies", ["name", "version"])
    op.create_check_constraint(
        op.f("ck_policies_status"),
        "policies",
        "status IN ('draft', 'proposed', 'approved', 'active', 'retired')",
    )
    op.create_index(
        "uq_policies_one_active",
        "policies",
        ["name"],
        unique=True,
        postgresql_where=sa.text("status = 'active'"),
    )
    op.execute(FROZEN)
    op.execute(
        "CREATE TRIGGER policies_frozen BEFORE UPDATE OR DELETE ON policies "
        "FOR EACH ROW EXECUTE FUNCTION policies_frozen()"
    )
    op.add_column("credit_requests", sa.Column("policy_version", sa.Integer(), nullable=True))
    op.add_column("approval_stages", sa.Column("policy_version", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column("approval_stages", "policy_version")
    op.drop_column("credit_requests", "policy_version")
    op.execute("DROP TRIGGER policies_frozen ON policies")
    op.execute("DROP FUNCTION policies_frozen()")
    # Only the active version survives a downgrade, as the single row it was.
    op.execute("DELETE FROM policies WHERE status <> 'active'")
    op.drop_index("uq_policies_one_active", table_name="policies")
    op.drop_constraint(op.f("ck_policies_status"), "policies", type_="check")
    op.drop_constraint(op.f("uq_policies_name"), "policies", type_="unique")
    for column in (
        "simulated_at",
        "simulation",
        "retired_at",
        "active_from",
        "activated_at",
        "approved_at",
        "proposed_at",
        "created_at",
        "reason",
        "status",
    ):
        op.drop_column("policies", column)
    for column in USER_COLUMNS:
        op.drop_constraint(op.f(f"fk_policies_{column}_users"), "policies", type_="foreignkey")
        op.drop_column("policies", column)
    op.drop_constraint("pk_policies", "policies", type_="primary")
    op.drop_column("policies", "id")
    op.create_primary_key("pk_policies", "policies", ["name"])
