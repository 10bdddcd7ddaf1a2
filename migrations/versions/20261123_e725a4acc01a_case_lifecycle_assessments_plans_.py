"""case lifecycle: assessments, plans, closure, case events

Revision ID: e725a4acc01a
Revises: c506195ca390
Create Date: 2026-11-23 02:45:48.919552

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e725a4acc01a"
down_revision = "c506195ca390"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "baseline",
                "reassessment",
                "closure",
                name="assessmentkind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("strengths_personal", sa.Text(), nullable=False),
        sa.Column("strengths_family", sa.Text(), nullable=False),
        sa.Column("strengths_community", sa.Text(), nullable=False),
        sa.Column("needs", sa.Text(), nullable=False),
        sa.Column("client_view", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_assessments_case_id_cases"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_assessments_recorded_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessments")),
    )
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.create_index("ix_assessments_case_date", ["case_id", "assessed_on"], unique=False)

    op.create_table(
        "case_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "phase",
                "risk",
                "transfer",
                "supervision_note",
                "closure_requested",
                "closure_approved",
                "closure_returned",
                "closed",
                "reopened",
                name="caseeventkind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("old_value", sa.String(length=64), nullable=False),
        sa.Column("new_value", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_case_events_case_id_cases"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_case_events_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_events")),
    )
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.create_index("ix_case_events_case", ["case_id", "occurred_at"], unique=False)

    op.create_table(
        "post_closure_follow_ups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_by_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_post_closure_follow_ups_case_id_cases"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["done_by_id"],
            ["users.id"],
            name=op.f("fk_post_closure_follow_ups_done_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_post_closure_follow_ups")),
    )
    with op.batch_alter_table("post_closure_follow_ups", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_post_closure_follow_ups_case_id"), ["case_id"], unique=False
        )
        batch_op.create_index("ix_post_closure_follow_ups_due", ["done_at", "due_on"], unique=False)

    op.create_table(
        "service_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("agreed_by", sa.String(length=200), nullable=False),
        sa.Column("agreed_on", sa.Date(), nullable=True),
        sa.Column(
            "agreement_method",
            sa.Enum(
                "in_person", "signed", "phone", name="agreementmethod", native_enum=False, length=32
            ),
            nullable=True,
        ),
        sa.Column("review_on", sa.Date(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_service_plans_case_id_cases"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_service_plans_updated_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_plans")),
        sa.UniqueConstraint("case_id", name=op.f("uq_service_plans_case_id")),
    )
    op.create_table(
        "assessment_scores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column(
            "domain",
            sa.Enum(
                "housing",
                "income",
                "food",
                "health",
                "mental_health",
                "substance_use",
                "employment",
                "transportation",
                "legal",
                "safety",
                "social_support",
                "life_skills",
                name="lifedomain",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("narrative", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "score BETWEEN 1 AND 5", name=op.f("ck_assessment_scores_score_one_to_five")
        ),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessments.id"],
            name=op.f("fk_assessment_scores_assessment_id_assessments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_scores")),
        sa.UniqueConstraint("assessment_id", "domain", name="uq_assessment_scores_domain"),
    )
    op.create_table(
        "closure_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column(
            "reason",
            sa.Enum(
                "goals_met",
                "disengaged",
                "moved",
                "transferred",
                "deceased",
                "other",
                name="closurereason",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("goal_outcomes", sa.JSON(), nullable=False),
        sa.Column("closure_assessment_id", sa.Integer(), nullable=True),
        sa.Column("taken_over_by", sa.String(length=200), nullable=False),
        sa.Column(
            "warm_handoff",
            sa.Enum(
                "done",
                "not_done",
                "not_applicable",
                name="warmhandoff",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("follow_up_dates", sa.JSON(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "approved",
                "returned",
                name="closurestatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_closure_requests_case_id_cases"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["closure_assessment_id"],
            ["assessments.id"],
            name=op.f("fk_closure_requests_closure_assessment_id_assessments"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_closure_requests_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["users.id"],
            name=op.f("fk_closure_requests_requested_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_closure_requests")),
    )
    with op.batch_alter_table("closure_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_closure_requests_case_id"), ["case_id"], unique=False)
        batch_op.create_index("ix_closure_requests_status", ["status"], unique=False)

    op.create_table(
        "goals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column(
            "domain",
            sa.Enum(
                "housing",
                "income",
                "food",
                "health",
                "mental_health",
                "substance_use",
                "employment",
                "transportation",
                "legal",
                "safety",
                "social_support",
                "life_skills",
                name="lifedomain",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("measure", sa.Text(), nullable=False),
        sa.Column("target_on", sa.Date(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "not_started",
                "in_progress",
                "met",
                "partly_met",
                "not_met",
                "dropped",
                name="goalstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["service_plans.id"],
            name=op.f("fk_goals_plan_id_service_plans"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goals")),
    )
    with op.batch_alter_table("goals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_goals_plan_id"), ["plan_id"], unique=False)

    op.create_table(
        "plan_tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column(
            "responsible",
            sa.Enum(
                "client",
                "case_manager",
                "provider",
                "support_person",
                name="taskowner",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["goal_id"], ["goals.id"], name=op.f("fk_plan_tasks_goal_id_goals"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_tasks")),
    )
    with op.batch_alter_table("plan_tasks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_tasks_goal_id"), ["goal_id"], unique=False)

    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "loop_back_phase",
                sa.Enum(
                    "intake",
                    "assessment",
                    "planning",
                    "implementation",
                    "monitoring",
                    "closed",
                    name="phase",
                    native_enum=False,
                    length=32,
                ),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("loop_back_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("handoff_pending", sa.Boolean(), nullable=False, server_default=sa.false())
        )

    with op.batch_alter_table("programs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "closure_approval",
                sa.Enum(
                    "always",
                    "high_risk",
                    "never",
                    name="closureapproval",
                    native_enum=False,
                    length=32,
                ),
                nullable=False,
                server_default="high_risk",
            )
        )
        batch_op.add_column(
            sa.Column(
                "assessment_domains", sa.String(length=400), nullable=False, server_default=""
            )
        )

    # Intensive and clinical programs close only with a supervisor's approval (PRODUCT.md defaults).
    op.execute(
        "UPDATE programs SET closure_approval = 'always' WHERE model IN ('intensive', 'clinical')"
    )

    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("goal_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_referrals_goal_id"), ["goal_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_referrals_goal_id_goals"),
            "goals",
            ["goal_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_referrals_goal_id_goals"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_referrals_goal_id"))
        batch_op.drop_column("goal_id")

    with op.batch_alter_table("programs", schema=None) as batch_op:
        batch_op.drop_column("assessment_domains")
        batch_op.drop_column("closure_approval")

    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("handoff_pending")
        batch_op.drop_column("loop_back_at")
        batch_op.drop_column("loop_back_phase")

    with op.batch_alter_table("plan_tasks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_tasks_goal_id"))

    op.drop_table("plan_tasks")
    with op.batch_alter_table("goals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_goals_plan_id"))

    op.drop_table("goals")
    with op.batch_alter_table("closure_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_closure_requests_status")
        batch_op.drop_index(batch_op.f("ix_closure_requests_case_id"))

    op.drop_table("closure_requests")
    op.drop_table("assessment_scores")
    op.drop_table("service_plans")
    with op.batch_alter_table("post_closure_follow_ups", schema=None) as batch_op:
        batch_op.drop_index("ix_post_closure_follow_ups_due")
        batch_op.drop_index(batch_op.f("ix_post_closure_follow_ups_case_id"))

    op.drop_table("post_closure_follow_ups")
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.drop_index("ix_case_events_case")

    op.drop_table("case_events")
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.drop_index("ix_assessments_case_date")

    op.drop_table("assessments")
