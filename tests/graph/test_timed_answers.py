"""Answers kept a few seconds (graph/timed_answers.py): pure."""

from graph.timed_answers import TimedAnswers


def counter():
    reads = {"n": 0}

    def read():
        reads["n"] += 1
        return {"read": reads["n"]}
    return reads, read


def test_an_answer_is_kept_while_fresh_and_read_again_after():
    now = [100.0]
    answers = TimedAnswers(keep_seconds=5, max_entries=10, clock=lambda: now[0])
    reads, read = counter()
    assert answers.get("q", read) == {"read": 1}
    now[0] = 104.9
    assert answers.get("q", read) == {"read": 1}
    assert reads["n"] == 1
    now[0] = 105.0
    assert answers.get("q", read) == {"read": 2}


def test_keys_are_kept_apart_the_oldest_goes_first_and_clear_forgets_all():
    answers = TimedAnswers(keep_seconds=60, max_entries=2)
    reads, read = counter()
    answers.get("a", read)
    answers.get("b", read)
    answers.get("c", read)  # "a" goes to make room
    assert reads["n"] == 3
    answers.get("b", read)
    answers.get("c", read)
    assert reads["n"] == 3
    answers.get("a", read)
    assert reads["n"] == 4
    answers.clear()
    answers.get("a", read)
    assert reads["n"] == 5
