"""Answers kept a few seconds (graph/timed_answers.py): pure."""

import asyncio
import threading

from graph.timed_answers import TimedAnswers


def run(scenario):
    """asyncio.run in a thread of its own: the console tests' browser keeps an event loop
    running in the main thread for the rest of the session."""
    outcome = {}

    def target():
        try:
            outcome["result"] = asyncio.run(scenario)
        except BaseException as error:  # a failed assertion, raised again in the test
            outcome["error"] = error

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]


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


def slow_counter(gate):
    reads = {"n": 0}

    async def read():
        reads["n"] += 1
        await gate.wait()
        return {"read": reads["n"]}
    return reads, read


def gated_answers():
    """Answers kept a minute, and a read that waits for its gate (made on the running loop)."""
    gate = asyncio.Event()
    reads, read = slow_counter(gate)
    return gate, TimedAnswers(keep_seconds=60, max_entries=10), reads, read


def test_callers_asking_together_share_one_read():
    async def scenario():
        gate, answers, reads, read = gated_answers()
        callers = [asyncio.create_task(answers.get_async("q", read)) for _ in range(20)]
        await asyncio.sleep(0)
        gate.set()
        got = await asyncio.gather(*callers)
        assert got == [{"read": 1}] * 20
        assert await answers.get_async("q", read) == {"read": 1}
        return reads["n"]

    assert run(scenario()) == 1


def test_a_caller_that_leaves_does_not_cancel_the_read_for_the_others():
    async def scenario():
        gate, answers, reads, read = gated_answers()
        first = asyncio.create_task(answers.get_async("q", read))
        second = asyncio.create_task(answers.get_async("q", read))
        await asyncio.sleep(0)
        first.cancel()
        gate.set()
        assert await second == {"read": 1}
        assert first.cancelled()
        return reads["n"]

    assert run(scenario()) == 1


def test_a_failed_read_fails_its_callers_and_is_not_kept():
    async def scenario():
        answers = TimedAnswers(keep_seconds=60, max_entries=10)
        calls = {"n": 0}

        async def failing():
            calls["n"] += 1
            await asyncio.sleep(0)
            raise ConnectionError("graph down")

        callers = [asyncio.create_task(answers.get_async("q", failing)) for _ in range(3)]
        outcomes = await asyncio.gather(*callers, return_exceptions=True)
        assert all(isinstance(o, ConnectionError) for o in outcomes)
        assert calls["n"] == 1
        reads, read = counter()

        async def works():
            return read()

        assert await answers.get_async("q", works) == {"read": 1}

    run(scenario())


def test_a_read_under_way_when_cleared_is_answered_but_not_kept():
    async def scenario():
        gate, answers, reads, read = gated_answers()
        caller = asyncio.create_task(answers.get_async("q", read))
        await asyncio.sleep(0)
        answers.clear()  # a fold committed while the read was under way
        gate.set()
        assert await caller == {"read": 1}
        assert answers.fresh("q") is None
        assert await answers.get_async("q", read) == {"read": 2}

    run(scenario())


def test_a_just_stale_answer_is_given_while_one_read_renews_it():
    async def scenario():
        now = [100.0]
        gate = asyncio.Event()
        answers = TimedAnswers(keep_seconds=5, max_entries=10, clock=lambda: now[0])
        reads, read = slow_counter(gate)
        gate.set()
        assert await answers.get_async("q", read) == {"read": 1}
        gate.clear()
        now[0] = 106.0  # stale for a second: given, and one read renews it
        assert [await answers.get_async("q", read) for _ in range(5)] == [{"read": 1}] * 5
        await asyncio.sleep(0)  # the renewing read starts
        assert reads["n"] == 2
        gate.set()
        for _ in range(10):  # it ends within a few turns of the loop
            await asyncio.sleep(0)
        assert answers.fresh("q") == {"read": 2}
        now[0] = 117.0  # stale longer than it was kept: the caller waits for the new read
        caller = asyncio.create_task(answers.get_async("q", read))
        await asyncio.sleep(0)
        assert not caller.done()
        assert await caller == {"read": 3}

    run(scenario())


def test_spread_keeps_each_answer_a_drawn_part_of_the_time():
    now = [0.0]
    draws = iter([0.0, 1.0, 0.5])
    answers = TimedAnswers(keep_seconds=4, max_entries=10, clock=lambda: now[0], spread=0.25,
                           draw=lambda: next(draws))
    reads, read = counter()
    for key in ("a", "b", "c"):
        answers.get(key, read)
    now[0] = 3.2  # a is kept 4 s, b 3 s, c 3.5 s
    assert answers.fresh("a") is not None and answers.fresh("c") is not None
    assert answers.fresh("b") is None
    now[0] = 3.6
    assert answers.fresh("c") is None and answers.fresh("a") is not None
