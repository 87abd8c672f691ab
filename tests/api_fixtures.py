"""Tokens for API tests: ``api_token(user, scopes=ALL_SCOPES, **kwargs)`` gives the secret of a
new token; ``bearer(secret)`` the headers that carry it. Listed in conftest's ``pytest_plugins``."""

import pytest

from portal.api.models import ApiScope, ApiToken
from portal.api.services import mint_token
from portal.database import utcnow
from portal.extensions import db

__all__ = ["api_token", "bearer", "ALL_SCOPES"]

ALL_SCOPES = [scope.value for scope in ApiScope]


def bearer(secret: str, **headers) -> dict:
    return {"Authorization": f"Bearer {secret}", **headers}


@pytest.fixture
def api_token(app):
    def factory(user, scopes=ALL_SCOPES, name="Dasbor provinsi", **kwargs):
        if user.is_staff:
            minted = mint_token(user, name, scopes, utcnow(), **kwargs)
            db.session.commit()
            return minted.secret
        # A token a board member could not have minted: to show the role rules still hold for it.
        from portal.api import services

        secret = f"{services.TOKEN_PREFIX}b0a4d0{user.id:06d}_{'x' * 40}"
        db.session.add(ApiToken(user_id=user.id, name=name, prefix=f"b0a4d0{user.id:06d}",
                                token_hash=services._hash(secret), scopes=list(scopes)))
        db.session.commit()
        return secret

    return factory
