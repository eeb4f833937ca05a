"""Plots from benchmarks/results/*.json: latency against corpus size, quality against baselines.

.venv/bin/pip install matplotlib
.venv/bin/python benchmarks/plots.py       # writes benchmarks/scale.png, benchmarks/quality.png
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib


def load(name: str) -> dict[str, Any] | None:
    path = benchlib.RESULTS / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def scale_plot(data: dict[str, Any], out: Path) -> None:
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    for mode, marker, style, label in (
        ("hash", "o", "-", "hashing embedding"),
        ("real", "s", "none", "MiniLM"),
    ):
        runs = sorted(
            (r for r in data["runs"] if r["embedding"] == mode), key=lambda r: r["build"]["chunks"]
        )
        if not runs:
            continue
        x = [r["build"]["chunks"] for r in runs]
        for key, color in (("p50_ms", "tab:blue"), ("p95_ms", "tab:orange")):
            left.plot(
                x,
                [r["query"]["ask"][key] for r in runs],
                linestyle=style,
                marker=marker,
                color=color,
                markersize=7,
                label=f"ask {key[:3]}, {label}",
            )
        right.plot(
            x,
            [r["build"]["build_s"] for r in runs],
            linestyle=style,
            marker=marker,
            color="tab:green",
            markersize=7,
            label=f"build (s), {label}",
        )
        right.plot(
            x,
            [r["index_mb"] for r in runs],
            linestyle=style,
            marker=marker,
            color="tab:purple",
            markersize=7,
            label=f"index on disk (MiB), {label}",
        )
    real = [r for r in data["runs"] if r["embedding"] == "real"]
    if real:
        encoder = real[0]["query"]["embed_query"]["p50_ms"]
        left.axhline(
            encoder,
            color="0.5",
            ls=":",
            label=f"MiniLM query encoding alone, p50 ({encoder:.0f} ms)",
        )
    left.axhline(200, color="red", lw=0.8, label="goal: p95 <= 200 ms at 100k")
    for ax, title in ((left, "warm ask latency"), (right, "build time and index size")):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("chunks in the index")
        ax.set_title(title)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    left.set_ylabel("milliseconds")
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)


def quality_plot(data: dict[str, Any], out: Path) -> None:
    import matplotlib.pyplot as plt

    metrics = [
        ("accuracy", "answer\naccuracy"),
        ("overall", "overall"),
        ("hit_at_1", "hit@1"),
        ("hit_at_5", "hit@5"),
        ("mrr", "MRR"),
        ("citation_precision", "citation\nprecision"),
        ("abstention", "abstains when\nunanswerable"),
        ("false_abstention", "false\nabstention"),
    ]
    reports = data["reports"]
    width = 0.8 / len(reports)
    fig, ax = plt.subplots(figsize=(11, 4.2))
    for i, report in enumerate(reports):
        xs = [m + (i - (len(reports) - 1) / 2) * width for m in range(len(metrics))]
        values = [report[key] or 0.0 for key, _ in metrics]
        bars = ax.bar(xs, values, width, label=report["name"])
        ax.bar_label(bars, [f"{v:.2f}" for v in values], fontsize=6)
    n = reports[0]
    ax.set_xticks(range(len(metrics)), [label for _, label in metrics], fontsize=8)
    ax.set_ylim(0, 1.1)
    ax.set_title(
        f"quality on {n['answerable']} answerable + {n['unanswerable']} unanswerable "
        "questions (higher is better; false abstention: lower is better)"
    )
    ax.legend()
    ax.grid(True, axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)


def main() -> None:
    import matplotlib

    matplotlib.use("Agg")
    scale = load("scale")
    if scale:
        scale_plot(scale, benchlib.HERE / "scale.png")
        print("wrote benchmarks/scale.png")
    quality = load("quality")
    if quality:
        quality_plot(quality, benchlib.HERE / "quality.png")
        print("wrote benchmarks/quality.png")


if __name__ == "__main__":
    main()
