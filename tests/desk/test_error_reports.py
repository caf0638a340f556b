"""'Report an error' under each story: a short form (CSRF, rate-limited) for anyone, whose reports
the desk lists, newest first."""

from ..conftest import csrf_token_from
from ..helpers import soup


def send_report(client, story, **data):
    token = csrf_token_from(client.get(f"/articles/{story.id}/report"))
    return client.post(f"/articles/{story.id}/report", data={"csrf_token": token, **data})


def test_a_reader_reports_an_error_and_the_desk_reads_it(app, client, factory, signed_in):
    story = factory.story(title="Chip prices fall")
    article = soup(client.get(f"/articles/{story.id}/{story.slug}"))
    assert article.select_one(".report-error a")["href"] == f"/articles/{story.id}/report"
    form = soup(client.get(f"/articles/{story.id}/report"))
    assert [label.get_text(strip=True) for label in form.select("main form label")] == \
        ["What is wrong?", "Your email (optional, if you would like a reply)"]
    response = send_report(client, story, text="It says prices fell 50%; the source says 5%.", email="")
    assert response.status_code == 303 and response.location == f"/articles/{story.id}/{story.slug}"
    assert soup(client.get(response.location)).select_one(".flash").get_text(strip=True) == \
        "Thank you: the desk will look at it."
    send_report(client, story, text="A second report.", email="ana@example.com")
    desk = signed_in("editor")
    rows = soup(desk.get("/desk/reports")).select("tbody tr")
    assert [row.select_one(".report-text").get_text() for row in rows] == \
        ["A second report.", "It says prices fell 50%; the source says 5%."]
    assert rows[0].select_one("a[href^=mailto]").get_text() == "ana@example.com"
    assert rows[1].th.a["href"] == f"/desk/stories/{story.id}"
    assert "Error reports" in [a.get_text() for a in soup(desk.get("/desk")).select(".desk-nav a")]


def test_bad_reports_are_form_errors_and_unknown_stories_404(client, factory):
    story = factory.story()
    assert send_report(client, story, text="").status_code == 400
    assert send_report(client, story, text="x" * 2001).status_code == 400
    assert send_report(client, story, text="Fine", email="not an email").status_code == 400
    assert client.get("/articles/99999/report").status_code == 404
    assert client.post(f"/articles/{story.id}/report", data={"text": "no token"}).status_code == 400


def test_reports_are_rate_limited_per_address(app, client, factory):
    app.config["ERROR_REPORT_LIMIT_PER_ADDRESS"] = "2 per hour"
    story = factory.story()
    statuses = [send_report(client, story, text=f"Report {n}").status_code for n in range(3)]
    assert statuses == [303, 303, 429]
