import pytest

from ..conftest import csrf_token_from, log_in
from ..helpers import soup


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


def form_post(desk, article_id, **fields):
    """Post the story's form as the desk shows it, with `fields` changed."""
    page = soup(desk.get(f"/desk/stories/{article_id}"))
    data = {field["name"]: field.get("value", "") for field in page.select(".story-form input")
            if field.get("type") != "checkbox" or field.has_attr("checked")}  # as a browser sends it
    data.update({area["name"]: area.get_text().removeprefix("\r\n") for area in page.select(".story-form textarea")})
    data.update({sel["name"]: (sel.select_one("option[selected]") or sel.select_one("option"))["value"]
                 for sel in page.select(".story-form select")})
    data.update(fields)
    return desk.post(f"/desk/stories/{article_id}", data=data)
