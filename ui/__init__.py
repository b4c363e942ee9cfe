"""Gradio web UI, mounted in the FastAPI app. No business logic: it calls what it is handed."""
