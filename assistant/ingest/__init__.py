"""Ingest: from source files to indexed chunks.

Owns loading files into text (`sources`), reading the final-acts layout (`finalacts`,
`structure`), cutting text into chunks and sentences (`chunking`) and keeping an index in step
with a sources folder (`sync`). May import the domain modules and `assistant.index`; never
`answering`, `evaluation` or `interfaces`.
"""
