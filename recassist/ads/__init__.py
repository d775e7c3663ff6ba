"""Sponsored recommendations: the ads catalogue, the click model, the auction with caps and budget
pacing, and the "why this ad" explanation. Sits above `assistant` and below the surfaces."""
