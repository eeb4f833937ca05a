"""The document view: `GET /sources/{id}?q=start-end,...`, a source's whole text with quotes lit.

A page of its own, beside the chat: the source's full extracted text (what citation offsets
refer to), each quoted span in <mark>, the first with id "quote" so that a link ending in
`#quote` scrolls it into view, and an outline of its sections or acts beside it. Every
reference in the chat links here (`document_link`). The text reaches the page only through
`html.escape`, so HTML in a source stays text. The guard in front of the app (Host, login)
covers this route as every other.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import BaseRoute, Route

from assistant.api import Assistant
from assistant.interfaces.web.render import DOCUMENT_PATH as PATH

_SPAN = re.compile(r"^(\d{1,9})-(\d{1,9})$")
MAX_SPANS = 20

_CSS = """
body{margin:0;font:16px/1.55 system-ui,sans-serif;color:#1f2328;background:#fff}
header{padding:12px 20px;border-bottom:1px solid #d0d7de;background:#f6f8fa}
header h1{font-size:1.2em;margin:0}header p{margin:4px 0 0;color:#57606a;font-size:.9em}
.layout{display:flex;align-items:flex-start}
nav{position:sticky;top:0;flex:0 0 260px;max-height:100vh;overflow:auto;padding:12px 16px;
border-right:1px solid #d0d7de;font-size:.85em}
nav a{display:block;padding:2px 0;color:#0969da;text-decoration:none}
nav a.here{font-weight:600}
main{flex:1;padding:12px 28px;max-width:52em}
.text{white-space:pre-wrap;overflow-wrap:anywhere}
mark{background:#fff3a3;outline:2px solid #e3b341}
@media (max-width:800px){.layout{display:block}nav{position:static;max-height:none;
border-right:0;border-bottom:1px solid #d0d7de}}
"""


def parse_spans(value: str, length: int) -> list[tuple[int, int]]:
    """The spans of `?q=12-40,55-80`, inside the text and sorted; malformed ones dropped."""
    spans: set[tuple[int, int]] = set()
    for part in value.split(",")[:MAX_SPANS]:
        m = _SPAN.match(part.strip())
        if m and int(m[1]) < int(m[2]) <= length:
            spans.add((int(m[1]), int(m[2])))
    return sorted(spans)


def document_html(
    source: str,
    text: str,
    spans: Sequence[tuple[int, int]],
    outline: Sequence[tuple[str, int]],
    info: dict[str, str],
) -> str:
    """The whole page: header (title, author, date, URL), outline, the text with marks."""
    title = info.get("title") or source
    about = " · ".join(
        html.escape(v) for v in (info.get("author"), info.get("publisher"), info.get("date")) if v
    )
    url = info.get("url", "")
    link = (
        f' · <a href="{html.escape(url, quote=True)}" rel="noopener noreferrer">'
        f"{html.escape(url)}</a>"
        if url.startswith(("https://", "http://"))
        else ""
    )
    first = spans[0][0] if spans else -1
    here = max((at for _, at in outline if at <= first), default=-1)
    nav = "".join(
        f'<a href="#at-{at}"{" class=here" if at == here else ""}>{html.escape(name)}</a>'
        for name, at in outline
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>"
        f"<header><h1>{html.escape(title)}</h1><p>{html.escape(source)}"
        f"{' · ' + about if about else ''}{link}</p></header>"
        f'<div class="layout"><nav aria-label="Outline">{nav or "No sections."}</nav>'
        f'<main><div class="text" id="text">{_marked(text, spans, [a for _, a in outline])}'
        "</div></main></div></body></html>"
    )


def _marked(text: str, spans: Sequence[tuple[int, int]], anchors: Sequence[int]) -> str:
    """`text` escaped, with each span in <mark> (the first id="quote") and outline anchors."""
    cuts = sorted({0, len(text), *(a for a in anchors if 0 <= a <= len(text))} | set(_ends(spans)))
    opened = dict(spans)
    parts: list[str] = []
    inside = 0  # where the open mark ends (0: none open)
    for at, nxt in zip(cuts, cuts[1:], strict=False):
        if at in anchors:
            parts.append(f'<span id="at-{at}"></span>')
        if not inside and at in opened:
            mark_id = ' id="quote"' if at == spans[0][0] else ""
            parts.append(f"<mark{mark_id}>")
            inside = opened[at]
        parts.append(html.escape(text[at:nxt]))
        if inside and nxt >= inside:
            parts.append("</mark>")
            inside = 0
    return "".join(parts)


def _ends(spans: Sequence[tuple[int, int]]) -> list[int]:
    return [x for span in spans for x in span]


def routes(assistant: Assistant) -> list[BaseRoute]:
    """The document view's route, for the app's server (`serving.launch(routes=...)`)."""

    def view(request: Request) -> HTMLResponse:
        source = request.path_params["source"]
        text = assistant.source_text(source)
        if text is None:
            return HTMLResponse(
                f"<!doctype html><title>Not found</title><p>No indexed source is called "
                f"{html.escape(source)}; the sources list in the chat names them.</p>",
                status_code=404,
            )
        spans = parse_spans(request.query_params.get("q", ""), len(text))
        page = document_html(
            source, text, spans, assistant.outline(source), assistant.source_info(source)
        )
        return HTMLResponse(page, headers={"Cache-Control": "no-store"})

    return [Route(f"/{PATH}/{{source:path}}", view, methods=["GET"])]
