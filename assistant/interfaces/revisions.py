"""The `compare` and `verify` commands: what changed between two editions of an act, and
whether a saved answer's quotes still stand in the sources."""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.errors import SourceError
from assistant.schema import Answer, Change, Comparison, Verification

if TYPE_CHECKING:
    from assistant.api import Assistant


def show_diff(change: Change) -> str:
    """The word diff as text: kept words plain, "[-removed-]" and "{+added+}"."""
    marks = {"=": "{}", "-": "[-{}-]", "+": "{{+{}+}}"}
    return " ".join(marks[op].format(words) for op, words in change.diff)


def _place(change: Change) -> str:
    old, new = change.old_item, change.new_item
    if change.kind == "moved" and old != new:
        return f"{change.block} {old or '(unnumbered)'} -> {new or '(unnumbered)'}".strip()
    return f"{change.block} {new or old}".strip()


def format_comparison(comparison: Comparison) -> str:
    """A comparison as plain text: each change with the quotes of both editions."""
    old_file = comparison.old_act.partition("#")[0]
    new_file = comparison.new_act.partition("#")[0]
    changed = comparison.changed
    same = len(comparison.changes) - len(changed)
    lines = [
        f"{comparison.act}: {comparison.old_edition} ({old_file}) -> "
        f"{comparison.new_edition} ({new_file})",
        f"{len(changed)} changed, {same} unchanged",
    ]
    for change in changed:
        lines += ["", f"{change.kind:<9} {_place(change)}"]
        if change.old is not None:
            lines.append(f"  old: “{change.old.quote}”")
        if change.new is not None:
            lines.append(f"  new: “{change.new.quote}”")
        if change.diff:
            lines.append(f"  words: {show_diff(change)}")
    return "\n".join(lines)


def run_compare(
    assistant: Assistant, act: str, old: str | None, new: str | None, as_json: bool
) -> int:
    """Print the comparison of two editions of `act`; returns the exit code."""
    comparison = assistant.compare(act, old=old, new=new)
    if as_json:
        print(json.dumps(dataclasses.asdict(comparison), ensure_ascii=False, indent=2))
    else:
        print(format_comparison(comparison))
    return 0


def read_answer(path: str | Path) -> Answer:
    """The Answer saved in a file by `assistant ask --json`; SourceError if it holds none."""
    path = Path(path)
    try:
        return Answer.from_json(path.read_text("utf-8"))
    except OSError as exc:
        raise SourceError(f"{path} cannot be read ({exc.strerror}); give a saved answer") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise SourceError(
            f"{path} holds no answer ({exc}); save one with `assistant ask QUESTION --json > FILE`"
        ) from None


def format_verification(answer: Answer, result: Verification) -> str:
    """What `verify` found, one line per stale quote."""
    if result.ok:
        text = f"ok: all {len(answer.citations)} quotes still stand in the sources"
        if result.changed:
            text += f" (changed since the answer, quotes intact: {', '.join(result.changed)})"
        return text
    stale = set(result.stale)
    lines = [f"stale: {len(stale)} of {len(answer.citations)} quotes no longer stand"]
    for c in answer.citations:
        if c.marker in stale:
            lines.append(f"  [{c.marker}] {c.source} — {c.locator}: “{c.quote}”")
    return "\n".join(lines)


def run_verify(assistant: Assistant, path: str) -> int:
    """Re-check a saved answer: 0 when every quote stands, 1 (explained) when some do not."""
    answer = read_answer(path)
    result = assistant.verify(answer)
    text = format_verification(answer, result)
    print(text, file=sys.stdout if result.ok else sys.stderr)
    return 0 if result.ok else 1
