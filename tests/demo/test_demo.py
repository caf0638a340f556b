from datetime import timedelta

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Article, ArticleAuthor, Author, Kind, Section, Status, utcnow


def count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_init_db_is_safe_to_run_again(app, runner, factory):
    factory.story()
    assert runner.invoke(args=["portal", "init-db"]).exit_code == 0
    result = runner.invoke(args=["portal", "init-db"])
    assert result.exit_code == 0
    assert "Database ready." in result.output
    assert count(app, Article) == 1


def test_demo_loads_once_and_then_adds_nothing(app, runner):
    first = runner.invoke(args=["portal", "demo", "--articles", "40"])
    assert first.exit_code == 0, first.output
    assert "Added 40 demo stories." in first.output
    assert count(app, Article) == 40
    authors_before = count(app, Author)

    again = runner.invoke(args=["portal", "demo", "--articles", "40"])
    assert again.exit_code == 0
    assert "already has stories" in again.output
    assert count(app, Article) == 40
    assert count(app, Author) == authors_before


def test_demo_content_is_a_plausible_newsroom(app, runner):
    runner.invoke(args=["portal", "demo", "--articles", "200"])
    with app.app_context():
        sections = db.session.scalars(select(Section.name).order_by(Section.id)).all()
        assert sections[0] == "Business & Tech" and len(sections) >= 4
        assert all(a.email.endswith("@example.com") for a in db.session.scalars(select(Author)))
        stories = db.session.scalars(select(Article)).all()
        assert len(stories) == 200
        assert {s.status for s in stories} == {Status.published}
        assert {s.kind for s in stories} == set(Kind)
        roundups = [s for s in stories if s.kind is Kind.roundup]
        assert all(s.source_name and s.source_url.startswith("https://") for s in roundups)
        newest = max(s.published_at for s in stories)
        oldest = min(s.published_at for s in stories)
        assert utcnow() - newest < timedelta(hours=1)
        assert timedelta(days=1) < newest - oldest < timedelta(days=10)
        assert len({s.title for s in stories}) > 190
        assert all(len(s.paragraphs()) >= 3 for s in stories)
        bylines = db.session.scalars(select(ArticleAuthor)).all()
        per_story = {}
        for b in bylines:
            per_story.setdefault(b.article_id, []).append(b.position)
        assert len(per_story) == 200
        assert all(sorted(p) == list(range(len(p))) for p in per_story.values())


def test_demo_is_deterministic_for_a_given_size(tmp_path):
    from ..conftest import make_app

    titles = []
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        app = make_app(tmp_path / name)
        app.test_cli_runner().invoke(args=["portal", "demo", "--articles", "60"])
        with app.app_context():
            titles.append(db.session.scalars(select(Article.title).order_by(Article.id)).all())
    assert titles[0] == titles[1]
    assert len(titles[0]) == 60


def test_demo_drafts_only_when_asked(app, runner):
    runner.invoke(args=["portal", "demo", "--articles", "10", "--drafts", "3"])
    with app.app_context():
        drafts = db.session.scalars(select(Article).where(Article.status == Status.draft)).all()
        assert len(drafts) == 3
        assert all(d.published_at is None for d in drafts)
    assert count(app, Article) == 13


def test_demo_rejects_a_bad_count(runner):
    result = runner.invoke(args=["portal", "demo", "--articles", "0"])
    assert result.exit_code == 2
    assert "Invalid value" in result.output


def test_demo_makes_a_desk_editor_whose_password_is_printed_once(app, runner):
    import re

    from ..conftest import log_in

    first = runner.invoke(args=["portal", "demo", "--articles", "5"])
    found = re.search(r"Demo editor for the desk \(/desk\): (\S+), password (\S+) \(shown only now\)\.", first.output)
    assert found, first.output
    email, password = found.groups()
    editor = app.test_client()
    assert log_in(editor, email, password=password).status_code == 303
    assert editor.get("/desk").status_code == 200
    again = runner.invoke(args=["portal", "demo", "--articles", "5"])
    assert "Demo editor" not in again.output and password not in again.output
