"""The social card of a story without a lead image, and the publisher logo: their size, what
their URL's fingerprint follows, the scripts they draw, and a headline that never leaves its box."""

import re

import pytest

from portal.media import cards
from portal.media.cards import card_fingerprint, headline_layout, site_logo_png, social_card_png

from ..images import opened

GREEK = "Η Βουλή ψηφίζει τον νόμο για την προστασία των δεδομένων"
CYRILLIC = "Парламент принял закон о защите персональных данных"
LONG = " ".join(["Regulators"] + ["and the chipmakers argue over export rules"] * 12)


def test_the_card_is_a_1200x630_png():
    card = opened(social_card_png("Chipmaker opens a new fab", "Business & Tech", "Tech Desk"))
    assert (card.format, card.size) == ("PNG", (1200, 630))


def test_the_fingerprint_follows_what_the_card_shows():
    shown = ("Chipmaker opens a new fab", "Business & Tech", "Tech Desk")
    fingerprint = card_fingerprint(*shown)
    assert re.fullmatch("[0-9a-f]{16}", fingerprint)
    assert card_fingerprint(*shown) == fingerprint
    for changed in [("Chipmaker opens a second fab", *shown[1:]), (shown[0], "Security", shown[2]),
                    (*shown[:2], "Other Desk")]:
        assert card_fingerprint(*changed) != fingerprint


def test_the_card_draws_its_section_above_and_the_sites_name_below_the_headline():
    def drawn(section, site):
        return opened(social_card_png("Chipmaker opens a new fab", section, site)).convert("RGB")

    base = drawn("Business & Tech", "Tech Desk")
    other_section, other_site = drawn("Security", "Tech Desk"), drawn("Business & Tech", "Ledger Desk")

    def rows_that_differ(one, two):
        return sorted({y for y in range(0, 630, 2) for x in range(0, 1200, 8)
                       if one.getpixel((x, y)) != two.getpixel((x, y))})

    section_rows, site_rows = rows_that_differ(base, other_section), rows_that_differ(base, other_site)
    assert section_rows and max(section_rows) < cards.HEADLINE_BOX[1]  # the section: above the headline
    assert site_rows and min(site_rows) > cards.FOOTER_TOP  # the site's name: in the footer


@pytest.mark.parametrize("headline", [GREEK, CYRILLIC], ids=["greek", "cyrillic"])
def test_greek_and_cyrillic_are_drawn_in_their_own_letters(headline):
    # Every letter the font lacks is drawn as the same box: a headline of boxes in the same
    # places would give the same card.
    boxes = re.sub(r"\S", "\u4e00", headline)
    card = social_card_png(headline, "Κόσμος", "Tech Desk")
    assert card != social_card_png(boxes, "Κόσμος", "Tech Desk")
    assert " ".join(headline_layout(headline)[1]) == headline  # every word, none cut off


def test_scripts_without_glyphs_come_out_as_boxes():
    """As the module says: two different Chinese headlines of one length give the same card."""
    assert social_card_png("东京新工厂开业", "World", "Tech Desk") == social_card_png("北京新车站启用", "World", "Tech Desk")


@pytest.mark.parametrize("headline", [LONG, "https://example.com/" + "very-long-path-" * 40],
                         ids=["many-words", "one-long-word"])
def test_a_very_long_headline_stays_inside_its_box(headline):
    size, lines = headline_layout(headline)
    assert size == min(cards.HEADLINE_SIZES)
    assert len(lines) == cards.MAX_LINES
    assert lines[-1].endswith("\u2026")
    assert " ".join(lines).removesuffix("\u2026") != headline

    card = opened(social_card_png(headline, "Business & Tech", "Tech Desk")).convert("RGB")
    left, top, right, bottom = cards.HEADLINE_BOX

    def blank(box):
        region = card.crop(box)
        return region.getcolors() == [(region.width * region.height, cards.SLATE)]

    assert blank((0, bottom, card.width, cards.FOOTER_TOP)), "nothing between the headline and the footer"
    assert blank((right + 1, 0, card.width, card.height)), "nothing in the right margin"
    assert blank((0, 0, left, cards.FOOTER_TOP)), "nothing in the left margin above the footer"
    assert not blank((left, top, right, bottom))


def test_a_short_headline_is_drawn_large():
    size, lines = headline_layout("Chipmaker opens a new fab")
    assert size == max(cards.HEADLINE_SIZES)
    assert lines == ["Chipmaker opens a new", "fab"]


def test_the_logo_is_a_600x60_wordmark_drawn_the_same_each_time():
    logo = site_logo_png("Tech Desk")
    assert (opened(logo).format, opened(logo).size) == ("PNG", (600, 60))
    assert site_logo_png("Tech Desk") == logo
    assert site_logo_png("Other Desk") != logo
