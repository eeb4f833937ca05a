"""The index: what is stored and how it is searched.

Owns the SQLite catalog with its keyword index (`catalog`), the Chroma vector store (`store`),
the embedding model (`embeddings`) and the tokenizer and stemmer shared by every component that
compares words (`text`). May import only the domain modules (`errors`, `config`, `schema`).
"""
