import datetime as dt

import time_machine
from django.core.management import call_command

from audit.models import Checkpoint
from procurement.clock import tick


def test_a_pass_signs_a_checkpoint_when_none_exists_and_the_log_has_entries(grow_log):
    grow_log(3)
    assert tick()["checkpoint"] == 3
    assert Checkpoint.objects.get().tree_size == 3


def test_a_pass_signs_again_only_after_the_interval_and_only_if_the_log_grew(grow_log, settings):
    settings.AUDIT_CHECKPOINT_INTERVAL = 60
    grow_log(2)
    with time_machine.travel(
        dt.datetime(2026, 5, 4, 10, 0, 0, tzinfo=dt.UTC), tick=False
    ) as traveller:
        assert tick()["checkpoint"] == 2
        grow_log(1)
        traveller.move_to(dt.datetime(2026, 5, 4, 10, 0, 59, tzinfo=dt.UTC))
        assert tick()["checkpoint"] is None  # one second before the interval ends
        traveller.move_to(dt.datetime(2026, 5, 4, 10, 1, 0, tzinfo=dt.UTC))
        assert tick()["checkpoint"] == 3  # exactly at the interval
        traveller.move_to(dt.datetime(2026, 5, 4, 10, 5, 0, tzinfo=dt.UTC))
        assert tick()["checkpoint"] is None  # due, but the log did not grow
    assert list(Checkpoint.objects.values_list("tree_size", flat=True)) == [2, 3]


def test_the_tick_command_reports_what_it_did(grow_log, capsys):
    grow_log(1)
    call_command("tick")
    assert "checkpoint: 1" in capsys.readouterr().out
