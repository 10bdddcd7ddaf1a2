"""Command-line tools: `flask users …`, `flask demo …`, `flask push …`, `flask reminders …`,
`flask hmis export` and `flask retention …` (`flask db …` comes from Flask-Migrate)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import AppGroup

from webapp.extensions import db
from webapp.models import Program, Role, User
from webapp.services import accounts

users_cli = AppGroup("users", help="Create staff accounts and set their passwords.")
demo_cli = AppGroup("demo", help="The demo organisation for trying Waymark out.")


@demo_cli.command("generate")
@click.option("--clients", type=click.IntRange(1, 2_000_000), default=1000, show_default=True)
@click.option("--contacts", type=click.IntRange(0, 20_000_000), default=10_000, show_default=True)
@click.option(
    "--seed", type=int, default=7, show_default=True, help="The same seed makes the same data."
)
def demo_generate(clients: int, contacts: int, seed: int) -> None:
    """Bulk-generate clients, cases, contacts and the rest, for benchmarks (not for real
    databases)."""
    import time

    from webapp.jobs import generate

    if generate.real_users_present():
        raise click.ClickException(
            "This database has real staff accounts: generated data goes in a database of its own."
        )
    started = time.perf_counter()
    result = generate.generate(clients=clients, contacts=contacts, seed=seed)
    db.session.commit()
    click.echo(
        f"Generated {result} in {time.perf_counter() - started:.1f} s. "
        f"Staff sign in with the password {generate.PASSWORD!r}."
    )


directory_cli = AppGroup(
    "directory", help="The provider directory in Open Referral (HSDS 3.0) form."
)


@directory_cli.command("validate")
@click.argument(
    "file", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=False
)
@click.option(
    "--schema-dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="The specification's schema folder (a checkout of openreferral/specification, schema/, "
    "or tests/vendor/hsds-3.0/schema): checks against its compiled/organization.json and "
    "service.json (or .json.gz) instead of Waymark's reading of them.",
)
def directory_validate(file: Path | None, schema_dir: Path | None) -> None:
    """Check an HSDS JSON file or zip, or (without FILE) the directory as Waymark exports it.
    Formats (uri, email, uuid, date-time) are checked."""
    from webapp.hsds import export, importer

    try:
        contents = (
            importer.read(file.name, file.read_bytes())
            if file
            else importer.Contents(organizations=export.as_json()["contents"])
        )
    except importer.UnreadableFile as error:
        raise click.ClickException(str(error)) from None
    schemas: dict[str, dict | None] = {"organization": None, "service": None}
    if schema_dir is not None:
        schemas["organization"] = _compiled_schema(schema_dir, "organization")
        if contents.services:
            schemas["service"] = _compiled_schema(schema_dir, "service")
    problems = importer.schema_problems(contents, schemas["organization"], schemas["service"])
    for problem in problems:
        click.echo(problem)
    counted = ", ".join(
        f"{len(records)} {label}"
        for label, records in (
            ("organizations", contents.organizations),
            ("services", contents.services),
        )
        if records or label == "organizations"
    )
    if problems:
        raise click.ClickException(f"{len(problems)} problems in {counted}.")
    click.echo(f"{counted} pass.")


def _compiled_schema(schema_dir: Path, name: str) -> dict:
    import gzip
    import json

    compiled = schema_dir / "compiled" / f"{name}.json"
    if compiled.is_file():
        return json.loads(compiled.read_text(encoding="utf-8"))
    packed = compiled.with_name(f"{name}.json.gz")
    if packed.is_file():
        return json.loads(gzip.decompress(packed.read_bytes()).decode("utf-8"))
    raise click.ClickException(f"{compiled} is not there: give the specification's schema folder.")


push_cli = AppGroup("push", help="Web push: the server's VAPID keys, and test notifications.")
reminders_cli = AppGroup("reminders", help="Send due reminders to people's devices.")


@push_cli.command("keys")
@click.option(
    "--rotate", is_flag=True, help="Make new keys. Every device must then turn reminders on again."
)
def push_keys(rotate: bool) -> None:
    """Show the public key browsers subscribe with (made on first use), or rotate the key pair."""
    from webapp import web_push
    from webapp.models import PushSubscription

    if rotate:
        if current_app.config.get("VAPID_PRIVATE_KEY"):
            raise click.ClickException("The keys come from the environment; change them there.")
        count = db.session.scalar(sa.select(sa.func.count()).select_from(PushSubscription))
        click.confirm(
            f"New keys end all {count} device subscriptions (push services refuse the old ones). "
            "Go on?",
            abort=True,
        )
        web_push.write_new_keys()
        db.session.execute(sa.delete(PushSubscription))
        db.session.commit()
        click.echo(f"New keys made; {count} subscriptions removed.")
    click.echo(f"Public key (applicationServerKey): {web_push.vapid_keys().application_server_key}")
    click.echo(f"Subject: {current_app.config['VAPID_SUBJECT']}")


@push_cli.command("test")
@click.argument("email")
def push_test(email: str) -> None:
    """Send a test notification to every device of one user."""
    from webapp.services import push as push_service

    results = push_service.send_test(_user_by_email(email))
    db.session.commit()
    if not results:
        raise click.ClickException(f"{email} has no device with reminders turned on.")
    for label, outcome in results:
        click.echo(f"{label}: {outcome}")


retention_cli = AppGroup(
    "retention",
    help="Anonymise clients whose closed cases were kept as long as their programs say.",
)


@retention_cli.command("report")
def retention_report() -> None:
    """List who the programs' retention policies would anonymise today (IDs, never names), and
    print the digest `flask retention apply` needs."""
    from webapp.jobs import retention

    report, run = retention.make_report()
    if not report.policy:
        click.echo("No program has a retention policy: every record is kept.")
    for name, cases in report.cases_by_program.items():
        click.echo(f"{name}: {cases} closed cases")
    for found in report.clients:
        closed = found.last_closed.strftime("%Y-%m")
        cases = "1 case" if found.cases == 1 else f"{found.cases} cases"
        click.echo(f"  {found.display_id}  {cases}, last closed {closed}")
    click.echo(f"{len(report.clients)} clients would be anonymised (as of {report.as_of}).")
    if report.clients:
        digest = run.digest[: retention.DIGEST_SHOWN]
        click.echo(f"Digest: {digest}")
        click.echo(f"To anonymise them: flask retention apply {digest}")


@retention_cli.command("apply")
@click.argument("digest")
@click.option("--batch-size", type=click.IntRange(1, 10_000), default=100, show_default=True)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def retention_apply(digest: str, batch_size: int, yes: bool) -> None:
    """Anonymise the clients of the report with DIGEST, a batch per commit; run it again to
    carry on after a stop."""
    from webapp.jobs import retention

    try:
        run = retention._find(digest)
    except retention.ApplyRefused as refused:
        raise click.ClickException(str(refused)) from None
    if not yes:
        click.confirm(
            f"Anonymise up to {len(run.client_ids)} clients of the report of "
            f"{run.reported_at:%Y-%m-%d %H:%M} UTC? This cannot be undone.",
            abort=True,
        )
    try:
        applied = retention.apply(digest, batch_size=batch_size)
    except retention.ApplyRefused as refused:
        raise click.ClickException(str(refused)) from None
    click.echo(
        f"{applied.anonymised} clients anonymised now, {applied.run.anonymised} of the report's "
        f"{len(applied.run.client_ids)} in all; {applied.skipped} no longer qualify and were kept."
    )


@reminders_cli.command("dispatch")
@click.option("--loop", "looping", is_flag=True, help="Keep going, once a minute, until stopped.")
def reminders_dispatch(looping: bool) -> None:
    """Push each user a digest of newly due reminders (run every minute from cron or a timer)."""
    from webapp.jobs import dispatcher

    if looping:
        dispatcher.loop()
    else:
        click.echo(str(dispatcher.dispatch_once()))


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


def _user_by_email(email: str) -> User:
    user = db.session.scalar(sa.select(User).where(User.email == accounts.normalise_email(email)))
    if user is None:
        raise click.ClickException(f"No user with the email {email}.")
    return user


@users_cli.command("create")
@click.argument("email")
@click.option("--name", "display_name", required=True, help="The name colleagues know them by.")
@click.option("--role", type=click.Choice([role.value for role in Role]), required=True)
@click.option(
    "--program", "program_names", multiple=True, help="A program they work in (repeatable)."
)
@click.option(
    "--supervisor", "supervisor_email", help="Email of the supervisor who oversees their cases."
)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_user_command(
    email: str,
    display_name: str,
    role: str,
    program_names: tuple[str, ...],
    supervisor_email: str | None,
    password_stdin: bool,
) -> None:
    """Create a user who signs in with EMAIL."""
    programs = []
    for name in program_names:
        program = db.session.scalar(sa.select(Program).where(Program.name == name))
        if program is None:
            raise click.ClickException(f"No program named {name!r}.")
        programs.append(program)
    supervisor = _user_by_email(supervisor_email) if supervisor_email else None
    password = _read_password(password_stdin)
    try:
        user = accounts.create_user(
            email=email,
            display_name=display_name,
            role=Role(role),
            password=password,
            programs=programs,
            supervisor=supervisor,
        )
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Created {user.role.label.lower()} {user.email}.")


@users_cli.command("set-password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def set_password_command(email: str, password_stdin: bool) -> None:
    """Set a new password for EMAIL; their other sessions end."""
    user = _user_by_email(email)
    try:
        accounts.set_password(user, _read_password(password_stdin))
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Password changed for {user.email}; their other sessions have ended.")


@users_cli.command("set-role")
@click.argument("email")
@click.argument("role", type=click.Choice([role.value for role in Role]))
def set_role_command(email: str, role: str) -> None:
    """Give EMAIL a new ROLE; their sessions end."""
    user = _user_by_email(email)
    accounts.set_role(user, Role(role))
    db.session.commit()
    click.echo(f"{user.email} is now {user.role.label.lower()}; their sessions have ended.")


def _set_active(email: str, active: bool) -> None:
    user = _user_by_email(email)
    accounts.set_active(user, active)
    db.session.commit()
    click.echo(
        f"{user.email} can sign in again."
        if active
        else f"{user.email} can no longer sign in; their sessions have ended."
    )


@users_cli.command("deactivate")
@click.argument("email")
def deactivate_command(email: str) -> None:
    """Stop EMAIL from signing in, and end their sessions now. Their records stay."""
    _set_active(email, False)


@users_cli.command("reactivate")
@click.argument("email")
def reactivate_command(email: str) -> None:
    """Let EMAIL sign in again."""
    _set_active(email, True)


@demo_cli.command("load")
def load_demo_command() -> None:
    """Load the demo organisation once, then print the demo sign-ins."""
    from webapp.jobs import demo

    if demo.is_loaded():
        click.echo("The demo organisation is already loaded.")
    elif db.session.scalar(sa.select(sa.func.count()).select_from(User)):
        raise click.ClickException(
            "This database already has users; the demo loads only into an empty one."
        )
    else:
        demo.load()
        db.session.commit()
        click.echo("Loaded the demo organisation.")
    click.echo(demo.sign_in_sheet())


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(path: Path) -> None:
    """Write a consistent copy of the SQLite database to PATH (while the app keeps running)."""
    from webapp.jobs.backup import BackupError, backup, backup_documents, documents_copy_of

    try:
        written = backup(db.engine, path)
        # The database first, then the files: every document row in the copy has its file.
        copied = backup_documents(
            Path(current_app.config["DOCUMENT_DIR"]), documents_copy_of(written)
        )
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(
        f"Backed up to {written}, and {copied} document files to {documents_copy_of(written)}."
    )


@click.command("backup-documents")
@click.argument("path", type=click.Path(file_okay=False, path_type=Path))
def backup_documents_command(path: Path) -> None:
    """Copy the documents' files (DOCUMENT_DIR) into the new directory PATH (PostgreSQL sites:
    after pg_dump)."""
    from webapp.jobs.backup import BackupError, backup_documents

    try:
        copied = backup_documents(Path(current_app.config["DOCUMENT_DIR"]), path)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Copied {copied} document files to {path}.")


@demo_cli.command("code")
def demo_code_command() -> None:
    """Print the demo admin's current two-step sign-in code."""
    import pyotp

    from webapp.jobs.demo import DEMO_ADMIN_TOTP_SECRET

    click.echo(pyotp.TOTP(DEMO_ADMIN_TOTP_SECRET).now())


hmis_cli = AppGroup("hmis", help="Case records in HUD's HMIS CSV format.")


@hmis_cli.command("export")
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), required=True)
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), required=True)
@click.option(
    "--program",
    "program_names",
    multiple=True,
    help="A program's name; repeat for more. Without it: every program with HUD's data elements.",
)
@click.option(
    "--as",
    "email",
    required=True,
    help="The admin who makes the export: audited, and named in Export.csv.",
)
@click.option(
    "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="The zip."
)
def hmis_export_command(
    start, end, program_names: tuple[str, ...], email: str, output: Path
) -> None:
    """Write the HMIS CSV zip (HUD's format, the version in Export.csv's CSVVersion) of the cases
    open from --from to --to, for clients who agreed to share with the HMIS."""
    from webapp.hmis import codes, export
    from webapp.models import utcnow

    user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
    if user is None or not user.active or user.role != Role.ADMIN:
        raise click.ClickException(f"{email} is not an active admin's email.")
    if program_names:
        chosen = []
        for name in program_names:
            program = db.session.scalar(sa.select(Program).where(Program.name == name))
            if program is None:
                raise click.ClickException(f"No program named {name!r}.")
            if not program.hud_elements:
                raise click.ClickException(
                    f"{name!r} does not ask HUD's data elements: nothing of it can be exported."
                )
            chosen.append(program)
    else:
        chosen = list(db.session.scalars(sa.select(Program).where(Program.hud_elements)))
    try:
        made = export.export(
            programs=chosen,
            start=start.date(),
            end=end.date(),
            exported_by=user,
            organization_name=current_app.config["HMIS_ORGANIZATION_NAME"],
            implementation_id=current_app.config["HMIS_IMPLEMENTATION_ID"],
            now=utcnow(),
        )
    except export.ExportError as error:
        raise click.ClickException(str(error)) from error
    output.write_bytes(made.to_zip())
    db.session.commit()
    click.echo(
        f"Wrote {output} ({codes.SPECIFICATION}): {made.count('Client.csv')} clients, "
        f"{made.count('Enrollment.csv')} enrollments, {made.count('Exit.csv')} exits."
    )


def register_commands(app: Flask) -> None:
    from flask_migrate.cli import db as db_cli  # `flask db …`: Alembic's commands, and ours

    if "backup" not in db_cli.commands:
        db_cli.add_command(backup_command)
    if "backup-documents" not in db_cli.commands:
        db_cli.add_command(backup_documents_command)
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(push_cli)
    app.cli.add_command(directory_cli)
    app.cli.add_command(reminders_cli)
    app.cli.add_command(hmis_cli)
    app.cli.add_command(retention_cli)
