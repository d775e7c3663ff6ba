"""Stage 1, data: read, validate, clean and pseudonymise items, users, interactions and social
edges, and keep them in the data directory. Nothing downstream reads an input file directly."""
