"""The dispatcher's batches: Today worked out for many users at once is each user's own Today, and
pushes go out side by side, a bounded number at a time, each answered and recorded once."""

import threading
import time as clock
from datetime import UTC, datetime, time, timedelta

import pytest
import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app

from tests.lifecycle import (
    a_service,
    add_goal,
    agree,
    assess,
    pending_self_intake,
    refer,
    waiting_for_a_place,
)
from webapp.extensions import db
from webapp.jobs import dispatcher
from webapp.models import (
    AssessmentKind,
    Case,
    CaseModel,
    CaseTeamMember,
    ClosureReason,
    ClosureRequest,
    ClosureStatus,
    ConfirmationMethod,
    ConsentMethod,
    ConsentScope,
    IntakeScreening,
    InternalReferral,
    InternalReferralStatus,
    Invitation,
    MergeSuggestion,
    MessageKind,
    PostClosureFollowUp,
    PushAttempt,
    PushSubscription,
    ReferralMessage,
    ReferralRequest,
    ReferralStatus,
    ReminderKind,
    ReminderState,
    RiskLevel,
    Role,
    TaskOwner,
    TeamRole,
    User,
    WaitPriority,
    WarmHandoff,
)
from webapp.queries import visibility
from webapp.queries.reminders import due_reminders, due_reminders_for
from webapp.queries.today import due_items, due_items_for
from webapp.services import clients, plans, referrals
from webapp.services import push as push_layer
from webapp.timeutil import local_today, zone_of

ZONES = [None, "America/Chicago", "Pacific/Auckland", "Asia/Kolkata", "Europe/London"]


def _described(items):
    return [
        (
            item.key,
            item.kind,
            str(item.detail),
            str(item.action_label),
            item.action,
            str(item.heading),
            str(item.program_name),
            item.urgent,
        )
        for item in items
    ]


@pytest.fixture
def organisation(app, make_program, make_user, make_case):
    """Workers, case managers, supervisors and an admin in two programs and five time zones, with
    every kind of reminder, teams, a restricted case, someone who left a program, snoozed and done
    reminders, and quiet hours."""
    today = local_today()
    ago = datetime.now(UTC) - timedelta(days=5)
    housing = make_program("Housing")
    health = make_program("Health", model=CaseModel.INTENSIVE)
    boss = make_user(Role.SUPERVISOR, [housing], name="Bea Boss")
    other_boss = make_user(Role.SUPERVISOR, [health], name="Hal Boss")
    admin = make_user(Role.ADMIN, [housing], name="Ada Admin")
    ana = make_user(Role.CASE_MANAGER, [housing], supervisor=boss, name="Ana Manager")
    sam = make_user(Role.OUTREACH_WORKER, [housing], supervisor=boss, name="Sam Outreach")
    hana = make_user(Role.CASE_MANAGER, [health], supervisor=other_boss, name="Hana Health")
    both = make_user(Role.CASE_MANAGER, [housing, health], name="Bo Both")
    outsider = make_user(Role.OUTREACH_WORKER, [health], name="Olu Outsider")
    leaver = make_user(Role.OUTREACH_WORKER, [housing], name="Lee Leaver")
    idle = make_user(Role.OUTREACH_WORKER, [health], name="Ida Idle")
    people = [boss, other_boss, admin, ana, sam, hana, both, outsider, leaver, idle]
    for number, person in enumerate(people):
        person.time_zone = ZONES[number % len(ZONES)]
    sam.quiet_from, sam.quiet_until = time(22, 0), time(6, 0)
    service = a_service()

    # Case work: follow-ups, lapsed contact, urgent, handoffs, reassessments, plan reviews, tasks.
    for worker, program in ((ana, housing), (sam, housing), (hana, health), (both, health)):
        make_case(program, worker, name=f"Due {worker.display_name}", follow_up_in_days=-1)
        make_case(program, worker, name=f"Later {worker.display_name}", follow_up_in_days=3)
        lapsed = make_case(program, worker, name=f"Lapsed {worker.display_name}")
        lapsed.opened_at = datetime.now(UTC) - timedelta(days=90)
        urgent = make_case(program, worker, name=f"Urgent {worker.display_name}")
        urgent.risk_level = RiskLevel.URGENT
        handed = make_case(program, worker, name=f"Handed {worker.display_name}")
        handed.handoff_pending = True
        assessed = make_case(program, worker, name=f"Assessed {worker.display_name}")
        assess(assessed, worker, on=today - timedelta(days=400))
        goal = add_goal(assessed, worker)
        agree(assessed, worker, review_in_days=0)
        plans.add_task(
            assessed,
            goal,
            description="Phone the landlord",
            responsible=TaskOwner.CLIENT,
            due_on=today,
            user=worker,
        )
        plans.add_task(
            assessed,
            goal,
            description="Fill in the form",
            responsible=TaskOwner.CASE_MANAGER,
            due_on=today + timedelta(days=1),  # due tomorrow: today in Auckland, not in Chicago
            user=worker,
        )
    db.session.commit()

    # A restricted case, seen by its worker, their supervisor and its team; a team member from
    # another program, who does not see it.
    secret = make_case(housing, ana, name="Secret Person", restricted=True, follow_up_in_days=0)
    db.session.add_all(
        [
            CaseTeamMember(case_id=secret.id, user_id=sam.id, role=TeamRole.CO_WORKER),
            CaseTeamMember(case_id=secret.id, user_id=outsider.id, role=TeamRole.PEER_SUPPORT),
        ]
    )
    # Someone who left the program keeps none of its cases on Today.
    make_case(housing, leaver, name="Left Behind", follow_up_in_days=-2)
    leaver.programs = []

    # Referrals: to confirm, an appointment today, a provider's promise gone by, an answer.
    case = make_case(housing, ana, name="Referred Person")
    to_confirm = refer(case, service, created_by=ana, today=today - timedelta(days=10))
    to_confirm.follow_up_on = today - timedelta(days=1)
    booked = refer(case, service, created_by=ana, today=today)
    referrals.change_status(
        booked,
        ReferralStatus.SCHEDULED,
        confirmed_by=ana,
        method=ConfirmationMethod.PHONE,
        appointment=referrals.Appointment(today, time(9, 30), "Main Street"),
    )
    promised = refer(case, service, created_by=ana, today=today)
    promised.provider_commitment = "Call back with a bed"
    promised.provider_commitment_by = today - timedelta(days=2)
    db.session.add(
        ReferralMessage(
            referral_id=promised.id, kind=MessageKind.NOTE, from_provider=True, note="A bed soon"
        )
    )
    # A consent running out, and one that is renewed.
    for days in (5, 9):
        clients.record_consent(
            case.client,
            scope=ConsentScope.CONTACT_PHONE,
            method=ConsentMethod.VERBAL,
            recorded_by=ana,
            expires_on=today + timedelta(days=days),
            case=case,
        )
    clients.record_consent(
        case.client,
        scope=ConsentScope.CONTACT_TEXT,
        method=ConsentMethod.VERBAL,
        recorded_by=ana,
        expires_on=today + timedelta(days=14),
        case=case,
    )

    # A closure waiting for approval, and a closed case's check to make.
    closing = make_case(housing, sam, name="Closing Person")
    assess(closing, sam, AssessmentKind.CLOSURE)
    db.session.add(
        ClosureRequest(
            case_id=closing.id,
            reason=ClosureReason.MOVED,
            outcome="Moved away.",
            warm_handoff=WarmHandoff.NOT_APPLICABLE,
            status=ClosureStatus.PENDING,
            requested_by_id=sam.id,
            requested_at=ago,
        )
    )
    closed = make_case(housing, sam, name="Closed Person")
    closed.closed_at = datetime.now(UTC) - timedelta(days=30)
    db.session.add(PostClosureFollowUp(case_id=closed.id, due_on=today - timedelta(days=1)))

    # A self-intake to review, a colleague asking for a referral, an internal referral waiting,
    # one answering the asker's own request, someone waiting for a place, a possible duplicate.
    pending_self_intake(housing.id, ana, "Newcomer", submitted_at=ago)
    db.session.add(
        ReferralRequest(
            case_id=case.id, asked_by_id=hana.id, program_id=health.id, looked_for="Referred"
        )
    )
    consent = clients.record_consent(
        case.client,
        scope=ConsentScope.AGENCY_SHARING,
        method=ConsentMethod.VERBAL,
        recorded_by=ana,
        all_programs=True,
        witness="A colleague",
        case=case,
    )
    waiting_referral = InternalReferral(
        from_case_id=case.id,
        to_program_id=health.id,
        consent_id=consent.id,
        status=InternalReferralStatus.PENDING,
        created_by_id=ana.id,
        created_at=ago,
    )
    db.session.add(waiting_referral)
    db.session.flush()
    db.session.add(
        ReferralRequest(
            case_id=case.id,
            asked_by_id=both.id,
            program_id=health.id,
            looked_for="Referred",
            internal_referral_id=waiting_referral.id,
        )
    )
    waiting = clients.create_client(
        clients.ClientDetails(preferred_name="Wai Ting"), created_by=hana
    )
    waiting_for_a_place(
        health.id,
        waiting.id,
        holder=hana,
        priority=WaitPriority.HIGH,
        since=today - timedelta(days=20),
        check_in=today,
    )
    twin = make_case(housing, sam, name="Referred Person")
    db.session.add(
        MergeSuggestion(client_id=case.client_id, other_id=twin.client_id, suggested_by_id=sam.id)
    )
    db.session.commit()
    return people


def _todays(people, now):
    return [(person, now.astimezone(zone_of(person)).date()) for person in people]


@pytest.mark.parametrize("hour", [2, 12, 23])
def test_today_for_a_batch_is_each_users_own_today(organisation, hour):
    people = [db.session.get(User, person.id) for person in organisation]
    now = datetime.combine(local_today(), time(hour, 0), tzinfo=UTC)
    batched = due_items_for(_todays(people, now))
    assert set(batched) == {person.id for person in people}
    for person, today in _todays(people, now):
        assert _described(batched[person.id]) == _described(due_items(person, today)), person
    kinds = {item.kind for found in batched.values() for item in found}
    if hour == 12:  # midday in the organisation: the appointment is on Ana's today too
        assert kinds == set(ReminderKind)  # the organisation has every kind of reminder
    # Nobody sees a case hidden from them, in a batch or alone.
    names = {p.display_name: {str(i.heading) for i in batched[p.id]} for p in people}
    assert "Secret Person" in names["Ana Manager"] and "Secret Person" in names["Sam Outreach"]
    assert "Secret Person" not in names["Olu Outsider"] and names["Lee Leaver"] == set()
    assert names["Ida Idle"] == set()


def test_reminders_for_a_batch_leave_out_what_each_user_snoozed_or_set_done(organisation):
    people = [db.session.get(User, person.id) for person in organisation]
    now = datetime.now(UTC)
    for person in people[:5]:
        items = due_reminders(person, now)
        if len(items) >= 2:
            db.session.add_all(
                [
                    ReminderState(
                        user_id=person.id,
                        item_key=items[0].key,
                        snoozed_until=now + timedelta(hours=2),
                    ),
                    ReminderState(user_id=person.id, item_key=items[1].key, done_at=now),
                ]
            )
    db.session.commit()
    batched = due_reminders_for(people, now)
    for person in people:
        assert _described(batched[person.id]) == _described(due_reminders(person, now))
    later = now + timedelta(hours=3)  # the snoozes are over
    batched = due_reminders_for(people, later)
    for person in people:
        assert _described(batched[person.id]) == _described(due_reminders(person, later))


def test_the_viewer_forms_of_visibility_agree_with_the_per_user_rules(organisation):
    people = [db.session.get(User, person.id) for person in organisation]
    viewer = so.aliased(User)
    ids = [person.id for person in people]
    for model, per_user, to in (
        (Case, visibility.visible_cases, visibility.visible_cases_to),
        (IntakeScreening, visibility.visible_screenings, visibility.visible_screenings_to),
        (Invitation, visibility.visible_invitations, visibility.visible_invitations_to),
    ):
        pairs = set(
            db.session.execute(
                sa.select(viewer.id, model.id).join(viewer, viewer.id.in_(ids)).where(to(viewer))
            ).all()
        )
        for person in people:
            alone = set(db.session.scalars(sa.select(model.id).where(per_user(person))))
            assert {record for who, record in pairs if who == person.id} == alone, (model, person)


def _subscribe_everyone(people, push_service):
    devices = {}
    for person in people:
        devices[person.id] = [push_service.new_device() for _ in range(2 if person.id % 2 else 1)]
        for device in devices[person.id]:
            push_layer.subscribe(
                person, endpoint=device.endpoint, p256dh=device.p256dh, auth=device.auth, label="P"
            )
    db.session.commit()
    return devices


def _dispatch(now=None):
    with current_app.test_request_context():
        report = dispatcher.dispatch_once(now)
    db.session.rollback()
    return report


def test_one_run_in_small_batches_sends_each_user_their_own_digest(organisation, push_service, app):
    app.config["REMINDER_BATCH_USERS"] = 3
    app.config["PUSH_CONCURRENCY"] = 4
    people = [db.session.get(User, person.id) for person in organisation]
    devices = _subscribe_everyone(people, push_service)
    now = datetime.combine(local_today(), time(12, 0), tzinfo=UTC)
    expected = {person.id: len(due_reminders(person, now)) for person in people}
    quiet = {person.id for person in people if dispatcher.in_quiet_hours(person, now)}
    report = _dispatch(now)
    assert push_service.problems == []
    for person in people:
        for device in devices[person.id]:
            counts = [push.payload["count"] for push in push_service.delivered_to(device)]
            wanted = [] if person.id in quiet or not expected[person.id] else [expected[person.id]]
            assert counts == wanted, person
    assert report.notified_users == sum(
        1 for user_id, count in expected.items() if count and user_id not in quiet
    )
    assert _dispatch(now + timedelta(minutes=1)).outcomes == {}  # nothing new


def test_pushes_go_out_side_by_side_but_never_more_than_the_bound(
    push_service, app, make_program, make_user, make_case, monkeypatch
):
    app.config["PUSH_CONCURRENCY"] = 3
    app.config["REMINDER_BATCH_USERS"] = 5
    program = make_program()
    devices = []
    for number in range(12):
        worker = make_user(Role.OUTREACH_WORKER, [program])
        make_case(program, worker, follow_up_in_days=0)
        device = push_service.new_device(f"bound{number}")
        push_layer.subscribe(
            worker, endpoint=device.endpoint, p256dh=device.p256dh, auth=device.auth, label="P"
        )
        devices.append(device)
    db.session.commit()
    in_flight, most = [0], [0]
    lock = threading.Lock()
    handle = push_service.handle

    def slow_handle(path, headers, body):
        with lock:
            in_flight[0] += 1
            most[0] = max(most[0], in_flight[0])
        clock.sleep(0.05)  # long enough for the pool's other threads to arrive
        try:
            return handle(path, headers, body)
        finally:
            with lock:
                in_flight[0] -= 1

    monkeypatch.setattr(push_service, "handle", slow_handle)
    assert _dispatch().outcomes == {"sent": 12}
    assert most[0] == 3  # side by side, and no more than the bound
    assert [len(push_service.delivered_to(device)) for device in devices] == [1] * 12


def test_mixed_answers_give_each_device_one_attempt_and_the_right_outcome(
    push_service, app, make_program, make_user, make_case, monkeypatch
):
    app.config["PUSH_CONCURRENCY"] = 4
    app.config["REMINDER_BATCH_USERS"] = 2
    program = make_program()
    answers = {"ok": None, "busy": 429, "gone": 410, "broken": 500}
    outcome_of = {"ok": "sent", "busy": "retry", "gone": "gone", "broken": "retry"}
    devices = {}
    for name in answers:
        worker = make_user(Role.OUTREACH_WORKER, [program], name=f"Worker {name.title()}")
        make_case(program, worker, follow_up_in_days=-1)
        device = push_service.new_device(name)
        push_layer.subscribe(
            worker, endpoint=device.endpoint, p256dh=device.p256dh, auth=device.auth, label="P"
        )
        devices[name] = (worker.id, device)
        if answers[name]:
            push_service.answer(device, (answers[name], {}))
    db.session.commit()
    handle = push_service.handle

    def slow_for_some(path, headers, body):
        if path.endswith(("/ok", "/gone")):
            clock.sleep(0.3)  # a slow push service holds one thread, not the others
        return handle(path, headers, body)

    monkeypatch.setattr(push_service, "handle", slow_for_some)
    report = _dispatch()
    assert report.outcomes == {"sent": 1, "retry": 2, "gone": 1}
    attempts = db.session.execute(sa.select(PushAttempt.user_id, PushAttempt.outcome)).all()
    assert sorted(attempts) == sorted(
        (user_id, outcome_of[name]) for name, (user_id, _) in devices.items()
    )
    remaining = set(db.session.scalars(sa.select(PushSubscription.user_id)))
    assert devices["gone"][0] not in remaining and len(remaining) == 3
    notified = set(db.session.scalars(sa.select(ReminderState.user_id)))
    assert notified == {devices["ok"][0]}  # only what was delivered counts as announced


def test_a_push_service_that_never_answers_times_out_and_is_retried_later(
    push_service, app, make_program, make_user, make_case
):
    """Nothing listens on the port: the push is an error with a backoff, not a hang."""
    import socket

    app.config["PUSH_TIMEOUT_SECONDS"] = 1
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)  # accepts the connection, never reads or answers
    port = listener.getsockname()[1]
    try:
        program = make_program()
        worker = make_user(Role.OUTREACH_WORKER, [program])
        make_case(program, worker, follow_up_in_days=0)
        device = push_service.new_device("silent")
        db.session.add(
            PushSubscription(
                user_id=worker.id,
                endpoint=f"http://127.0.0.1:{port}/push/silent",
                p256dh=device.p256dh,
                auth=device.auth,
                device_label="P",
            )
        )
        db.session.commit()
        assert _dispatch().outcomes == {"retry": 1}
    finally:
        listener.close()
    subscription = db.session.scalar(sa.select(PushSubscription))
    assert subscription.retry_at is not None and subscription.failures == 1
    assert db.session.scalar(sa.select(ReminderState)) is None


def test_a_dispatcher_whose_clock_is_behind_skips_a_user_another_is_sending_to(
    push_service, app, sam_with_a_device, monkeypatch
):
    """Two dispatchers at once: the one that claims second may have started (taken its `now`)
    first. While the first one's push is on its way, its claim keeps the second off the user."""
    device = sam_with_a_device
    now = datetime.now(UTC)
    reached, release = threading.Event(), threading.Event()
    handle = push_service.handle

    def held(path, headers, body):
        reached.set()
        release.wait(timeout=30)
        return handle(path, headers, body)

    monkeypatch.setattr(push_service, "handle", held)
    errors = []

    def first():
        try:
            with app.app_context(), app.test_request_context():
                dispatcher.dispatch_once(now)
        except Exception as error:
            errors.append(error)

    thread = threading.Thread(target=first)
    thread.start()
    assert reached.wait(timeout=30)
    monkeypatch.setattr(push_service, "handle", handle)
    try:
        assert _dispatch(now - timedelta(seconds=5)).outcomes == {}
    finally:
        release.set()
        thread.join(timeout=30)
    assert errors == [] and len(push_service.delivered_to(device)) == 1


@pytest.fixture
def sam_with_a_device(push_service, make_program, make_user, make_case):
    program = make_program()
    sam = make_user(Role.OUTREACH_WORKER, [program])
    make_case(program, sam, follow_up_in_days=0)
    device = push_service.new_device()
    push_layer.subscribe(
        sam, endpoint=device.endpoint, p256dh=device.p256dh, auth=device.auth, label="P"
    )
    db.session.commit()
    return device


def test_users_whose_turn_comes_after_the_send_window_are_left_for_the_next_run(
    push_service, app, make_program, make_user, make_case, monkeypatch
):
    """A slow push service: the pushes a batch has not started by the end of its window wait for
    the next minute (another dispatcher may look at those users by then), unannounced."""
    app.config["PUSH_CONCURRENCY"] = 1
    program = make_program()
    devices = []
    for _ in range(2):
        worker = make_user(Role.OUTREACH_WORKER, [program])
        make_case(program, worker, follow_up_in_days=0)
        device = push_service.new_device()
        push_layer.subscribe(
            worker, endpoint=device.endpoint, p256dh=device.p256dh, auth=device.auth, label="P"
        )
        devices.append(device)
    db.session.commit()

    class Clock:
        seconds = 0.0

        def monotonic(self):
            return self.seconds

    clock_ = Clock()
    monkeypatch.setattr(dispatcher, "time", clock_)
    handle = push_service.handle

    def slow(path, headers, body):
        clock_.seconds += 3600  # the first push took longer than the window
        return handle(path, headers, body)

    monkeypatch.setattr(push_service, "handle", slow)
    now = datetime.now(UTC)
    report = _dispatch(now)
    assert report.outcomes == {"sent": 1} and report.deferred == 1
    assert [len(push_service.delivered_to(device)) for device in devices] == [1, 0]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PushAttempt)) == 1
    later = _dispatch(now + timedelta(seconds=61))
    assert later.outcomes == {"sent": 1}
    assert [len(push_service.delivered_to(device)) for device in devices] == [1, 1]
