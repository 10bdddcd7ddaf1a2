"""Generated data at scale, for benchmarks: `flask demo generate --clients N --contacts M`.

Realistic in shape (names in several scripts, cases in every phase, referrals in every status,
assessments, plans, contacts spread over ten years), fast through bulk inserts with ids assigned
here, and never for a database holding real people: it refuses one that has clients already
unless told to add to generated data.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from webapp import client_ids
from webapp.extensions import db
from webapp.models import (
    MODEL_DEFAULTS,
    AgreementMethod,
    Assessment,
    AssessmentKind,
    AssessmentScore,
    Case,
    CaseModel,
    Client,
    ClientNameToken,
    ClosureReason,
    ConfirmationMethod,
    Consent,
    ConsentMethod,
    ConsentScope,
    ContactLog,
    ContactType,
    Goal,
    GoalStatus,
    Intake,
    LifeDomain,
    Phase,
    Program,
    Provider,
    Referral,
    ReferralStatus,
    ReferralStatusChange,
    RiskLevel,
    Role,
    Service,
    ServicePlan,
    User,
    default_closure_approval,
    program_memberships,
    utcnow,
)
from webapp.names import tokens_of
from webapp.services import accounts, milestones
from webapp.text import fold, phone_digits

PASSWORD = (
    "generated-data-password"  # the same for every generated worker: benchmarks sign in with it
)
EMAIL_DOMAIN = "generated.example"
# The generated admin's authenticator secret (admins need a second factor): benchmarks compute its
# codes. Known to anyone who reads this file, as the password is: generated data only.
ADMIN_TOTP_SECRET = "GENERATEDADMINXXGENERATEDADMINXX"
CHUNK = 5000
CASES_PER_WORKER = 25

FIRST = [
    "María",
    "José",
    "Ana",
    "Luis",
    "Sam",
    "Jordan",
    "Aisha",
    "Omar",
    "Nguyễn",
    "Mai",
    "Wei",
    "Li",
    "Olga",
    "Dmitri",
    "Kateri",
    "Tyrell",
    "Fatima",
    "Chen",
    "Priya",
    "Ravi",
    "Zainab",
    "Kwame",
    "Ngozi",
    "Liam",
    "Emma",
    "Noah",
    "Sofía",
    "Mateo",
    "Hana",
    "Yuki",
    "Amaru",
    "Lena",
    "Brian",
    "Ray",
    "Dee",
    "Rosa",
    "Иван",
    "Анна",
    "محمد",
    "فاطمة",
    "李",
    "王芳",
    "김민준",
    "Ελένη",
    "Abebe",
    "Tsehay",
    "Oksana",
    "Taras",
]
LAST = [
    "García",
    "Núñez",
    "Smith",
    "Johnson",
    "Nguyen",
    "Tran",
    "Wang",
    "Zhang",
    "Kowalski",
    "Whitehorse",
    "Jackson",
    "Al-Sayed",
    "Okafor",
    "Eze",
    "Patel",
    "Singh",
    "O'Connell",
    "Sørensen",
    "Quispe",
    "Flores",
    "Петров",
    "Иванова",
    "الحسن",
    "陈",
    "박",
    "Papadopoulos",
    "Tesfaye",
    "Bekele",
    "Kovalenko",
    "Moreau",
]
SAMPLED_LANGUAGES = [
    "en",
    "en",
    "en",
    "es",
    "es",
    "vi",
    "zh",
    "ar",
    "ru",
    "ko",
    "am",
    "uk",
    "fr",
    None,
]
NOTES = [
    "Met at the shelter entrance; talked about the housing list.",
    "Phone check-in; doing OK, asked about food.",
    "Went with them to the clinic; waited two hours.",
    "Brought a hygiene kit and socks.",
    "Talked about the benefits appeal; forms next week.",
    "No answer at the usual spot; left a card.",
    "Celebrated a month sober; wants to keep the routine.",
    "Court date moved; will call legal aid.",
]
PHASES = [
    Phase.INTAKE,
    Phase.ASSESSMENT,
    Phase.PLANNING,
    Phase.IMPLEMENTATION,
    Phase.MONITORING,
    Phase.CLOSED,
]
TEN_YEARS = 3650


@dataclass
class Generated:
    users: int
    clients: int
    cases: int
    contacts: int
    referrals: int
    assessments: int

    def __str__(self) -> str:
        return (
            f"{self.clients:,} clients, {self.cases:,} cases, {self.contacts:,} contacts, "
            f"{self.referrals:,} referrals, {self.assessments:,} assessments, {self.users:,} staff"
        )


def _next_id(model: type) -> int:
    return (db.session.scalar(sa.select(sa.func.max(model.id))) or 0) + 1


def _insert(model: type, rows: list[dict]) -> None:
    for start in range(0, len(rows), CHUNK):
        db.session.execute(sa.insert(model), rows[start : start + CHUNK])


def _moment(rng: random.Random, days_ago_max: int, today: date) -> datetime:
    day = today - timedelta(days=rng.randint(0, max(days_ago_max, 0)))
    return datetime.combine(day, time(rng.randint(8, 18), rng.randint(0, 59)), tzinfo=UTC)


def real_users_present() -> bool:
    """Anyone but generated and demo staff: then this database may hold real people's records."""
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(User)
            .where(~User.email.endswith(f"@{EMAIL_DOMAIN}"), ~User.email.endswith("@demo.example"))
        )
        > 0
    )


def generate(*, clients: int, contacts: int, seed: int = 7, today: date | None = None) -> Generated:
    rng = random.Random(seed)
    today = today or utcnow().date()
    now = utcnow()
    programs = _programs()
    password_hash = accounts.hash_password(PASSWORD)
    staff = _staff(programs, clients, password_hash, rng)
    workers_by_program = {
        program.id: [
            u for u in staff if program.id in u["programs"] and u["role"] != Role.SUPERVISOR
        ]
        for program in programs
    }
    services = _directory()

    client_rows, token_rows, consent_rows, case_rows, intake_rows = [], [], [], [], []
    client_id, case_id = _next_id(Client), _next_id(Case)
    used_ids: set[str] = set(db.session.scalars(sa.select(Client.persistent_id)))
    token_id = _next_id(ClientNameToken)
    for number in range(clients):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        persistent_id = client_ids.generate()
        while persistent_id in used_ids:
            persistent_id = client_ids.generate()
        used_ids.add(persistent_id)
        phone = (
            f"555-{rng.randint(200, 999)}-{rng.randint(1000, 9999)}" if rng.random() < 0.6 else None
        )
        legal = f"{first} {last}"
        key = " | ".join(fold(name) for name in (first, legal))
        opened = _moment(rng, TEN_YEARS, today)
        client_rows.append(
            {
                "id": client_id,
                "persistent_id": persistent_id,
                "preferred_name": first,
                "legal_name": legal,
                "name_key": key,
                "language": rng.choice(SAMPLED_LANGUAGES),
                "estimated_birth_year": today.year - rng.randint(18, 80),
                "phone": phone,
                "phone_digits": phone_digits(phone),
                "safe_to_call": rng.choice([True, False, None]),
                "safe_to_text": rng.choice([True, None]),
                "contact_notes": "",
                "created_at": opened,
                "updated_at": opened,
                "version": 1,
            }
        )
        for token in tokens_of([first, legal]):
            token_rows.append(
                {
                    "id": token_id,
                    "client_id": client_id,
                    "token": token.token,
                    "metaphone": token.metaphone,
                    "nysiis": token.nysiis,
                    "name_key": key,
                }
            )
            token_id += 1
        consent_rows.append(
            {
                "client_id": client_id,
                "scope": ConsentScope.DATA_COLLECTION,
                "method": ConsentMethod.VERBAL,
                "given_at": opened,
                "note": "",
                "case_id": case_id,
            }
        )
        program = programs[number % len(programs)]
        worker = rng.choice(workers_by_program[program.id])
        phase = rng.choice(PHASES)
        closed = phase == Phase.CLOSED
        case_rows.append(
            {
                "id": case_id,
                "client_id": client_id,
                "program_id": program.id,
                "model": program.model,
                "primary_worker_id": worker["id"],
                "phase": phase,
                "risk_level": rng.choices(list(RiskLevel), weights=[60, 25, 10, 5])[0],
                "restricted": rng.random() < 0.03,
                "opened_at": opened,
                "closed_at": _moment(rng, (today - opened.date()).days, today) if closed else None,
                "closure_reason": ClosureReason.GOALS_MET.value if closed else None,
                "closure_outcome": "",
                "next_follow_up_on": None
                if closed
                else today + timedelta(days=rng.randint(-20, 20)),
                "last_contact_at": None,
                "handoff_pending": False,
                "created_by_id": worker["id"],
                "updated_at": opened,
                "version": 1,
            }
        )
        intake_rows.append(
            {
                "case_id": case_id,
                "source": "worker",
                "presenting_circumstances": rng.choice(NOTES),
                "safety_concern": False,
                "safety_details": "",
                "client_priorities": "A place to stay.",
                "strengths": "",
                "communication_preferences": "",
                "recorded_by_id": worker["id"],
                "recorded_at": opened,
            }
        )
        client_id += 1
        case_id += 1
    _insert(Client, client_rows)
    _insert(ClientNameToken, token_rows)
    _insert(Case, case_rows)
    _insert(Consent, consent_rows)
    _insert(Intake, intake_rows)

    contact_count = _contacts(case_rows, contacts, rng, today, now)
    referral_count = _referrals(case_rows, services, rng, today)
    assessment_count = _assessments_and_plans(case_rows, rng, today)
    # Written row by row above, past the services that keep the cases' milestones.
    milestones.rewrite_from_records()
    db.session.flush()
    _fix_sequences()
    # Fresh statistics after a bulk load, or the planners guess at a million rows' shape.
    db.session.execute(sa.text("ANALYZE"))
    return Generated(
        len(staff), clients, len(case_rows), contact_count, referral_count, assessment_count
    )


def _programs() -> list[Program]:
    for model in CaseModel:
        name = f"Generated {model.label}"
        program = db.session.scalar(sa.select(Program).where(Program.name == name))
        if program is None:
            standard = MODEL_DEFAULTS[model]
            program = Program(
                name=name,
                model=model,
                contact_standard_days=standard.contact_standard_days,
                caseload_cap=standard.caseload_cap,
                reassessment_interval_days=standard.reassessment_interval_days,
                closure_approval=default_closure_approval(model),
                assessment_domains="",
            )
            db.session.add(program)
    db.session.flush()
    return list(
        db.session.scalars(
            sa.select(Program).where(Program.name.like("Generated %")).order_by(Program.id)
        )
    )


def _staff(
    programs: list[Program], clients: int, password_hash: str, rng: random.Random
) -> list[dict]:
    """A supervisor per program and enough workers to keep caseloads near the model's caps."""
    start = _next_id(User)
    rows, memberships = [], []
    user_id = start
    for program in programs:
        supervisor = user_id
        rows.append(
            {
                "id": user_id,
                "email": f"supervisor{user_id}@{EMAIL_DOMAIN}",
                "display_name": f"Supervisor {user_id}",
                "password_hash": password_hash,
                "role": Role.SUPERVISOR,
                "active": True,
                "session_version": 1,
                "programs": [program.id],
                "supervisor_id": None,
            }
        )
        user_id += 1
        open_cases = clients // len(programs)
        for _ in range(max(2, open_cases // CASES_PER_WORKER)):
            role = rng.choice([Role.CASE_MANAGER, Role.OUTREACH_WORKER])
            rows.append(
                {
                    "id": user_id,
                    "email": f"worker{user_id}@{EMAIL_DOMAIN}",
                    "display_name": f"Worker {user_id}",
                    "password_hash": password_hash,
                    "role": role,
                    "active": True,
                    "session_version": 1,
                    "programs": [program.id],
                    "supervisor_id": supervisor,
                }
            )
            user_id += 1
    rows.append(
        {
            "id": user_id,
            "email": f"admin{user_id}@{EMAIL_DOMAIN}",
            "display_name": f"Admin {user_id}",
            "password_hash": password_hash,
            "role": Role.ADMIN,
            "active": True,
            "session_version": 1,
            "programs": [],
            "supervisor_id": None,
            "totp_secret": ADMIN_TOTP_SECRET,
        }
    )
    _insert(
        User,
        [
            {"totp_secret": None, **{k: v for k, v in row.items() if k != "programs"}}
            for row in rows
        ],
    )
    for row in rows:
        memberships += [
            {"user_id": row["id"], "program_id": program_id} for program_id in row["programs"]
        ]
    db.session.execute(program_memberships.insert(), memberships)
    return rows


def _directory() -> list[Service]:
    services = list(db.session.scalars(sa.select(Service).where(Service.active)))
    if services:
        return services
    for number, (name, category) in enumerate(
        [
            ("Shelter beds", "housing"),
            ("Food pantry", "food"),
            ("Clinic", "health"),
            ("Legal aid", "legal"),
            ("Benefits", "income"),
        ]
    ):
        provider = Provider(name=f"Generated provider {number + 1}", phone="555-0100")
        provider.services.append(Service(name=name, category=category, eligibility=""))
        db.session.add(provider)
    db.session.flush()
    return list(db.session.scalars(sa.select(Service)))


def _contacts(
    case_rows: list[dict], total: int, rng: random.Random, today: date, now: datetime
) -> int:
    """`total` contacts spread over the cases, most on long-running ones; cases keep their last
    one."""
    if not case_rows or not total:
        return 0
    weights = [1 + (today - row["opened_at"].date()).days // 365 for row in case_rows]
    picks = rng.choices(range(len(case_rows)), weights=weights, k=total)
    contact_id = _next_id(ContactLog)
    batch: list[dict] = []
    last: dict[int, datetime] = {}
    for index in picks:
        row = case_rows[index]
        end = row["closed_at"] or now
        span = max((end - row["opened_at"]).days, 0)
        when = min(
            row["opened_at"] + timedelta(days=rng.randint(0, span), minutes=rng.randint(0, 600)),
            now,
        )
        batch.append(
            {
                "id": contact_id,
                "case_id": row["id"],
                "occurred_at": when,
                "contact_type": rng.choice(list(ContactType)),
                "duration_minutes": rng.choice([5, 15, 30, 60, None]),
                "place": "",
                "services_given": "",
                "note": rng.choice(NOTES),
                "next_follow_up_on": None,
                "recorded_by_id": row["primary_worker_id"],
                "recorded_at": when,
            }
        )
        contact_id += 1
        if row["id"] not in last or when > last[row["id"]]:
            last[row["id"]] = when
        if len(batch) >= CHUNK:
            _insert(ContactLog, batch)
            batch = []
    _insert(ContactLog, batch)
    # One statement per chunk of cases: last_contact_at where it changed.
    updates = [{"b_id": case_id, "b_last": when} for case_id, when in last.items()]
    statement = (
        sa.update(Case)
        .where(Case.id == sa.bindparam("b_id"))
        .values(last_contact_at=sa.bindparam("b_last"))
    )
    for start in range(0, len(updates), CHUNK):
        db.session.connection().execute(statement, updates[start : start + CHUNK])
    return total


def _referrals(
    case_rows: list[dict], services: list[Service], rng: random.Random, today: date
) -> int:
    referral_id, change_id = _next_id(Referral), _next_id(ReferralStatusChange)
    referrals, changes = [], []
    paths = [
        [ReferralStatus.SENT],
        [ReferralStatus.SENT, ReferralStatus.ACKNOWLEDGED],
        [ReferralStatus.SENT, ReferralStatus.SCHEDULED],
        [ReferralStatus.SENT, ReferralStatus.SCHEDULED, ReferralStatus.NO_SHOW],
        [ReferralStatus.SENT, ReferralStatus.CONNECTED],
        [ReferralStatus.SENT, ReferralStatus.CONNECTED, ReferralStatus.COMPLETED],
        [ReferralStatus.SENT, ReferralStatus.DECLINED],
        [ReferralStatus.SENT, ReferralStatus.CANCELLED],
    ]
    for row in case_rows:
        if row["phase"] in (Phase.INTAKE, Phase.ASSESSMENT) or rng.random() < 0.5:
            continue
        path = rng.choice(paths)
        sent = row["opened_at"] + timedelta(days=rng.randint(1, 30))
        referrals.append(
            {
                "id": referral_id,
                "case_id": row["id"],
                "service_id": rng.choice(services).id,
                "reason": "",
                "status": path[-1],
                "follow_up_on": sent.date() + timedelta(days=7),
                "created_by_id": row["primary_worker_id"],
                "created_at": sent,
                "updated_at": sent,
                "version": 1,
            }
        )
        for step, status in enumerate(path):
            changes.append(
                {
                    "id": change_id,
                    "referral_id": referral_id,
                    "status": status,
                    "occurred_at": sent + timedelta(days=3 * step),
                    "method": ConfirmationMethod.SYSTEM if step == 0 else ConfirmationMethod.CLIENT,
                    "note": "",
                    "confirmed_by_id": row["primary_worker_id"],
                    "recorded_at": sent + timedelta(days=3 * step),
                }
            )
            change_id += 1
        referral_id += 1
    _insert(Referral, referrals)
    _insert(ReferralStatusChange, changes)
    return len(referrals)


def _assessments_and_plans(case_rows: list[dict], rng: random.Random, today: date) -> int:
    assessment_id, plan_id, goal_id = _next_id(Assessment), _next_id(ServicePlan), _next_id(Goal)
    assessments, scores, plans, goals = [], [], [], []
    domains = list(LifeDomain)
    for row in case_rows:
        if PHASES.index(row["phase"]) < PHASES.index(Phase.PLANNING):
            continue
        baseline_on = row["opened_at"].date() + timedelta(days=3)
        kinds = [(AssessmentKind.BASELINE, baseline_on)]
        if row["phase"] in (Phase.MONITORING, Phase.CLOSED):
            kinds.append(
                (AssessmentKind.REASSESSMENT, min(baseline_on + timedelta(days=60), today))
            )
        for offset, (kind, on) in enumerate(kinds):
            assessments.append(
                {
                    "id": assessment_id,
                    "case_id": row["id"],
                    "kind": kind,
                    "assessed_on": on,
                    "strengths_personal": "",
                    "strengths_family": "",
                    "strengths_community": "",
                    "needs": "",
                    "client_view": "",
                    "recorded_by_id": row["primary_worker_id"],
                    "recorded_at": datetime.combine(on, time(12), tzinfo=UTC),
                }
            )
            for domain in rng.sample(domains, 4):
                scores.append(
                    {
                        "assessment_id": assessment_id,
                        "domain": domain,
                        "score": min(5, rng.randint(1, 3) + offset),
                        "narrative": "Discussed at the assessment.",
                    }
                )
            assessment_id += 1
        if PHASES.index(row["phase"]) >= PHASES.index(Phase.IMPLEMENTATION):
            plans.append(
                {
                    "id": plan_id,
                    "case_id": row["id"],
                    "agreed_by": "The client",
                    "agreed_on": baseline_on + timedelta(days=4),
                    "agreement_method": AgreementMethod.IN_PERSON,
                    "review_on": today + timedelta(days=rng.randint(-10, 60)),
                    "updated_at": row["opened_at"],
                    "updated_by_id": row["primary_worker_id"],
                    "version": 1,
                }
            )
            goals.append(
                {
                    "id": goal_id,
                    "plan_id": plan_id,
                    "domain": LifeDomain.HOUSING,
                    "statement": "A stable place to live",
                    "measure": "Lease signed",
                    "target_on": baseline_on + timedelta(days=120),
                    "status": GoalStatus.MET
                    if row["phase"] == Phase.CLOSED
                    else GoalStatus.IN_PROGRESS,
                    "created_at": row["opened_at"],
                    "updated_at": row["opened_at"],
                    "version": 1,
                }
            )
            plan_id += 1
            goal_id += 1
    _insert(Assessment, assessments)
    _insert(AssessmentScore, scores)
    _insert(ServicePlan, plans)
    _insert(Goal, goals)
    return len(assessments)


def _fix_sequences() -> None:
    """PostgreSQL: ids were given here, so move each sequence past them."""
    if db.engine.dialect.name != "postgresql":
        return
    for model in (
        User,
        Client,
        ClientNameToken,
        Case,
        ContactLog,
        Referral,
        ReferralStatusChange,
        Assessment,
        ServicePlan,
        Goal,
    ):
        table = model.__tablename__
        db.session.execute(
            sa.text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) "
                f"FROM {table}), 1))"
            )
        )
