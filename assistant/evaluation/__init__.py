"""Evaluation: labelled question files, the scoring harness and the baselines it compares with.

`harness` runs systems and re-exports the parts: `questions` (the labelled files), `scoring`
(one answer judged), `metrics`, `kinds` (quality by kind of question), `summary` (the report)
and `report` (tables and JSON). May import everything except `assistant.interfaces`.
"""
