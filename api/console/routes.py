"""Serve the console: its page at /console and its files at /console/static/<name>.

No key is asked here: the page holds no data, and every call it makes goes to the /v1 API
with the signed-in key. Every answer carries a Content-Security-Policy allowing this origin
only, so the page runs no script and loads nothing from anywhere else.
"""

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, RedirectResponse, Response

from graph.errors import DomainError, not_found

STATIC = Path(__file__).resolve().parent / "static"
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
       "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
       "form-action 'self'; frame-ancestors 'none'")
HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff",
           "Referrer-Policy": "no-referrer", "Cache-Control": "no-cache"}
TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
         ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml", ".png": "image/png"}
MAX_NAME_CHARS = 200

router = APIRouter(include_in_schema=False)


@router.get("/console")
def console_page() -> Response:
    """The console's single page (sign-in first, then the signed-in role's views)."""
    return FileResponse(STATIC / "index.html", media_type=TYPES[".html"], headers=HEADERS)


@router.get("/console/")
def console_slash() -> Response:
    return RedirectResponse("/console", status_code=308, headers=HEADERS)


@router.get("/console/static/{name:path}")
def console_file(name: str) -> Response:
    """One of the console's files; anything outside static/ or of another type is a 404.
    The graph library is there once built: a 404 naming `make console` until then."""
    if len(name) > MAX_NAME_CHARS:
        raise not_found("console file")
    path = (STATIC / name).resolve()
    if not path.is_relative_to(STATIC) or path.suffix not in TYPES or not path.is_file():
        if name.startswith("vendor/"):
            raise DomainError("not-found", f"console file {name!r} is built by `make console` "
                                           "(npm ci in api/console)", 404)
        raise not_found(f"console file {name!r}")
    return FileResponse(path, media_type=TYPES[path.suffix], headers=HEADERS)
