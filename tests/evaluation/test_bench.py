from __future__ import annotations

from datetime import UTC, datetime, timedelta

from analytics.deadlines import DeadlineTable
from evaluation.bench import NOW, bytes_per_home, simulated_month, synthetic_table, time_check
from evaluation.simulated import START


def test_deadline_table_finds_due_homes_and_respects_pauses() -> None:
    table = DeadlineTable(rules=2, capacity=2)
    now = datetime(2026, 1, 1, 12, tzinfo=UTC)
    table.set("a", now - timedelta(seconds=1))
    table.set("b", now + timedelta(hours=1), rule=1)
    table.set("c", now - timedelta(minutes=5), rule=1)  # grows the table
    table.pause("c", now + timedelta(days=2))
    assert table.due(now) == ["a"]
    assert table.earliest() == now - timedelta(minutes=5)
    table.set("a", None)
    assert table.due(now) == []


def test_clearing_one_rule_leaves_the_home_due_at_its_other_deadline() -> None:
    table = DeadlineTable(rules=2, capacity=1)
    now = datetime(2026, 1, 1, 12, tzinfo=UTC)
    table.set("a", now - timedelta(minutes=1), rule=0)
    table.set("a", now + timedelta(minutes=30), rule=1)
    table.set("a", None, rule=0)
    assert table.due(now) == []
    assert table.due(now + timedelta(minutes=30)) == ["a"]
    assert table.earliest() == now + timedelta(minutes=30)


def test_vectorised_check_over_many_homes_is_fast() -> None:
    table = synthetic_table(200_000)
    check_ms, due = time_check(table, repeat=3)
    assert 0 < due < 200_000
    assert check_ms < 100
    assert table.due(NOW)[:1] != []


def test_memory_per_home_counts_what_the_detectors_keep_not_the_input() -> None:
    day = [o for o in simulated_month() if o.at < START + timedelta(days=1)]
    one, two = bytes_per_home(day, homes=1), bytes_per_home(day, homes=2)
    assert one > 1024
    # Per home: two homes hold about twice one's, so the figure does not depend on N.
    assert 0.5 < two / one < 1.5
