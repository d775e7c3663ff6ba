"""Stage 4, surfaces: one FastAPI application with the Gradio UI mounted on it.

For now the UI is the profile explorer: pick a user, see their recent history and the catalogue items
nearest to their profile in the vector store. `create_app` does the work; importing this module does none.
"""

from __future__ import annotations

import pandas as pd

from recassist.settings import Settings


def profile_view(catalogue, user_id: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A user's 15 latest interactions and the 10 unseen items nearest their profile."""
    history = catalogue.history(user_id, n=15)
    hits = catalogue.nearest_items(user_id, k=10)
    nearest = pd.DataFrame(
        {
            "item_id": [h.id for h in hits],
            "title": [h.metadata.get("title", "") for h in hits],
            "tags": [", ".join(h.metadata.get("tags", [])) for h in hits],
            "similarity": [round(1.0 - h.distance, 3) for h in hits],
        }
    )
    return history, nearest


def build_ui(catalogue):
    import gradio as gr

    users = catalogue.users(limit=500)

    def show(user_id: str):
        return profile_view(catalogue, user_id)

    with gr.Blocks(title="recassist") as ui:
        gr.Markdown(f"# recassist\nData set **{catalogue.dataset.name}**: pick a user (pseudonymised id, most active first).")
        user = gr.Dropdown(choices=users, value=users[0] if users else None, label="User")
        with gr.Row():
            history = gr.Dataframe(label="Recent history (newest first)", interactive=False)
            nearest = gr.Dataframe(label="Nearest unseen items to the user's profile", interactive=False)
        user.change(show, inputs=user, outputs=[history, nearest], api_name="profile")
        ui.load(show, inputs=user, outputs=[history, nearest])
    return ui


def create_app(settings: Settings, dataset: str | None = None):
    """The ASGI app: `/` the Gradio UI, `/healthz` a liveness check."""
    import gradio as gr
    from fastapi import FastAPI

    from retrieval.catalogue import Catalogue
    from retrieval.data.store import DatasetStore
    from retrieval.vector_store import VectorStore, connect

    name = dataset or settings.dataset
    catalogue = Catalogue(DatasetStore(settings.data_dir).load(name), VectorStore(connect(settings.chroma, settings.data_dir), name))
    catalogue.store.count("items")  # fail now, not on the first click, if the index is missing
    api = FastAPI(title="recassist", version="0.1.0")

    @api.get("/healthz")
    def healthz() -> dict:
        return {"status": "ok", "dataset": name}

    return gr.mount_gradio_app(api, build_ui(catalogue), path="/")
