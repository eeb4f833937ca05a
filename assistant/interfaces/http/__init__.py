"""The HTTP API served beside the web chat, on its port: thin routes over `service.Service`.

chat_completions  OpenAI-compatible /v1/models and /v1/chat/completions (top-level citations)
rest              /api/ask, /api/search, /api/sources, /api/sources/{id}/text
app               the FastAPI app: API key, error objects, docs page, and the middleware
                  that sends /v1 and /api requests to it ahead of Gradio
"""

from assistant.interfaces.http.app import API_PREFIXES, api_middleware, build_api, is_api_path
from assistant.interfaces.http.chat_completions import MODEL_ID

__all__ = ["API_PREFIXES", "MODEL_ID", "api_middleware", "build_api", "is_api_path"]
