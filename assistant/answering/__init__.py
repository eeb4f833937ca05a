"""Answering: from a question to a cited answer.

Owns reading the question (`question`, `intent`), the conversation (`history`), retrieval
(`retrieve`), checking candidates (`verification`), the answerers (`extractive`, `llm`) with
their prompts and citations. May import the domain modules and `assistant.index`; never
`ingest`, `evaluation` or `interfaces`.
"""
