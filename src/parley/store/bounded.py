"""Message history in memory under fixed bounds, for the ephemeral store.

An ``--ephemeral`` server runs for as long as anyone likes and anyone may start a conversation,
so its history must have a ceiling that does not depend on what clients do. Three bounds hold
after every append:

- each conversation (a room, or a pair of direct correspondents) keeps its newest
  `per_conversation` messages, up to half as many again before the old ones go in one cut
  (so trimming costs nothing per message);
- at most `max_conversations` conversations: starting one more drops the whole history of
  the conversation written least recently;
- at most `max_messages` messages in all: past it, the conversation written least recently
  gives up its oldest messages first, so active conversations keep their context.

It holds history only. Offline queues live elsewhere and hold their own references, so no
bound here can drop a message that waits for delivery.
"""

from __future__ import annotations

import bisect
import heapq
from collections import OrderedDict
from collections.abc import Callable, Iterator
from itertools import islice

from parley.chat.store import StoredMessage, pair_of


def text_size(message: StoredMessage) -> int:
    """What a message counts against a byte budget: its text and sender, in characters."""
    return len(message.text) + len(message.sender)


class BoundedHistory:
    """Conversations of messages, oldest first, least recently written conversation first."""

    def __init__(self, *, per_conversation: int, max_conversations: int, max_messages: int) -> None:
        self.per_conversation = max(1, per_conversation)
        self.max_conversations = max(1, max_conversations)
        self.max_messages = max(1, max_messages)
        self._conversations: OrderedDict[str, list[StoredMessage]] = OrderedDict()
        self._count = 0

    def __len__(self) -> int:
        """How many messages are kept in all (what the bounds limit)."""
        return self._count

    def names(self) -> list[str]:
        """The conversations that have history (their keys)."""
        return list(self._conversations)

    @property
    def conversations(self) -> int:
        """How many conversations have history."""
        return len(self._conversations)

    def add(self, conversation: str, message: StoredMessage) -> None:
        """Keep `message` in `conversation` (in id order), then apply bounds."""
        history = self._conversations.get(conversation)
        if history is None:
            history = self._conversations[conversation] = []
            if len(self._conversations) > self.max_conversations:
                self._drop(next(iter(self._conversations)))
        else:
            self._conversations.move_to_end(conversation)
        if history and history[-1].id > message.id:  # reserved earlier, kept later
            bisect.insort(history, message, key=lambda m: m.id)
        else:
            history.append(message)
        self._count += 1
        keep = self.per_conversation
        if len(history) > keep + keep // 2:
            self._cut(conversation, len(history) - keep)
        while self._count > self.max_messages:
            oldest, messages = next(iter(self._conversations.items()))
            self._cut(oldest, min(len(messages), self._count - self.max_messages))

    def page(
        self,
        conversation: str,
        before_id: int | None,
        limit: int,
        since: float | None = None,
        after_id: int | None = None,
    ) -> list[StoredMessage]:
        """The `limit` newest messages below `before_id` (and at `since` or later), oldest first.

        With `after_id`: the `limit` oldest above it instead.
        """
        history = self._conversations.get(conversation, [])
        end = len(history)
        if before_id is not None:
            end = bisect.bisect_left(history, before_id, key=lambda m: m.id)
        if after_id is not None:
            start = bisect.bisect_right(history, after_id, key=lambda m: m.id)
            later = (m for m in history[start:end] if since is None or m.at >= since)
            return list(islice(later, max(0, limit)))
        if since is None:
            return history[max(0, end - max(0, limit)) : end]
        newest_first: Iterator[StoredMessage] = (
            history[i] for i in range(end - 1, -1, -1) if history[i].at >= since
        )
        return list(reversed(list(islice(newest_first, max(0, limit)))))

    def delete_direct(self, user_key: str) -> int:
        """Drop every direct conversation `user_key` takes part in; how many messages went."""
        involved = [c for c in self._conversations if user_key in (pair_of(c) or ())]
        return sum(self._drop(conversation) for conversation in involved)

    def delete_where(self, doomed: Callable[[StoredMessage], bool]) -> int:
        """Drop every message for which `doomed` is true; how many went."""
        deleted = 0
        for conversation, history in list(self._conversations.items()):
            kept = [m for m in history if not doomed(m)]
            if len(kept) < len(history):
                deleted += len(history) - len(kept)
                history[:] = kept
                if not kept:
                    del self._conversations[conversation]
        self._count -= deleted
        return deleted

    def shrink_to(self, max_size: int) -> int:
        """Drop the oldest messages, across conversations, until `text_size` sums to at most
        `max_size`; how many went."""
        excess = sum(text_size(m) for h in self._conversations.values() for m in h) - max_size
        heads = [(h[0].id, c, 0) for c, h in self._conversations.items() if h]
        heapq.heapify(heads)
        cuts: dict[str, int] = {}
        while excess > 0 and heads:
            _, conversation, index = heapq.heappop(heads)
            history = self._conversations[conversation]
            excess -= text_size(history[index])
            cuts[conversation] = index + 1
            if index + 1 < len(history):
                heapq.heappush(heads, (history[index + 1].id, conversation, index + 1))
        for conversation, count in cuts.items():
            self._cut(conversation, count)
        return sum(cuts.values())

    def _cut(self, conversation: str, count: int) -> None:
        """Drop the `count` oldest messages of `conversation` (and it, if nothing is left)."""
        history = self._conversations[conversation]
        if count >= len(history):
            self._drop(conversation)
            return
        del history[:count]
        self._count -= count

    def _drop(self, conversation: str) -> int:
        history = self._conversations.pop(conversation)
        self._count -= len(history)
        return len(history)
