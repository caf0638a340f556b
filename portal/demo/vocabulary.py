"""What demo stories are written from, read once from the data files beside this module.

Every name in data/ (companies, people, products, outlets) is invented, and all text is assembled
from its templates: str.format() texts whose literal words are already in headline case. Fields
are filled in sentence case and a title is headline-cased afterwards (data/minor_words.txt: the
words that stay lower case). Summaries are one sentence, so roundups can add an attribution.

The fields a template may use: {org}, the story's main actor (from its beat's pool in
organisations.json); {org2}, another of the companies; {ptype} and {topic}, from its beat (topics
may be plural, "folding phones", so no template makes {topic} the subject of a verb; some write
"a {ptype}", so product types start with a consonant); {source}, the outlet a roundup summarises;
and the keys of fields.json, each a list of word lists: one word is drawn from each and they are
joined by spaces ({product}: a name and a version).
"""

import json
import string
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

DATA = Path(__file__).parent / "data"


@dataclass(frozen=True)
class Template:
    """A str.format() text and the {fields} it uses, parsed once."""

    text: str
    fields: tuple[str, ...] = field(init=False)

    def __post_init__(self):
        names = [name for _, name, _, _ in string.Formatter().parse(self.text) if name]
        object.__setattr__(self, "fields", tuple(dict.fromkeys(names)))


@dataclass(frozen=True, eq=False)
class Event:
    """A news item: its headline and a matching one-sentence summary."""

    title: Template
    summary: Template


@dataclass(frozen=True)
class Beat:
    """A section and the vocabulary its stories are written from."""

    name: str
    description: str
    weight: int
    orgs: list[str]
    fields: dict[str, list[list[str]]]  # every field but {org} and {source}: its word lists
    news: list[Event]
    news_ledes: list[Template]
    analysis: list[Event]


@dataclass(frozen=True)
class Reporter:
    name: str
    section: str  # the section they mostly write for
    bio: str


@dataclass(frozen=True)
class Outlet:
    """A fictional outlet that roundups summarise, on the reserved .example top-level domain."""

    name: str
    domain: str


@dataclass(frozen=True)
class Vocabulary:
    beats: list[Beat]
    companies: list[str]
    reporters: list[Reporter]
    outlets: list[Outlet]
    minor_words: frozenset[str]
    analysis_ledes: list[Template]
    roundup_headlines: list[str]  # {title} as the outlet ran it, {source} the outlet
    roundup_ledes: list[Template]
    roundup_attributions: list[Template]
    roundup_closings: list[Template]
    # Middle and closing paragraphs, general enough to follow any lede.
    news_paragraphs: list[Template]
    news_closings: list[Template]
    analysis_paragraphs: list[Template]
    analysis_closings: list[Template]


def _read(name: str):
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def _templates(texts: list[str]) -> list[Template]:
    return [Template(text) for text in texts]


def _events(items: list[dict]) -> list[Event]:
    return [Event(Template(item["title"]), Template(item["summary"])) for item in items]


@cache
def vocabulary() -> Vocabulary:
    organisations = _read("organisations.json")
    fields = _read("fields.json")
    texts = _read("templates.json")
    news_ledes = _templates(texts["news_ledes"])
    analysis_events = _events(texts["analysis_events"])
    beats = [
        Beat(
            name=beat["name"],
            description=beat["description"],
            weight=beat["weight"],
            orgs=organisations[beat["orgs"]],
            fields={**fields, "org2": [organisations["companies"]],
                    "ptype": [beat["product_types"]], "topic": [beat["topics"]]},
            news=_events(beat["news"]),
            # A beat's own ledes and analysis pieces, if it has them, replace the general ones.
            news_ledes=_templates(beat["news_ledes"]) if "news_ledes" in beat else news_ledes,
            analysis=_events(beat["analysis"]) if "analysis" in beat else analysis_events,
        )
        for beat in _read("beats.json")
    ]
    return Vocabulary(
        beats=beats,
        companies=organisations["companies"],
        reporters=[Reporter(**reporter) for reporter in _read("authors.json")],
        outlets=[Outlet(**outlet) for outlet in _read("outlets.json")],
        minor_words=frozenset((DATA / "minor_words.txt").read_text(encoding="utf-8").split()),
        analysis_ledes=_templates(texts["analysis_ledes"]),
        roundup_headlines=texts["roundup_headlines"],
        roundup_ledes=_templates(texts["roundup_ledes"]),
        roundup_attributions=_templates(texts["roundup_attributions"]),
        roundup_closings=_templates(texts["roundup_closings"]),
        news_paragraphs=_templates(texts["news_paragraphs"]),
        news_closings=_templates(texts["news_closings"]),
        analysis_paragraphs=_templates(texts["analysis_paragraphs"]),
        analysis_closings=_templates(texts["analysis_closings"]),
    )
