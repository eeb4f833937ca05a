"""The `assistant` command: index, ask, compare, verify, sources, add, replace, remove,
describe, serve, mcp, eval."""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from assistant.config import Settings
from assistant.errors import AssistantError, ConfigError
from assistant.schema import IndexReport

if TYPE_CHECKING:  # imported when a command runs: `assistant --help` stays fast
    from assistant.api import Assistant

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
ANSWER_FORMATS = ("text", "md", "json", "csl", "bibtex")

ProgressFn = Callable[[int, int, str], None]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING if not args.verbose else logging.INFO,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        code: int = args.run(args)
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader stopped early (`assistant compare 130 | head`)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # nothing left to flush
        return EXIT_OK
    return code


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="assistant", description="Cited answers about the ITU Plenipotentiary 2014."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    parser.add_argument("--sources", help="sources folder (default: ASSISTANT_SOURCES or sources)")
    parser.add_argument("--index", help="index folder (default: ASSISTANT_INDEX or index)")
    sub = parser.add_subparsers(required=True, metavar="COMMAND")

    p = sub.add_parser("index", help="sync the index with the sources folder")
    p.add_argument("--rebuild", action="store_true", help="drop the index and build it anew")
    p.set_defaults(run=_index)

    p = sub.add_parser("ask", help="ask a question")
    p.add_argument("question")
    p.add_argument(
        "--format",
        choices=ANSWER_FORMATS,
        default="text",
        help="text (default: wrapped for the terminal), md (Markdown), json (the whole Answer), "
        "csl (CSL-JSON items of the references) or bibtex",
    )
    p.add_argument(
        "--json", action="store_const", const="json", dest="format", help="same as --format json"
    )
    p.add_argument(
        "--kind",
        action="append",
        dest="kinds",
        metavar="KIND",
        help="only sources of this kind (commentary, resolution, decision); repeatable",
    )
    p.set_defaults(run=_ask)

    p = sub.add_parser("compare", help="what changed between two editions of an act")
    p.add_argument("act", help='e.g. 130 or "Resolution 130"')
    p.add_argument(
        "--old", help='the older edition, e.g. "Guadalajara, 2010" (default: 2nd latest)'
    )
    p.add_argument("--new", help='the newer edition, e.g. "Busan, 2014" (default: the latest)')
    p.add_argument("--json", action="store_true", help="print the Comparison as JSON")
    p.set_defaults(run=_compare)

    p = sub.add_parser("verify", help="check that a saved answer's quotes still stand")
    p.add_argument("file", metavar="FILE.json", help="what `assistant ask --json` printed")
    p.set_defaults(run=_verify)

    p = sub.add_parser("sources", help="list the indexed sources")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_sources)

    p = sub.add_parser("add", help="copy files into the sources folder and index them")
    p.add_argument("paths", nargs="+")
    p.add_argument("--title", help="title of the source (one file only)")
    p.add_argument("--kind", help="kind of the source, e.g. commentary")
    p.set_defaults(run=_add)

    p = sub.add_parser("remove", help="delete a source from sources/ and the index")
    p.add_argument("ids", nargs="+", metavar="ID", help="a source id, as `assistant sources` shows")
    p.set_defaults(run=_remove)

    p = sub.add_parser("replace", help="put a new file in place of an indexed source")
    p.add_argument("id", metavar="ID", help="a source id, as `assistant sources` shows")
    p.add_argument("path", metavar="FILE", help="the file to index under that id")
    p.set_defaults(run=_replace)

    p = sub.add_parser("describe", help="set a source's title, author ... (its .meta.json)")
    p.add_argument("id", metavar="ID", help="a source id, as `assistant sources` shows")
    for field in ("title", "author", "date", "kind", "url"):
        p.add_argument(f"--{field}", help=f"the source's {field} ('' clears it)")
    p.set_defaults(run=_describe)

    p = sub.add_parser("serve", help="start the web chat")
    p.add_argument("--host")
    p.add_argument("--port", type=int)
    p.add_argument("--watch", action="store_true", help="re-index when sources/ changes")
    p.set_defaults(run=_serve)

    p = sub.add_parser("mcp", help="serve the MCP tools (ask, search, ...) over stdio")
    p.add_argument("--http", type=int, metavar="PORT", help="streamable HTTP on PORT instead")
    p.add_argument("--host", help="address for --http (default: ASSISTANT_HOST)")
    p.set_defaults(run=_mcp)

    p = sub.add_parser(
        "eval", help="evaluate on question files (JSON lines): metrics, then quality by kind"
    )
    p.add_argument("questions", nargs="+")
    p.add_argument(
        "--json", action="store_true", help="print the reports as JSON (by_kind: quality by kind)"
    )
    p.add_argument("--no-baselines", action="store_true", help="only evaluate the assistant")
    p.set_defaults(run=_eval)
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    updates: dict[str, Any] = {}
    if args.sources:
        updates["sources"] = args.sources
    if args.index:
        updates["index"] = args.index
    try:
        return Settings(**updates)
    except ValidationError as exc:
        problems = "; ".join(
            f"ASSISTANT_{'_'.join(str(p) for p in e['loc']).upper()}: {e['msg']}"
            for e in exc.errors()
        )
        raise ConfigError(f"a setting cannot be used ({problems}); fix or unset it") from None


def _open(args: argparse.Namespace, *, sync: bool = True) -> Assistant:
    from assistant.api import Assistant

    with _progress_bar("indexing") as progress:
        return Assistant.from_settings(_settings(args), sync=sync, progress=progress)


def _report(report: IndexReport) -> int:
    print(
        f"added {len(report.added)}, updated {len(report.updated)}, removed "
        f"{len(report.removed)}, unchanged {len(report.unchanged)}, failed "
        f"{len(report.failed)}; {report.chunks_embedded} sentences embedded in "
        f"{report.seconds:.1f} s"
    )
    for source, reason in report.failed:
        print(f"  failed: {source}: {reason}")
    for source, found in report.found:
        print(f"  {source}: {found}")
    return EXIT_ERROR if report.failed else EXIT_OK


@contextmanager
def _progress_bar(label: str) -> Iterator[ProgressFn]:
    from tqdm import tqdm

    bar: Any = None

    def update(done: int, total: int, message: str) -> None:
        nonlocal bar
        if total == 0:
            return
        if bar is None:
            bar = tqdm(total=total, desc=label, unit="sentence", file=sys.stderr, leave=False)
        bar.n = done
        bar.set_postfix_str(message[-40:], refresh=True)

    try:
        yield update
    finally:
        if bar is not None:
            bar.close()


def _index(args: argparse.Namespace) -> int:
    from assistant.api import Assistant

    with _progress_bar("indexing") as progress:
        # With --rebuild, opening skips the checks that a rebuild is meant to get past.
        assistant = Assistant.from_settings(
            _settings(args), sync=False, rebuild=args.rebuild, progress=progress
        )
        report = assistant.last_report if args.rebuild else assistant.reindex(progress=progress)
    assert report is not None
    return _report(report)


def _ask(args: argparse.Namespace) -> int:
    # The question and filters are checked on the catalog before anything is embedded (the
    # model loads at the sync's first new passage or at the question's embedding).
    assistant = _open(args, sync=False)
    assistant.check_question(args.question, kinds=args.kinds)
    with _progress_bar("indexing") as progress:
        assistant.reindex(progress=progress)
    answer = assistant.ask(args.question, kinds=args.kinds)
    if args.format == "json":
        print(answer.to_json())
    elif args.format == "csl":
        print(json.dumps(answer.to_csl(), ensure_ascii=False, indent=2))
    elif args.format == "bibtex":
        print(answer.to_bibtex(), end="")
    elif args.format == "md":
        print(answer.to_markdown())
    else:
        from assistant.interfaces import terminal

        print(terminal.render(answer), end="")
    return EXIT_OK


def _compare(args: argparse.Namespace) -> int:
    from assistant.interfaces import revisions

    # Read from the catalog as indexed (like `sources`): no sync, no model.
    return revisions.run_compare(_open(args, sync=False), args.act, args.old, args.new, args.json)


def _verify(args: argparse.Namespace) -> int:
    from assistant.interfaces import revisions

    return revisions.run_verify(_open(args), args.file)


def _sources(args: argparse.Namespace) -> int:
    # What is indexed, read from the catalog: no sync, no vector store, no model.
    assistant = _open(args, sync=False)
    rows = assistant.sources()
    if not rows and not args.json:
        print(
            f"nothing is indexed in {assistant.settings.index}; run `assistant index` to index "
            f"{assistant.settings.sources}",
            file=sys.stderr,
        )
    if args.json:
        print(json.dumps([dataclasses.asdict(r) for r in rows], ensure_ascii=False, indent=2))
        return EXIT_OK
    edition = {r.id: r.edition for r in rows}
    for row in rows:
        indent = "    " if row.parent else ""
        also = ", ".join(edition.get(i, i) for i in row.editions)  # the act's other editions
        print(
            f"{indent}{row.id if not row.parent else row.title}  [{row.kind}, "
            f"{row.chunks} chunks]"
            + ("" if row.parent else f"  {row.title}")
            + (f"  also: {also}" if also else "")
        )
    return EXIT_OK


def _add(args: argparse.Namespace) -> int:
    if args.title and len(args.paths) > 1:
        print("error: --title names one source; add files one at a time", file=sys.stderr)
        return EXIT_USAGE
    assistant = _open(args)
    failed = False
    for path in args.paths:
        with _progress_bar(f"adding {path}") as progress:
            report = assistant.add_source(path, title=args.title, kind=args.kind, progress=progress)
        failed = _stored(report, "indexed") or failed
    return EXIT_ERROR if failed else EXIT_OK


def _replace(args: argparse.Namespace) -> int:
    assistant = _open(args, sync=False)
    with _progress_bar(f"replacing {args.id}") as progress:
        report = assistant.replace_source(args.id, args.path, progress=progress)
    return EXIT_ERROR if _stored(report, "replaced") else EXIT_OK


def _stored(report: IndexReport, done: str) -> bool:
    """Print what adding or replacing a file did; True when it failed."""
    for source, reason in report.failed:
        print(f"failed: {source}: {reason}", file=sys.stderr)
    for name, original in report.duplicates:
        print(f"not stored: {name} is already indexed as {original}")
    for source in report.added + report.updated:
        print(f"{done}: {source}")
    for source, similar in report.near_duplicates:
        print(f"note: {source} has nearly the same text as {similar}")
    for source, found in report.found:
        print(f"{source}: {found}")
    return bool(report.failed)


def _remove(args: argparse.Namespace) -> int:
    assistant = _open(args, sync=False)
    for source in args.ids:
        assistant.remove_source(source)
        print(f"removed: {source}")
    return EXIT_OK


def _describe(args: argparse.Namespace) -> int:
    fields = {f: getattr(args, f) for f in ("title", "author", "date", "kind", "url")}
    if all(v is None for v in fields.values()):
        print(
            "error: give at least one of --title, --author, --date, --kind, --url", file=sys.stderr
        )
        return EXIT_USAGE
    assistant = _open(args, sync=False)
    report = assistant.describe_source(args.id, **fields)
    print(f"described: {args.id}")
    return _report(report) if report.failed else EXIT_OK


def _serve(args: argparse.Namespace) -> int:
    from assistant.interfaces import web

    settings = _settings(args)
    assistant = _open(args)
    web.serve(
        assistant,
        host=args.host or settings.host,
        port=args.port or settings.port,
        auth=settings.auth,
        watch=args.watch,
    )
    return EXIT_OK


def _mcp(args: argparse.Namespace) -> int:
    from assistant.interfaces.mcp_server import serve_mcp

    assistant = _open(args)  # progress goes to stderr: stdout carries the protocol
    serve_mcp(assistant, http_port=args.http, host=args.host or assistant.settings.host)
    return EXIT_OK


def _eval(args: argparse.Namespace) -> int:
    from assistant.evaluation import harness as evaluate

    assistant = _open(args)
    return int(
        evaluate.main(assistant, args.questions, as_json=args.json, baselines=not args.no_baselines)
    )
