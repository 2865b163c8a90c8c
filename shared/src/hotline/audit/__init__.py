"""Audit: tamper evidence for the services' event logs (`chain`, `walk`, `verify`, `anchor`).

Each service's events carry a hash chain written with them (`chain.HashChainRecorder`); its
head is anchored outside the database (`anchor`: Kafka `hotline.audit.v1`, optionally a file);
`verify` walks the chain in PostgreSQL and names the first altered, deleted, inserted or
reordered event, and a chain rewritten after it was anchored (`hotline audit verify`).
"""
