"""What an article keeps of its lead image and what its page needs of it (srcset, src, the
dimensions), rebuilt from the stored record: showing an image needs no Pillow (the desk's uploads and the
drawn cards do)."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Variant:
    """One stored file of a lead image: one width in one format."""

    name: str
    content_type: str
    width: int
    height: int


@dataclass(frozen=True)
class LeadImage:
    """What an article's page needs to show its lead image; what the article stores."""

    width: int  # of the largest variant, upright
    height: int
    content_type: str  # the upload's format: every browser shows it
    variants: tuple[Variant, ...]

    def srcset(self, url_for_name: Callable[[str], str], content_type: str | None = None) -> str:
        """`url 480w, url 800w, ...` of the variants in one format (the upload's by default)."""
        content_type = content_type or self.content_type
        return ", ".join(f"{url_for_name(v.name)} {v.width}w" for v in self.variants
                         if v.content_type == content_type)

    def src(self, url_for_name: Callable[[str], str]) -> str:
        """The largest variant in the upload's format: `<img src>`, og:image."""
        largest = max((v for v in self.variants if v.content_type == self.content_type), key=lambda v: v.width)
        return url_for_name(largest.name)

    def as_record(self) -> dict:
        return {
            "width": self.width,
            "height": self.height,
            "content_type": self.content_type,
            "variants": [{"name": v.name, "content_type": v.content_type, "width": v.width, "height": v.height}
                         for v in self.variants],
        }

    @staticmethod
    def from_record(record: dict) -> "LeadImage":
        return LeadImage(
            width=record["width"],
            height=record["height"],
            content_type=record["content_type"],
            variants=tuple(Variant(v["name"], v["content_type"], v["width"], v["height"])
                           for v in record["variants"]),
        )
