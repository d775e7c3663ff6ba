"""The Marketer tab: questions in words answered with a Plotly chart, a table of privacy-protected
aggregates and a checked summary, plus one-click behaviour clusters and the budget left.

It is in the app's UI (`/`, admin keys) and on its own page (`/marketer`, marketer keys). Either way
only a caller with the `marketer` role may ask: the verified caller the security middleware left on
the request is read at each event, a caller without the role gets a message in the tab (shown when
the page opens too), and the releases are charged to the caller's organisation (`local` for the
loopback demo with no keys), the same budget as its REST calls. Refusals (a segment too small, a
sensitive category, the budget spent) show as the status line.
"""

from __future__ import annotations

import pandas as pd

from recassist.audiences.charts import figure
from recassist.audiences.tables import AudienceTable
from recassist.errors import IndexNotBuiltError, PrivacyRefusal, QueryError
from recassist.surfaces.audiences_api import MarketerContext, budget_owner
from recassist.surfaces.security import MARKETER_PAGE, Caller

ROLE = "marketer"
EXAMPLES = (
    "what do women 25–34 like compared to everyone?",
    "who would respond to a sci-fi campaign?",
    "how did interest in horror change this year?",
    "what do students like compared to men?",
)


def _frame(table: AudienceTable) -> pd.DataFrame:
    return pd.DataFrame(table.rows, columns=table.columns)


def principal_of(request, marketing: MarketerContext) -> str | None:
    """The budget owner for a Gradio request: the verified caller's organisation (`budget_owner`,
    the same as its REST calls), or None when the caller lacks the marketer role or was not
    verified."""
    caller = getattr(getattr(request, "state", None), "recassist_caller", None)
    if not isinstance(caller, Caller) or ROLE not in caller.roles:
        return None
    return budget_owner(caller, marketing.settings.api)


def not_allowed(request) -> str:
    caller = getattr(getattr(request, "state", None), "recassist_caller", None)
    who = f"the key '{caller.key}'" if isinstance(caller, Caller) and caller.key else "this request"
    return (
        f"**Not allowed:** {who} lacks the '{ROLE}' role, so it cannot ask marketer questions. "
        f"Sign in with a marketer key at [{MARKETER_PAGE}]({MARKETER_PAGE})."
    )


def access(request) -> str:
    """The tab's access line when the page opens."""
    caller = getattr(getattr(request, "state", None), "recassist_caller", None)
    return "" if isinstance(caller, Caller) and ROLE in caller.roles else not_allowed(request)


def _status(table: AudienceTable, extra: str = "") -> str:
    if table.segment_size is None:
        return f"Nothing was released or charged; budget left {table.budget_left:g}.{extra}"
    cost = (
        f"cost epsilon {table.epsilon_charged:g}"
        if table.epsilon_charged
        else "a repeat: no new cost"
    )
    notes = "".join(f"\n- {n}" for n in table.notes)
    return (
        f"Segment **{table.segment}**: about {table.segment_size} people (privacy noise ±{table.noise_margin95:g} per count); "
        f"{cost}, budget left {table.budget_left:g}.{extra}{notes}"
    )


def ask(marketing: MarketerContext, question: str, request=None):
    """(summary, chart, table, status) for one question from the caller of `request`."""
    principal = principal_of(request, marketing)
    if principal is None:
        return "", None, pd.DataFrame(), not_allowed(request)
    question = (question or "").strip()
    if not question:
        return "", None, pd.DataFrame(), "Ask a question about an audience."
    try:
        answer = marketing.assistant.answer(question, principal)
    except (PrivacyRefusal, QueryError, IndexNotBuiltError) as err:
        return "", None, pd.DataFrame(), f"**Refused:** {err}"
    planned = f" Planned by the {answer.planned_by}; summary from the {answer.summary_source}."
    return (
        answer.summary,
        figure(answer.table),
        _frame(answer.table),
        _status(answer.table, planned),
    )


def clusters(marketing: MarketerContext, request=None):
    principal = principal_of(request, marketing)
    if principal is None:
        return None, pd.DataFrame(), not_allowed(request)
    try:
        table = marketing.audiences.clusters(principal)
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
    allowed = gr.Markdown(elem_id="mkt-access")  # says so when the caller lacks the marketer role
    with gr.Row():
        question = gr.Textbox(
            label="Question", placeholder=EXAMPLES[0], scale=5, elem_id="mkt-question"
        )
        go = gr.Button("Ask", variant="primary", scale=1, elem_id="mkt-ask")
    gr.Examples(examples=[[e] for e in EXAMPLES], inputs=[question])
    summary = gr.Markdown(elem_id="mkt-summary")
    chart = gr.Plot(label="Chart", elem_id="mkt-chart")
    table = gr.Dataframe(
        label="Table (privacy-protected counts)", interactive=False, elem_id="mkt-table"
    )
    status = gr.Markdown(elem_id="mkt-status")
    with gr.Row():
        show_clusters = gr.Button("Behaviour clusters", elem_id="mkt-clusters")

    def on_ask(q, request):
        return ask(marketing, q, request)

    def on_clusters(request):
        return clusters(marketing, request)

    for handler in (
        on_ask,
        on_clusters,
        access,
    ):  # Gradio passes the request to parameters typed gr.Request
        handler.__annotations__["request"] = gr.Request
    for trigger in (go.click, question.submit):
        trigger(
            on_ask,
            [question],
            [summary, chart, table, status],
            api_name="marketer_ask" if trigger == go.click else False,
        )
    show_clusters.click(on_clusters, [], [chart, table, status], api_name="marketer_clusters")
    gr.on(
        triggers=None, fn=access, inputs=[], outputs=[allowed], api_name=False
    )  # when the page opens


def marketer_blocks(marketing: MarketerContext):
    """The Marketer tab on its own page (for a marketer-only deployment and the browser test)."""
    import gradio as gr

    with gr.Blocks(title="recassist marketer") as blocks:
        gr.Markdown(f"# recassist for marketers\nAudience insights from **{marketing.dataset}**.")
        with gr.Tab("Marketer"):
            marketer_tab(marketing)
    return blocks
