"""The desk in a real browser: an editor writes a story with a lead image, previews it and
publishes it; a reader with the front page open is told of it (polling each second until news is
pushed), and after the editor corrects it, the reader's reload shows the correction."""

from playwright.sync_api import expect

from ..images import encoded, photo
from .conftest import serve_demo

EDITOR = "editor@example.com"
PASSWORD = "a long passphrase for the desk"


def make_editor(server):
    from werkzeug.security import generate_password_hash

    from portal.extensions import db
    from portal.models import Role, User

    with server.app.app_context():
        db.session.add(User(email=EDITOR, password_hash=generate_password_hash(PASSWORD), role=Role.editor))
        db.session.commit()


def test_an_editor_publishes_with_an_image_and_corrects_while_a_reader_watches(browser, tmp_path):
    server = serve_demo(tmp_path, LIVE_INTERVAL=1)
    make_editor(server)
    picture = tmp_path / "fab.jpg"
    picture.write_bytes(encoded(photo((1600, 1000)), "JPEG"))
    reader_context = browser.new_context(viewport={"width": 1280, "height": 900})
    editor_context = browser.new_context(viewport={"width": 1280, "height": 900})
    errors = []
    try:
        reader = reader_context.new_page()
        reader.set_default_timeout(10_000)
        reader.on("pageerror", lambda error: errors.append(str(error)))
        reader.goto(server.url + "/")
        expect(reader.locator("li.story").first).to_be_visible()

        editor = editor_context.new_page()
        editor.set_default_timeout(10_000)
        editor.on("pageerror", lambda error: errors.append(str(error)))
        editor.goto(server.url + "/login?next=/desk/stories/new")
        editor.get_by_label("Email").fill(EDITOR)
        editor.get_by_label("Password", exact=True).fill(PASSWORD)
        editor.get_by_role("button", name="Sign in").click()
        editor.wait_for_url("**/desk/stories/new")

        editor.get_by_label("Headline").fill("Chipmaker opens a new fab in Dresden")
        editor.get_by_label("Summary").fill("The plant will make chips for cars.")
        editor.get_by_label("Body").fill("The plant opens in **May**.\n\n## What it makes\n\nChips for cars.")
        editor.get_by_label("First reporter").select_option(index=1)
        editor.get_by_label("Lead image", exact=True).set_input_files(str(picture))
        editor.get_by_label("Image description (alt text)").fill("The new fab at dusk")
        editor.get_by_label("Caption / credit").fill("Photo: the company")
        editor.get_by_role("button", name="Preview").click()
        preview = editor.locator("#story-preview")
        expect(preview.locator("h1")).to_have_text("Chipmaker opens a new fab in Dresden")
        expect(preview.get_by_role("heading", name="What it makes")).to_be_visible()
        expect(preview.locator("strong")).to_have_text("May")
        editor.get_by_role("button", name="Publish", exact=True).click()
        expect(editor.locator(".flash, [role=status]").first).to_contain_text("Published.")

        # The reader, who did nothing, is told within a few seconds; one click shows it at the top.
        notice = reader.locator(".new-stories-button")
        expect(notice).to_have_accessible_name("1 new story", timeout=8_000)
        notice.click()
        top = reader.locator("li.story").first
        expect(top.locator(".story-title")).to_have_text("Chipmaker opens a new fab in Dresden")
        top.locator(".story-title a").click()
        image = reader.locator("figure.lead-image img")
        expect(image).to_have_attribute("alt", "The new fab at dusk")
        expect(reader.locator("figure.lead-image figcaption")).to_have_text("Photo: the company")
        assert image.evaluate("img => img.complete && img.naturalWidth > 0")  # the file arrived
        assert reader.locator(".corrections").count() == 0

        editor.get_by_label("Body").fill("The plant opens in **June**.\n\n## What it makes\n\nChips for cars.")
        editor.get_by_label("Correction note").fill("The plant opens in June, not May.")
        editor.get_by_role("button", name="Update").click()
        expect(editor.locator(".flash, [role=status]").first).to_contain_text("Updated.")

        reader.reload()
        expect(reader.locator(".corrections li")).to_contain_text("The plant opens in June, not May.")
        expect(reader.locator(".byline-updated")).to_contain_text("Updated")
        expect(reader.locator(".article-body strong")).to_have_text("June")
        assert errors == []
    finally:
        reader_context.close()
        editor_context.close()
        server.stop()
