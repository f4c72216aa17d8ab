"""Orders: their payouts (rebates), computed once."""

from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel, TypeAdapter

from api.auth import MallRole
from graph.errors import not_found
from graph.money import rebates

router = APIRouter(prefix="/v1/orders", tags=["orders"])


class RebateOut(BaseModel):
    rebate_id: str
    beneficiary: str
    tier: int
    kind: str
    amount_cents: int
    status: str
    reason: str | None


class OrderRebates(BaseModel):
    order_id: str
    computed: bool
    rebates: list[RebateOut]


_ORDER_REBATES = TypeAdapter(OrderRebates)


@router.post("/{order_id}/payouts", response_model=OrderRebates)
async def request_payouts(order_id: str, _: MallRole) -> Response:
    """The order's rebates, computed now if the worker has not yet (never twice)."""
    found = await rebates.payouts_async(order_id)
    if found is None:
        raise not_found(f"order {order_id!r}")
    # the bytes FastAPI makes of the response_model, made on the event loop
    answer = _ORDER_REBATES.validate_python(found)
    return Response(_ORDER_REBATES.dump_json(answer), media_type="application/json")


@router.get("/{order_id}/rebates", response_model=OrderRebates)
def get_rebates(order_id: str, _: MallRole) -> dict[str, Any]:
    """The order's rebates as stored (empty until computed)."""
    found = rebates.rebates_of_orders([order_id]).get(order_id)
    if found is None:
        raise not_found(f"order {order_id!r}")
    return found
