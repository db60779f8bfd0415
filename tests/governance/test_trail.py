"""The trail: one event per write, a hash chain that verification checks, and on PostgreSQL a
table that refuses to be rewritten."""

import ast
import threading
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction

from governance.models import Event, EventVerb, TrailHead
from governance.trail import GENESIS_HASH, event_content, event_hash, event_record, trail_verify
from tests.database_roles import as_database_owner
from tests.factories import mlmodel_make

pytestmark = pytest.mark.django_db
REPO = Path(__file__).resolve().parents[2]


def test_each_write_records_one_event_linked_to_the_previous(cast):
    before = Event.objects.count()
    model = mlmodel_make(cast.erin)
    events = list(Event.objects.order_by("seq"))
    assert len(events) == before + 1
    last = events[-1]
    assert (last.verb, last.target_repr, last.actor_name) == (
        "model_registered",
        model.name,
        "Erin Tester",
    )
    assert last.prev_hash == events[-2].hash
    assert last.hash == event_hash(last.prev_hash, event_content(last))


def test_an_events_hash_is_over_the_same_bytes_as_ever():
    """Pinned: a change to the canonical form would leave every recorded event unverifiable."""
    content = {
        "seq": 7,
        "occurred_at": datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC).isoformat(),
        "actor_name": "Zoë Ærø",
        "verb": EventVerb.MODEL_REGISTERED,
        "after": {
            "amount": Decimal("1.50"),
            "when": date(2026, 1, 2),
            "ratio": 0.1,
            "id": uuid.UUID(int=5),
            "nested": {"b": 1, "a": [True, None]},
        },
        "note": "naïve \u2028 line",
    }
    assert event_hash(GENESIS_HASH, content) == (
        "07c54da414ca0bc0be84749868ab7a8f280f082cc8400a7942441325e5e95234"
    )


def test_the_first_event_links_to_the_genesis_hash(cast):
    assert Event.objects.get(seq=1).prev_hash == GENESIS_HASH


def test_verify_trail_prints_the_head_hash_when_intact(cast, capsys):
    mlmodel_make(cast.erin)
    call_command("verify_trail")
    head = TrailHead.objects.get(pk=1)
    assert head.hash in capsys.readouterr().out


def _verify_trail_exit_code(capsys) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_trail")
    return exit_info.value.code, capsys.readouterr().err


@pytest.mark.django_db(transaction=True)
def test_a_row_changed_in_sql_is_named_by_verify_trail(cast, capsys):
    mlmodel_make(cast.erin)
    target = Event.objects.get(verb="model_registered")
    as_database_owner(
        ("UPDATE governance_event SET actor_name = 'mallory' WHERE seq = %s", [target.seq])
    )
    code, err = _verify_trail_exit_code(capsys)
    assert code == 1
    assert f"#{target.seq}" in err and "content does not match" in err


@pytest.mark.django_db(transaction=True)
def test_a_removed_row_is_named_by_verify_trail(cast, capsys):
    mlmodel_make(cast.erin)
    as_database_owner(("DELETE FROM governance_event WHERE seq = 3", []))
    code, err = _verify_trail_exit_code(capsys)
    assert (code, "#3" in err, "missing" in err) == (1, True, True)


@pytest.mark.django_db(transaction=True)
def test_an_inserted_row_is_named_by_verify_trail(cast, capsys):
    mlmodel_make(cast.erin)
    as_database_owner(
        ("UPDATE governance_event SET seq = seq + 1000 WHERE seq >= 3", []),
        ("UPDATE governance_event SET seq = seq - 999 WHERE seq >= 1003", []),
        (
            "INSERT INTO governance_event (seq, occurred_at, actor_name, verb, target_type,"
            " target_id, target_repr, note, request_id, prev_hash, hash) VALUES (3, "
            "'2026-01-01', 'mallory', 'model_registered', 'x', '1', 'x', '', '', %s, %s)",
            [Event.objects.get(seq=2).hash, "f" * 64],
        ),
    )
    code, err = _verify_trail_exit_code(capsys)
    assert (code, "#3" in err) == (1, True)


@pytest.mark.django_db(transaction=True)
def test_a_truncated_tail_is_caught_by_the_head(cast, capsys):
    mlmodel_make(cast.erin)
    last = Event.objects.order_by("-seq").first()
    as_database_owner(("DELETE FROM governance_event WHERE seq = %s", [last.seq]))
    code, err = _verify_trail_exit_code(capsys)
    assert (code, f"#{last.seq}" in err) == (1, True)


@pytest.mark.django_db(transaction=True)
def test_recording_outside_a_transaction_is_refused():
    from tests.factories import user_make

    erin = user_make("erin", "engineer", team="team-a")
    with pytest.raises(RuntimeError, match=r"inside transaction\.atomic"):
        event_record(actor=erin, verb=EventVerb.MODEL_REGISTERED, target=erin)


def test_an_event_is_rolled_back_with_its_change(cast):
    count = Event.objects.count()
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        event_record(actor=cast.erin, verb=EventVerb.USER_UPDATED, target=cast.erin)
        1 / 0  # noqa: B018
    assert Event.objects.count() == count
    assert trail_verify().intact


def test_it_refuses_a_verb_not_in_the_named_set(cast):
    with pytest.raises(ValueError, match="something_happened"), transaction.atomic():
        event_record(actor=cast.erin, verb="something_happened", target=cast.erin)  # type: ignore[arg-type]
    assert trail_verify().intact


def test_no_code_spells_a_verb_as_a_string():
    """Every verb recorded or counted is an EventVerb constant: a literal or an f-string would
    be matched by its readers only by spelling."""
    spelled = []
    for app in ("governance", "audits", "reports"):
        for path in (REPO / app).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if not isinstance(node, ast.Call):
                    continue
                for keyword in node.keywords:
                    if keyword.arg == "verb" and isinstance(
                        keyword.value, ast.Constant | ast.JoinedStr
                    ):
                        spelled.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert spelled == []


@pytest.fixture
def on_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: make test runs it in its PostgreSQL pass")


@pytest.mark.postgres
@pytest.mark.parametrize(
    "statement",
    ["UPDATE governance_event SET actor_name = 'mallory'", "DELETE FROM governance_event"],
)
def test_postgres_refuses_to_rewrite_the_trail(on_postgres, cast, statement):
    # The application role lacks the privilege; a role owning the table meets the trigger.
    refusal = r"append-only|permission denied"
    with pytest.raises(Exception, match=refusal), connection.cursor() as cursor:
        cursor.execute(statement)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_writers_leave_one_unbroken_chain(on_postgres):
    from tests.factories import user_make

    erin = user_make("erin", "engineer", team="team-a")
    start = Event.objects.count()
    barrier = threading.Barrier(50)
    errors: list[BaseException] = []

    def write(index: int) -> None:
        try:
            barrier.wait()
            mlmodel_make(erin, slug=f"model-{index}")
        except BaseException as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(i,)) for i in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    verdict = trail_verify()
    assert verdict.intact, verdict
    assert verdict.events == start + 50
    assert sorted(Event.objects.values_list("seq", flat=True)) == list(range(1, start + 51))
