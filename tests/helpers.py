"""Reading pages the way a reader would: the stories listed, the links offered."""

from bs4 import BeautifulSoup


def soup(response):
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def story_ids(response) -> list[int]:
    return [int(li["id"].removeprefix("story-")) for li in soup(response).select("li.story")]


def next_link(response):
    link = soup(response).select_one('a[rel="next"]')
    return link["href"] if link else None
