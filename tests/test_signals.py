"""Signals go out after the outermost transaction commits, savepoints or not, on both engines."""

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Article, Author
from portal.news import operations


@pytest.fixture
def story(app, factory):
    """Makes an unsaved story in the current app context."""
    section, author = factory.section(), factory.author()

    def make(title):
        article = Article(title=title, slug=title.lower(), section_id=section.id)
        article.set_authors([db.session.get(Author, author.id)])
        return article

    return make


def stored_titles() -> list[str]:
    return sorted(db.session.scalars(select(Article.title)))


# Each test writes before its savepoint: pysqlite opens SQLite's transaction only at the first
# write, so a savepoint before it would be a transaction of its own there.

def test_a_released_savepoint_sends_its_signal_after_the_outer_commit(app, story, story_published_sent):
    with app.app_context():
        outer = operations.publish(story("Outer")).id
        with db.session.begin_nested():
            inner = operations.publish(story("Inner")).id
        assert story_published_sent == []  # released, not committed: nobody could read it yet

        db.session.commit()

    assert story_published_sent == [([outer, inner], {outer, inner})]


def test_a_released_savepoint_sends_nothing_when_its_transaction_rolls_back(app, story, story_published_sent):
    with app.app_context():
        operations.publish(story("Outer"))
        with db.session.begin_nested():
            operations.publish(story("Inner"))

        db.session.rollback()
        db.session.commit()

        assert stored_titles() == []
    assert story_published_sent == []


def test_a_rolled_back_savepoint_drops_its_own_signals_only(app, story, story_published_sent):
    with app.app_context():
        outer = operations.publish(story("Outer")).id
        with pytest.raises(RuntimeError), db.session.begin_nested():
            operations.publish(story("Inner"))
            raise RuntimeError("the savepoint fails")

        db.session.commit()

        assert stored_titles() == ["Outer"]
    assert story_published_sent == [([outer], {outer})]
