"""The app's own state, embedded or shared by configuration (`state.database_url`, `state.cache_url`).

Durable state (privacy ledger and releases, ad spend, feedback) goes through one SQLAlchemy engine
(`database.engine`): SQLite in the data directory by default, PostgreSQL for several replicas. Expiring
state (sessions, rate limits, replay marks) lives in process memory by default, Redis when shared.
"""
