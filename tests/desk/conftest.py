import pytest

from ..conftest import log_in


@pytest.fixture
def signed_in(app, make_user):
    """A client signed in through the form with a new account of this role (and email)."""

    def sign_in(role="editor", email=None):
        email = email or f"{role}@example.com"
        account = make_user(email, role=role)
        client = app.test_client()
        assert log_in(client, email).status_code == 303
        client.account = account
        return client

    return sign_in
