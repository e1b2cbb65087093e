"""The sequencer: the one writer of the state. Apply, publish, commit, acknowledge — in order.

Commands from every connection queue up. The sequencer takes what has queued, applies
each command with the pure rules, and publishes the new revision at once. Commits run
behind it, in order, grouped: whatever changes are waiting go into one transaction.
Only when a change's transaction is committed are its commands acknowledged, so an ack
always means "stored". If a commit fails, the state goes back to the last committed
one, is published again under a newer revision, and every command not yet committed
gets ``storage_error``: nothing acknowledged is lost, nothing unacknowledged stays.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from server.changes import Change, QuestionChanged
from server.cluster import Cluster, Wakeup
from server.contract import PROTOCOL_VERSION, MessageType, error, error_message
from server.hub import Client, Publisher
from server.programme.model import Programme
from server.protocol import Command, Limits, ProtocolError, encode
from server.quotas import Quotas
from server.replies import Answer, Replies, fingerprint
from server.state import Actor, Context, Outcome, State, apply, expire_messages, timeline
from server.storage import LogEntry, Repository
from server.views import signature

log = logging.getLogger("podium.server")

#: How many queued commands are applied together at most.
MAX_BATCH = 500
#: Commands counted per address (server.quotas), by the kind of quota they use.
_QUOTA_OF = {"submit_question": "questions", "vote": "votes"}


@dataclass
class _Request:
    actor: Actor
    client_key: str
    command: Command
    lang: str
    future: asyncio.Future[dict[str, Any]]


@dataclass
class _Job:
    """Changes waiting for their commit, and the answers waiting for it."""

    state: State
    revision: int
    changed: set[Change]
    entries: list[LogEntry]
    answers: list[tuple[_Request, dict[str, Any]]]
    replies: dict[tuple[str, str], dict[str, Any]]
    generation: int
    done: asyncio.Event = field(default_factory=asyncio.Event)
    prints: dict[tuple[str, str], str] = field(default_factory=dict)  # what each command was


class Sequencer:
    """The one writer: holds the state; applies, publishes, stores, answers, in order."""

    def __init__(
        self,
        store: Repository,
        state: State,
        revision: int,
        now: Callable[[], datetime],
        hub: Publisher,
        limits: Limits,
        *,
        rehearsal: bool = False,
        cluster: Cluster | None = None,
    ) -> None:
        self.store = store
        self.cluster = cluster  # several processes on one PostgreSQL database
        self.wakeup: Wakeup | None = Wakeup() if cluster is not None else None
        self.state = state
        self.revision = revision
        self._clock = now
        self.rehearsal = rehearsal  # serve --clock: the moderator may jump the clock
        self.hub = hub
        self.limits = limits
        self.queue: asyncio.Queue[_Request] = asyncio.Queue()
        self.replies = Replies(store)
        self._signature = signature(state, now())
        # One change at a time: a batch and a tick must not interleave.
        self._lock = asyncio.Lock()
        self._commits: asyncio.Queue[_Job] = asyncio.Queue()
        self._inflight: dict[tuple[str, str], _Job] = {}
        self._committed: tuple[State, int] = (state, revision)
        self._generation = 0
        self._committing = False
        self._programme_stamp = store.programme_stamp()
        self.failures = 0  # batches that failed with an unexpected error (logged)
        self.refused = 0  # commands the rules refused (answered, not logged)
        self.public_url: str | None = None  # the attendees' page (sent in welcome)
        #: This server's /ws and its peers' (serve --peer), sent in welcome when there are
        #: peers: the attendees' page moves to the next when its server goes away.
        self.servers: list[str] = []
        self.quotas = Quotas(
            {
                "questions": limits.questions_per_minute_per_ip,
                "votes": limits.votes_per_minute_per_ip,
            }
        )

    def now(self) -> datetime:
        """The server's time: its clock, moved on by a rehearsal's jumps."""
        return self._clock() + timedelta(seconds=self.state.live.clock_offset_s)

    # --- clients ------------------------------------------------------------------

    def join(self, client: Client, limits: dict[str, int]) -> None:
        """Welcome a client after its hello: welcome, snapshot (and its own questions)."""
        now = self.now()
        welcome = {
            "type": MessageType.WELCOME,
            "protocol": PROTOCOL_VERSION,
            "role": client.role,
            "revision": self.revision,
            "server_time": now.isoformat(),
            "client_id": client.client_id,
            "limits": limits,
        }
        if self.public_url:
            welcome["public_url"] = self.public_url
        if len(self.servers) > 1:
            welcome["servers"] = self.servers
        self.hub.join(client, [encode(welcome)], self.state, now, self.revision)

    def leave(self, client: Client) -> None:
        self.hub.leave(client)

    def resync(self, client: Client) -> None:
        """The whole state again for one client (now, or once it has read its backlog)."""
        self.hub.resync(client, self.state, self.now(), self.revision)

    def presence(self) -> dict[str, int]:
        """Connected clients per role."""
        return self.hub.counts()

    def session_room(self, room: str | None) -> str:
        """The room a hello names, by id or name; the first room when it names none (a
        hello naming no such room was refused)."""
        return self.state.programme.find_room(room) or self.state.programme.default_room

    # --- commands -----------------------------------------------------------------

    async def submit(
        self, actor: Actor, client_key: str, command: Command, lang: str
    ) -> dict[str, Any]:
        """Queue a command; return its ack or error once its change is stored."""
        key = (client_key, command.id)
        done = self.replies.cached(key)
        # In a cluster the transaction that applies it looks for it in the log anyway.
        if done is None and self.cluster is None and not self.replies.known_absent(key):
            done = await asyncio.to_thread(self.replies.lookup, key)
        if done is not None:
            return _same_or_refused(done, command, lang)
        fut: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        await self.queue.put(_Request(actor, client_key, command, lang, fut))
        return await fut

    async def run(self) -> None:
        """The writer (runs until cancelled): apply and publish; commits follow behind."""
        committer = asyncio.create_task(self._commit_loop())
        try:
            while True:
                batch = [await self.queue.get()]
                while len(batch) < MAX_BATCH and not self.queue.empty():
                    batch.append(self.queue.get_nowait())
                async with self._lock:
                    try:
                        if self.cluster is not None:
                            await self._process_shared(batch)
                        else:
                            self._process(batch)
                    except Exception:
                        # A bug must not end the writer: the batch is refused, the screens
                        # go back to the stored state, and the next command is served.
                        self.failures += 1
                        log.exception("a batch of %d commands failed; refused", len(batch))
                        self._refuse(batch)
        finally:
            committer.cancel()

    def _refuse(self, batch: list[_Request]) -> None:
        for req in batch:
            if not req.future.done():
                message = error_message("internal_error", req.lang)
                req.future.set_result(dict(error("internal_error", message, req.command.id)))
        if self.cluster is not None:
            return  # nothing of the batch was published: every published state is stored
        try:
            self._roll_back()
        except Exception:
            log.exception("could not republish the stored state")

    def _process(self, batch: list[_Request]) -> None:
        now = self.now()
        job, attendees = self._apply(self.state, self.revision, batch, now, {})
        self._publish(job.state, job.revision, now, attendees)
        for key in job.replies:
            self._inflight[key] = job
        self._commits.put_nowait(job)

    def _apply(
        self,
        state: State,
        revision: int,
        batch: list[_Request],
        now: datetime,
        answered: dict[tuple[str, str], Answer],
    ) -> tuple[_Job, set[str]]:
        """Apply a batch to ``state`` with the rules; the job holds the new state, what it
        changed, the log lines and the answers (sent once stored). ``answered``: commands
        another process already stored (their answers are sent again, nothing is applied)."""
        job = _Job(state, revision, set(), [], [], {}, self._generation)
        attendees: set[str] = set()
        for req in batch:
            key = (req.client_key, req.command.id)
            earlier = self._inflight.get(key)
            if earlier is not None:  # the same command resent before its commit: same answer, later
                answer = (earlier.prints[key], earlier.replies[key])
                earlier.answers.append((req, _same_or_refused(answer, req.command, req.lang)))
                continue
            done = (
                ((job.prints[key], job.replies[key]) if key in job.replies else None)
                or answered.get(key)
                or self.replies.cached(key)
            )
            if done is not None:
                job.answers.append((req, _same_or_refused(done, req.command, req.lang)))
                continue
            ctx = Context(now, req.actor, _new_id, self.limits, rehearsal=self.rehearsal)
            quota = _QUOTA_OF.get(req.command.name)
            try:
                if quota and not self.quotas.allows(quota, req.actor.address):
                    raise ProtocolError("address_limit")
                out: Outcome = apply(state, req.command, ctx)
            except ProtocolError as exc:
                reply = dict(error(exc.code, exc.message(req.lang), req.command.id))
                ok = False
            except (ArithmeticError, ValueError) as exc:  # e.g. a date past the year 9999
                log.warning("%s refused: %s", req.command.name, exc)
                code = "out_of_range"
                reply = dict(error(code, error_message(code, req.lang), req.command.id))
                ok = False
            else:
                if out.changed:
                    if quota:
                        self.quotas.charge(quota, req.actor.address)
                    revision += 1
                    state = out.state
                    job.changed |= out.changed
                    attendees |= _touched_attendees(state, out, req.actor)
                result = dict(out.result)
                reply = {
                    "type": "ack",
                    "id": req.command.id,
                    "revision": revision,
                    "result": result,
                }
                ok = True
            job.replies[key] = reply
            job.prints[key] = fingerprint(req.command.name, req.command.raw_args())
            job.answers.append((req, reply))
            if not ok:
                # A refusal changed nothing: it is answered (and remembered in the bounded
                # reply cache) but not written to the log, so a flood of refused commands
                # cannot grow the database or what is loaded at every start.
                self.refused += 1
                continue
            job.entries.append(
                LogEntry(now, req.actor.role, req.client_key, req.command.id, req.command.name,
                         req.command.raw_args(), ok, reply, revision)
            )  # fmt: skip
        job.state, job.revision = state, revision
        return job, attendees

    # --- several processes on one PostgreSQL database (server/cluster.py) ------------

    async def _process_shared(self, batch: list[_Request]) -> None:
        """Apply a batch in the global order: in one transaction that holds the revision row,
        catch up with what other processes committed, apply, store, commit; then publish
        and answer. Storing comes before publishing here: no other process may see a
        revision this one might still lose."""
        assert self.cluster is not None
        now = self.now()
        channel = self.cluster.channel
        keys = [(r.client_key, r.command.id) for r in batch]
        state, revision = self.state, self.revision

        def work() -> tuple[State, int, _Job, set[str]]:
            with self.store.locked() as tx:  # type: ignore[attr-defined]
                base, base_rev = _caught_up(tx, state, revision)
                answered = {
                    k: (fingerprint(name, args), reply)
                    for k, (_, _, name, args, reply) in tx.answered(keys).items()
                }
                job, attendees = self._apply(base, base_rev, batch, now, answered)
                if job.revision != base_rev:
                    # What screens show now is published with this revision: the ticker
                    # need not publish it again.
                    tx.set_meta("clock_signature", _clock_signature(job.state, now))
                    tx.write(job.state, job.changed, job.entries, job.revision, channel)
                tx.commit()
            return base, base_rev, job, attendees

        try:
            base, base_rev, job, attendees = await asyncio.to_thread(work)
        except Exception:
            log.exception("could not store a batch of %d commands", len(batch))
            for req in batch:
                if not req.future.done():
                    message = error_message("storage_error", req.lang)
                    req.future.set_result(dict(error("storage_error", message, req.command.id)))
            return
        self.cluster.ok()
        if base_rev != revision:  # others' changes: their askers' own questions too
            attendees |= _changed_askers(state, base)
        self._publish(job.state, job.revision, now, attendees)
        self.replies.remember({k: (job.prints[k], r) for k, r in job.replies.items()})
        for req, reply in job.answers:
            if not req.future.done():
                req.future.set_result(reply)

    async def fresh(self) -> None:
        """In a cluster: wait until a catch-up that began now has ended (many callers at
        once share one). Alone: nothing to wait for."""
        if self.cluster is not None and self.wakeup is not None:
            await self.wakeup.wait_round()

    async def catch_up(self) -> None:
        """Read and publish what other processes committed since this one's revision."""
        if self.cluster is None:
            return
        async with self._lock:
            await self._catch_up_locked()

    async def _catch_up_locked(self) -> None:
        assert self.cluster is not None
        state = self.state
        try:
            delta = await asyncio.to_thread(
                self.store.delta_since,  # type: ignore[attr-defined]
                self.revision,
                state.programme,
            )
        except Exception as exc:
            log.warning("could not read the database's news: %s", exc)
            return
        self.cluster.ok()
        if delta is None or delta.revision <= self.revision:
            return
        new = delta.applied_to(state)
        self._publish(new, delta.revision, self.now(), _changed_askers(state, new))

    async def _tick_shared(self) -> None:
        """The clock's changes in a cluster: every process catches up (in case a NOTIFY was
        missed); only the holder of the ticker's lock writes what the clock changed."""
        assert self.cluster is not None
        async with self._lock:
            await self._catch_up_locked()
            if self.cluster.leader:
                await self._clock_changes_shared()
            now = self.now()
            self.hub.catch_up(self.state, now, self.revision)
            self.hub.publish_presence()
            self.quotas.forget_idle()
        self.cluster.check()

    async def _clock_changes_shared(self) -> None:
        assert self.cluster is not None
        now = self.now()
        channel = self.cluster.channel
        state, revision = self.state, self.revision
        seen_stamp = self._programme_stamp

        def work() -> tuple[State, int, bool, str | None]:
            stamp = self.store.programme_stamp()
            with self.store.locked() as tx:  # type: ignore[attr-defined]
                base, base_rev = _caught_up(tx, state, revision)
                new, changed, programme = base, set(), False
                if stamp != seen_stamp:
                    stored = self.store.load_programme()
                    if stored is not None and stored != new.programme:
                        new, programme = replace(new, programme=stored), True
                out = expire_messages(new, now)
                if out is not None:
                    new, changed = out.state, set(out.changed)
                # What the clock changes on screens, as last stored by any process: the
                # republish happens once per change, whoever holds the ticker's lock.
                sig = _clock_signature(new, now)
                moved = sig != tx.get_meta("clock_signature")
                if not (programme or changed or moved):
                    return base, base_rev, False, stamp
                tx.set_meta("clock_signature", sig)
                tx.write(new, changed, [], base_rev + 1, channel, programme=programme)
                tx.commit()
                return new, base_rev + 1, True, stamp

        try:
            new, new_rev, wrote, stamp = await asyncio.to_thread(work)
        except Exception as exc:
            log.warning("could not store the clock's changes: %s", exc)
            return
        self.cluster.ok()
        self._programme_stamp = stamp
        if new_rev != self.revision:
            self._publish(new, new_rev, now, _changed_askers(state, new))
        if wrote:
            log.debug("clock change stored as revision %d", new_rev)

    def _publish(
        self,
        state: State,
        revision: int,
        now: datetime,
        attendees: frozenset[str] | set[str] = frozenset(),
    ) -> None:
        if revision != self.revision:
            self.state, self.revision = state, revision
            self._signature = signature(state, now)
            self.hub.publish(state, now, revision, attendees)

    def _system_change(self, state: State, changed: set[Change], now: datetime) -> None:
        """A change the server makes itself (a message expires, the programme was imported)."""
        self._publish(state, self.revision + 1, now)
        self._commits.put_nowait(_Job(state, self.revision, changed, [], [], {}, self._generation))

    async def _commit_loop(self) -> None:
        while True:
            jobs = [await self._commits.get()]
            while not self._commits.empty():
                jobs.append(self._commits.get_nowait())
            live = [j for j in jobs if j.generation == self._generation]
            stale = [j for j in jobs if j.generation != self._generation]
            for job in stale:  # built on a state that was rolled back
                self._answer(job, stored=False)
            if not live:
                continue
            last = live[-1]
            changed = set().union(*(j.changed for j in live))
            entries = [e for j in live for e in j.entries]
            self._committing = True
            try:
                await asyncio.to_thread(
                    self.store.commit, last.state, changed, entries, last.revision
                )
            except Exception:
                log.exception("could not store %d changes; rolling back", len(live))
                self._roll_back()
                for job in live:
                    self._answer(job, stored=False)
                continue
            finally:
                self._committing = False
            self._committed = (last.state, last.revision)
            for job in live:
                self._answer(job, stored=True)

    def _roll_back(self) -> None:
        self._generation += 1
        committed, _ = self._committed
        now = self.now()
        self._publish(committed, self.revision + 1, now)
        self.hub.publish_all_mine(committed, self.revision)

    def _answer(self, job: _Job, *, stored: bool) -> None:
        for key in job.replies:
            if self._inflight.get(key) is job:
                del self._inflight[key]
        if stored:
            self.replies.remember({k: (job.prints[k], r) for k, r in job.replies.items()})
        for req, reply in job.answers:
            if req.future.done():
                continue
            if stored:
                req.future.set_result(reply)
            else:
                message = error_message("storage_error", req.lang)
                req.future.set_result(dict(error("storage_error", message, req.command.id)))
        job.done.set()

    async def drain(self, timeout: float = 10.0) -> None:
        """Wait until every change so far is committed (for a clean shutdown)."""
        async with asyncio.timeout(timeout):
            while not self._commits.empty() or self._inflight or self._committing:
                await asyncio.sleep(0.01)

    # --- the clock ----------------------------------------------------------------

    async def tick(self) -> None:
        """Once a second: pick up an imported programme, expire messages, and republish when
        the clock changed what is live. The database is read before taking the lock, so
        commands are never held up by it."""
        if self.cluster is not None:
            await self._tick_shared()
            return
        programme = None
        stamp = await asyncio.to_thread(self.store.programme_stamp)
        if stamp != self._programme_stamp:
            self._programme_stamp = stamp
            programme = await asyncio.to_thread(self.store.load_programme)
        async with self._lock:
            self._tick(programme)

    def _tick(self, programme: Programme | None) -> None:
        now = self.now()
        if programme is not None and programme != self.state.programme:
            log.info("the stored programme changed: %d items", len(programme.items))
            self._system_change(replace(self.state, programme=programme), set(), now)
        out = expire_messages(self.state, now)
        if out is not None:
            self._system_change(out.state, set(out.changed), now)
        if signature(self.state, now) != self._signature:
            self._system_change(self.state, set(), now)
        self.hub.catch_up(self.state, now, self.revision)
        self.hub.publish_presence()
        self.quotas.forget_idle()

    def expected_times(self, now: datetime) -> dict[str, tuple[datetime, datetime]]:
        """Every item's expected start and end now (for the exports served over HTTP)."""
        times: dict[str, tuple[datetime, datetime]] = {}
        for room in self.state.programme.rooms:
            for slot in timeline(self.state, now, room.id).slots:
                times[slot.item.id] = (slot.expected_start, slot.expected_end)
        return times


def _same_or_refused(answer: Answer, command: Command, lang: str) -> dict[str, Any]:
    """The stored answer for a resent command; ``duplicate_id`` when the id was used for
    another command (its first answer is not this one's: "ack means stored" must hold)."""
    printed, reply = answer
    if printed == fingerprint(command.name, command.raw_args()):
        return reply
    return dict(error("duplicate_id", error_message("duplicate_id", lang), command.id))


def _new_id() -> str:
    return secrets.token_hex(6)


def _touched_attendees(state: State, out: Outcome, actor: Actor) -> set[str]:
    """Attendees whose own questions or votes changed (they get a fresh ``mine``)."""
    touched = {actor.client_id} if actor.role == "attendee" else set()
    for change in out.changed:
        match change:
            case QuestionChanged(qid) if qid in state.questions:
                touched.add(state.questions[qid].client_id)
    return touched


def _changed_askers(before: State, after: State) -> set[str]:
    """Attendees whose own questions or votes differ between two states."""
    touched = {
        q.client_id
        for qid, q in after.questions.items()
        if before.questions.get(qid) != q and q.client_id
    }
    for qid, voters in after.votes.items():
        old = before.votes.get(qid, frozenset())
        if voters != old:
            touched |= voters ^ old
    return touched


def _clock_signature(state: State, now: datetime) -> str:
    """:func:`server.views.signature` as a short stored string."""
    return hashlib.sha256(repr(signature(state, now)).encode()).hexdigest()[:32]


def _caught_up(tx: Any, state: State, revision: int) -> tuple[State, int]:
    """Inside the ordering transaction: ``state`` with what other processes committed
    since ``revision``, and the revision that makes."""
    if tx.revision != revision:
        delta = tx.delta(revision, state.programme)
        if delta is not None:
            return delta.applied_to(state), delta.revision
    return state, revision
