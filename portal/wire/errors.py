"""The one error a source can end in, whether it could not be read or could not be parsed."""


class FeedError(Exception):
    """The source as a whole could not be read or parsed; the message is one line."""
