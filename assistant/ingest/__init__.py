"""Ingest: from source files to indexed chunks.

Owns reading files into text (`loaders`, a registry of formats; pdf, docx and html are read in
a worker process under memory, CPU and time limits: `sandbox`, with `archive` checking a .docx
before it is inflated), finding source files and their sidecars (`sources`), safe names for
added files (`naming`), reading the final-acts layout (`finalacts`, `structure`), cutting text
into chunks and sentences (`chunking`) and keeping an index in step with a sources folder
(`sync`). May import the domain modules and `assistant.index`; never `answering`,
`evaluation` or `interfaces`.
"""
