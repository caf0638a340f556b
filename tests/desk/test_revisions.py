"""Every save keeps a revision (who, when, which button, what it said), which editors list and
compare with the save before."""

from ..helpers import soup
from .conftest import form_post, post_story, story_id


def test_each_save_is_a_revision_compared_with_the_one_before(app, desk, signed_in):
    story = story_id(post_story(desk, action="draft", body="The plant is in Leipzig.\n\nIt opens in May."))
    assert form_post(desk, story, action="publish").status_code == 303
    other = signed_in("editor", "second@example.com")
    assert form_post(other, story, action="update", body="The plant is in Dresden.\n\nIt opens in May.",
                     correction_note="The plant is in Dresden, not Leipzig.").status_code == 303

    listing = soup(desk.get(f"/desk/stories/{story}/revisions"))
    rows = [[cell.get_text(strip=True) for cell in row.select("td")] for row in listing.select("tbody tr")]
    assert rows == [["second@example.com", "update", "Chipmaker opens a new fab"],
                    ["editor@example.com", "published", "Chipmaker opens a new fab"],
                    ["editor@example.com", "draft", "Chipmaker opens a new fab"]]
    newest = listing.select_one("tbody tr th a")["href"]
    diff = soup(desk.get(newest))
    assert [h.get_text() for h in diff.select(".revision-diff h2")] == ["Body"]  # only what changed
    assert [d.get_text() for d in diff.select(".diff del")] == ["The plant is in Leipzig."]
    assert [i.get_text() for i in diff.select(".diff ins")] == ["The plant is in Dresden."]
    assert "It opens in May." in diff.select_one(".diff").get_text()  # the context around the change
    assert "by second@example.com" in diff.select_one(".desk-intro").get_text(" ", strip=True)

    oldest = listing.select("tbody tr th a")[-1]["href"]
    first = soup(desk.get(oldest))
    assert [h.get_text() for h in first.select(".revision-diff h2")] == ["Headline", "Summary", "Body"]
    assert "the first save" in first.select_one(".desk-intro").get_text()


def test_a_revision_of_another_story_is_404(desk):
    one = story_id(post_story(desk, action="draft"))
    two = story_id(post_story(desk, action="draft", title="Another story"))
    href = soup(desk.get(f"/desk/stories/{two}/revisions")).select_one("tbody tr th a")["href"]
    revision_id = href.rsplit("/", 1)[1]
    assert desk.get(f"/desk/stories/{one}/revisions/{revision_id}").status_code == 404
    assert desk.get("/desk/stories/999/revisions").status_code == 404
