"""Stage 4, surfaces: the Gradio chat and explore UI, the embeddable widget, the REST API.
`recassist/app.py` composes them into one FastAPI application."""
