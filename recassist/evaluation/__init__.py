"""The offline evaluation: leave-last-out, full ranking, tuned on validation, reported on test."""
