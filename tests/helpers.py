"""Reading pages the way a reader would: the stories listed, the links offered."""

import socket

from bs4 import BeautifulSoup


def soup(response):
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def story_ids(response) -> list[int]:
    return [int(li["id"].removeprefix("story-")) for li in soup(response).select("li.story")]


def next_link(response):
    link = soup(response).select_one('a[rel="next"]')
    return link["href"] if link else None


def page_soup(body: bytes) -> BeautifulSoup:
    """A page fetched over HTTP (a live server's), rather than through the test client."""
    return BeautifulSoup(body.decode(), "html.parser")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
