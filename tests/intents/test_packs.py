"""A product's pack size read from its size, and the pack word said with a count (intents.quantity)."""

import pytest

from intents.quantity import pack_size, unit_in


@pytest.mark.parametrize(
    ("size", "pack"),
    [
        ("dozen", 12),
        ("half dozen", 6),
        ("12 pack cans", 12),
        ("bunch of 6", 6),
        ("4 count", 4),
        ("3 packs", 3),
        ("2 rolls", 2),
        ("LED 60W 4 pack", 4),
        ("32 ounce", None),
        ("half gallon", None),
        ("24 ounce loaf", None),
        ("", None),
    ],
)
def test_a_pack_size_is_read_from_the_size_words(size, pack):
    assert pack_size(size) == pack


@pytest.mark.parametrize(
    ("heard", "unit"), [("a dozen", 12), ("two dozen", 12), ("half a dozen", 6), ("12", None), ("twelve", None)]
)
def test_a_pack_word_said_with_a_count_is_found(heard, unit):
    assert unit_in(heard) == unit
