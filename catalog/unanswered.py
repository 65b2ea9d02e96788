"""What shoppers asked for and did not get: searches that found nothing or were asked back.

Each day's counts are one DynamoDB partition, `SEARCHES#<yyyy-mm-dd>` (UTC), with one item per
`<outcome>#<channel>#<words>`, so `voiceshop report searches --days 7` is seven Queries and never a scan.
A count only grows by UpdateItem ADD: Lambdas flushing the same words at the same moment each add theirs
and none is lost. Items expire (DynamoDB TTL) 90 days after their day.

**Nothing personal.** An item holds the words, the channel and the day: never a customer id, a session or
a device. The words go through the search's own normaliser (`catalog.text`), so "Creamy  Peanut-Butter"
and "creamy peanut butter" count as one; a query holding a run of four or more digits (a purchase code, a
customer or phone number, said as digits or as number words) is not counted at all, since what is said
around a number ("this is anna, five five five...") may be personal too. The price of that rule: a search
for "1000 piece puzzle" or "nineteen eighty four" is not counted either.

**A warm Lambda does not write per request.** `SearchTally` counts in memory and writes its counts in one
batch (one TransactWriteItems of ADDs, or one UpdateItem for a single count) when it holds
`FLUSH_KEYS` different searches or its oldest count is `FLUSH_SECONDS` old, checked on each count and
after each Alexa request (`Shop.flush_unanswered_searches_if_due`); the kiosk flushes at the end of each
shopper's session and when it stops, `voiceshop say` after its one turn. The trade-off: counts still in
memory when a process dies (an idle Lambda frozen and then reclaimed, a killed kiosk) are lost, at most
`FLUSH_SECONDS` or `FLUSH_KEYS` searches' worth per process. This is a report of what to stock, not a
ledger, so a few lost counts were judged cheaper than a write on every unanswered turn.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as day_start

from catalog.errors import StoreUnavailable
from catalog.model import utcnow
from catalog.repository import Repository, storage_errors
from catalog.text import digits_for_number_words, normalize
from catalog.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

NOMATCH, ASKEDBACK = "nomatch", "askedback"
OUTCOMES = (NOMATCH, ASKEDBACK)
"""`nomatch`: the search found nothing. `askedback`: the shop was not sure and asked ("did you mean")."""
_NOT_CHANNEL = re.compile(r"[^a-z0-9_-]+")
KEEP_DAYS = 90
"""Counts expire (DynamoDB TTL) this long after their day."""
FLUSH_KEYS = 20
FLUSH_SECONDS = 60.0
BATCH_KEYS = 25
"""Searches per transaction: a small batch is one round trip and rarely meets another Lambda's flush."""
MAX_PENDING_KEYS = 500
"""While the store is down a tally keeps at most this many different searches; further ones are dropped."""
MAX_QUERY_CHARS = 80
"""Longer words are cut at a word boundary: a key stays small and a rambling utterance stays one entry."""
CODE_DIGITS = 4
_DIGIT_WORDS = frozenset({"oh", "o"})
"""Said inside a run of digits, these are zeros ("five five five oh one"), so they do not break the run."""
_NUMERIC = re.compile(r"\d+(\.\d+)?")


@dataclass(frozen=True)
class UnansweredSearch:
    """How often some words found nothing (or were asked back) on one channel on one day."""

    day: date
    outcome: str
    channel: str
    query: str
    count: int


def report_words(query: str) -> str | None:
    """The words to count for a query, or None when there is nothing to count or it may hold a code.

    The search's normaliser folds case, accents and punctuation, and number words become digits, so a
    code said as "four two seven one" is caught like "4271".
    """
    words = digits_for_number_words(normalize(query).replace("$", " ").split())
    run = 0
    for word in words:
        if _NUMERIC.fullmatch(word):
            run += sum(ch.isdigit() for ch in word)
        elif word in _DIGIT_WORDS and run:
            run += 1
        else:
            run = 0
        if run >= CODE_DIGITS:
            return None
    text = " ".join(words)
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS].rsplit(" ", 1)[0]
    return text or None


def searches_pk(day: date) -> str:
    """The partition of one day's counts."""
    return f"SEARCHES#{day.isoformat()}"


def searches_key(day: date, outcome: str, channel: str, words: str) -> tuple[str, str]:
    """Key of one count; the words never hold `#` (the normaliser keeps letters, digits and a few signs)."""
    return searches_pk(day), f"{outcome}#{channel}#{words}"


def expires_at(day: date) -> datetime:
    """When a day's counts leave the table: the same for every write, so setting it again changes nothing."""
    return datetime.combine(day, day_start(), tzinfo=UTC) + timedelta(days=KEEP_DAYS)


Key = tuple[date, str, str, str]
"""day, outcome, channel, words."""


class SearchTally:
    """Counts unanswered searches in memory and writes them in batches; safe to share across threads."""

    def __init__(
        self,
        repository: Repository,
        flush_keys: int = FLUSH_KEYS,
        flush_seconds: float = FLUSH_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Nothing is written until `flush_keys` different searches are held or the oldest is `flush_seconds` old."""
        self.repository = repository
        self.flush_keys = flush_keys
        self.flush_seconds = flush_seconds
        self.clock = clock
        self._counts: Counter[Key] = Counter()
        self._since: float | None = None
        self._lock = threading.Lock()
        self._flushing = threading.Lock()

    def record(self, query: str, channel: str, outcome: str, at: datetime | None = None) -> bool:
        """Count one unanswered search (flushing if due); False when its words are not counted (a code)."""
        if outcome not in OUTCOMES:
            raise ValueError(f"outcome must be one of {', '.join(OUTCOMES)}, not {outcome!r}")
        channel = _NOT_CHANNEL.sub("", channel.lower()) or "unknown"  # a key part: never a `#`
        words = report_words(query)
        if words is None:
            return False
        key = ((at or utcnow()).astimezone(UTC).date(), outcome, channel, words)
        with self._lock:
            if key not in self._counts and len(self._counts) >= MAX_PENDING_KEYS:
                log.warning("search tally full (store unavailable?): a search was not counted")
                return False
            self._counts[key] += 1
            if self._since is None:
                self._since = self.clock()
        self.flush_if_due()
        return True

    @property
    def pending(self) -> int:
        """How many different searches are waiting to be written."""
        with self._lock:
            return len(self._counts)

    def due(self) -> bool:
        """Whether the counts held should be written now."""
        with self._lock:
            if not self._counts or self._since is None:
                return False
            return len(self._counts) >= self.flush_keys or self.clock() - self._since >= self.flush_seconds

    def flush_if_due(self) -> None:
        """Write the counts if enough are held or they have waited long enough; never raises for the store.

        A flush already running in another thread is left to finish, not waited for: a shopper's turn
        never queues behind a tally.
        """
        if self.due() and self._flushing.acquire(blocking=False):
            try:
                self._flush(quietly=True)
            finally:
                self._flushing.release()

    def flush(self, quietly: bool = False) -> int:
        """Write every count held now, in transactions of ADDs; returns how many searches were written.

        A store that refused the write keeps the counts for the next flush; one that gave no answer may
        have applied it, so those counts are dropped rather than risk counting them twice. `quietly`
        logs a store failure instead of raising it (a shopper's turn never fails for a tally).
        """
        with self._flushing:  # one flush at a time, so a retried batch never overtakes a newer one
            return self._flush(quietly)

    def _flush(self, quietly: bool) -> int:
        """Take every count held and write it; the caller holds `_flushing`."""
        with self._lock:
            taken, self._counts, self._since = self._counts, Counter(), None
        written = 0
        keys = sorted(taken)
        for start in range(0, len(keys), BATCH_KEYS):
            batch = keys[start : start + BATCH_KEYS]
            try:
                self._write({key: taken[key] for key in batch})
            except StoreUnavailable as error:
                rest = keys[start:]
                if not error.uncertain:
                    self._put_back({key: taken[key] for key in rest})
                if not quietly:
                    raise
                kept = "kept for later" if not error.uncertain else "dropped (the write may have landed)"
                log.warning("search counts not written (%s): %d %s", error.detail, len(rest), kept)
                return written
            written += len(batch)
        return written

    def _write(self, counts: dict[Key, int]) -> None:
        """One unit of work: an ADD per search, all or none."""
        with UnitOfWork(self.repository) as uow:
            for (day, outcome, channel, words), amount in counts.items():
                uow.count_unanswered_search(*searches_key(day, outcome, channel, words), amount, expires_at(day))
            uow.commit()

    def _put_back(self, counts: dict[Key, int]) -> None:
        with self._lock:
            self._counts.update(counts)
            if self._since is None:
                self._since = self.clock()


def unanswered_on(repository: Repository, day: date) -> list[UnansweredSearch]:
    """One day's counts, as written so far (one Query, page after page)."""
    tables = repository.tables
    found = []
    with storage_errors():
        for item in tables.query_fields(tables.search_count, searches_pk(day)):
            outcome, channel, words = str(item.sk).split("#", 2)
            found.append(UnansweredSearch(day, outcome, channel, words, int(item.n or 0)))
    return found


class UnansweredSearches:
    """Recording and reporting unanswered searches, for `Shop` (a mixin)."""

    repository: Repository
    search_tally: SearchTally  # made by Shop

    def record_unanswered_search(self, query: str, channel: str, outcome: str = NOMATCH) -> bool:
        """Count a search that found nothing (`nomatch`) or was asked back (`askedback`), in memory for now."""
        return self.search_tally.record(query, channel, outcome)

    def flush_unanswered_searches(self, quietly: bool = False) -> int:
        """Write the counts held in memory now (end of a kiosk session, of a one-turn command).

        `quietly` logs a store failure instead of raising it: a shopper's session never fails for a tally.
        """
        return self.search_tally.flush(quietly=quietly)

    def flush_unanswered_searches_if_due(self) -> None:
        """Write the counts if a batch is due; for the end of every Alexa request (costs nothing otherwise)."""
        self.search_tally.flush_if_due()

    def unanswered_searches(self, days: int = 7) -> list[UnansweredSearch]:
        """The last `days` days' counts (today, UTC, included), most asked first."""
        if not 1 <= days <= KEEP_DAYS:
            raise ValueError(f"days must be 1 to {KEEP_DAYS} (counts are kept {KEEP_DAYS} days), not {days}")
        today = utcnow().date()
        found = [row for back in range(days) for row in unanswered_on(self.repository, today - timedelta(days=back))]
        return sorted(found, key=lambda r: (-r.count, -r.day.toordinal(), r.query, r.channel, r.outcome))
