"""Stage 3's ground: the local LLM backends, the prompt files and the model packages, below the chat
assistant, the marketer questions and the ads that all use them."""
