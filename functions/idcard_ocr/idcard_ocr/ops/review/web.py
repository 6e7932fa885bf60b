"""The console's pages and actions (Starlette, Jinja2 templates rendered on the server, htmx).

Reading pages are GETs; every action (reveal, review, reprocess, recount) is a POST that
carries the session's CSRF token. Blocking work (OSS, decoding, the pipeline) runs in
Starlette's thread pool. The console's own log lines name the operator, the key and the
field, never a value.
"""

import csv
import io
import logging
import os
import re
from typing import Callable, Iterator, Optional
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import escape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import (HTMLResponse, PlainTextResponse, RedirectResponse, Response,
                                 StreamingResponse)
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ...card.documents import FIELDS, checks_passed, expired
from ...card.privacy import mask_fields, mask_key
from ...errors import IdcardOcrError, PermanentError
from ...io.log import log_event
from ...io.oss import ObjectInfo
from ..report import CSV_COLUMNS, csv_row
from . import i18n, reviews
from .catalog import PAGE_ROWS, READERS, Catalog, Cursor, Filter, Row
from .images import KINDS, Renditions
from .jobs import Counting, Reprocessor
from .security import (Access, KeyRefused, confine, host_allowed, same_origin, shown_key,
                       visible_controls)

HERE = os.path.dirname(os.path.abspath(__file__))
MASKED = ("name", "birth", "address", "num")   # what mask_fields() hides
EXPORT_COLUMNS = (*CSV_COLUMNS, "review")
_SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; "
                               "img-src 'self'; connect-src 'self'; form-action 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}


class Console:
    """What the pages work on: one bucket and prefix, its rows, pictures and jobs."""

    def __init__(self, catalog: Catalog, renditions: Renditions, reprocessor_for: Callable,
                 operator: str, access: Optional[Access] = None):
        self.catalog = catalog
        self.renditions = renditions
        self.operator = operator
        self.page_rows = PAGE_ROWS
        self.access = access or Access()
        self.counting = Counting(catalog)
        self.reprocessor: Reprocessor = reprocessor_for(catalog, self.counting.start)
        self.allowed_hosts = frozenset()
        self.templates = Environment(loader=FileSystemLoader(os.path.join(HERE, "templates")),
                                     autoescape=select_autoescape(default=True),
                                     trim_blocks=True, lstrip_blocks=True)
        self.templates.globals.update(link=link, field_names=FIELDS, masked_names=MASKED)
        self.templates.filters["shown_key"] = shown_key
        self.templates.filters.update(china_time=i18n.china_time)

    @property
    def bucket(self) -> str:
        return self.catalog.photos.name

    @property
    def prefix(self) -> str:
        return self.catalog.prefix


def link(path: str, params: Optional[dict] = None, **more) -> str:
    """`path` with query parameters (keys of any shape are encoded)."""
    query = {k: v for k, v in {**(params or {}), **more}.items() if v not in (None, "")}
    return path + ("?" + urlencode(query) if query else "")


def create_app(console: Console) -> Starlette:
    """The ASGI application of `console`."""
    pages = _Pages(console)
    routes = [
        Route("/", pages.index),
        Route("/rows", pages.rows),
        Route("/counts", pages.counts),
        Route("/recount", pages.recount, methods=["POST"]),
        Route("/detail", pages.detail),
        Route("/image", pages.image),
        Route("/reveal", pages.reveal, methods=["POST"]),
        Route("/checks", pages.checks, methods=["POST"]),
        Route("/review", pages.review, methods=["POST"]),
        Route("/reprocess", pages.reprocess, methods=["POST"]),
        Route("/reprocess-filtered", pages.reprocess_filtered, methods=["POST"]),
        Route("/job", pages.job),
        Route("/export.csv", pages.export),
        Route("/export.csv", pages.export_personal, methods=["POST"]),
        Route("/reveal-key", pages.reveal_key, methods=["POST"]),
        Route("/lang", pages.language),
        Mount("/static", StaticFiles(directory=os.path.join(HERE, "static")), name="static"),
    ]
    return Starlette(routes=routes, middleware=[Middleware(_Guard, console=console)])


class _Guard(BaseHTTPMiddleware):
    """Host, token or session path, and same-origin actions, before any page runs."""

    def __init__(self, app, console: Console):
        super().__init__(app)
        self.console = console

    async def dispatch(self, request: Request, call_next):
        console, access = self.console, self.console.access
        host = request.headers.get("host", "")
        if console.allowed_hosts and not host_allowed(host, console.allowed_hosts):
            return _refusal(403, "this console answers only to its own address")
        if request.scope["path"] == "/favicon.ico":  # browsers ask the root, whatever the page
            return _secured(Response(status_code=204))
        token = request.query_params.get("token")
        if token is not None:
            if not access.token_ok(token):
                return _refusal(403, "wrong access token")
            if request.method == "GET":  # the token leaves the address bar and the history
                rest = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
                target = request.url.path + ("?" + urlencode(rest) if rest else "")
                return _secured(RedirectResponse(access.session_root + target.lstrip("/"),
                                                 status_code=303))
        else:
            page = access.session_path(request.scope["path"])
            if page is None:
                return _refusal(401, "open the address printed when the console started "
                                     "(it carries ?token=...)")
            # The pages see their own paths; the session's root is put back on every address
            # they give out (_Pages._html, and redirects below).
            request.scope["path"] = page
            request.scope["raw_path"] = page.encode("utf-8")
        if request.method not in ("GET", "HEAD"):
            origin = request.headers.get("origin") or request.headers.get("referer")
            if not same_origin(origin, host):
                return _refusal(403, "actions are accepted from this console's own pages only")
        response = await call_next(request)
        location = response.headers.get("location", "")
        if location.startswith("/") and not location.startswith("//"):
            response.headers["location"] = access.session_root + location.lstrip("/")
        return _secured(response)


# The attributes of the console's pages that hold its own addresses ("/detail?key=..."):
# each gets the session's root in front.
_OWN_ADDRESSES = re.compile(r'(\s(?:href|src|action|hx-get|hx-post)=")/(?!/)')


class _Pages:
    def __init__(self, console: Console):
        self.c = console

    # Reading ---------------------------------------------------------------------------------

    async def index(self, request: Request):
        where = Filter.from_params(request.query_params)
        cursor = Cursor.decode(request.query_params.get("cursor"))
        page = await run_in_threadpool(self.c.catalog.page, where, cursor, self.c.page_rows)
        self.c.counting.ensure_started()
        return self._html(request, "list.html", where=where, page=page, first=cursor is None,
                          counts=self.c.counting.counts, job=self.c.reprocessor.job,
                          notice=request.query_params.get("notice", ""))

    async def rows(self, request: Request):
        where = Filter.from_params(request.query_params)
        cursor = Cursor.decode(request.query_params.get("cursor"))
        page = await run_in_threadpool(self.c.catalog.page, where, cursor, self.c.page_rows)
        return self._html(request, "_rows.html", where=where, page=page, first=cursor is None)

    async def counts(self, request: Request):
        return self._html(request, "_counts.html", counts=self.c.counting.counts)

    async def recount(self, request: Request):
        _, refusal = await self._form(request)
        if refusal:
            return refusal
        self.c.counting.start()
        return self._html(request, "_counts.html", counts=self.c.counting.counts)

    async def detail(self, request: Request):
        key, refusal = self._key(request, request.query_params.get("key"))
        if refusal:
            return refusal
        row = await run_in_threadpool(self.c.catalog.row, key)
        if row is None:
            return self._html(request, "message.html", status_code=404, title="not_found",
                              detail=None)
        return self._html(request, "detail.html", row=row, **_detail_context(row),
                          notice=request.query_params.get("notice", ""),
                          outcome=_code(request.query_params.get("outcome")))

    async def image(self, request: Request):
        params = request.query_params
        key, refusal = self._key(request, params.get("key"))
        if refusal:
            return refusal
        kind = params.get("kind", "thumb")
        if kind not in KINDS:
            return _refusal(400, "unknown picture kind")
        try:
            picture = await run_in_threadpool(self.c.renditions.get, key, kind,
                                              params.get("v", "")[:64],
                                              params.get("crop") == "1")
        except PermanentError as e:
            return _placeholder(422, e.code)
        except IdcardOcrError as e:
            return _placeholder(502, e.code)
        return Response(picture.data, media_type=picture.content_type,
                        headers={"Cache-Control": "private, max-age=600"})

    async def job(self, request: Request):
        return self._html(request, "_job.html", job=self.c.reprocessor.job)

    async def export(self, request: Request):
        """The current filter as CSV, keys and personal fields masked as on the pages."""
        where = Filter.from_params(request.query_params)
        log_event(logging.INFO, "export", operator=self.c.operator, filter=where.params())
        return _csv_response(self.c.catalog.rows(where), personal=False)

    async def export_personal(self, request: Request):
        """The current filter as CSV with keys and fields in full (report --csv's content): an
        action, like Reveal, with the session's CSRF token, and logged as such."""
        form, refusal = await self._form(request)
        if refusal:
            return refusal
        where = Filter.from_params(form)
        log_event(logging.INFO, "export with personal data", operator=self.c.operator,
                  filter=where.params())
        return _csv_response(self.c.catalog.rows(where), personal=True)

    async def language(self, request: Request):
        lang = request.query_params.get("to")
        target = request.query_params.get("next") or "/"
        if not target.startswith("/") or target.startswith("//") or "\\" in target:
            target = "/"  # never a redirect off this console
        response = RedirectResponse(target, status_code=303)
        if lang in i18n.LANGUAGES:
            response.set_cookie("lang", lang, samesite="strict", httponly=True)
        return response

    # Actions ---------------------------------------------------------------------------------

    async def reveal(self, request: Request):
        form, row, refusal = await self._reviewable(request)
        if refusal:
            return refusal
        name = form.get("field")
        if name not in MASKED:
            return _refusal(400, "only masked fields are revealed")
        log_event(logging.INFO, "field revealed", operator=self.c.operator, key=row.key,
                  field=name)
        return self._html(request, "_field.html", row=row, name=name, revealed=True,
                          fields=row.record["fields"], masked=mask_fields(row.record["fields"]))

    async def reveal_key(self, request: Request):
        """The photo's key in full (invisible controls still shown), logged like a field."""
        form, key, refusal = await self._action(request)
        if refusal:
            return refusal
        log_event(logging.INFO, "key revealed", operator=self.c.operator, key=key)
        return HTMLResponse(f'<code id="key" class="revealed">{escape(visible_controls(key))}'
                            f'</code>', headers={"Cache-Control": "no-store"})

    async def checks(self, request: Request):
        doc, row, refusal = await self._review_of(request, preview=True)
        if refusal:
            return refusal
        side, sides = row.record.get("side"), doc.get("sides") or {}
        return self._html(request, "_checks.html", checks=doc["checks"],
                          passed=(sides.get(side) or doc)["checks_passed"], recomputed=True,
                          side=side, sheet_passed=doc["checks_passed"],
                          other_sides={name: part for name, part in sides.items()
                                       if name != side})

    async def review(self, request: Request):
        doc, row, refusal = await self._review_of(request)
        if refusal:
            return refusal
        await run_in_threadpool(self.c.catalog.results.save_review, doc)
        log_event(logging.INFO, "review saved", operator=self.c.operator, key=row.key,
                  decision=doc["decision"], corrected=sorted(doc["corrections"]),
                  override=bool(doc.get("override")))  # the reason stays in the review only
        after = await run_in_threadpool(self.c.catalog.row, row.key)
        if after is not None:
            self.c.counting.revise(row, after)
        return RedirectResponse(link("/detail", key=row.key, notice="saved"),
                                status_code=303)

    async def reprocess(self, request: Request):
        form, key, refusal = await self._action(request)
        if refusal:
            return refusal
        info = await run_in_threadpool(self.c.catalog.photos.head, key)
        if info is None:
            return self._html(request, "message.html", status_code=404, title="not_found",
                              detail=None)
        before = await run_in_threadpool(self.c.catalog.row, key)
        report = await run_in_threadpool(self.c.reprocessor.one, info)
        after = await run_in_threadpool(self.c.catalog.row, key)
        if before is not None and after is not None:
            self.c.counting.revise(before, after)
        outcome = next(iter(report.done or report.failed or report.skipped), "skipped")
        log_event(logging.INFO, "reprocessed", operator=self.c.operator, key=key,
                  outcome=outcome)
        return RedirectResponse(link("/detail", key=key, notice="reprocessed",
                                     outcome=outcome), status_code=303)

    async def reprocess_filtered(self, request: Request):
        form, refusal = await self._form(request)
        if refusal:
            return refusal
        where = Filter.from_params(form)
        catalog = self.c.catalog
        photos = (ObjectInfo(row.key, row.etag, row.size)
                  for row in catalog.rows(where, with_reviews=where.needs_reviews))
        job = self.c.reprocessor.start(photos, str(where.params() or "all"), self.c.operator)
        log_event(logging.INFO, "reprocessing a set", operator=self.c.operator,
                  filter=where.params(), started=job is not None)
        return RedirectResponse(link("/", where.params(), notice="job" if job else "busy"),
                                status_code=303)

    # -----------------------------------------------------------------------------------------

    def _key(self, request: Request, key: Optional[str]):
        """(key, None) when the console may show `key`, else (None, a refusal page)."""
        try:
            return confine(key, self.c.prefix, self.c.catalog.results.location), None
        except KeyRefused as e:
            return None, self._html(request, "message.html", status_code=400,
                                    title="refused", detail=str(e))

    async def _action(self, request: Request):
        """(form, key, None) for an action on one photo the console may show, else
        (None, None, the refusal)."""
        form, refusal = await self._form(request)
        if refusal:
            return None, None, refusal
        key, refusal = self._key(request, form.get("key"))
        return form, key, refusal

    async def _reviewable(self, request: Request):
        """(form, row, None) for an action on a result an operator may review, else
        (None, None, the refusal): 409 for no result, an error or an untrusted one."""
        form, key, refusal = await self._action(request)
        if refusal:
            return None, None, refusal
        row = await run_in_threadpool(self.c.catalog.row, key)
        why = "no_result" if row is None else reviews.reviewable(row.record or None,
                                                                  row.trusted)
        if why:
            return None, None, _refusal(409, f"this result cannot be reviewed ({why})")
        return form, row, None

    async def _review_of(self, request: Request, preview: bool = False):
        """(review document, row, None) from the operator's form, else (None, None, the
        refusal): 400 for a malformed value; 422 and the page again, with what the operator
        typed, when failing values are approved without confirmation and a reason."""
        form, row, refusal = await self._reviewable(request)
        if refusal:
            return None, None, refusal
        submitted = _submitted(form, row.record)
        reason = form.get("override_reason") if form.get("confirm_failing") == "yes" else None
        try:
            return reviews.build(row.record, self.c.operator, submitted,
                                 confirmed_reason=reason, preview=preview), row, None
        except reviews.ConfirmationNeeded as e:
            log_event(logging.INFO, "review needs confirmation", operator=self.c.operator,
                      key=row.key, failed=e.failed)
            return None, None, self._html(
                request, "detail.html", status_code=422, row=row,
                **dict(_detail_context(row), submitted=submitted, confirm_open=True),
                notice="confirm_needed", outcome="")
        except reviews.ReviewRefused as e:
            return None, None, _refusal(400, str(e))

    async def _form(self, request: Request):
        """(form, None) when the action carries the session's CSRF token, else (None, 403)."""
        form = await request.form()
        token = request.headers.get("x-csrf-token") or form.get("csrf")
        if not self.c.access.csrf_ok(token):
            return None, _refusal(403, "the action's CSRF token is missing or wrong: reload "
                                       "the page")
        return form, None

    def _html(self, request: Request, template: str, status_code: int = 200, **context):
        lang = request.cookies.get("lang")
        if lang not in i18n.LANGUAGES:  # no choice made with the switch: the browser's
            lang = i18n.negotiate(request.headers.get("accept-language"))
        body = self.c.templates.get_template(template).render(
            w=i18n.words(lang), lang=lang, csrf=self.c.access.csrf, console=self.c,
            reason=lambda text: i18n.reason(text, lang),
            declined=lambda code: i18n.declined(code, lang),
            here=str(request.url.path) + (f"?{request.url.query}" if request.url.query
                                          else ""),
            **context)
        body = _OWN_ADDRESSES.sub(r"\1" + self.c.access.session_root, body)
        return HTMLResponse(body, status_code=status_code,
                            headers={"Cache-Control": "no-store", "Vary": "Accept-Language"})


def _detail_context(row: Row) -> dict:
    record = row.record
    fields = record.get("fields") if isinstance(record.get("fields"), dict) else {}
    review = row.review_doc
    others = {side: part for side, part in (record.get("sides") or {}).items()
              if side != record.get("side") and isinstance(part, dict)}
    return {
        "fields": fields,
        "submitted": {},
        "confirm_open": checks_passed(record) is False,
        "sheet_passed": checks_passed(record),
        "side_passed": ((record.get("sides") or {}).get(record.get("side")) or record
                        ).get("checks_passed"),
        "expired": expired(record),
        "other_sides": {side: dict(part, masked=mask_fields(part.get("fields") or {}))
                        for side, part in others.items()},
        "masked": mask_fields(fields),
        "readers": _readers(record) if row.trusted else [],
        "reviewable": reviews.reviewable(record or None, row.trusted) is None,
        "review": review,
        "review_side_passed": (((review or {}).get("sides") or {}).get(record.get("side"))
                               or review or {}).get("checks_passed"),
        "review_other_sides": {side: part for side, part in
                               ((review or {}).get("sides") or {}).items()
                               if side != record.get("side")},
        "review_masked": {name: mask_fields({name: c.get("after")})[name]
                          for name, c in ((review or {}).get("corrections") or {}).items()},
        "before_masked": {name: mask_fields({name: c.get("before")})[name]
                          for name, c in ((review or {}).get("corrections") or {}).items()},
    }


def _readers(record: dict) -> list:
    """Who read each side (card/vouching.py's reader fields): (side, recognized_by, the reason
    the engine's reading was declined, the engine's confidences in the fields' order), the
    record's own side first. No value that was read is among them."""
    sides = record.get("sides") if isinstance(record.get("sides"), dict) else {}
    parts = [(record.get("side"), sides.get(record.get("side")) or record)] + \
        [(side, part) for side, part in sides.items() if side != record.get("side")]
    out = []
    for side, part in parts:
        if side not in FIELDS or not isinstance(part, dict) or \
                part.get("recognized_by") not in READERS:
            continue
        scores = part.get("engine_confidence")
        scores = scores if isinstance(scores, dict) else {}
        declined = part.get("engine_declined")
        out.append({"side": side, "recognized_by": part["recognized_by"],
                    "declined": declined if isinstance(declined, str) else None,
                    "confidence": [(name, float(scores[name])) for name in FIELDS[side]
                                   if isinstance(scores.get(name), (int, float))
                                   and not isinstance(scores.get(name), bool)]})
    return out


def _code(value: Optional[str]) -> str:
    """An outcome code from a link, shown as text: letters, digits and '_' only."""
    return "".join(c for c in (value or "") if c.isascii() and (c.isalnum() or c == "_"))[:40]


def _submitted(form, record: dict) -> dict:
    """The operator's values: non-empty inputs `field.<name>` of the record's side."""
    out = {}
    for name in FIELDS.get(record.get("side"), ()):
        value = form.get(f"field.{name}")
        if isinstance(value, str) and value.strip():
            out[name] = value
    return out


def _csv_response(rows: Iterator[Row], personal: bool) -> StreamingResponse:
    headers = {"Content-Disposition": 'attachment; filename="idcard-review.csv"',
               "Cache-Control": "no-store"}
    return StreamingResponse(_csv_lines(rows, personal), media_type="text/csv; charset=utf-8",
                             headers=headers)


def _csv_lines(rows: Iterator[Row], personal: bool = True) -> Iterator[str]:
    """report --csv's columns and rows, corrections applied, and a `review` column; without
    `personal`, keys and personal fields masked as the pages show them."""
    out = io.StringIO()
    writer = csv.DictWriter(out, EXPORT_COLUMNS)
    out.write("\ufeff")  # UTF-8 with BOM, as report writes it: Excel opens the Chinese text
    writer.writeheader()
    for row in rows:
        if row.result is None:
            continue  # no result yet: report has no row for it either
        record = reviews.applied(row.result.document, row.review_doc) if row.trusted \
            else row.result.document
        line = csv_row(record, row.trusted)
        if not personal:
            line = dict(mask_fields(line), key=mask_key(line.get("key") or ""))
        review = row.review_doc
        line["review"] = "" if not review else review["decision"] + (
            ": " + ",".join(sorted(review["corrections"])) if review["corrections"] else "")
        writer.writerow(line)
        yield out.getvalue()
        out.seek(0)
        out.truncate()
    yield out.getvalue()


def _secured(response: Response) -> Response:
    for name, value in _SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def _refusal(status: int, message: str) -> Response:
    return _secured(PlainTextResponse(message, status_code=status,
                                      headers={"Cache-Control": "no-store"}))


def _placeholder(status: int, code: str) -> Response:
    """A small picture that says why there is none (the code is one of ours: no markup)."""
    text = _code(code)
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="240" height="150" '
           f'viewBox="0 0 240 150"><rect width="240" height="150" fill="#eee"/>'
           f'<text x="120" y="80" font-size="14" text-anchor="middle" fill="#a33">{text}'
           f'</text></svg>')
    return Response(svg, status_code=status, media_type="image/svg+xml",
                    headers={"Cache-Control": "no-store"})
