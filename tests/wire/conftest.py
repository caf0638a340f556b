"""What the tests of feeds in share: the feeds in tests/fixtures/feeds, running the command, reading
what it stored."""

from pathlib import Path

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Article, ArticleAuthor, Author, Section

FEEDS = Path(__file__).parents[1] / "fixtures" / "feeds"
LEDGER = FEEDS / "ledger_review_rss.xml"
KILOPARSEC = FEEDS / "kiloparsec_weekly_atom.xml"
COPPER = FEEDS / "copper_gazette.json"
HOSTILE = FEEDS / "hostile_rss.xml"
UNREACHABLE = "http://127.0.0.1:1/feed.xml"


def import_feed(runner, source, *extra):
    return runner.invoke(args=["portal", "import-feed", str(source), *extra])


def articles(app) -> dict[str, Article]:
    """Every stored story by its link out, detached with its section and wire author loaded."""
    with app.app_context():
        rows = db.session.scalars(select(Article)).all()
        for row in rows:
            row.section_name = db.session.get(Section, row.section_id).name
            row.byline_names = [
                db.session.get(Author, author_id).name
                for author_id in db.session.scalars(
                    select(ArticleAuthor.author_id).where(ArticleAuthor.article_id == row.id)
                )
            ]
        db.session.expunge_all()
        return {row.source_url: row for row in rows}


def count(app, model=Article) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def write_rss(path: Path, items: str, home="https://outlet.example/") -> Path:
    path.write_text(f"""<?xml version="1.0"?><rss version="2.0"><channel>
        <title>Outlet</title><link>{home}</link>{items}</channel></rss>""")
    return path
