"""Stages 1 and 2: the data layer (`retrieval.data`) and retrieval (embeddings, the vector store,
the candidate generators and their fusion)."""
