"""The readable part of a story's or a name's URL."""

from slugify import slugify as _transliterated


def slugify(text: str, max_length: int = 80) -> str:
    """Lower-case words joined by hyphens, cut at a word boundary. python-slugify transliterates
    other scripts ("Новый чип" gives "novyi-chip") rather than dropping them; the cut is ours,
    since its word_boundary option skips a word that does not fit and keeps later ones."""
    slug = _transliterated(text)
    if len(slug) > max_length:
        cut = slug[: max_length + 1]
        # Cut at a word boundary unless the first word alone is too long.
        slug = cut.rsplit("-", 1)[0] if "-" in cut else slug[:max_length]
    return slug.strip("-") or "story"
