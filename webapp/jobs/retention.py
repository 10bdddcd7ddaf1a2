"""`flask retention report` and `flask retention apply`: what the programs' retention policies
would anonymise, and anonymising it in batches, one commit per batch.

Apply is given the digest a report printed, and refuses without it, when the policy changed since,
or when the report is older than `REPORT_VALID_FOR`. It anonymises only clients of that report,
each re-checked in its batch (a case opened, a hold placed or a self-intake sent since the report
takes them out). Stopped half-way, it is run again with the same digest and carries on: a client
already anonymised is passed over."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from webapp import database
from webapp.extensions import db
from webapp.models import AuditAction, Client, RetentionRun, utcnow
from webapp.queries import retention as queries
from webapp.services import audit, documents
from webapp.services import retention as services
from webapp.timeutil import local_today

REPORT_VALID_FOR = timedelta(days=7)
DIGEST_SHOWN = 16  # hex characters printed, and the fewest apply accepts
COUNTED_PER_QUERY = 1000  # ids in one IN (): SQLite allows 32766 parameters


class ApplyRefused(Exception):
    """Apply cannot go ahead; the message says why and what to run."""


@dataclass(frozen=True)
class Applied:
    run: RetentionRun
    anonymised: int  # by this apply
    skipped: int  # in the report, but no longer qualifying
    batches: int


def make_report() -> tuple[queries.Report, RetentionRun]:
    """The report for today's policy, kept so apply can be given its digest."""
    db.session.rollback()
    with database.writes():
        report = queries.report(queries.current_policy(), local_today(), utcnow())
        run = services.record_report(report)
        db.session.commit()
    return report, run


def _find(digest: str) -> RetentionRun:
    digest = digest.strip().lower()
    if len(digest) < DIGEST_SHOWN:
        raise ApplyRefused(
            f"Give the digest `flask retention report` printed ({DIGEST_SHOWN} characters)."
        )
    runs = db.session.scalars(
        sa.select(RetentionRun).where(RetentionRun.digest.startswith(digest, autoescape=True))
    ).all()
    if len(runs) != 1:
        raise ApplyRefused("No report has this digest: run `flask retention report` first.")
    return runs[0]


def apply(digest: str, *, batch_size: int = 100, stop_after: int | None = None) -> Applied:
    """Anonymise the clients of the report with this digest, `batch_size` per commit.
    `stop_after` (batches) is for tests of a run stopped half-way."""
    run = _find(digest)
    if run.policy != queries.current_policy():
        raise ApplyRefused(
            "The retention policy changed since this report: run `flask retention report` again."
        )
    if utcnow() - run.reported_at > REPORT_VALID_FOR:
        raise ApplyRefused(
            "This report is more than a week old: run `flask retention report` again."
        )
    policy, as_of, client_ids = run.policy, run.as_of, list(run.client_ids)
    run_id = run.id
    anonymised = skipped = batches = 0
    for start in range(0, len(client_ids), batch_size):
        if stop_after is not None and batches >= stop_after:
            break
        chunk = client_ids[start : start + batch_size]
        # End the read before, so the batch's transaction begins inside `writes()`.
        db.session.rollback()
        with database.writes():
            locked = sa.select(Client).where(Client.id.in_(chunk)).order_by(Client.id)
            # On PostgreSQL the batch's clients are locked; SQLite took its write lock.
            db.session.scalars(locked.with_for_update()).all()
            qualifying = set(queries.still_eligible(chunk, policy, as_of, utcnow()))
            for client in db.session.scalars(locked):
                if client.id in qualifying:
                    anonymised += services.anonymise(client)
                elif client.anonymised_at is None:
                    skipped += 1
            run = db.session.get(RetentionRun, run_id)
            run.applied_at = run.applied_at or utcnow()
            db.session.commit()
        # The files of their documents, once the rows saying they are gone are committed.
        directory = Path(current_app.config["DOCUMENT_DIR"])
        for stored_name in queries.removed_files(chunk):
            documents.remove_file(directory, stored_name)
        batches += 1
    db.session.rollback()
    with database.writes():
        run = db.session.get(RetentionRun, run_id)
        done = sum(
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(Client)
                .where(
                    Client.id.in_(client_ids[start : start + COUNTED_PER_QUERY]),
                    Client.anonymised_at.is_not(None),
                )
            )
            for start in range(0, len(client_ids), COUNTED_PER_QUERY)
        )
        run.anonymised, run.skipped = done, len(client_ids) - done
        if stop_after is None or batches < stop_after:
            run.finished_at = run.finished_at or utcnow()
        audit.record(AuditAction.UPDATE, "retention_run", run.id)
        db.session.commit()
    return Applied(run, anonymised, skipped, batches)
