"""Evaluation: labelled question files, the scoring harness and the baselines it compares with.

May import everything except `assistant.interfaces`.
"""
