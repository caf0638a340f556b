import pytest

from ..conftest import csrf_token_from, log_in


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


@pytest.fixture
def desk(signed_in, factory):
    editor = signed_in("editor")
    editor.section = factory.section("Security")
    editor.ada = factory.author("Ada Lee")
    return editor


def story_data(desk, **fields):
    data = {"title": "Chipmaker opens a new fab", "slug": "", "summary": "A short summary.",
            "body": "First paragraph.\n\nSecond **paragraph**.", "kind": "news", "source_name": "",
            "source_url": "", "section": str(desk.section.id), "reporter_1": str(desk.ada.id),
            "reporter_2": "", "reporter_3": "", "revision": ""}
    return {**data, **fields}


def post_story(desk, url="/desk/stories/new", **fields):
    token = csrf_token_from(desk.get("/desk/stories/new"))
    return desk.post(url, data={"csrf_token": token, **story_data(desk, **fields)})


def story_id(response) -> int:
    return int(response.location.rsplit("/", 1)[1])
