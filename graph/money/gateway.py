"""The payout gateway: an interface, and the local sandbox that ships with tiergraph.

A transfer is identified by the withdrawal id, and a real gateway must treat it as an
idempotency key: asking twice pays once. `status` lets a timed-out transfer be reconciled
(did it go through?) instead of being retried blindly.
"""

from collections.abc import Callable
from typing import Protocol, TypeVar

import orjson
import redis

from graph import redis_clients

T = TypeVar("T")


class GatewayTimeout(Exception):
    """No answer in time: the transfer may or may not have happened."""


class GatewayUnavailable(GatewayTimeout):
    """The gateway cannot be reached at all: the transfer may or may not have happened, and
    nothing more is sent until it answers again."""


class Gateway(Protocol):
    def transfer(self, withdrawal_id: str, user_id: str, amount_cents: int) -> str:
        """'completed' or 'failed'; raises GatewayTimeout when it cannot tell."""
        ...

    def status(self, withdrawal_id: str) -> str:
        """'completed', 'failed' or 'unknown' (never received); raises GatewayUnavailable."""
        ...

    def reachable(self) -> bool:
        """Whether the gateway answers now (checked before money is reserved for it)."""
        ...


class SandboxGateway:
    """Records transfers in Redis. Told through `set_behaviour` to succeed, fail, or time out
    before or after recording the transfer, to exercise every outcome. Redis out of reach is
    the gateway out of reach (GatewayUnavailable)."""

    KEY = "tiergraph:sandbox:transfers"
    BEHAVIOUR = "tiergraph:sandbox:behaviour"

    def __init__(self) -> None:
        self._redis = redis_clients.app()

    def set_behaviour(self, behaviour: str, user_id: str = "*") -> None:
        """ok, fail, timeout_before (nothing recorded) or timeout_after (recorded)."""
        self._redis.hset(self.BEHAVIOUR, user_id, behaviour)

    def transfer(self, withdrawal_id: str, user_id: str, amount_cents: int) -> str:
        """Record the transfer once per withdrawal id; its outcome as told by the behaviour."""
        return _reaching(lambda: self._transfer(withdrawal_id, user_id, amount_cents))

    def _transfer(self, withdrawal_id: str, user_id: str, amount_cents: int) -> str:
        behaviour = (self._redis.hget(self.BEHAVIOUR, user_id)
                     or self._redis.hget(self.BEHAVIOUR, "*") or b"ok").decode()
        if behaviour == "timeout_before":
            raise GatewayTimeout(withdrawal_id)
        record = orjson.dumps({"user_id": user_id, "amount_cents": amount_cents,
                               "status": "failed" if behaviour == "fail" else "completed"})
        self._redis.hsetnx(self.KEY, withdrawal_id, record)  # idempotent by withdrawal id
        if behaviour == "timeout_after":
            raise GatewayTimeout(withdrawal_id)
        return self._status(withdrawal_id)

    def status(self, withdrawal_id: str) -> str:
        """What became of a transfer: completed, failed or unknown (never recorded)."""
        return _reaching(lambda: self._status(withdrawal_id))

    def _status(self, withdrawal_id: str) -> str:
        found = self._redis.hget(self.KEY, withdrawal_id)
        return orjson.loads(found)["status"] if found else "unknown"

    def reachable(self) -> bool:
        """Whether the sandbox's Redis answers."""
        return redis_clients.answers(self._redis)

    def transfers(self) -> dict[str, dict]:  # type: ignore[type-arg]
        """Everything the sandbox recorded, by withdrawal id."""
        return {k.decode(): orjson.loads(v) for k, v in self._redis.hgetall(self.KEY).items()}


def _reaching(call: Callable[[], T]) -> T:
    """Run a call to the sandbox's Redis; a Redis out of reach is GatewayUnavailable."""
    try:
        return call()
    except redis.RedisError as error:
        raise GatewayUnavailable(str(error)) from error


def get_gateway() -> Gateway:
    """The configured gateway (the sandbox: no real gateway ships with tiergraph)."""
    return SandboxGateway()
