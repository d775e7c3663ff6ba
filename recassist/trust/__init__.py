"""Trust by construction: what no spelling escapes and what no catalogue can poison.

- `sensitive`: the one check of sensitive categories (GDPR Art. 9 and politics) that marketers'
  segments and questions and advertisers' targeting and text pass, by words in six languages and by
  meaning;
- `sanitise`: the one egress for text, which every string the app sends passes (no markup, link,
  image, prompt delimiter, e-mail address or phone number).

Above retrieval (the meaning test uses its embedder), below the assistant, ads and audiences.
"""
