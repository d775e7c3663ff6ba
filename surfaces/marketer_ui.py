"""The Marketer tab: questions in words answered with a Plotly chart, a table of privacy-protected
aggregates and a checked summary, plus one-click behaviour clusters and the budget left.

It calls `MarketerAssistant.answer` directly, as the principal `marketer-tab` (its own privacy budget).
Refusals (a segment too small, a sensitive category, the budget spent) show as the status line.
"""

from __future__ import annotations

import pandas as pd

from audiences.charts import figure
from audiences.tables import AudienceTable
from recassist.errors import IndexNotBuiltError, PrivacyRefusal, QueryError
from surfaces.audiences_api import MarketerContext

PRINCIPAL = "marketer-tab"
EXAMPLES = (
    "what do women 25–34 like compared to everyone?",
    "who would respond to a sci-fi campaign?",
    "how did interest in horror change this year?",
    "what do students like compared to men?",
)


def _frame(table: AudienceTable) -> pd.DataFrame:
    return pd.DataFrame(table.rows, columns=table.columns)


def _status(table: AudienceTable, extra: str = "") -> str:
    cost = f"cost epsilon {table.epsilon_charged:g}" if table.epsilon_charged else "a repeat: no new cost"
    notes = "".join(f"\n- {n}" for n in table.notes)
    return (f"Segment **{table.segment}**: about {table.segment_size} people (privacy noise ±{table.noise_margin95:g} per count); "
            f"{cost}, budget left {table.budget_left:g}.{extra}{notes}")


def ask(marketing: MarketerContext, question: str):
    """(summary, chart, table, status) for one question."""
    question = (question or "").strip()
    if not question:
        return "", None, pd.DataFrame(), "Ask a question about an audience."
    try:
        answer = marketing.assistant.answer(question, PRINCIPAL)
    except (PrivacyRefusal, QueryError, IndexNotBuiltError) as err:
        return "", None, pd.DataFrame(), f"**Refused:** {err}"
    planned = f" Planned by the {answer.planned_by}; summary from the {answer.summary_source}."
    return (answer.summary, figure(answer.table), _frame(answer.table), _status(answer.table, planned))


def clusters(marketing: MarketerContext):
    try:
        table = marketing.audiences.clusters(PRINCIPAL)
    except (PrivacyRefusal, QueryError, IndexNotBuiltError) as err:
        return None, pd.DataFrame(), f"**Refused:** {err}"
    return figure(table), _frame(table), _status(table)


def marketer_tab(marketing: MarketerContext) -> None:
    """The tab's components, inside the caller's `gr.Tab`."""
    import gradio as gr

    gr.Markdown(
        "Ask about audiences in words. Answers are aggregates only: every count carries differential-privacy "
        f"noise, segments under {marketing.settings.audiences.min_segment_size} people are refused, and "
        "health, religion, politics, sexuality and ethnicity are off limits."
    )
    with gr.Row():
        question = gr.Textbox(label="Question", placeholder=EXAMPLES[0], scale=5, elem_id="mkt-question")
        go = gr.Button("Ask", variant="primary", scale=1, elem_id="mkt-ask")
    gr.Examples(examples=[[e] for e in EXAMPLES], inputs=[question])
    summary = gr.Markdown(elem_id="mkt-summary")
    chart = gr.Plot(label="Chart", elem_id="mkt-chart")
    table = gr.Dataframe(label="Table (privacy-protected counts)", interactive=False, elem_id="mkt-table")
    status = gr.Markdown(elem_id="mkt-status")
    with gr.Row():
        show_clusters = gr.Button("Behaviour clusters", elem_id="mkt-clusters")
    for trigger in (go.click, question.submit):
        trigger(lambda q: ask(marketing, q), [question], [summary, chart, table, status],
                api_name="marketer_ask" if trigger == go.click else False)
    show_clusters.click(lambda: clusters(marketing), [], [chart, table, status], api_name="marketer_clusters")


def marketer_blocks(marketing: MarketerContext):
    """The Marketer tab on its own page (for a marketer-only deployment and the browser test)."""
    import gradio as gr

    with gr.Blocks(title="recassist marketer") as blocks:
        gr.Markdown(f"# recassist for marketers\nAudience insights from **{marketing.dataset}**.")
        with gr.Tab("Marketer"):
            marketer_tab(marketing)
    return blocks
