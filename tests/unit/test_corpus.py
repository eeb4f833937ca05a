"""Managing the corpus (#13): filters that say when they match nothing, duplicates, and
removing, replacing and describing sources, through the API with fake embeddings."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from fakes import KeywordEmbeddings

from assistant import Assistant, IndexReport
from assistant.errors import AssistantError, FilterError, SourceError

COMMENTARY = "itu-plenipot-2014-impressions.txt"


def test_an_unknown_kind_names_the_indexed_kinds(fake_assistant: Assistant) -> None:
    with pytest.raises(FilterError) as caught:
        fake_assistant.ask("Who can take part in CWG-Internet?", kinds=["resolutoin"])
    assert "'resolutoin'" in str(caught.value) and "'commentary'" in str(caught.value)
    assert isinstance(caught.value, AssistantError)


def test_an_unknown_source_names_the_indexed_sources(fake_assistant: Assistant) -> None:
    with pytest.raises(FilterError) as caught:
        fake_assistant.retrieve("surveillance", sources=["nope.pdf"])
    assert "'nope.pdf'" in str(caught.value) and COMMENTARY in str(caught.value)


def test_resolutions_without_final_acts_say_how_to_add_them(fake_assistant: Assistant) -> None:
    with pytest.raises(FilterError) as caught:
        fake_assistant.ask("What does Resolution 102 resolve?", kinds=["resolution", "decision"])
    message = str(caught.value)
    assert "nothing of kind 'resolution' or 'decision' is indexed" in message
    assert "Final Acts" in message and "README" in message


def test_filters_that_match_still_answer(fake_assistant: Assistant) -> None:
    passages = fake_assistant.retrieve(
        "surveillance", kinds=["commentary", "resolution"], sources=[COMMENTARY]
    )
    assert passages and {p.source for p in passages} == {COMMENTARY}


def test_check_question_refuses_what_ask_refuses(fake_assistant: Assistant) -> None:
    with pytest.raises(FilterError):
        fake_assistant.check_question("What?", kinds=["speech"])
    with pytest.raises(AssistantError):
        fake_assistant.check_question("   ")
    fake_assistant.check_question("What?", kinds=["commentary"])


# -- content-addressed sources ----------------------------------------------------------------

NOTES_TEXT = (
    "# Harbour pilots and the conference\n\n"
    "Invented commentary written for these tests.\n\n"
    "## Pilot boats\n\n"
    "The harbour pilots asked the conference for radio channels reserved for pilot boats. "
    "Several delegations supported them, noting that safe pilotage depends on clear radio.\n"
)


def vectors(assistant: Assistant) -> tuple[int, int]:
    """(vectors stored, sentences in the catalog): equal when the index is consistent."""
    return assistant._store.count(), assistant._catalog.sentence_count()


def test_adding_the_same_file_twice_stores_and_indexes_it_once(
    fake_assistant: Assistant, tmp_path: Path, keyword_embeddings: KeywordEmbeddings
) -> None:
    upload = tmp_path / "briefing.md"
    upload.write_text(NOTES_TEXT, "utf-8")
    first = fake_assistant.add_source(upload)
    assert first.added == ["briefing.md"] and first.duplicates == []
    before = vectors(fake_assistant)
    keyword_embeddings.reset()
    again = tmp_path / "copy" / "briefing.md"
    again.parent.mkdir()
    again.write_text(NOTES_TEXT, "utf-8")
    second = fake_assistant.add_source(again)
    assert second.duplicates == [("briefing.md", "briefing.md")]
    assert second.added == [] and keyword_embeddings.document_calls == 0
    folder = fake_assistant.settings.sources
    assert not (folder / "briefing-2.md").exists()
    assert not [p for p in folder.iterdir() if p.name.startswith(".incoming")]
    assert vectors(fake_assistant) == before
    assert [s.id for s in fake_assistant.sources()].count("briefing.md") == 1


def test_the_same_text_in_another_format_is_reported_as_a_near_copy(
    fake_assistant: Assistant, tmp_path: Path
) -> None:
    (tmp_path / "pilots.md").write_text(NOTES_TEXT, "utf-8")
    fake_assistant.add_source(tmp_path / "pilots.md")
    html_text = "".join(f"<p>{block}</p>\n" for block in NOTES_TEXT.upper().split("\n\n"))
    (tmp_path / "pilots.html").write_text(f"<html><body>{html_text}</body></html>", "utf-8")
    report = fake_assistant.add_source(tmp_path / "pilots.html")
    assert report.added == ["pilots.html"]
    assert report.near_duplicates == [("pilots.html", "pilots.md")]


def test_a_copy_dropped_into_the_folder_is_reported_once_and_not_indexed(
    fake_assistant: Assistant,
) -> None:
    folder = fake_assistant.settings.sources
    shutil.copy(folder / COMMENTARY, folder / "impressions-copy.txt")
    report = fake_assistant.reindex()
    assert report.duplicates == [("impressions-copy.txt", COMMENTARY)]
    assert report.added == [] and report.failed == []
    assert "impressions-copy.txt" not in {s.id for s in fake_assistant.sources()}
    assert fake_assistant.reindex().duplicates == []  # quiet until it changes


# -- remove, replace, describe ----------------------------------------------------------------


def test_remove_source_deletes_the_file_its_sidecar_and_its_vectors(
    fake_assistant: Assistant,
) -> None:
    folder = fake_assistant.settings.sources
    assert (folder / f"{COMMENTARY}.meta.json").exists()
    report = fake_assistant.remove_source(COMMENTARY)
    assert report.removed == [COMMENTARY]
    assert not (folder / COMMENTARY).exists()
    assert not (folder / f"{COMMENTARY}.meta.json").exists()
    assert fake_assistant.sources() == []
    assert vectors(fake_assistant) == (0, 0)
    assert fake_assistant.reindex().removed == []  # nothing left for the sync to finish


def test_removing_an_unknown_source_names_the_indexed_ones(fake_assistant: Assistant) -> None:
    with pytest.raises(SourceError) as caught:
        fake_assistant.remove_source("nope.pdf")
    assert "'nope.pdf'" in str(caught.value) and COMMENTARY in str(caught.value)
    with pytest.raises(SourceError):
        fake_assistant.remove_source("../outside.txt")
    assert [s.id for s in fake_assistant.sources()] == [COMMENTARY]  # nothing lost


def test_describe_source_writes_the_sidecar_and_embeds_nothing(
    fake_assistant: Assistant, keyword_embeddings: KeywordEmbeddings
) -> None:
    keyword_embeddings.reset()
    before = vectors(fake_assistant)
    report = fake_assistant.describe_source(
        COMMENTARY, title="Impressions", url="https://example.org/x", kind="report", author=""
    )
    assert report.updated == [COMMENTARY] and report.chunks_embedded == 0
    assert keyword_embeddings.document_calls == 0 and vectors(fake_assistant) == before
    side = json.loads(
        (fake_assistant.settings.sources / f"{COMMENTARY}.meta.json").read_text("utf-8")
    )
    assert side["title"] == "Impressions" and side["url"] == "https://example.org/x"
    assert side["date"] == "2014-11" and "author" not in side  # kept; cleared
    (row,) = fake_assistant.sources()
    assert (row.title, row.kind) == ("Impressions", "report")
    # The vectors were relabelled: the new kind filters the dense search too.
    passages = fake_assistant.retrieve("surveillance", kinds=["report"])
    assert passages and {p.kind for p in passages} == {"report"}


def test_replace_source_keeps_the_id_and_indexes_the_new_text(
    fake_assistant: Assistant, tmp_path: Path
) -> None:
    (tmp_path / "new.txt").write_text(NOTES_TEXT, "utf-8")
    report = fake_assistant.replace_source(COMMENTARY, tmp_path / "new.txt")
    assert report.updated == [COMMENTARY]
    text = fake_assistant.source_text(COMMENTARY)
    assert text is not None and "harbour pilots" in text
    (row,) = fake_assistant.sources()
    assert row.title.startswith("ITU Plenipotentiary 2014")  # the sidecar stays


def test_the_web_report_says_what_was_not_stored() -> None:
    from assistant.interfaces.web.render import report_html

    shown = report_html(
        IndexReport(
            duplicates=[("briefing.docx", "briefing<1>.docx")],
            near_duplicates=[("acts.html", "acts.pdf")],
        )
    )
    assert "briefing.docx is already indexed as briefing&lt;1&gt;.docx" in shown
    assert "acts.html has nearly the same text as acts.pdf" in shown


def test_merged_reports_keep_the_duplicates() -> None:
    one = IndexReport(duplicates=[("a.txt", "b.txt")])
    two = IndexReport(near_duplicates=[("c.html", "c.pdf")], duplicates=[("a.txt", "b.txt")])
    merged = one.merge(two)
    assert merged.duplicates == [("a.txt", "b.txt")]
    assert merged.near_duplicates == [("c.html", "c.pdf")]


# -- filters by act ---------------------------------------------------------------------------


def test_a_filter_by_one_resolution_returns_only_its_clauses(opened: Assistant) -> None:
    acts = [s for s in opened.sources() if s.parent is not None]
    assert len(acts) >= 2
    for act in acts[:2]:
        passages = opened.retrieve("register beacons resolves instructs", k=8, sources=[act.id])
        assert passages
        assert {p.source for p in passages} == {act.parent}
        assert all(p.locator.startswith(act.title) for p in passages), act.id
        answer = opened.ask("What does it resolve?", sources=[act.id])
        assert all(c.locator.startswith(act.title) for c in answer.citations)


def test_an_unknown_act_names_the_acts_of_its_file(opened: Assistant) -> None:
    act = next(s for s in opened.sources() if s.parent is not None)
    with pytest.raises(FilterError) as caught:
        opened.retrieve("register", sources=[f"{act.parent}#Resolution 1 (Nowhere, 1900)"])
    assert act.id in str(caught.value)


def test_a_copy_is_indexed_once_its_original_is_removed(fake_assistant: Assistant) -> None:
    folder = fake_assistant.settings.sources
    shutil.copy(folder / COMMENTARY, folder / "impressions-copy.txt")
    assert fake_assistant.reindex().duplicates == [("impressions-copy.txt", COMMENTARY)]
    fake_assistant.remove_source(COMMENTARY)
    report = fake_assistant.reindex()
    assert report.added == ["impressions-copy.txt"] and report.duplicates == []


def test_a_filter_by_one_resolution_holds_when_the_question_names_another(
    opened: Assistant,
) -> None:
    first, second = [s for s in opened.sources() if s.parent is not None][:2]
    number = second.title.split(" (")[0]  # "Resolution 102"
    passages = opened.retrieve(f"What does {number} resolve?", k=8, sources=[first.id])
    assert passages
    assert all(p.locator.startswith(first.title) for p in passages), [p.locator for p in passages]


def test_a_declined_answer_under_a_filter_says_what_was_searched(opened: Assistant) -> None:
    answer = opened.ask("What is the GDP of Examplestan?", kinds=["commentary"])
    assert answer.abstained
    assert answer.notice == (
        "Only kinds commentary were searched; without the filter, others may answer."
    )
    assert opened.ask("What is the GDP of Examplestan?").notice is None
