"""The query parameters of every paged list (SPEC 10.2): limit 1..1000 and the cursor."""

from typing import Annotated

from fastapi import Query

LimitQuery = Annotated[int, Query(ge=1, le=1000)]
CursorQuery = Annotated[str | None, Query(max_length=512,
                                          description="next_cursor of the page before")]
