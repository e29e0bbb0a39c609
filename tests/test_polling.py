"""The poll schedule: late by a bounded fraction, never hammering, learning when generations are due."""

from pipeline.engine.polling import MAX_S, MIN_S, PollSchedule


def polls_until(schedule: PollSchedule, done_at: float) -> tuple[int, float]:
    """How many polls a generation finishing at `done_at` takes, and how late the last one notices it."""
    elapsed, polls = 0.0, 0
    while elapsed < done_at:
        elapsed += schedule.wait(elapsed)
        polls += 1
    return polls, elapsed - done_at


def test_without_expectation_a_long_generation_is_noticed_at_most_5_percent_late():
    polls, late = polls_until(PollSchedule(), 100.0)
    assert late <= 5.0 and polls <= 110  # ~1 a second: only the first wave of a run polls blind
    assert all(MIN_S <= PollSchedule().wait(t) <= MAX_S for t in (0, 1, 10, 100, 1000))


def test_an_expectation_skips_early_polls_and_tightens_near_the_due_time():
    blind = polls_until(PollSchedule(), 100.0)
    learned = PollSchedule()
    learned.finished(100.0)
    polls, late = polls_until(learned, 100.0)
    assert polls < blind[0] / 2
    assert late <= 2.0 + 1e-9
    assert learned.wait(10.0) == MAX_S  # far from due: wait long
