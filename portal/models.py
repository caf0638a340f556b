"""Every feature's models in one place, for what must see them all: Alembic's metadata,
create_all, the tests and callers outside the package. Feature code imports its own models
module, never this one."""

from .accounts.models import Role, User, UserSession, normalise_email, user_by_email, user_by_feed_token
from .bookmarks.models import Bookmark
from .desk.models import AuditEntry
from .news.models import Article, ArticleAuthor, Author, Correction, ErrorReport, Kind, Section, Status
from .news.version import ContentVersion
from .reading.models import ListVisit, StoryRead
from .web.slugs import slugify
from .web.timestamps import UTCDateTime, utcnow

__all__ = [
    "Article",
    "ArticleAuthor",
    "AuditEntry",
    "Author",
    "Bookmark",
    "ContentVersion",
    "Correction",
    "ErrorReport",
    "Kind",
    "ListVisit",
    "Role",
    "Section",
    "Status",
    "StoryRead",
    "UTCDateTime",
    "User",
    "UserSession",
    "normalise_email",
    "slugify",
    "user_by_email",
    "user_by_feed_token",
    "utcnow",
]
