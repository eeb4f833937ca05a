"""IndexReport.merge: one report for several syncs, as the web page shows after an upload."""

from __future__ import annotations

from assistant.schema import IndexReport


def test_merge_lists_each_source_once_and_adds_up_the_counts() -> None:
    one = IndexReport(added=["a.txt"], unchanged=["b.txt", "c.txt"], chunks_embedded=3, seconds=1.0)
    two = IndexReport(
        added=["a.txt", "d.txt"],
        updated=["b.txt"],
        removed=["old.txt"],
        unchanged=["c.txt"],
        failed=[("e.pdf", "no text layer")],
        chunks_embedded=2,
        seconds=0.5,
    )
    merged = one.merge(two)
    assert merged.added == ["a.txt", "d.txt"]
    assert merged.updated == ["b.txt"]
    assert merged.unchanged == ["c.txt"]  # b.txt was updated by the second sync
    assert merged.removed == ["old.txt"]
    assert merged.failed == [("e.pdf", "no text layer")]
    assert merged.chunks_embedded == 5 and merged.seconds == 1.5


def test_merge_keeps_failures_once_in_the_order_seen() -> None:
    refused = IndexReport(failed=[("big.pdf", "too big")])
    synced = IndexReport(failed=[("c.pdf", "no text"), ("big.pdf", "too big")])
    assert refused.merge(synced).failed == [("big.pdf", "too big"), ("c.pdf", "no text")]


def test_merging_with_an_empty_report_changes_nothing() -> None:
    report = IndexReport(added=["a.txt"], failed=[("b.pdf", "bad")], chunks_embedded=4)
    assert IndexReport().merge(report) == report == report.merge(IndexReport())


def test_merge_is_associative_so_a_loop_of_uploads_can_fold_it() -> None:
    a = IndexReport(added=["x.txt"], unchanged=["y.txt"])
    b = IndexReport(unchanged=["x.txt", "y.txt", "z.txt"])
    c = IndexReport(updated=["z.txt"], unchanged=["y.txt"])
    assert a.merge(b).merge(c) == a.merge(b.merge(c))
    assert a.merge(b).merge(c).unchanged == ["y.txt"]


def test_merged_reports_keep_what_each_file_was_found_to_hold() -> None:
    one = IndexReport(added=["a.pdf"], found=[("a.pdf", "final acts: 1 resolution (1)")])
    two = IndexReport(updated=["a.pdf"], found=[("a.pdf", "final acts: 2 resolutions (1, 2)")])
    assert one.merge(two).found == [("a.pdf", "final acts: 2 resolutions (1, 2)")]
