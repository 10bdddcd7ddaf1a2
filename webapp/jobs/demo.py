"""A demo organisation: two programs, a user for every role, a dozen clients in every phase.

For trying Waymark out on one machine. The passwords are printed and public: never load the
demo into a database that will hold real people's records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import (
    CLOSED_REFERRAL_STATUSES,
    AgreementMethod,
    AssessmentKind,
    Case,
    CaseModel,
    Client,
    ClosureReason,
    ConfirmationMethod,
    ConsentMethod,
    ConsentScope,
    ContactType,
    Goal,
    GoalStatus,
    LifeDomain,
    Phase,
    PostClosureFollowUp,
    Provider,
    ProviderAnswer,
    Referral,
    ReferralStatus,
    RelationshipKind,
    RiskLevel,
    Role,
    Service,
    ServicePlan,
    TaskOwner,
    User,
    utcnow,
)
from webapp.queries.case_state import load_state
from webapp.services import (
    accounts,
    agency,
    assessments,
    cases,
    clients,
    closure,
    hud,
    merge,
    network,
    plans,
    programs,
    provider_links,
    referrals,
    self_intake,
)
from webapp.timeutil import local_today, local_zone, to_local

DOMAIN = "demo.example"
# The demo admin signs in in two steps, as every admin must; `flask demo code` prints the code.
DEMO_ADMIN_TOTP_SECRET = "WAYMARKDEMOADMIN2FACTORKEY234567"


@dataclass(frozen=True)
class DemoUser:
    key: str
    name: str
    role: Role
    password: str
    programs: tuple[str, ...]
    supervisor: str | None = None

    @property
    def email(self) -> str:
        return f"{self.key}@{DOMAIN}"


STREET = "Street Outreach"
HOUSING = "Housing First Intensive Case Management"

USERS = (
    DemoUser("admin", "Priya Raman", Role.ADMIN, "copper-kettle-morning", (STREET, HOUSING)),
    DemoUser(
        "supervisor", "Marcus Oyelaran", Role.SUPERVISOR, "quiet-river-lantern", (STREET, HOUSING)
    ),
    DemoUser(
        "casemanager",
        "Ana Lucía Torres",
        Role.CASE_MANAGER,
        "maple-bridge-compass",
        (HOUSING,),
        "supervisor",
    ),
    DemoUser(
        "outreach",
        "Sam Whitfield",
        Role.OUTREACH_WORKER,
        "orange-bicycle-harbour",
        (STREET,),
        "supervisor",
    ),
    DemoUser(
        "outreach2",
        "Ngozi Eze",
        Role.OUTREACH_WORKER,
        "winter-garden-pathway",
        (STREET,),
        "supervisor",
    ),
)

PROVIDERS = {
    "Eastside Community Food Bank": (
        "555-0140",
        [("Weekly food pantry", "food", "Anyone in the county; no ID needed.")],
    ),
    "Harbor Light Shelter": (
        "555-0175",
        [("Emergency shelter bed", "housing", "Adults 18+; intake 4–8 pm.")],
    ),
    "Riverside Community Health Clinic": (
        "555-0112",
        [
            ("Walk-in primary care", "health", "Sliding scale; uninsured welcome."),
            ("Behavioral health intake", "mental_health", "Adults; same-week appointments."),
        ],
    ),
    "Legal Aid Society of the Valley": (
        "555-0163",
        [
            ("Tenant rights counselling", "legal", "Low-income renters facing eviction."),
            ("ID document replacement", "legal", "Help with birth certificates and state ID fees."),
        ],
    ),
    "New Roots Recovery Center": (
        "555-0198",
        [("Detox and recovery intake", "substance_use", "Adults; call ahead for a bed.")],
    ),
    "County Social Services Office": (
        "555-0101",
        [("SNAP and benefits application", "income", "County residents.")],
    ),
}

# What a client's referral slip prints: where the provider is, when it is open, what to bring.
PROVIDER_ADDRESSES = {
    "Harbor Light Shelter": "220 Harbor St",
    "Riverside Community Health Clinic": "41 River Rd, Suite 2",
    "Legal Aid Society of the Valley": "9 Court Sq, 3rd floor",
    "Eastside Community Food Bank": "1400 E 7th St",
}
SERVICE_SLIPS = {
    "Emergency shelter bed": ("Intake daily 4–8 pm", "ID if you have one; any medication."),
    "Walk-in primary care": ("Mon–Fri 8:30–17:00", "Any medication you take; insurance card."),
    "Behavioral health intake": ("Mon–Thu 9:00–16:00", "Nothing needed; come as you are."),
    "ID document replacement": ("Tue and Thu 10:00–15:00", "Any old ID, birth date and place."),
    "Weekly food pantry": ("Wednesdays 10:00–13:00", "Bags if you have them."),
}
WORK_PHONES = {
    "outreach": "555-0150",
    "outreach2": "555-0151",
    "casemanager": "555-0152",
    "supervisor": "555-0153",
}


@dataclass
class DemoClient:
    preferred_name: str
    program: str
    worker: str
    phase: Phase
    risk: RiskLevel = RiskLevel.LOW
    legal_name: str | None = None
    aliases: tuple[str, ...] = ()
    date_of_birth: date | None = None
    approximate_age: int | None = None
    language: str | None = "en"
    phone: str | None = None
    safe_to_call: bool | None = None
    safe_to_text: bool | None = None
    contact_notes: str = ""
    opened_days_ago: int = 30
    circumstances: str = ""
    safety_concern: bool = False
    safety_details: str = ""
    priorities: str = ""
    strengths: str = ""
    follow_up_in_days: int | None = 7
    restricted: bool = False
    # (days ago, contact type, minutes, place, note)
    contacts: list[tuple[int, ContactType, int, str, str]] = field(default_factory=list)
    # (service name, days ago sent, statuses reached in order)
    referrals: list[tuple[str, int, tuple[ReferralStatus, ...]]] = field(default_factory=list)
    closed: tuple[int, str, str] | None = None  # (days ago, reason, outcome)


C = ContactType
R = ReferralStatus
CLIENTS = (
    DemoClient(
        "Dee",
        STREET,
        "outreach",
        Phase.ASSESSMENT,
        RiskLevel.URGENT,
        aliases=("Dee Dee",),
        approximate_age=50,
        opened_days_ago=0,
        follow_up_in_days=0,
        safety_concern=True,
        circumstances=(
            "Sleeping in the underpass on 5th; cough for two weeks, says she hasn't eaten since "
            "yesterday."
        ),
        safety_details="Says a man in the camp threatened her last night.",
        priorities="Somewhere safe to sleep tonight.",
        strengths="Knows the outreach van schedule; sister in Fresno.",
        contacts=[
            (
                0,
                C.STREET_OUTREACH,
                20,
                "5th St underpass",
                "First contact. Gave water, socks and a blanket.",
            )
        ],
    ),
    DemoClient(
        "José",
        STREET,
        "outreach",
        Phase.ASSESSMENT,
        legal_name="José Antonio Núñez",
        date_of_birth=date(1979, 3, 14),
        language="es",
        phone="(555) 201-4432",
        safe_to_call=True,
        safe_to_text=True,
        opened_days_ago=9,
        follow_up_in_days=-2,
        circumstances="Lost construction job after a back injury; sleeping in his truck.",
        priorities="Pain treatment and getting back to work.",
        strengths="Twenty years of trade experience; church community.",
        contacts=[
            (
                9,
                C.STREET_OUTREACH,
                25,
                "Walmart parking lot",
                "Intake in Spanish. Open to a clinic visit.",
            ),
            (4, C.PHONE, 10, "", "Confirmed clinic walk-in hours with him."),
        ],
        referrals=[("Walk-in primary care", 8, (R.SENT,))],
    ),
    DemoClient(
        "Mai",
        STREET,
        "outreach2",
        Phase.PLANNING,
        legal_name="Nguyễn Thị Mai",
        approximate_age=34,
        language="vi",
        phone="555-208-1190",
        safe_to_call=False,
        safe_to_text=True,
        contact_notes="Text only; her phone is shared.",
        opened_days_ago=21,
        follow_up_in_days=1,
        circumstances=(
            "Staying in a motel week to week with her son (9); money runs out on the 20th."
        ),
        priorities="Keep her son in the same school.",
        strengths="Works part-time at a nail salon; organised budgeter.",
        contacts=[
            (21, C.OFFICE, 45, "Drop-in center", "Intake with interpreter line."),
            (12, C.TEXT, 5, "", "Sent list of family shelters; she prefers to stay put for now."),
        ],
        referrals=[("SNAP and benefits application", 12, (R.SENT, R.ACKNOWLEDGED, R.SCHEDULED))],
    ),
    DemoClient(
        "Tyrell",
        STREET,
        "outreach",
        Phase.IMPLEMENTATION,
        RiskLevel.MEDIUM,
        legal_name="Tyrell Jackson",
        date_of_birth=date(1996, 11, 2),
        phone="555-230-7781",
        safe_to_call=True,
        opened_days_ago=40,
        follow_up_in_days=3,
        circumstances="Released from county jail six weeks ago with no ID.",
        priorities="Get his state ID so he can apply for jobs.",
        strengths="Forklift certificate; grandmother nearby.",
        contacts=[
            (40, C.STREET_OUTREACH, 15, "Bus depot", "Met at the depot; wants ID help."),
            (25, C.ACCOMPANIMENT, 120, "Legal Aid office", "Went with him to the ID clinic."),
            (6, C.PHONE, 10, "", "Birth certificate arrived; DMV appointment next week."),
        ],
        referrals=[
            ("ID document replacement", 30, (R.SENT, R.SCHEDULED, R.CONNECTED)),
            ("Weekly food pantry", 25, (R.SENT, R.CONNECTED, R.COMPLETED)),
        ],
    ),
    DemoClient(
        "Old Man Ray",
        STREET,
        "outreach2",
        Phase.MONITORING,
        RiskLevel.HIGH,
        legal_name="Raymond Kowalski",
        approximate_age=67,
        opened_days_ago=120,
        follow_up_in_days=-5,
        circumstances=(
            "Long-term unsheltered by the river; diabetic, has refused shelter for years."
        ),
        priorities="Keep his dog with him.",
        strengths="Fiercely independent; trusted by others at the camp.",
        contacts=[
            (120, C.STREET_OUTREACH, 10, "River trail", "Accepted a sandwich, not much talk."),
            (
                60,
                C.STREET_OUTREACH,
                30,
                "River trail",
                "Let us check his feet; referred to clinic.",
            ),
            (35, C.STREET_OUTREACH, 20, "River trail", "Went to the clinic once, insulin sorted."),
        ],
        referrals=[("Walk-in primary care", 60, (R.SENT, R.CONNECTED))],
    ),
    DemoClient(
        "Amaru",
        STREET,
        "outreach",
        Phase.CLOSED,
        legal_name="Amaru Quispe",
        date_of_birth=date(2001, 6, 30),
        language="es",
        opened_days_ago=200,
        follow_up_in_days=None,
        circumstances="Newly arrived, couch-surfing, no income.",
        priorities="Work permit and a room.",
        strengths="Bilingual, studied accounting.",
        contacts=[
            (200, C.OFFICE, 40, "Drop-in center", "Intake."),
            (150, C.PHONE, 10, "", "Has a room now."),
        ],
        referrals=[("SNAP and benefits application", 190, (R.SENT, R.CONNECTED, R.COMPLETED))],
        closed=(
            140,
            "goals_met",
            "Renting a room, working at a warehouse; follow-up call planned at 3 months.",
        ),
    ),
    DemoClient(
        "Kateri",
        HOUSING,
        "casemanager",
        Phase.ASSESSMENT,
        RiskLevel.HIGH,
        legal_name="Kateri Whitehorse",
        date_of_birth=date(1988, 1, 19),
        phone="555-244-0017",
        safe_to_call=True,
        safe_to_text=True,
        opened_days_ago=5,
        follow_up_in_days=2,
        circumstances=(
            "Chronic homelessness, 4 years; ER visits monthly. Prioritised by coordinated entry."
        ),
        priorities="Her own place, near her cousin.",
        strengths="Beadwork she sells; strong family ties.",
        contacts=[
            (
                5,
                C.OFFICE,
                60,
                "Housing First office",
                "Intake; consented to data sharing with the clinic.",
            )
        ],
    ),
    DemoClient(
        "Brian",
        HOUSING,
        "casemanager",
        Phase.IMPLEMENTATION,
        RiskLevel.MEDIUM,
        legal_name="Brian O'Connell",
        date_of_birth=date(1971, 8, 8),
        phone="555-260-3344",
        safe_to_call=True,
        opened_days_ago=75,
        follow_up_in_days=0,
        circumstances="Moved into a scattered-site apartment last month after 2 years in shelter.",
        priorities="Stay housed; cut down drinking.",
        strengths="Ex-chef; wants to cook again.",
        contacts=[
            (75, C.OFFICE, 50, "Housing First office", "Intake."),
            (30, C.HOME_VISIT, 45, "New apartment", "Move-in day; furniture delivered."),
            (
                7,
                C.HOME_VISIT,
                40,
                "Apartment",
                "Rent paid; kitchen in use. Talked about detox options.",
            ),
        ],
        referrals=[
            ("Detox and recovery intake", 7, (R.SENT,)),
            ("Tenant rights counselling", 20, (R.SENT, R.ACKNOWLEDGED)),
        ],
    ),
    DemoClient(
        "Fatima",
        HOUSING,
        "casemanager",
        Phase.PLANNING,
        RiskLevel.URGENT,
        legal_name="Fatima Al-Sayed",
        approximate_age=29,
        language="ar",
        phone="555-271-9020",
        safe_to_call=False,
        safe_to_text=False,
        contact_notes=(
            "Never call or text: her ex-partner checks her phone. Contact through the shelter "
            "desk only."
        ),
        opened_days_ago=14,
        follow_up_in_days=-1,
        restricted=True,
        safety_concern=True,
        safety_details="Fled an abusive partner two weeks ago; he is looking for her.",
        circumstances="In a confidential shelter with her daughter (3).",
        priorities="Safety, then a protective order, then housing.",
        strengths="Nursing degree from abroad; determined.",
        contacts=[(14, C.OFFICE, 70, "Confidential location", "Intake with Arabic interpreter.")],
        referrals=[("Tenant rights counselling", 10, (R.SENT,))],
    ),
    DemoClient(
        "Lena",
        HOUSING,
        "casemanager",
        Phase.MONITORING,
        legal_name="Lena Sørensen",
        date_of_birth=date(1983, 4, 2),
        phone="555-284-6612",
        safe_to_call=True,
        safe_to_text=True,
        opened_days_ago=210,
        follow_up_in_days=10,
        circumstances="Housed 6 months ago after eviction; bipolar disorder, stable on medication.",
        priorities="Keep her job at the library.",
        strengths="Steady routines; peer support group.",
        contacts=[
            (210, C.OFFICE, 50, "Housing First office", "Intake."),
            (90, C.HOME_VISIT, 40, "Apartment", "Doing well; reassessment scores improved."),
            (20, C.PHONE, 15, "", "Monthly check-in; all fine."),
        ],
        referrals=[
            ("Behavioral health intake", 180, (R.SENT, R.SCHEDULED, R.CONNECTED, R.COMPLETED))
        ],
    ),
    DemoClient(
        "Chen Wei",
        HOUSING,
        "casemanager",
        Phase.IMPLEMENTATION,
        legal_name="陈伟 (Chen Wei)",
        approximate_age=58,
        language="zh",
        opened_days_ago=50,
        follow_up_in_days=-3,
        circumstances=(
            "Lost his apartment when the building was sold; sleeping at a 24-hour laundromat."
        ),
        priorities="Senior housing application.",
        strengths="Retired cook; savings for a deposit.",
        contacts=[(50, C.OFFICE, 60, "Housing First office", "Intake with Mandarin interpreter.")],
        referrals=[
            ("Emergency shelter bed", 45, (R.SENT, R.SCHEDULED, R.NO_SHOW)),
            ("Weekly food pantry", 20, (R.SENT,)),
        ],
    ),
    DemoClient(
        "Jordan",
        STREET,
        "outreach2",
        Phase.INTAKE,
        aliases=("J",),
        approximate_age=19,
        opened_days_ago=2,
        follow_up_in_days=4,
        strengths="Finished high school; good with computers.",
        contacts=[
            (
                2,
                C.STREET_OUTREACH,
                15,
                "Library steps",
                "First contact, a quick intake only. Young, maybe left foster care; took a "
                "hygiene kit.",
            )
        ],
    ),
)


def is_loaded() -> bool:
    return db.session.scalar(sa.select(User.id).where(User.email == USERS[0].email)) is not None


def _at(days_ago: int, hour: int = 10) -> datetime:
    """That local hour, `days_ago` days back, but never later than now."""
    moment = datetime.combine(
        local_today() - timedelta(days=days_ago), time(hour), tzinfo=local_zone()
    )
    return min(moment.astimezone(UTC), utcnow())


def load() -> None:
    for name, model in ((STREET, CaseModel.BROKERAGE), (HOUSING, CaseModel.INTENSIVE)):
        # Street outreach asks HUD's data elements, so it can be exported to an HMIS.
        programs.create_program(
            name=name,
            model=model,
            description=f"{model.label} model.",
            hud_elements=name == STREET,
        )
    program_by_name = {
        program.name: program for program in db.session.scalars(sa.select(programs.Program))
    }

    users: dict[str, User] = {}
    for demo_user in USERS:
        users[demo_user.key] = accounts.create_user(
            email=demo_user.email,
            display_name=demo_user.name,
            role=demo_user.role,
            password=demo_user.password,
            programs=[program_by_name[name] for name in demo_user.programs],
            supervisor=users.get(demo_user.supervisor) if demo_user.supervisor else None,
        )

    users["admin"].totp_secret = DEMO_ADMIN_TOTP_SECRET
    for key, phone in WORK_PHONES.items():
        users[key].work_phone = phone

    service_by_name: dict[str, Service] = {}
    for provider_name, (phone, services) in PROVIDERS.items():
        provider = Provider(
            name=provider_name, phone=phone, address=PROVIDER_ADDRESSES.get(provider_name, "")
        )
        for service_name, category, eligibility in services:
            hours, what_to_bring = SERVICE_SLIPS.get(service_name, ("", ""))
            service = Service(
                name=service_name,
                category=category,
                eligibility=eligibility,
                hours=hours,
                what_to_bring=what_to_bring,
            )
            provider.services.append(service)
            service_by_name[service_name] = service
        db.session.add(provider)
    db.session.flush()

    today = local_today()
    for spec in CLIENTS:
        _load_client(
            spec, users[spec.worker], program_by_name[spec.program], service_by_name, today
        )
    _load_self_intake(users["outreach"], program_by_name[STREET])
    _load_agency_examples(users, program_by_name, today)
    _load_agency_referrals(users, program_by_name[HOUSING])
    _load_provider_answers(users["casemanager"], today)
    _load_household(users["casemanager"], today)
    _load_hud_answers(program_by_name[STREET])


# Answers to HUD's data elements for the street outreach cases, in turn (HUD's codes): prior and
# current living situation, disabling condition, veteran status, sex, race, relationship to the
# head of household, and where a closed case went.
HUD_EXAMPLES = (
    (116, 116, 1, 0, 1, ("BlackAfAmerican",), None, 1, 101),
    (101, 116, 0, 1, 0, ("White", "HispanicLatinao"), None, 1, 313),
    (336, 101, 8, 9, 9, (), 9, 1, 99),
    (207, 116, 1, 0, 1, ("AmIndAKNative",), None, 1, 410),
)


def _load_hud_answers(program: programs.Program) -> None:
    """Most street outreach clients agreed to HMIS data sharing and answered HUD's questions;
    every third (the second, fifth…) did not, and stays out of the HMIS export."""
    street_cases = db.session.scalars(
        sa.select(Case).where(Case.program_id == program.id).order_by(Case.id)
    ).all()
    for number, case in enumerate(street_cases):
        if number % 3 == 1:
            continue
        worker = case.primary_worker
        clients.record_consent(
            case.client,
            scope=ConsentScope.HMIS_SHARING,
            method=ConsentMethod.VERBAL,
            recorded_by=worker,
            given_at=case.opened_at,
            case=case,
        )
        prior, current, disabling, veteran, sex, races, no_race, head, went = HUD_EXAMPLES[
            number % len(HUD_EXAMPLES)
        ]
        answers = hud.record_answers(
            case,
            hud.HudDetails(
                prior_living_situation=prior,
                current_living_situation=current,
                date_of_engagement=to_local(case.opened_at).date(),
                disabling_condition=disabling,
                veteran_status=veteran,
                sex=sex,
                races=races,
                race_missing=no_race,
                relationship_to_hoh=head,
            ),
            recorded_by=worker,
        )
        answers.recorded_at = case.opened_at
        if case.closed_at is not None and worker is not None:
            hud.record_exit_destination(case, went, recorded_by=worker)


def _load_provider_answers(worker: User, today: date) -> None:
    """The closed loop: every open referral has its provider's link; a provider has accepted one of
    the case manager's on it, promising a date (it waits on her Today), and another provider
    promised a call by yesterday and has not booked anything (her Today nags about that too)."""
    open_referrals = db.session.scalars(
        sa.select(Referral)
        .where(Referral.status.not_in(CLOSED_REFERRAL_STATUSES))
        .order_by(Referral.id)
    ).all()
    links = {
        referral.id: provider_links.make_link(referral, by=referral.case.primary_worker)
        for referral in open_referrals
        if referral.case.primary_worker is not None
    }
    sent = [
        r
        for r in open_referrals
        if r.status == ReferralStatus.SENT and r.case.primary_worker_id == worker.id
    ]
    if sent:
        provider_links.answer(
            links[sent[0].id],
            ProviderAnswer.ACCEPT,
            note="We have space this week.",
            commitment="See them for an intake interview",
            commitment_by=today + timedelta(days=3),
        )
    waiting = [
        r for r in open_referrals if r.status == ReferralStatus.ACKNOWLEDGED and r not in sent[:1]
    ]
    if waiting:
        waiting[0].provider_commitment = "Call the client back to book"
        waiting[0].provider_commitment_by = today - timedelta(days=1)


def _load_household(worker: User, today: date) -> None:
    """Brian lives with his partner and their two children; his landlord is in his network and
    may be contacted about him, with his consent (issue 19)."""
    brian = db.session.scalar(sa.select(Client).where(Client.preferred_name == "Brian"))
    case = brian.cases[0]
    clients.record_consent(
        brian,
        scope=ConsentScope.CONTACT_NETWORK,
        method=ConsentMethod.SIGNED,
        recorded_by=worker,
        case=case,
        given_at=_at(30),
        expires_on=today + timedelta(days=335),
    )
    household = network.create_household(
        brian,
        name="Apartment 3B, 41 Linden Avenue",
        created_by=worker,
        joined_on=today - timedelta(days=30),
    )
    for name, relationship, age in (
        ("Denise", RelationshipKind.PARTNER, 44),
        ("Liam", RelationshipKind.CHILD, 9),
        ("Nora", RelationshipKind.CHILD, 13),
    ):
        network.add_member(
            household,
            network.MemberDetails(
                name=name,
                relationship=relationship,
                birth_year=today.year - age,
                can_contact=relationship == RelationshipKind.PARTNER,
                joined_on=today - timedelta(days=30),
            ),
            through=brian,
            added_by=worker,
            today=today,
        )
    network.add_relationship(
        brian,
        network.RelationshipDetails(
            kind=RelationshipKind.LANDLORD,
            name="Mr Petrov",
            how_to_reach="555-260-9000, weekdays",
            can_contact=True,
        ),
        added_by=worker,
        today=today,
    )
    network.add_relationship(
        brian,
        network.RelationshipDetails(kind=RelationshipKind.FAITH_COMMUNITY, name="St Anne's"),
        added_by=worker,
        today=today,
    )
    goal = db.session.scalar(
        sa.select(Goal).join(Goal.plan).where(ServicePlan.case_id == case.id).limit(1)
    )
    if goal is not None:
        plans.add_task(
            case,
            goal,
            description="Go with Brian to the detox intake",
            responsible=TaskOwner.SUPPORT_PERSON,
            support_person="Denise",
            due_on=today + timedelta(days=6),
            user=worker,
        )
    cases.log_contact(
        case,
        recorded_by=worker,
        occurred_at=_at(8, 15),
        contact_type=ContactType.PHONE,
        duration_minutes=10,
        note="Rent is paid up to date; the landlord will fix the heating this week.",
        collateral_name="Mr Petrov",
        collateral_relationship=RelationshipKind.LANDLORD,
    )


def _load_agency_examples(
    users: dict[str, User], program_by_name: dict[str, programs.Program], today: date
) -> None:
    """One person across the agency: a client in both programs, a consent running out, and a
    second record of José that an outreach worker has suggested merging."""
    dee = db.session.scalar(sa.select(Client).where(Client.preferred_name == "Dee"))
    street_case = next(case for case in dee.cases if case.program.name == STREET)
    cases.open_case(
        dee,
        program_by_name[HOUSING],
        created_by=users["casemanager"],
        primary_worker=users["casemanager"],
        intake=cases.IntakeDetails(
            presenting_circumstances="Referred on by Street Outreach for a Housing First place.",
            client_priorities="A room of her own.",
        ),
        next_follow_up_on=today + timedelta(days=3),
    )
    clients.record_consent(
        dee,
        scope=ConsentScope.AGENCY_SHARING,
        method=ConsentMethod.SIGNED,
        recorded_by=users["outreach"],
        all_programs=True,
        expires_on=today + timedelta(days=9),
        case=street_case,
    )
    jose = db.session.scalar(sa.select(Client).where(Client.preferred_name == "José"))
    second = clients.create_client(
        clients.ClientDetails(preferred_name="Jose", legal_name="Jose Nunez", phone="555 201 4432"),
        created_by=users["outreach2"],
    )
    cases.open_case(
        second,
        program_by_name[STREET],
        created_by=users["outreach2"],
        primary_worker=users["outreach2"],
        next_follow_up_on=today + timedelta(days=5),
    )
    merge.suggest(
        second,
        jose,
        suggested_by=users["outreach2"],
        note="Same phone number; he told me Sam met him at the Walmart lot.",
    )


def _load_self_intake(worker: User, program: programs.Program) -> None:
    """A self-intake waiting in the queue, in Spanish, as a client on her own phone sent it."""
    invitation, _token = self_intake.create_invitation(worker, program, language="es")
    self_intake.submit(
        invitation,
        {
            "preferred_name": "Lupe",
            "legal_name": "Guadalupe Ramírez Soto",
            "age": 41,
            "needs": ["housing", "food", "mental_health"],
            "needs_text": "Dormimos en el carro con mis dos hijos desde el lunes.",
            "going_well": "Trabajo por las mañanas.",
            "supporters": "Mi hermana en Fresno.",
            "phone": "555 201 4471",
            "safe_to_call": "yes",
            "safe_to_text": "no",
            "best_times": "Tardes",
            "contact_notes": "No dejen mensajes de voz.",
            "consent_contact": True,
        },
        language="es",
    )


def _load_agency_referrals(users: dict[str, User], housing: programs.Program) -> None:
    """Tyrell, held by Street Outreach, referred to Housing First four days ago with his consent
    to share there: waiting in Housing First's intake queue, and chased on Sam's Today. Ana, in
    Housing First, asked Ngozi to refer Mai, whom she met at the drop-in."""
    outreach_case = {
        case.client.preferred_name: case
        for case in db.session.scalars(sa.select(Case).where(Case.program_id != housing.id))
    }
    tyrell = outreach_case["Tyrell"]
    consent = clients.record_consent(
        tyrell.client,
        scope=ConsentScope.AGENCY_SHARING,
        method=ConsentMethod.SIGNED,
        recorded_by=users["outreach"],
        given_at=_at(4, 10),
        programs=[housing],
        expires_on=local_today() + timedelta(days=361),
        case=tyrell,
    )
    referral = agency.refer_within_agency(
        tyrell,
        housing,
        created_by=users["outreach"],
        consent=consent,
        today=local_today(),
        reason="Ready for a Housing First flat: documents in hand, wants his own place.",
    )
    referral.created_at = _at(4, 11)
    agency.ask_for_referral(
        outreach_case["Mai"],
        asked_by=users["casemanager"],
        program=housing,
        looked_for="Mai Nguyen",
    )
    db.session.flush()


def _load_client(
    spec: DemoClient,
    worker: User,
    program: programs.Program,
    service_by_name: dict[str, Service],
    today: date,
) -> None:
    client = clients.create_client(
        clients.ClientDetails(
            preferred_name=spec.preferred_name,
            legal_name=spec.legal_name,
            aliases=list(spec.aliases),
            date_of_birth=spec.date_of_birth,
            estimated_birth_year=today.year - spec.approximate_age
            if spec.approximate_age
            else None,
            language=spec.language,
            phone=spec.phone,
            safe_to_call=spec.safe_to_call,
            safe_to_text=spec.safe_to_text,
            contact_notes=spec.contact_notes,
        ),
        created_by=worker,
    )
    client.created_at = _at(
        spec.opened_days_ago, 8
    )  # first met when the case opened, not at load time
    case = cases.open_case(
        client,
        program,
        created_by=worker,
        primary_worker=worker,
        restricted=spec.restricted,
        opened_at=_at(spec.opened_days_ago, 9),
        risk_level=spec.risk,
        intake=cases.IntakeDetails(
            presenting_circumstances=spec.circumstances,
            safety_concern=spec.safety_concern,
            safety_details=spec.safety_details,
            client_priorities=spec.priorities,
            strengths=spec.strengths,
        ),
    )
    clients.record_consent(
        client,
        scope=ConsentScope.DATA_COLLECTION,
        method=ConsentMethod.VERBAL,
        recorded_by=worker,
        given_at=_at(spec.opened_days_ago),
        case=case,
    )
    for days_ago, contact_type, minutes, place, note in sorted(spec.contacts, key=lambda c: -c[0]):
        cases.log_contact(
            case,
            recorded_by=worker,
            occurred_at=_at(days_ago, 11),
            contact_type=contact_type,
            duration_minutes=minutes,
            place=place,
            note=note,
        )
    goal = _assessment_and_plan(spec, case, worker, today)
    for service_name, days_ago, statuses in spec.referrals:
        service = service_by_name[service_name]
        # The client agreed to share with the provider when the referral was made.
        consent = next(
            (c for c in client.consents if c.provider_id == service.provider_id),
            None,
        ) or clients.record_consent(
            client,
            scope=ConsentScope.SHARING,
            method=ConsentMethod.SIGNED,
            recorded_by=worker,
            given_at=_at(days_ago, 11),
            provider=service.provider,
            expires_on=today - timedelta(days=days_ago) + timedelta(days=365),
            case=case,
        )
        referral = referrals.make_referral(
            case,
            service,
            created_by=worker,
            today=today,
            sent_at=_at(days_ago, 12),
            goal=goal if goal and goal.is_active else None,
            follow_up_on=today - timedelta(days=days_ago) + timedelta(days=7),
            consent=consent,
        )
        for step, status in enumerate(statuses[1:], start=1):
            appointment = None
            if status == ReferralStatus.SCHEDULED:
                # The last step booked for today shows on Today; an earlier one was kept on the
                # day of the step after it.
                last = step == len(statuses) - 1
                appointment = referrals.Appointment(
                    today if last else today - timedelta(days=max(days_ago - 3 * (step + 1), 0)),
                    time(10, 30),
                    referral.service.provider.address,
                )
            referrals.change_status(
                referral,
                status,
                confirmed_by=worker,
                method=ConfirmationMethod.CLIENT,
                occurred_at=_at(max(days_ago - 3 * step, 0), 13),
                appointment=appointment,
            )
    case.next_follow_up_on = (
        today + timedelta(days=spec.follow_up_in_days)
        if spec.follow_up_in_days is not None
        else None
    )
    _practice_records(spec, case, worker, goal, today)
    db.session.flush()


PHASE_ORDER = list(Phase)
BASELINE = {
    LifeDomain.HOUSING: (1, "No fixed address; sleeping outside or in a vehicle."),
    LifeDomain.INCOME: (2, "No regular income; some cash from odd jobs."),
    LifeDomain.HEALTH: (2, "Untreated problems; no regular doctor."),
    LifeDomain.SOCIAL_SUPPORT: (3, "One or two people they can call."),
}
LATER = {
    LifeDomain.HOUSING: 3,
    LifeDomain.INCOME: 3,
    LifeDomain.HEALTH: 3,
    LifeDomain.SOCIAL_SUPPORT: 4,
}


def _assessment_and_plan(spec: DemoClient, case: Case, worker: User, today: date) -> Goal | None:
    """Records that put the case where the spec says: a baseline from planning on, an agreed plan
    after."""
    reached = PHASE_ORDER.index(spec.phase)
    if reached < PHASE_ORDER.index(Phase.PLANNING):
        return None
    opened = spec.opened_days_ago
    assessments.record_assessment(
        case,
        assessments.AssessmentDetails(
            kind=AssessmentKind.BASELINE,
            assessed_on=today - timedelta(days=max(opened - 3, 0)),
            scores=dict(BASELINE),
            strengths_personal=spec.strengths,
            needs=spec.circumstances,
            client_view=spec.priorities,
        ),
        recorded_by=worker,
        existing=[],
    )
    goal = plans.add_goal(
        case,
        plans.GoalDetails(
            domain=LifeDomain.HOUSING,
            statement=spec.priorities or "Somewhere stable to live.",
            measure="Keys in hand, and still housed after three months.",
            target_on=today + timedelta(days=90),
            status=GoalStatus.IN_PROGRESS,
        ),
        user=worker,
        today=today,
    )
    if reached >= PHASE_ORDER.index(Phase.IMPLEMENTATION):
        plans.record_agreement(
            case,
            agreed_by="The client",
            agreed_on=today - timedelta(days=max(opened - 7, 0)),
            method=AgreementMethod.IN_PERSON,
            review_on=today + timedelta(days=20),
            expected_version=None,
            user=worker,
            today=today,
        )
    return goal


def _practice_records(
    spec: DemoClient, case: Case, worker: User, goal: Goal | None, today: date
) -> None:
    if goal is None:
        return
    if spec.phase == Phase.IMPLEMENTATION:
        plans.add_task(
            case,
            goal,
            description="Bring ID and proof of income to the next meeting",
            responsible=TaskOwner.CLIENT,
            due_on=today + timedelta(days=5),
            user=worker,
        )
    if spec.phase in (Phase.MONITORING, Phase.CLOSED):
        task = plans.add_task(
            case,
            goal,
            description="Fill in the housing application together",
            responsible=TaskOwner.CASE_MANAGER,
            due_on=None,
            user=worker,
        )
        plans.set_task_done(case, task, True, user=worker)
        state = load_state(case)
        assessments.record_assessment(
            case,
            assessments.AssessmentDetails(
                kind=AssessmentKind.REASSESSMENT,
                assessed_on=today - timedelta(days=spec.closed[0] + 30 if spec.closed else 25),
                scores={
                    domain: (LATER[domain], "Better since the last assessment.")
                    for domain in BASELINE
                },
            ),
            recorded_by=worker,
            existing=state.assessments,
        )
    if spec.closed or spec.phase == Phase.MONITORING and spec.worker == "casemanager":
        # Closed cases close as planned; one monitoring case waits for the supervisor's approval.
        state = load_state(case)
        assessments.record_assessment(
            case,
            assessments.AssessmentDetails(
                kind=AssessmentKind.CLOSURE,
                assessed_on=today - timedelta(days=spec.closed[0] if spec.closed else 1),
                scores={domain: (LATER[domain] + 1, "Stable at closure.") for domain in BASELINE},
            ),
            recorded_by=worker,
            existing=state.assessments,
        )
        days_ago, reason, outcome = spec.closed or (
            1,
            "goals_met",
            "Housed for six months, paying rent on time.",
        )
        closed_on = today - timedelta(days=days_ago)
        request = closure.request_closure(
            load_state(case),
            closure.ClosurePlan(
                reason=ClosureReason(reason),
                outcome=outcome,
                goal_outcomes={goal.id: GoalStatus.MET},
                follow_up_dates=[
                    today + timedelta(days=1 + n) for n, _ in enumerate(closure.DEFAULT_FOLLOW_UPS)
                ],
            ),
            user=worker,
            today=today,
        )
        if spec.closed:
            # Back-date the closure: its first check was made, the second is overdue on Today.
            request.requested_at = request.decided_at = case.closed_at = _at(days_ago, 16)
            case.next_follow_up_on = None
            follow_ups = db.session.scalars(
                sa.select(PostClosureFollowUp)
                .where(PostClosureFollowUp.case_id == case.id)
                .order_by(PostClosureFollowUp.due_on)
            ).all()
            for follow_up, step in zip(follow_ups, closure.DEFAULT_FOLLOW_UPS, strict=True):
                follow_up.due_on = closed_on + step
            follow_ups[0].done_at, follow_ups[0].done_by_id = _at(days_ago - 30, 15), worker.id
            follow_ups[0].note = "Called: still in the room, still working. Sounded well."


def sign_in_sheet() -> str:
    lines = ["", "Demo sign-ins (demo data only; these passwords are public):"]
    width = max(len(user.email) for user in USERS)
    for user in USERS:
        lines.append(f"  {user.role.label:<16} {user.email:<{width}}  {user.password}")
    lines.append(
        "  The admin signs in in two steps: `.venv/bin/flask --app wsgi demo code` prints the code"
    )
    lines.append(f"  (or add the key {DEMO_ADMIN_TOTP_SECRET} to an authenticator app).")
    return "\n".join(lines)
