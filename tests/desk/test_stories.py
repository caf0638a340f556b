"""The desk's stories: every status, the newest change first, filtered and paged by a cursor."""

from portal.models import Status

from ..helpers import soup


def desk_rows(response) -> list[str]:
    return [row.th.get_text(strip=True) for row in soup(response).select("tbody tr")]


def test_drafts_and_published_stories_newest_change_first_filtered(app, signed_in, factory):
    security = factory.section("Security")
    ada = factory.author("Ada Lee")
    old = factory.story(title="Old news", minutes_ago=50)
    draft = factory.story(title="A draft", section=security, authors=[ada], status=Status.draft)
    factory.story(title="Fresh news", section=security, minutes_ago=5)
    factory.update(old.id, summary="Edited just now")
    editor = signed_in("editor")
    assert desk_rows(editor.get("/desk")) == ["Old news", "Fresh news", "A draft"]
    assert desk_rows(editor.get("/desk?status=draft")) == ["A draft"]
    assert desk_rows(editor.get(f"/desk?section={security.slug}")) == ["Fresh news", "A draft"]
    assert desk_rows(editor.get(f"/desk?reporter={ada.slug}&status=draft")) == ["A draft"]
    filtered = soup(editor.get(f"/desk?reporter={ada.slug}&status=draft"))
    chosen = {select["name"]: select.select_one("option[selected]") for select in filtered.select(".desk-filters select")}
    assert {name: option and option.get_text() for name, option in chosen.items()} == \
        {"status": "Draft", "section": None, "reporter": "Ada Lee"}
    page = soup(editor.get("/desk"))
    draft_row = page.select_one(f"#desk-story-{draft.id}")
    assert [cell.get_text(strip=True) for cell in draft_row.select("td")][:3] == ["Draft", "Security", "Ada Lee"]
    assert draft_row.th.a["href"] == f"/desk/stories/{draft.id}"  # the headline opens its form
    for bad in ("/desk?status=lost", "/desk?section=nowhere", "/desk?reporter=nobody", "/desk?after=x"):
        assert editor.get(bad).status_code == 400, bad


def test_the_list_is_paged_by_the_last_story_shown(app, signed_in, factory):
    stories = factory.stories(53)
    editor = signed_in("editor")
    first = editor.get("/desk")
    assert len(desk_rows(first)) == 50
    older = soup(first).select_one("a[rel=next]")["href"]
    rest = editor.get(older)
    shown = desk_rows(first) + desk_rows(rest)
    assert sorted(shown) == sorted(story.title for story in stories) and len(set(shown)) == 53
    assert soup(rest).select_one("a[rel=next]") is None

