"""The small query language both engines read, and the limits on it.

Words and "quoted phrases" must all appear, `-word` leaves out stories that have it, and `OR`
between them offers alternatives. Every word reaches the engine quoted, so nothing a reader types
is engine syntax.

A query past MAX_WORDS words or MAX_ALTERNATIVES alternatives is refused before it reaches the
engine (is_too_broad): common words match most stories, and ranking them all is what costs.
"""

import re
from dataclasses import dataclass

from markupsafe import Markup, escape

MAX_QUERY_LENGTH = 200  # characters; a longer query is cut to this, and the page says so
# Past these a query is refused, not cut: no reader's question needs more, and each word or
# alternative is another pass over the index.
MAX_WORDS = 10  # words, counted in phrases and exclusions too
MAX_ALTERNATIVES = 4  # groups joined by OR

# The engines mark matches with these private-use characters; the text is escaped, then they
# become <mark> tags, so nothing in a story can add markup of its own.
OPEN, CLOSE = "\ue000", "\ue001"


@dataclass(frozen=True)
class Term:
    text: str  # one word, or the words of a phrase, never containing a double quote
    exclude: bool = False


_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_HAS_WORD = re.compile(r"[^\W_]")  # a letter or digit: what both engines index


def clean_query(raw: str) -> tuple[str, bool]:
    """The query as searched: control characters and the highlight markers gone, spaces
    collapsed, at most MAX_QUERY_LENGTH characters. Also whether it had to be shortened."""
    kept = "".join(" " if not ch.isprintable() or ch in (OPEN, CLOSE) else ch for ch in raw)
    query = " ".join(kept.split())
    if len(query) > MAX_QUERY_LENGTH:
        return query[:MAX_QUERY_LENGTH].rstrip(), True
    return query, False


def parse_query(query: str) -> list[list[Term]]:
    """Alternatives (split on OR), each a list of terms that must all match (or, excluded, not).

    Anything without a letter or digit is dropped, and so is an alternative with nothing left to
    look for (an exclusion alone can't be searched)."""
    groups: list[list[Term]] = [[]]
    for match in _TOKEN.finditer(query):
        minus, phrase, word = match.groups()
        if word is not None:
            if word.upper() == "OR":
                groups.append([])
                continue
            minus, phrase = ("-", word[1:]) if word.startswith("-") else ("", word)
        phrase = " ".join(phrase.replace('"', " ").split())
        if _HAS_WORD.search(phrase):
            groups[-1].append(Term(phrase, exclude=bool(minus)))
    return [group for group in groups if any(not term.exclude for term in group)]


def is_too_broad(groups: list[list[Term]]) -> bool:
    words = sum(len(term.text.split()) for group in groups for term in group)
    return words > MAX_WORDS or len(groups) > MAX_ALTERNATIVES


def fts5_query(groups: list[list[Term]]) -> str:
    """SQLite FTS5 syntax with every term a quoted string: `("a" "b c") NOT "d" OR ("e")`."""

    def quoted(term: Term) -> str:
        return '"' + term.text + '"'  # parse_query leaves no double quotes inside

    alternatives = []
    for group in groups:
        wanted = " ".join(quoted(t) for t in group if not t.exclude)
        unwanted = "".join(f" NOT {quoted(t)}" for t in group if t.exclude)
        alternatives.append(f"({wanted}){unwanted}")
    return " OR ".join(alternatives)


def websearch_query(groups: list[list[Term]]) -> str:
    """The same query for PostgreSQL's websearch_to_tsquery(): `"a" "b c" -"d" or "e"`."""
    return " or ".join(
        " ".join(("-" if t.exclude else "") + '"' + t.text + '"' for t in group) for group in groups
    )


def marked(fragment: str) -> Markup:
    """Engine output as safe HTML: the text escaped, the engine's markers as <mark> elements
    (balanced, even if a story's own text happens to contain a marker character)."""
    html, is_open = [], False
    for part in re.split(f"([{OPEN}{CLOSE}])", fragment):
        if part == OPEN:
            if not is_open:
                html.append("<mark>")
            is_open = True
        elif part == CLOSE:
            if is_open:
                html.append("</mark>")
            is_open = False
        else:
            html.append(str(escape(part)))
    if is_open:
        html.append("</mark>")
    return Markup("".join(html))
