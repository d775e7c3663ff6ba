"""The evaluation protocol of issue 3: leave-last-out, full ranking, tuned on validation, reported on test."""
