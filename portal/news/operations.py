"""The one path by which stories are published, changed and withdrawn, whoever does it (the desk,
the feed importer, the demo loader, the tests' factory).

Each operation changes rows, flushes and queues its signal (portal.signals); the caller commits
once, and the signal goes out after that commit, never for a rolled-back one.
"""

from datetime import datetime, timedelta

from sqlalchemy import func, insert, select, text
from sqlalchemy import update as update_rows

from ..extensions import db
from ..signals import send_after_commit, story_published, story_unpublished, story_updated
from ..web.timestamps import utcnow
from .models import Article, ArticleAuthor, Correction, Status


def publish(article: Article, at: datetime | None = None) -> Article:
    """Publish a story (new, a draft, or one unpublished since). Its publication time orders the
    feed: it is `at`, or now, and a story published before keeps its first one (it goes back to
    its old place, so cursors keep working and the live notice does not count it as new)."""
    article.status = Status.published
    article.unpublished_note = None
    article.publish_at = None
    if article.published_at is None:
        article.published_at = at or utcnow()
    db.session.add(article)
    db.session.flush()
    send_after_commit(story_published, [article.id])
    return article


def save_draft(article: Article) -> Article:
    """Keep a story unpublished (new, scheduled or withdrawn before)."""
    article.status = Status.draft
    article.publish_at = None
    db.session.add(article)
    db.session.flush()
    return article


def schedule(article: Article, at: datetime) -> Article:
    """Keep a story unpublished until `publish_due` runs at or after `at`: readers see nothing of
    it before then, and its publication time will be that moment, not `at`."""
    article.status = Status.scheduled
    article.publish_at = at
    db.session.add(article)
    db.session.flush()
    return article


def publish_due(now: datetime | None = None) -> list[int]:
    """Publish every scheduled story whose time has come, each exactly once: one conditional
    UPDATE, so of two runs at once the second finds the rows no longer scheduled (PostgreSQL
    makes it wait for the first's commit, then re-reads them). Returns the ids it published."""
    now = now or utcnow()
    published = _update_found((Article.status == Status.scheduled, Article.publish_at <= now),
                              status=Status.published, publish_at=None, unpublished_note=None,
                              published_at=func.coalesce(Article.published_at, now))
    if published:
        send_after_commit(story_published, published)
    return published


TOP_STORY_HOURS = 24


def make_top_story(article: Article, now: datetime | None = None) -> Article:
    """Show a published story above the front page's list for the next 24 hours, in place of
    the one shown there now."""
    now = now or utcnow()
    _end_top_stories(Article.id != article.id)
    article.top_until = now + timedelta(hours=TOP_STORY_HOURS)
    return update(article)


def end_top_story(article: Article) -> Article:
    article.top_until = None
    return update(article)


def end_expired_top_stories(now: datetime | None = None) -> list[int]:
    """Take down a top story whose 24 hours are over (publish-due runs it every minute): what
    readers see changes here, through the publishing path, rather than by a page asking the clock."""
    return _end_top_stories(Article.top_until <= (now or utcnow()))


def _end_top_stories(condition) -> list[int]:
    ended = _update_found((Article.top_until.is_not(None), condition), top_until=None)
    if ended:
        send_after_commit(story_updated, ended)
    return ended


def _update_found(conditions, **values) -> list[int]:
    """One conditional UPDATE of the stories meeting `conditions` (their revision moved on, so an
    editor's open form is stale), run only when a SELECT finds one: an UPDATE, even of no row,
    moves the content version on, and publish-due runs every minute on every machine, so cached
    pages must not be thrown away for nothing. The ids it changed."""
    if db.session.scalar(select(Article.id).where(*conditions).limit(1)) is None:
        return []
    return list(db.session.scalars(
        update_rows(Article).where(*conditions).values(**values, revision=Article.revision + 1)
        .returning(Article.id).execution_options(synchronize_session=False)
    ))


def update(article: Article) -> Article:
    """Record changes made to a story's fields; readers of a published story hear of them."""
    db.session.flush()
    if article.is_published:
        send_after_commit(story_updated, [article.id])
    return article


def correct(article: Article, note: str) -> Article:
    """Record changes made to a published story as a correction in public: the note goes on its
    corrections log and the story shows "Updated" from now (feeds and the sitemap follow)."""
    now = utcnow()
    article.corrected_at = now
    db.session.add(Correction(article_id=article.id, at=now, note=note.strip()))
    return update(article)


def unpublish(article: Article, reason: str = "") -> Article:
    """Withdraw a published story, saying why (`reason`, public). It keeps its id and publication
    time (bookmarks and cursors still name it); lists, feeds, the sitemap and search stop showing
    it, and its page answers 410 with the reason."""
    was_published = article.is_published
    article.status = Status.unpublished if was_published else article.status
    article.unpublished_note = reason.strip() or None
    article.top_until = None  # published again, it is an ordinary story
    db.session.flush()
    if was_published:
        send_after_commit(story_unpublished, [article.id])
    return article


def insert_stories(article_rows: list[dict], byline_rows: list[dict]) -> None:
    """Bulk insert of stories with their ids given (the demo loader): one statement for each
    table, and one story_published signal for the published ones."""
    # render_nulls keeps rows with and without source_url in one executemany batch.
    db.session.execute(insert(Article).execution_options(render_nulls=True), article_rows)
    db.session.execute(insert(ArticleAuthor), byline_rows)
    if db.session.get_bind().dialect.name == "postgresql":
        # PostgreSQL's id sequence does not see explicit ids: move it past them for later inserts.
        db.session.execute(
            text("SELECT setval(pg_get_serial_sequence('articles', 'id'), (SELECT max(id) FROM articles))")
        )
    published = [row["id"] for row in article_rows if row["status"] is Status.published]
    if published:
        send_after_commit(story_published, published)
