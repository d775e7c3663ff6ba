"""The assistant: the LLM layer (models, chat-model backends, prompts), reranking and explanations."""
