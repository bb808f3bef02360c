"""The search contract: every store finds the same messages for the same words (SQLite through
FTS5, memory by scanning), and only in the conversations it is told it may search."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from parley.chat.store import (
    MAX_SEARCH_TERMS,
    HistoryStore,
    direct_pair,
    room_conversation,
    search_terms,
)
from parley.store import MemoryStore, SQLiteStore
from tests.store.conftest import StoreFactory, database, with_store


def test_terms_are_words_folded_and_without_accents() -> None:
    assert search_terms("  Deploy, the CAFÉ-plan! ") == ("deploy", "the", "cafe", "plan")
    assert search_terms("x_y <b>") == ("x", "y", "b")  # markup and _ are not words
    assert search_terms("again again") == ("again",)
    assert search_terms("!!! ...") == ()
    assert len(search_terms(" ".join(f"w{i}" for i in range(20)))) == MAX_SEARCH_TERMS


def test_every_term_must_start_a_word_in_any_case_and_accent(new_store: StoreFactory) -> None:
    async def body(store: HistoryStore) -> None:
        hit = await store.append("alice", "Deployed the Café build", room="dev")
        await store.append("bob", "redeploy later", room="dev")  # "deploy" is inside a word
        await store.append("bob", "deploy only", room="dev")
        await store.append("carol", "deploy tomorrow", room="ops")  # not searched
        found = await store.search_history(
            search_terms("deploy cafe"), conversations=[room_conversation("dev")]
        )
        assert found == [hit]
        both = await store.search_history(
            search_terms("DEPLOY"), conversations=[room_conversation("Dev")]
        )
        assert [m.text for m in both] == ["Deployed the Café build", "deploy only"]

    with_store(new_store, body)


def test_direct_conversations_are_the_askers_own(new_store: StoreFactory) -> None:
    async def body(store: HistoryStore) -> None:
        old = await store.append("ann", "secret plan, old", recipient="bob", at=10.0)
        mine = await store.append("bob", "secret plan", recipient="ann", at=20.0)
        other = await store.append("cid", "secret plan too", recipient="ann", at=30.0)
        await store.append("cid", "secret plan of others", recipient="dan", at=40.0)
        terms = search_terms("secret plan")
        everything = await store.search_history(terms, direct_of="ann")
        assert everything == [old, mine, other]
        as_bob = await store.search_history(terms, direct_of="bob")
        assert as_bob == [old, mine]
        since = await store.search_history(terms, direct_of="ann", direct_since=15.0)
        assert since == [mine, other]  # a later holder of a name reads nothing from before
        one = await store.search_history(terms, conversations=[direct_pair("ann", "cid")])
        assert one == [other]
        assert await store.search_history(terms) == []  # nowhere to search: nothing

    with_store(new_store, body)


def test_results_page_back_newest_last(new_store: StoreFactory) -> None:
    async def body(store: HistoryStore) -> None:
        sent = [await store.append("a", f"release {i}", room="dev") for i in range(7)]
        where = [room_conversation("dev")]
        page = await store.search_history(("release",), conversations=where, limit=3)
        assert page == sent[4:]
        older = await store.search_history(
            ("release",), conversations=where, before_id=page[0].id, limit=3
        )
        assert older == sent[1:4]

    with_store(new_store, body)


def test_quotes_and_operators_in_a_query_are_words_not_syntax(new_store: StoreFactory) -> None:
    async def body(store: HistoryStore) -> None:
        hit = await store.append("a", 'he said "NEAR" OR not', room="dev")
        where = [room_conversation("dev")]
        for query in ('"near', "OR", "near*", "NOT or", 'said" OR "not'):
            assert await store.search_history(search_terms(query), conversations=where) == [hit], (
                query
            )

    with_store(new_store, body)


# Text as people write it in Latin script, with CJK and emoji between: where both stores fold
# the same. (Outside it they differ: the memory store also folds compatibility forms, ² as 2
# and ﬁ as fi, and the accents of every script; FTS5's unicode61 only those of Latin letters.)
_CHAT_TEXT = st.text(
    st.sampled_from(list("abcdefxyzABCXYZ0129 .,;:!?-+=$@#'\"()/éèêëüöñçåøàâîôÉÜÑ中文字😀")),
    max_size=30,
)


@settings(max_examples=80)
@given(st.lists(_CHAT_TEXT, min_size=1, max_size=4), st.integers(0, 3), st.integers(1, 4))
def test_any_text_searched_by_its_own_words_finds_the_same_in_every_store(
    tmp_path_factory: pytest.TempPathFactory, texts: list[str], pick: int, cut: int
) -> None:
    """The words of a kept text, whole or as a prefix, with punctuation, symbols, accents,
    capitals, CJK and emoji about them, find it in SQLite as in memory; never an FTS5 error
    (the index keeps no positions, so a query that were a phrase would be refused)."""
    words = search_terms(texts[pick % len(texts)])
    terms = tuple(word[:cut] for word in words[:2])

    async def found(store: HistoryStore) -> list[str]:
        for text in texts:
            await store.append("ann", text, room="dev")
        hits = await store.search_history(terms, conversations=[room_conversation("dev")])
        return [m.text for m in hits]

    path = database(tmp_path_factory.mktemp("search"))
    in_sqlite = with_store(lambda: SQLiteStore(path), found)
    assert in_sqlite == with_store(MemoryStore, found)
