"""The publishing path: operations queue a signal, which goes out after the commit only."""

import logging

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Article, Author, Section, Status
from portal.news import operations
from portal.signals import story_published


@pytest.fixture
def new_story(app):
    with app.app_context():
        section = Section(name="Chips", slug="chips")
        author = Author(name="Ada Lee", slug="ada-lee", email="ada@example.com")
        db.session.add_all([section, author])
        db.session.commit()
        ids = section.id, author.id

    def make(title="A story"):
        article = Article(title=title, slug="a-story", section_id=ids[0])
        article.set_authors([db.session.get(Author, ids[1])])
        return article
    return make


def test_a_published_story_is_announced_once_after_its_commit(app, signals_sent, new_story):
    with app.app_context():
        article = operations.publish(new_story())
        assert signals_sent == []  # flushed, not yet committed
        db.session.commit()
        assert signals_sent == [("story_published", [article.id], {article.id})]
        db.session.commit()  # a later commit sends nothing again
        assert len(signals_sent) == 1


def test_a_rolled_back_publication_is_never_announced(app, signals_sent, new_story):
    with app.app_context():
        operations.publish(new_story())
        db.session.rollback()
        operations.save_draft(new_story("A draft"))
        db.session.commit()
        assert signals_sent == []
        assert db.session.scalar(select(Article.status)) is Status.draft


def test_a_closed_session_forgets_what_it_never_committed(app, signals_sent, new_story):
    with app.app_context():
        operations.publish(new_story())
        db.session.close()
        operations.save_draft(new_story("A draft"))
        db.session.commit()
        assert db.session.scalar(select(Article.status)) is Status.draft
    assert signals_sent == []


def test_a_rolled_back_savepoint_takes_its_announcement_with_it(app, signals_sent, new_story):
    with app.app_context():
        kept = operations.publish(new_story("Kept"))
        savepoint = db.session.begin_nested()
        operations.publish(new_story("Dropped"))
        savepoint.rollback()
        with db.session.begin_nested():
            also_kept = operations.publish(new_story("Also kept"))
        db.session.commit()
        assert signals_sent == [("story_published", [kept.id, also_kept.id], {kept.id, also_kept.id})]
        assert db.session.scalar(select(db.func.count()).select_from(Article)) == 2


def test_a_released_savepoint_sends_nothing_when_its_transaction_rolls_back(app, signals_sent, new_story):
    with app.app_context():
        # A write before the savepoint: pysqlite opens SQLite's transaction only at the first
        # write, so a savepoint before it would be a transaction of its own there.
        operations.publish(new_story("Outer"))
        with db.session.begin_nested():
            operations.publish(new_story("Inner"))
        db.session.rollback()
        db.session.commit()
        assert db.session.scalar(select(db.func.count()).select_from(Article)) == 0
    assert signals_sent == []


def test_changes_and_withdrawals_are_announced(app, signals_sent, new_story):
    with app.app_context():
        article = operations.publish(new_story())
        db.session.commit()
        article.title = "A better headline"
        operations.update(article)
        db.session.commit()
        operations.unpublish(article)
        db.session.commit()
        draft = operations.save_draft(new_story("A draft"))
        db.session.commit()
        draft.title = "Still a draft"
        operations.update(draft)  # nobody reads a draft: nothing to tell
        operations.unpublish(draft)
        db.session.commit()
        assert [(name, ids) for name, ids, _visible in signals_sent] == [
            ("story_published", [article.id]), ("story_updated", [article.id]), ("story_unpublished", [article.id]),
        ]


def test_a_failing_receiver_leaves_the_commit_and_the_other_receivers_alone(app, signals_sent, new_story, caplog):
    def broken(_sender, story_ids):
        raise RuntimeError("a cache that is down")

    story_published.connect(broken)
    try:
        with app.app_context(), caplog.at_level(logging.ERROR, logger="portal.signals"):
            article = operations.publish(new_story())
            db.session.commit()
            assert db.session.get(Article, article.id).is_published
    finally:
        story_published.disconnect(broken)
    assert signals_sent == [("story_published", [article.id], {article.id})]
    assert "A story_published receiver failed" in caplog.text


def test_the_test_factory_publishes_through_the_same_path(factory, signals_sent):
    story = factory.story()
    draft = factory.story(status=Status.draft, published_at=None)
    factory.set_status(draft.id, Status.published)
    factory.update(story.id, title="A better headline")
    factory.set_status(story.id, Status.draft)
    assert [(name, ids) for name, ids, _visible in signals_sent] == [
        ("story_published", [story.id]), ("story_published", [draft.id]),
        ("story_updated", [story.id]), ("story_unpublished", [story.id]),
    ]
