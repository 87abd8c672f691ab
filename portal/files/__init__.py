"""Uploaded files, decided once: one ``stored_files`` table that every app server shares.

Knows no feature: a capability stores a file through ``services.store_upload`` (checked by its
content, size-limited, images re-encoded without their metadata), keeps the returned row's id,
decides itself who may read it, and answers with ``services.download``.
"""
