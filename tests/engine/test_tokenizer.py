import random

from hypothesis import given
from hypothesis import strategies as st

from mockserver.engine import prose, tokenizer


def test_english_prose_is_about_four_characters_per_token() -> None:
    text = "Prompt caching lets you reuse a long prefix across requests, which saves time and money."
    assert 3.0 < len(text) / tokenizer.count(text) < 5.5


def test_empty_text_has_no_tokens() -> None:
    assert tokenizer.count("") == 0
    assert tokenizer.head("hello", 0) == ""


@given(st.text())
def test_pieces_cover_the_text(text: str) -> None:
    assert "".join(tokenizer.pieces(text)) == text
    assert tokenizer.count(text) == len(tokenizer.pieces(text))


@given(st.text(), st.integers(0, 60))
def test_cutting_and_counting_agree(text: str, n: int) -> None:
    cut = tokenizer.head(text, n)
    assert text.startswith(cut)
    assert tokenizer.count(cut) == min(n, tokenizer.count(text))


@given(st.text(), st.integers(1, 16))
def test_chunks_are_runs_of_pieces(text: str, size: int) -> None:
    pieces = tokenizer.pieces(text)
    assert tokenizer.chunks(text, size) == ["".join(pieces[i:i + size]) for i in range(0, len(pieces), size)]


def test_memo_counts_like_the_tokenizer() -> None:
    memo = tokenizer.Memo()
    assert memo("Hello, world 2026!") == tokenizer.count("Hello, world 2026!") == memo("Hello, world 2026!")
    assert len(memo) == 1


@given(st.integers(0, 2**32), st.integers(0, 600))
def test_prose_reports_the_tokenizer_count_of_its_text(seed: int, target: int) -> None:
    # Replies reuse these counts instead of tokenizing the composed text again.
    for compose in (prose.answer, prose.reasoning):
        text, tokens = compose(random.Random(seed), target)
        assert tokens == tokenizer.count(text)
        assert tokens >= target


_TRICKY = st.sampled_from(list("ab AZ09 \t\n\x1c\u00a0\u2003é中٣,.!_-\x00") + ["\U0001f600", "xyzabcdefgh", "1234567"])


@given(st.lists(_TRICKY | st.text(max_size=8), min_size=1, max_size=400), st.integers(0, 3))
def test_long_texts_are_counted_by_classes_exactly_as_pieces(parts: list[str], repeat: int) -> None:
    """Texts from 512 characters on are counted by character classes, not by the regex: the same count."""
    text = "".join(parts) * (repeat + 1)
    text = text + " " * max(0, tokenizer._LONG - len(text)) + "".join(parts)
    assert len(text) >= tokenizer._LONG
    assert tokenizer.count(text) == len(tokenizer.pieces(text))


def test_a_megabyte_prompt_is_counted_in_a_few_passes() -> None:
    """Issue 22 item 5: the count of 1 MB is linear C-speed work (its speed is in bench/, not asserted here)."""
    text = "Hello, world! 12345 the quick brown fox; " * 25_000
    assert tokenizer.count(text) == len(tokenizer.pieces(text)) == 300_001  # 12 pieces a sentence, and the last space
