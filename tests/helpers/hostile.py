"""Hostile questions that several test files ask (tests/unit/test_hostile.py with fake
embeddings, tests/integration/test_hostile_real_model.py with the real model's tokenizer)."""

from __future__ import annotations

HOSTILE_QUESTIONS = {
    "fts syntax": '" OR "x" NEAR(a b) * ^ : AND NOT -CWG',
    "sql": "'; DROP TABLE sources; -- CWG-Internet",
    "markup": "<script>alert(1)</script><img src=x onerror=alert(1)> CWG-Internet",
    "control characters": "CWG\x00-Internet\x1b[31m\x07 who?\x7f",
    "bidi and zero width": "\u202eCWG-Internet\u200b\u200d\ufeff" * 300,
    "emoji": "😀" * 50_000,
    "one long word": "x" * 100_000,
    "newlines then text": "\n" * 100_000 + "CWG-Internet",
    "many distinct words": " ".join(f"w{i}" for i in range(20_000)),
    "quotes": "'\"" * 20_000,
    "format strings": "%s %d {0} {__class__} ${HOME} CWG-Internet",
    "lone surrogate": "\ud800 Who can take part in CWG-Internet?",
}
