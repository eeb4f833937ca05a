"""Shared helpers of the benchmark scripts: corpora, a hashing embedding, timing, memory, disk.

Not part of the package. The scripts put this folder first on sys.path (they run as
`python benchmarks/NAME.py`), so `import benchlib` works.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import statistics
import subprocess
import sys
import time
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
COMMENTARY = ROOT / "sources" / "itu-plenipot-2014-impressions.txt"
QUESTION_FILES = [
    Path("/work/shared/eval/dev.jsonl"),
    Path("/work/shared/eval/dev-negative.jsonl"),
    *sorted((ROOT / "tests" / "data" / "eval").glob("*.jsonl")),
]
HEADINGS = [
    "Introduction",
    "Counterfeiting of devices",
    "Cybersecurity and surveillance",
    "More on Internet related issues",
    "On transparency",
    "Internet of Things (IoT)",
    "Future of WSIS",
    "Definition of ICT",
    "Next WCIT",
    "Budgetary problems",
    "On human rights",
    "Multistakeholderism and the ITU",
    "Gender and Geographical Diversity",
    "Spectrum management",
    "Development and capacity building",
    "Emergency telecommunications",
    "Accessibility",
    "Conformance and interoperability",
    "Elections",
    "Conclusion",
]
_WORD = re.compile(r"\S+")


def question_files() -> list[Path]:
    """The evaluation question files on this machine, each file name once (tests/ first)."""
    found: dict[str, Path] = {}
    for path in sorted(QUESTION_FILES, key=lambda p: ROOT not in p.parents):
        if path.is_file():
            found.setdefault(path.name, path)
    return sorted(found.values(), key=lambda p: QUESTION_FILES.index(p))


def questions_text() -> list[str]:
    """The text of every evaluation question (for latency runs)."""
    from assistant.evaluation.harness import load_questions

    return [q.question for p in question_files() for q in load_questions(p)]


# -- corpora ------------------------------------------------------------------------------


class ParagraphGenerator:
    """Realistic-looking paragraphs: an order-2 word Markov chain trained on the commentary,
    with a Zipf-distributed tail of invented words so the vocabulary grows like real text's."""

    def __init__(self, seed: int = 0, text: str | None = None) -> None:
        self.rng = random.Random(seed)
        text = text if text is not None else COMMENTARY.read_text(encoding="utf-8")
        words = _WORD.findall(" ".join(p for p in text.split("\n\n") if len(p) > 200))
        self.starts: list[tuple[str, str]] = []
        self.chain: dict[tuple[str, str], list[str]] = {}
        for a, b, c in zip(words, words[1:], words[2:], strict=False):
            self.chain.setdefault((a, b), []).append(c)
            if a.endswith((".", "?", "!")) and b[:1].isupper():
                self.starts.append((b, c))
        syllables = [
            "ka",
            "ro",
            "mi",
            "tel",
            "com",
            "net",
            "ver",
            "sa",
            "lo",
            "pri",
            "dex",
            "tra",
            "gon",
            "bel",
            "ur",
            "is",
            "an",
            "co",
            "du",
            "sec",
        ]
        self.tail = [
            "".join(self.rng.choice(syllables) for _ in range(self.rng.randint(2, 4)))
            for _ in range(20000)
        ]
        self.cumulative = list(
            itertools.accumulate(1.0 / (rank + 20) for rank in range(len(self.tail)))
        )

    def sentence(self) -> str:
        """One sentence of 8 to 40 words."""
        a, b = self.rng.choice(self.starts)
        out = [a, b]
        while len(out) < 40:
            nxt = self.chain.get((a, b))
            if not nxt:
                break
            c = self.rng.choice(nxt)
            out.append(c)
            a, b = b, c
            if c.endswith((".", "?", "!")) and len(out) >= 8:
                break
        if not out[-1].endswith((".", "?", "!")):
            out[-1] += "."
        for i in range(2, len(out) - 1):
            if self.rng.random() < 0.08 and out[i].isalpha() and out[i].islower():
                out[i] = self.rng.choices(self.tail, cum_weights=self.cumulative)[0]
        return " ".join(out)

    def paragraph(self, max_chars: int = 1000) -> str:
        """Two to four sentences, at most `max_chars` long (one chunk of ours)."""
        count = self.rng.randint(2, 4)
        text = self.sentence()
        for _ in range(count - 1):
            more = self.sentence()
            if len(text) + 1 + len(more) > max_chars:
                break
            text += " " + more
        return text[:max_chars]

    def document(self, paragraphs: int, title: str) -> str:
        """A commentary-like document: a title, then headed sections of paragraphs."""
        parts = [title, ""]
        left = paragraphs
        while left > 0:
            parts += [self.rng.choice(HEADINGS), ""]
            for _ in range(min(left, self.rng.randint(3, 8))):
                parts += [self.paragraph(), ""]
                left -= 1
        return "\n".join(parts)


def varied_commentary(seed: int) -> str:
    """The shipped commentary with its paragraphs shuffled within sections and some dropped."""
    rng = random.Random(seed)
    blocks = COMMENTARY.read_text(encoding="utf-8").split("\n\n")
    out: list[str] = []
    section: list[str] = []
    for block in blocks:
        if len(block) < 80 and not block.rstrip().endswith("."):
            rng.shuffle(section)
            out += section + [block]
            section = []
        elif rng.random() > 0.1:
            section.append(block)
    rng.shuffle(section)
    return "\n\n".join(out + section)


def write_generated(
    folder: Path, paragraphs: int, per_file: int = 100, seed: int = 0, prefix: str = "gen"
) -> int:
    """Write `paragraphs` generated paragraphs into files of `per_file` each; return files."""
    folder.mkdir(parents=True, exist_ok=True)
    gen = ParagraphGenerator(seed)
    files = 0
    left = paragraphs
    while left > 0:
        n = min(per_file, left)
        path = folder / f"{prefix}-{files:05d}.txt"
        path.write_text(gen.document(n, f"Generated commentary {files}"), encoding="utf-8")
        left -= n
        files += 1
    return files


# -- a fast deterministic embedding -------------------------------------------------------


class HashingEmbeddings(Embeddings):
    """Not a model: signed hashing of lower-cased words into 384 buckets, L2-normalised.

    Used only to measure the store and query path at sizes the real encoder cannot index in
    a benchmark run; similarities are lexical, not semantic.
    """

    dimensions = 384

    def _one(self, text: str) -> list[float]:
        vector = np.zeros(self.dimensions, dtype=np.float32)
        for word in re.findall(r"\w+", text.lower()):
            h = zlib.crc32(word.encode("utf-8"))
            vector[h % self.dimensions] += 1.0 if h & 0x80000000 else -1.0
        norm = float(np.linalg.norm(vector)) or 1.0
        values: list[float] = (vector / norm).tolist()
        return values

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Vectors of `texts`."""
        return [self._one(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        """Vector of `text`."""
        return self._one(text)


# -- measuring ----------------------------------------------------------------------------


def rss_mb() -> dict[str, float]:
    """Current and peak resident memory of this process, in MiB."""
    values: dict[str, float] = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values["rss_mb" if key == "VmRSS" else "peak_rss_mb"] = int(rest.split()[0]) / 1024
    return values


def disk_mb(folder: Path) -> float:
    """Bytes on disk under `folder`, in MiB (allocated blocks, as du counts)."""
    total = 0
    for path in folder.rglob("*"):
        if path.is_file():
            total += path.stat().st_blocks * 512
    return total / (1024 * 1024)


def text_mb(folder: Path) -> float:
    """Size of the files under `folder`, in MiB."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / (1024 * 1024)


def timed_calls(call: Any, items: Iterable[Any]) -> list[float]:
    """Milliseconds of `call(item)` for each item."""
    out: list[float] = []
    for item in items:
        began = time.perf_counter()
        call(item)
        out.append((time.perf_counter() - began) * 1000.0)
    return out


def latency(ms: Sequence[float]) -> dict[str, float | None]:
    """p50 / p95 / mean of millisecond timings."""
    from assistant.evaluation.harness import percentile

    return {
        "p50_ms": percentile(ms, 50),
        "p95_ms": percentile(ms, 95),
        "mean_ms": statistics.fmean(ms) if ms else None,
        "n": len(ms),
    }


def run_child(
    args: Sequence[str], timeout: float = 3600, env: dict[str, str] | None = None
) -> dict[str, Any]:
    """Run `python args...` in a new process (`env` added to this one's environment); its
    last stdout line is a JSON result."""
    began = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "TOKENIZERS_PARALLELISM": "false", **(env or {})},
    )
    wall = time.perf_counter() - began
    if proc.returncode != 0:
        raise RuntimeError(f"child {args} failed:\n{proc.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    result.setdefault("wall_s", wall)
    return result


def save(name: str, data: dict[str, Any]) -> Path:
    """Write a result file under benchmarks/results/."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    data = {"recorded": time.strftime("%Y-%m-%d %H:%M:%S"), "machine": machine(), **data}
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return path


def machine() -> dict[str, Any]:
    """What the numbers were measured on, and how busy it was."""
    return {
        "cpus": os.cpu_count(),
        "load_avg_1m": os.getloadavg()[0],
        "python": sys.version.split()[0],
    }
