"""Demo content for an empty database: sections, reporters and a feed of generated stories.

Output is deterministic for a given story count (and `now`), so demo databases are reproducible.
"""

import random
from datetime import timedelta
from itertools import accumulate

from sqlalchemy import select

from ..extensions import db
from ..news.models import Author, Kind, Section, Status
from ..news.operations import insert_stories
from ..news.queries import has_any_story
from ..web.slugs import slugify
from ..web.timestamps import utcnow
from .vocabulary import Beat, Reporter, vocabulary
from .writer import StoryWriter

# Stories per bulk INSERT and commit: large enough to amortise round trips, small enough to keep
# memory flat and the progress bar moving.
CHUNK_SIZE = 10_000


def _get_or_create_sections(beats: list[Beat]) -> dict[str, Section]:
    """Sections by name; ones that already exist (matched by slug) are reused."""
    existing = {s.slug: s for s in db.session.scalars(select(Section))}
    sections = {}
    for beat in beats:
        slug = slugify(beat.name)
        section = existing.get(slug)
        if section is None:
            section = Section(name=beat.name, slug=slug, description=beat.description)
            db.session.add(section)
        sections[beat.name] = section
    return sections


def _get_or_create_authors(reporters: list[Reporter]) -> list[tuple[Author, str]]:
    """Each reporter with the section name they mostly write for."""
    existing = {a.slug: a for a in db.session.scalars(select(Author))}
    authors = []
    for reporter in reporters:
        slug = slugify(reporter.name)
        author = existing.get(slug)
        if author is None:
            email = reporter.name.lower().replace(" ", ".") + "@example.com"
            author = Author(name=reporter.name, slug=slug, email=email, bio=reporter.bio)
            db.session.add(author)
        authors.append((author, reporter.section))
    return authors


def load_demo(articles: int = 200, drafts: int = 0, progress=None, now=None) -> int:
    """Load demo content into an EMPTY database; returns the number of stories added (0 if any Article
    already exists: then it adds nothing at all).

    `articles` published stories plus `drafts` unpublished ones. `progress(n)` is called after each
    committed chunk with the number of stories it added. `now` (aware UTC) anchors the timeline: the
    newest story is 2-20 minutes old and the gaps between stories average min(20 minutes, 30 days / N).
    """
    if has_any_story():
        return 0
    now = now or utcnow()
    rng = random.Random(f"demo-{articles}-{drafts}")

    vocab = vocabulary()
    sections = _get_or_create_sections(vocab.beats)
    authors = _get_or_create_authors(vocab.reporters)
    db.session.commit()
    beats_and_section_ids = [(beat, sections[beat.name].id) for beat in vocab.beats]
    beat_weights = list(accumulate(beat.weight for beat in vocab.beats))
    author_ids = [author.id for author, _ in authors]
    # A story's lead reporter is usually from its section's desk.
    desk_ids = {
        beat.name: [author.id for author, section_name in authors if section_name == beat.name] or author_ids
        for beat in vocab.beats
    }

    # Seconds before `now` for each published story, oldest first (ids grow with publication time).
    mean_gap = min(20 * 60, 30 * 86400 / max(articles, 1))
    newest_age = rng.uniform(2 * 60, 20 * 60)
    gaps = (mean_gap * rng.uniform(0.25, 1.75) for _ in range(articles - 1))
    ages = list(accumulate(gaps, initial=newest_age))
    ages.reverse()

    writer = StoryWriter(rng)
    total = articles + drafts
    for chunk_start in range(0, total, CHUNK_SIZE):
        article_rows, byline_rows = [], []
        for index in range(chunk_start, min(chunk_start + CHUNK_SIZE, total)):
            article_id = index + 1
            beat, section_id = rng.choices(beats_and_section_ids, cum_weights=beat_weights)[0]
            roll = rng.random()
            kind = Kind.news if roll < 0.6 else Kind.analysis if roll < 0.8 else Kind.roundup
            story = writer.write(beat, kind)

            if index < articles:
                status = Status.published
                published_at = now - timedelta(seconds=ages[index])
                updated_at = published_at
                if rng.random() < 0.25:  # some stories were revised after publication
                    updated_at = min(now, published_at + timedelta(minutes=rng.uniform(1, 120)))
            else:
                status, published_at = Status.draft, None
                updated_at = now - timedelta(minutes=rng.uniform(5, 2 * 24 * 60))

            source_name = source_url = None
            if story.outlet:
                source_name = story.outlet.name
                dated = published_at or updated_at
                path = f"{dated.year}/{dated.month:02d}/{slugify(story.source_title, 60)}"
                source_url = f"https://{story.outlet.domain}/{path}"

            article_rows.append({
                "id": article_id, "title": story.title, "slug": slugify(story.title),
                "summary": story.summary, "body": story.body, "kind": kind, "status": status,
                "source_name": source_name, "source_url": source_url, "section_id": section_id,
                "published_at": published_at, "updated_at": updated_at,
            })

            lead = rng.choice(desk_ids[beat.name])
            byline = [lead]
            co_authors = rng.choices([0, 1, 2], weights=[70, 25, 5])[0]
            if co_authors:
                byline += rng.sample([a for a in author_ids if a != lead], co_authors)
            byline_rows.extend(
                {"article_id": article_id, "author_id": author_id, "position": position}
                for position, author_id in enumerate(byline)
            )

        insert_stories(article_rows, byline_rows)
        db.session.commit()  # and the chunk's story_published signal goes out
        if progress is not None:
            progress(len(article_rows))
    return total
