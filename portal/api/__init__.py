"""The JSON API v1: a web adapter over the same services, scope and access declarations as the
pages, authenticated by personal API tokens (docs/api.md)."""
