"""Parts of the web page beside `app` that build their own Gradio components.

compare    two editions of an act side by side, changes highlighted (the Sources tab)
"""
