"""Interfaces: the ways people reach the assistant (command line, web chat, folder watcher).

They use the public `assistant.api.Assistant` facade; nothing else in the package imports them.
"""
