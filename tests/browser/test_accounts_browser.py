"""A new reader in a real browser: register, save a story in place, find it, remove it."""

import itertools

PASSPHRASE = "a long passphrase for the browser"
_emails = (f"browser{n}@example.com" for n in itertools.count(1))


def register(page, live):
    email = next(_emails)
    page.goto(live.url + "/")
    page.get_by_role("link", name="Register").click()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSPHRASE)
    page.get_by_label("Repeat the password").fill(PASSPHRASE)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(live.url + "/")
    assert page.get_by_role("button", name="Sign out").is_visible()
    return email


def test_register_save_in_place_find_and_remove(page, live):
    register(page, live)
    first_row = page.locator("li.story").first
    headline = first_row.locator(".story-title a").inner_text()
    save = page.get_by_role("button", name=f"Save: {headline}")
    assert save.get_attribute("aria-pressed") == "false"

    page.evaluate("window.__samePage = true")
    save.click()
    page.wait_for_function(
        "name => [...document.querySelectorAll('button.bookmark-button')]"
        ".some(b => b.getAttribute('aria-label') === name && b.getAttribute('aria-pressed') === 'true')",
        arg=f"Save: {headline}",
    )
    assert page.evaluate("window.__samePage") is True, "saved without a page load"
    assert page.get_by_role("button", name=f"Save: {headline}").inner_text() == "Saved"

    page.reload()
    assert page.get_by_role("button", name=f"Save: {headline}").get_attribute("aria-pressed") == "true"

    page.get_by_role("link", name="Bookmarks").click()
    page.wait_for_url(live.url + "/bookmarks")
    rows = page.locator("li.story .story-title")
    assert rows.all_inner_texts() == [headline]

    page.evaluate("window.__samePage = true")
    page.get_by_role("button", name=f"Save: {headline}").click()
    removed = page.locator("li.bookmark-removed")
    removed.wait_for()  # after htmx's settle step, which keeps the old class for a moment
    assert removed.get_by_role("status").inner_text() == f"Removed “{headline}” from your bookmarks."
    assert page.evaluate("window.__samePage") is True, "removed without a page load"
    page.reload()
    assert page.get_by_role("heading", name="Nothing saved yet").is_visible()


def test_signed_out_save_goes_through_sign_in_and_comes_back_saved(browser, page, live):
    email = register(page, live)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(live.url + "/")
    row = page.locator("li.story").nth(3)
    headline = row.locator(".story-title a").inner_text()
    row.get_by_role("link", name=f"Save: {headline} (sign in to save stories)").click()
    page.wait_for_url("**/login?**")
    assert page.get_by_text("Sign in to save that story.").is_visible()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSPHRASE)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/?through=*")
    restored = page.get_by_role("button", name=f"Save: {headline}")
    assert restored.get_attribute("aria-pressed") == "true"
    assert restored.is_visible()


def test_signed_out_bookmarks_page_leads_to_sign_in(page, live):
    page.goto(live.url + "/bookmarks")
    page.wait_for_url("**/login?next=*")
    assert page.get_by_role("heading", name="Sign in").is_visible()


IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
          "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1")


def test_signing_out_another_browser_from_the_account_page(browser, page, live):
    """Without JavaScript on the laptop: the list and its buttons are plain forms."""
    email = register(page, live)
    phone = browser.new_context(user_agent=IPHONE)
    phone_page = phone.new_page()
    phone_page.set_default_timeout(10_000)
    try:
        phone_page.goto(live.url + "/login")
        phone_page.get_by_label("Email").fill(email)
        phone_page.get_by_label("Password").fill(PASSPHRASE)
        phone_page.get_by_label("Keep me signed in on this device").check()
        phone_page.get_by_role("button", name="Sign in").click()
        phone_page.wait_for_url(live.url + "/")

        laptop = browser.new_context(java_script_enabled=False)
        laptop.add_cookies(page.context.cookies())
        laptop_page = laptop.new_page()
        laptop_page.goto(live.url + "/account")
        sign_ins = laptop_page.locator("#sign-ins li.sign-in")
        assert sign_ins.count() == 2
        this_one = sign_ins.filter(has_text="This browser")
        assert this_one.count() == 1 and "Mobile Safari" not in this_one.inner_text()
        laptop_page.get_by_role("button", name="Sign out Mobile Safari on iOS").click()
        laptop_page.wait_for_url(live.url + "/account#sign-ins")
        assert laptop_page.get_by_text("That browser is signed out.").is_visible()
        assert laptop_page.locator("#sign-ins li.sign-in").count() == 1
        laptop.close()

        phone_page.goto(live.url + "/account")
        phone_page.wait_for_url("**/login?next=*")
        phone.clear_cookies(name="session")  # nor does its remember cookie sign it in again
        phone_page.goto(live.url + "/account")
        phone_page.wait_for_url("**/login?next=*")
    finally:
        phone.close()


def test_bookmarks_scroll_to_their_end(page, live):
    from sqlalchemy import select

    from portal.bookmarks.operations import save_bookmark
    from portal.extensions import db
    from portal.models import User

    from .test_feed_browser import ROW_IDS, load_batches

    email = register(page, live)
    saved = live.feed_order()[:45]  # more than a batch
    with live.app.app_context():
        reader = db.session.scalar(select(User).where(User.email == email))
        for row_id in reversed(saved):  # the newest bookmark is the first story
            save_bookmark(reader, int(row_id.removeprefix("story-")))
            db.session.commit()
    page.goto(live.url + "/bookmarks")
    load_batches(page)
    assert page.eval_on_selector_all("li.story", ROW_IDS) == saved
    assert page.locator(".feed-end").inner_text() == "That’s all your bookmarks."
