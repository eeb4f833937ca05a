"""Parts of the web page beside `app` that build their own Gradio components.

conversations  saved conversations (list, open, rename, delete) and the export downloads
compare        two editions of an act side by side, changes highlighted (the Sources tab)
"""
