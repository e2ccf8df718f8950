"""Journal tests move the clock (time_machine) far across access-token lifetimes,
so their API clients mint a real access token at each request, inside whatever
clock the test has frozen: every request goes through the JWT authentication
(and its user query, which the query-count tests therefore include)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from rest_framework.test import APIClient

from conftest import bearer

if TYPE_CHECKING:
    from accounts.models import User


class FreshTokenClient(APIClient):
    """An API client that sends a newly minted access token with each request."""

    def __init__(self, user: User, **defaults: Any) -> None:
        super().__init__(**defaults)
        self.token_user = user

    def request(self, **kwargs: Any) -> Any:
        self.credentials(HTTP_AUTHORIZATION=bearer(self.token_user))
        return super().request(**kwargs)


@pytest.fixture
def auth_client(user) -> APIClient:
    return FreshTokenClient(user)


@pytest.fixture
def other_client(other_user) -> APIClient:
    return FreshTokenClient(other_user)
