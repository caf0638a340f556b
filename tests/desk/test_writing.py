"""Writing on the desk: the story form, drafts, publishing and updating through the publishing
path, Markdown rendered once and sanitised, slugs, Preview, and a stale form refused without
losing the editor's text."""

from sqlalchemy import select

from portal.extensions import db
from portal.models import Article, AuditEntry, Status

from ..conftest import csrf_token_from
from ..helpers import soup
from .conftest import post_story, story_data, story_id

HOSTILE = """# Heading

Some **bold** text <script>alert(1)</script> and <b onclick="x()">raw html</b>.

[a link](https://example.org/story) [bad](javascript:alert(1)) [data](data:text/html,hi)

![outside](https://evil.example/pixel.png) ![ours](/media/ab/cd.webp)

<div id="x" class="y" style="color:red" hx-get="/steal" data-hx-post="/x">block</div>
"""


def stored(app, article_id) -> Article:
    with app.app_context():
        article = db.session.get(Article, article_id)
        db.session.expunge(article)
        return article


def textarea_text(page, name) -> str:
    """What a browser shows in the textarea (it drops one newline right after the tag)."""
    return page.select_one(f"textarea#{name}").get_text().removeprefix("\r\n").removeprefix("\n")


def test_the_form_has_the_fields_and_buttons_an_editor_expects(desk):
    page = soup(desk.get("/desk/stories/new"))
    labels = [label.get_text(strip=True) for label in page.select(".story-form label")]
    assert labels == ["Headline", "Slug", "Summary", "Body", "Kind", "Source name", "Source URL", "Section",
                      "First reporter", "Second reporter", "Third reporter",
                      "Lead image", "Image description (alt text)", "Caption / credit",
                      "Top story on the front page (for 24 hours)", "Publish at"]
    assert [legend.get_text() for legend in page.select(".story-form legend")] == ["Reporters", "Illustration"]
    assert page.select_one("input#lead_image")["type"] == "file"
    assert page.select_one("form.story-form")["enctype"] == "multipart/form-data"
    assert page.select_one("textarea#body") is not None
    assert [b.get_text() for b in page.select(".story-actions button")] == ["Preview", "Save draft", "Publish", "Schedule"]
    assert [o.get_text() for o in page.select("#kind option")] == ["News", "Analysis", "Roundup"]
    assert soup(desk.get("/desk")).select_one("a[href='/desk/stories/new']").get_text() == "New story"


def test_a_draft_is_saved_and_shown_nowhere_then_published_to_the_top_of_the_front_page(app, desk, client, factory):
    factory.story(title="Older news")
    response = post_story(desk, action="draft")
    assert response.status_code == 303
    draft_id = story_id(response)
    assert soup(desk.get(response.location)).select_one(".flash").get_text(strip=True) == "Draft saved."
    article = stored(app, draft_id)
    assert article.status is Status.draft and article.slug == "chipmaker-opens-a-new-fab"
    assert client.get(f"/articles/{draft_id}/{article.slug}").status_code == 404
    assert f"story-{draft_id}" not in client.get("/").get_data(as_text=True)
    form = soup(desk.get(f"/desk/stories/{draft_id}"))
    assert textarea_text(form, "body") == "First paragraph.\n\nSecond **paragraph**."
    revision = form.select_one("input[name=revision]")["value"]
    response = post_story(desk, f"/desk/stories/{draft_id}", action="publish", revision=revision)
    assert response.status_code == 303
    assert soup(client.get("/")).select_one("li.story")["id"] == f"story-{draft_id}"
    page = soup(client.get(f"/articles/{draft_id}/chipmaker-opens-a-new-fab"))
    assert [str(p) for p in page.select(".article-body p")] == ["<p>First paragraph.</p>",
                                                                 "<p>Second <strong>paragraph</strong>.</p>"]
    assert page.select_one(".byline-authors").get_text(" ", strip=True) == "By Ada Lee"
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "published")).one()
        assert (entry.actor_email, entry.subject) == ("editor@example.com", f"story {draft_id} Chipmaker opens a new fab")
    buttons = [b.get_text() for b in soup(desk.get(f"/desk/stories/{draft_id}")).select(".story-actions button")]
    assert buttons == ["Preview", "Update", "Unpublish"]


def test_an_update_shows_at_once_and_a_changed_slug_redirects_from_the_old_one(app, desk, client):
    published = story_id(post_story(desk, action="publish"))
    revision = soup(desk.get(f"/desk/stories/{published}")).select_one("input[name=revision]")["value"]
    response = post_story(desk, f"/desk/stories/{published}", action="update", revision=revision,
                          title="Chipmaker opens two fabs", slug="two-fabs",
                          correction_note="The headline said one fab; the company is opening two.")
    assert response.status_code == 303
    assert soup(client.get("/")).select_one(f"#story-{published} .story-title").get_text(strip=True) == \
        "Chipmaker opens two fabs"
    old = client.get(f"/articles/{published}/chipmaker-opens-a-new-fab")
    assert old.status_code == 301 and old.location.endswith(f"/articles/{published}/two-fabs")


def test_slugs_are_made_for_any_script_and_kept_unique_among_desk_stories(app, desk, factory):
    factory.story(title="Same headline")  # a demo or imported story may share a slug
    first = stored(app, story_id(post_story(desk, action="draft", title="Same headline")))
    second = stored(app, story_id(post_story(desk, action="draft", title="Same headline")))
    cyrillic = stored(app, story_id(post_story(desk, action="draft", title="Новый чип Яндекса")))
    assert (first.slug, second.slug, cyrillic.slug) == ("same-headline", "same-headline-2", "novyi-chip-iandeksa")


def test_hostile_markdown_is_cleaned_in_the_preview_and_on_the_page(app, desk, client):
    token = csrf_token_from(desk.get("/desk/stories/new"))
    preview = desk.post("/desk/preview", data={"csrf_token": token, **story_data(desk, body=HOSTILE)},
                        headers={"HX-Request": "true", "X-CSRFToken": token})
    assert preview.status_code == 200 and preview.headers["Cache-Control"] == "no-store"
    published = story_id(post_story(desk, action="publish", body=HOSTILE))
    page = client.get(f"/articles/{published}/chipmaker-opens-a-new-fab")
    for html in (preview.get_data(as_text=True), str(soup(page).select_one(".article-body"))):
        content = soup_of(html).select_one(".article-body")  # the story's own markup
        assert content.find("script") is None and content.find("div") is None
        assert [h.name for h in content.select("h1, h2, h3")] == ["h2"]  # "# Heading": the page has the h1
        for tag in content.find_all(True):
            assert not set(tag.attrs) & {"id", "name", "class", "style", "onclick", "hx-get", "data-hx-post"}, tag
        assert [a["href"] for a in content.select("a")] == ["https://example.org/story"]
        assert content.select_one("a")["rel"] == ["noopener", "noreferrer"]
        assert [img["src"] for img in content.select("img")] == ["/media/ab/cd.webp"]
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # raw HTML is escaped: shown as text
    with app.app_context():
        text = db.session.get(Article, published).body
    assert "**" not in text and "<strong>" not in text and "Some bold text" in text


def soup_of(html: str):
    from bs4 import BeautifulSoup

    return BeautifulSoup(html, "html.parser")


def test_preview_without_javascript_shows_the_story_and_saves_nothing(app, desk):
    response = post_story(desk, action="preview", title="Only a preview")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    page = soup(response)
    assert page.select_one("#story-preview h1").get_text() == "Only a preview"
    assert page.select_one("input#title")["value"] == "Only a preview"
    assert page.find("script", src=False) is None  # no inline script
    with app.app_context():
        assert db.session.scalars(select(Article.id)).all() == []


def test_a_stale_form_is_refused_and_keeps_the_editors_text(app, desk, signed_in):
    published = story_id(post_story(desk, action="publish"))
    revision = soup(desk.get(f"/desk/stories/{published}")).select_one("input[name=revision]")["value"]
    other = signed_in("editor", "other@example.com")
    token = csrf_token_from(other.get(f"/desk/stories/{published}"))
    assert other.post(f"/desk/stories/{published}", data={
        "csrf_token": token, **story_data(desk, action="update", revision=revision, title="Their headline",
                                          minor_edit="y")}).status_code == 303
    response = post_story(desk, f"/desk/stories/{published}", action="update", revision=revision,
                          body="My long correction, typed for an hour.", correction_note="Fixed the figures.")
    assert response.status_code == 409
    page = soup(response)
    message = page.select_one(".form-errors").get_text(" ", strip=True)
    assert "changed since you opened it" in message and "Headline" in message
    assert textarea_text(page, "body") == "My long correction, typed for an hour."
    assert stored(app, published).title == "Their headline"


def test_a_roundup_names_and_links_its_source_by_http(desk):
    response = post_story(desk, action="draft", kind="roundup")
    assert response.status_code == 400
    errors = [e.get_text(strip=True) for e in soup(response).select(".field-errors")]
    assert errors == ["A roundup names the outlet it draws on.", "A roundup links to the reporting it draws on."]
    response = post_story(desk, action="draft", kind="roundup", source_name="Ledger", source_url="javascript:alert(1)")
    assert response.status_code == 400
    assert post_story(desk, action="draft", kind="roundup", source_name="Ledger",
                      source_url="https://ledger.example/a").status_code == 303


def test_no_reporter_reads_as_the_desk_and_bad_requests_are_clear(app, desk, client):
    published = story_id(post_story(desk, action="publish", reporter_1=""))
    page = soup(client.get(f"/articles/{published}/chipmaker-opens-a-new-fab"))
    assert page.select_one(".byline-authors").get_text(" ", strip=True) == f"By the {app.config['SITE_NAME']}"
    assert post_story(desk, action="erase").status_code == 400
    assert post_story(desk, f"/desk/stories/{published}", action="publish").status_code == 400  # already out
    assert desk.get("/desk/stories/99999").status_code == 404


def test_subheadings_start_at_the_second_level_without_skipping_one():
    from portal.desk.markdown import render

    html, _text = render("# One\n\ntext\n\n## Two\n\n### Three\n\n#### Four")
    assert [h.name for h in soup_of(html).select("h1, h2, h3, h4, h5, h6")] == ["h2", "h2", "h3", "h4"]


def test_a_long_story_is_taken_from_an_editor_and_a_stranger_is_held_to_the_small_limit(app, desk, client):
    body = "Длинная история. " * 11_000  # 187,000 characters, 345 KB: over the site's 64 KiB
    response = post_story(desk, action="draft", body=body)
    assert response.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(Article.body_source)) == body
    token = csrf_token_from(client.get("/login"))
    refused = client.post("/desk/stories/new", data={"csrf_token": token, "body": body})
    assert refused.status_code == 413
