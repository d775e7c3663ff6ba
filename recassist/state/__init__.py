"""The app's own state, embedded or shared by configuration (`state.database_url`,
`state.cache_url`).

Durable state (privacy ledger and releases, ad spend, caps and impressions, feedback) goes through
one SQLAlchemy engine (`database.engine`, tables in `schema`, read-then-write through
`transaction.run`): SQLite in the data directory by default, PostgreSQL for several replicas.
Expiring state (chat sessions) lives in process memory by default, Redis when shared (`cache`).
`health` reports a store down.
"""
