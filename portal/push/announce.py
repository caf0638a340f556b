"""With REDIS_URL, every process's notifier hears of a change the moment it is committed: the
publishing path's signals (sent after the commit) say so on a Redis channel. Without Redis the
notifiers find it by looking at the content version each second."""

import logging

from flask import current_app

from ..signals import story_published, story_unpublished, story_updated
from .notifier import CHANNEL

log = logging.getLogger(__name__)
_CLIENT = "portal.push_redis"


def init_app(app):
    if not app.config["REDIS_URL"]:
        return
    import redis

    app.extensions[_CLIENT] = redis.Redis.from_url(app.config["REDIS_URL"], socket_connect_timeout=0.5,
                                                   socket_timeout=0.5)
    # One receiver for every app (signals have no sender): each finds its own app's client.
    for signal in (story_published, story_updated, story_unpublished):
        signal.connect(say_changed)


def say_changed(_sender, story_ids):
    client = current_app.extensions.get(_CLIENT)
    if client is None:
        return
    import redis

    try:
        client.publish(CHANNEL, ",".join(map(str, story_ids[:100])))
    except redis.RedisError as error:
        # The notifiers' own look at the database finds the change within seconds.
        log.warning("push: could not tell Redis of a change (%s)", type(error).__name__)
