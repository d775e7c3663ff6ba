"""The app's feedback store, as the surfaces use it: `recassist.state.feedback` keeps each event
once per idempotency key in the state database (and reads likes back for the next index build)."""

from recassist.state.feedback import FeedbackKind, FeedbackStore

__all__ = ["FeedbackKind", "FeedbackStore"]
