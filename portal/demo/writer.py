"""Demo stories' text: headline, summary and body, written from the vocabulary by one random generator."""

import random
from collections import deque
from dataclasses import dataclass

from ..news.models import Kind
from .vocabulary import Beat, Outlet, Template, vocabulary

TITLE_LENGTH = range(40, 111)  # characters


def headline_case(text: str) -> str:
    """Capitalise every word except short connectives; never lowercases, so "AI" and "Series A" stay."""
    minor_words = vocabulary().minor_words
    words = text.split(" ")
    cased = []
    for i, word in enumerate(words):
        starts_phrase = i == 0 or cased[-1].endswith(":")
        parts = word.split("-")
        cased.append("-".join(
            part[:1].upper() + part[1:] if (j == 0 and starts_phrase) or part not in minor_words else part
            for j, part in enumerate(parts)
        ))
    return " ".join(cased)


def _sentence_start(text: str) -> str:
    return text[:1].upper() + text[1:]


def _fill(rng: random.Random, beat: Beat, context: dict, template: Template) -> str:
    """The template with its fields filled, drawing any the story has not used yet."""
    for name in template.fields:
        if name not in context:
            value = " ".join(rng.choice(words) for words in beat.fields[name])
            if name == "org2" and value == context["org"]:
                companies = vocabulary().companies
                value = companies[(companies.index(value) + 1) % len(companies)]
            context[name] = value
    # Names ending in "s" take a bare apostrophe: "Helio Systems' chip", not "Systems's".
    return template.text.format_map(context).replace("s's ", "s' ")


def _paragraph_pool(rng: random.Random, templates: list[Template], size: int) -> list[str]:
    """Ready-made paragraphs, so each story only picks from a list instead of formatting its body.

    Their templates use only fields that depend on neither the beat nor the story's {org}.
    """
    beat = vocabulary().beats[0]
    return [_sentence_start(_fill(rng, beat, {"org": ""}, rng.choice(templates))) for _ in range(size)]


@dataclass
class StoryText:
    title: str
    summary: str
    body: str
    outlet: Outlet | None = None  # roundups: the outlet summarised
    source_title: str = ""  # roundups: the headline as that outlet ran it


class StoryWriter:
    """Writes stories from one random generator, so a given seed always yields the same text."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.vocabulary = vocab = vocabulary()
        # Events used by the last few stories: neighbouring headlines should not share a template.
        self.recent_events = deque(maxlen=8)
        self.news_middles = _paragraph_pool(rng, vocab.news_paragraphs, 400)
        self.news_closings = _paragraph_pool(rng, vocab.news_closings, 60)
        self.analysis_middles = _paragraph_pool(rng, vocab.analysis_paragraphs, 300)
        self.analysis_closings = _paragraph_pool(rng, vocab.analysis_closings, 60)

    def write(self, beat: Beat, kind: Kind) -> StoryText:
        rng, vocab = self.rng, self.vocabulary
        context = {"org": rng.choice(beat.orgs)}
        outlet = None
        if kind is Kind.roundup:
            outlet = rng.choice(vocab.outlets)
            context["source"] = outlet.name
        events = beat.analysis if kind is Kind.analysis else beat.news
        for _ in range(20):
            event = rng.choice(events)
            source_title = headline_case(_fill(rng, beat, context, event.title))
            title = source_title
            if kind is Kind.roundup:
                title = rng.choice(vocab.roundup_headlines).format(title=source_title, source=outlet.name)
            if len(title) in TITLE_LENGTH and event not in self.recent_events:
                break
        self.recent_events.append(event)
        summary = _sentence_start(_fill(rng, beat, context, event.summary))

        if kind is Kind.analysis:
            ledes, middles, closings = vocab.analysis_ledes, self.analysis_middles, self.analysis_closings
        elif kind is Kind.roundup:
            ledes, middles, closings = vocab.roundup_ledes, self.news_middles, None
            summary += " " + _fill(rng, beat, context, rng.choice(vocab.roundup_attributions))
        else:
            ledes, middles, closings = beat.news_ledes, self.news_middles, self.news_closings
        lede = _sentence_start(_fill(rng, beat, context, rng.choice(ledes)))
        if closings is None:
            closing = _fill(rng, beat, context, rng.choice(vocab.roundup_closings))
        else:
            closing = rng.choice(closings)
        paragraphs = [lede, *rng.sample(middles, rng.randint(1, 3)), closing]
        return StoryText(title, summary, "\n\n".join(paragraphs), outlet, source_title)
