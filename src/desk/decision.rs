//! A decision being drafted and the decision handed out: events by
//! stream, each stamped with who did it, ids derived in one place.

#![allow(clippy::wildcard_imports)]

use super::*;
use crate::id::{EventId, InvitationId};
use crate::store::Erasure;
use std::collections::BTreeSet;

/// What a command decided: per-stream writes with expected versions.
/// Persist [`Decision::writes`] atomically, then [`Desk::apply`] the
/// stored events.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Decision {
    writes: Vec<StreamWrite>,
    repeat: Option<FirstOutcome>,
    erasure: Option<Erasure>,
}

/// Where the first run of a keyed command was recorded: the events at
/// store positions `first..=last`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct FirstOutcome {
    /// The position of its first event.
    pub first: u64,
    /// The position of its last event.
    pub last: u64,
}

impl FirstOutcome {
    /// How many events it recorded.
    #[must_use]
    pub fn len(&self) -> u64 {
        self.last.saturating_sub(self.first).saturating_add(1)
    }

    /// Whether it recorded none (never: an accepted command records at
    /// least its acceptance).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.last < self.first
    }
}

impl Decision {
    /// A repeat of a keyed command: nothing to write.
    pub(super) fn repeat(first: FirstOutcome) -> Self {
        Decision {
            writes: Vec::new(),
            repeat: Some(first),
            erasure: None,
        }
    }

    /// The erasure this decision makes (erasing a contact, withdrawing
    /// consent): persist its writes with
    /// [`Store::append_erasing`](crate::store::Store::append_erasing) and
    /// this erasure, never with a plain `append`, or the store keeps what
    /// the desk has forgotten.
    #[must_use]
    pub fn erasure(&self) -> Option<&Erasure> {
        self.erasure.as_ref()
    }

    /// For a command repeated with an idempotency key already accepted:
    /// where its first run was recorded. Nothing is written again.
    #[must_use]
    pub fn repeat_of(&self) -> Option<FirstOutcome> {
        self.repeat
    }
    /// The writes to append, in one atomic batch.
    #[must_use]
    pub fn writes(&self) -> &[StreamWrite] {
        &self.writes
    }
    /// Whether the command changes nothing.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.writes.iter().all(|w| w.events.is_empty())
    }
    /// The decided events, in order.
    pub fn events(&self) -> impl Iterator<Item = &Event> {
        self.writes
            .iter()
            .flat_map(|w| w.events.iter().map(|e| &e.event))
    }
}

/// Who a drafted event is by, and the key of the command behind it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Stamp {
    pub(super) actor: Actor,
    pub(super) command: Option<CommandKey>,
}

/// A stream's drafted events, each with its stamp.
pub(super) type Drafted = (StreamId, Vec<(Stamp, Event)>);

/// Events being decided, grouped by stream in first-touched order, each
/// stamped with who did it.
pub(super) struct Drafts {
    /// Who the events pushed from now on are by.
    pub(super) stamp: Stamp,
    pub(super) streams: Vec<Drafted>,
    /// Where each stream is in `streams` (a timeout can touch thousands).
    pub(super) index: BTreeMap<StreamId, usize>,
    /// What the store must erase with these events, if anything.
    pub(super) erasure: Option<Erasure>,
    /// The customer's archive, read from the store, when the command
    /// needs it (see `Desk::archive_needed`).
    pub(super) archive: Option<Box<super::CustomerArchive>>,
    /// Outbound messages, each on its own stream, in first-touched order.
    /// They are written together where the first was drafted (as one
    /// desk-wide outbox stream was), so a decision's events keep the
    /// order in the record they had before messages had their streams.
    messages: Vec<Drafted>,
    /// Where each message's stream is in `messages`.
    message_index: BTreeMap<StreamId, usize>,
    /// How many of `streams` come before the messages.
    messages_at: usize,
    /// Streams the decision read and wrote nothing to, whose versions
    /// must not have moved when it is appended (an empty write that
    /// checks the version only): another desk's write there makes it
    /// conflict, and be decided again on what that desk wrote.
    checks: BTreeSet<StreamId>,
    /// While a trigger runs: how to undo what it drafted, should one of
    /// its actions be refused (see [`Drafts::begin`]).
    journal: Option<Vec<Undo>>,
}

/// One step of drafting, as [`Drafts::rollback`] undoes it.
enum Undo {
    /// Events appended to an existing stream's list.
    Grew {
        messages: bool,
        at: usize,
        by: usize,
    },
    /// A stream's list created (the last in its vector).
    Created {
        messages: bool,
        stream: StreamId,
        messages_at: usize,
    },
    /// A stream checked that was not before.
    Checked(StreamId),
}

impl Drafts {
    /// Drafts for a command by `actor`, under `key`.
    pub(super) fn acting(actor: Actor, command: Option<CommandKey>) -> Self {
        Drafts {
            stamp: Stamp { actor, command },
            streams: Vec::new(),
            index: BTreeMap::new(),
            erasure: None,
            archive: None,
            messages: Vec::new(),
            message_index: BTreeMap::new(),
            messages_at: 0,
            checks: BTreeSet::new(),
            journal: None,
        }
    }

    /// Starts journaling what is drafted, so [`Drafts::rollback`] can
    /// take it back (a trigger whose action is refused keeps nothing).
    pub(super) fn begin(&mut self) {
        self.journal = Some(Vec::new());
    }

    /// Keeps what was drafted since [`Drafts::begin`].
    pub(super) fn commit(&mut self) {
        self.journal = None;
    }

    /// Takes back everything drafted since [`Drafts::begin`], in O(what
    /// was drafted).
    pub(super) fn rollback(&mut self) {
        let Some(journal) = self.journal.take() else {
            return;
        };
        for undo in journal.into_iter().rev() {
            match undo {
                Undo::Grew { messages, at, by } => {
                    let list = if messages {
                        &mut self.messages
                    } else {
                        &mut self.streams
                    };
                    if let Some((_, l)) = list.get_mut(at) {
                        l.truncate(l.len().saturating_sub(by));
                    }
                }
                Undo::Created {
                    messages,
                    stream,
                    messages_at,
                } => {
                    if messages {
                        self.messages.pop();
                        self.message_index.remove(&stream);
                    } else {
                        self.streams.pop();
                        self.index.remove(&stream);
                    }
                    self.messages_at = messages_at;
                }
                Undo::Checked(stream) => {
                    self.checks.remove(&stream);
                }
            }
        }
    }

    /// The events drafted for `stream`, with who each is by.
    pub(super) fn drafted(&self, stream: &StreamId) -> &[(Stamp, Event)] {
        let (index, streams) = if matches!(stream, StreamId::Message(_)) {
            (&self.message_index, &self.messages)
        } else {
            (&self.index, &self.streams)
        };
        index
            .get(stream)
            .and_then(|&i| streams.get(i))
            .map_or(&[][..], |(_, l)| l.as_slice())
    }

    /// The outbound messages drafted, in the order first touched.
    pub(super) fn drafted_messages(&self) -> impl Iterator<Item = &Event> {
        self.messages
            .iter()
            .flat_map(|(_, l)| l.iter().map(|(_, e)| e))
    }

    /// The tickets whose ticket or SLA streams have drafted events, in
    /// the order first touched.
    pub(super) fn touched_tickets(&self) -> Vec<TicketId> {
        let mut seen = BTreeSet::new();
        self.streams
            .iter()
            .filter_map(|(s, l)| match s {
                StreamId::Ticket(t) | StreamId::Sla(t) if !l.is_empty() => Some(*t),
                _ => None,
            })
            .filter(|t| seen.insert(*t))
            .collect()
    }

    /// The decision depends on `stream` as this desk knows it: appending
    /// it conflicts if another writer has written there since.
    pub(super) fn check(&mut self, stream: StreamId) {
        if self.checks.insert(stream)
            && let Some(j) = &mut self.journal
        {
            j.push(Undo::Checked(stream));
        }
    }

    /// Empty writes for the checked streams nothing was drafted for.
    fn check_writes(
        checks: BTreeSet<StreamId>,
        writes: &[StreamWrite],
        desk: &Desk,
    ) -> Vec<StreamWrite> {
        let written: BTreeSet<StreamId> = writes.iter().map(|w| w.stream).collect();
        checks
            .into_iter()
            .filter(|s| !written.contains(s))
            .map(|stream| StreamWrite {
                stream,
                expected: ExpectedVersion::Exact(desk.version(&stream)),
                events: Vec::new(),
            })
            .collect()
    }

    /// Drafts for what the desk does by itself, for `cause`.
    pub(super) fn system(cause: Cause) -> Self {
        Drafts::acting(Actor::System(cause), None)
    }

    /// Empty drafts by the same actor, under the same key.
    pub(super) fn fork(&self) -> Self {
        Drafts::acting(self.stamp.actor.clone(), self.stamp.command.clone())
    }

    /// Who the events are by.
    pub(super) fn actor(&self) -> &Actor {
        &self.stamp.actor
    }

    /// Events pushed from now on are by the desk, for `cause`.
    pub(super) fn act_for(&mut self, cause: Cause) {
        self.stamp = Stamp {
            actor: Actor::System(cause),
            command: None,
        };
    }

    /// How many events are drafted for a stream.
    pub(super) fn count(&self, stream: &StreamId) -> u64 {
        u64::try_from(self.drafted(stream).len()).unwrap_or(u64::MAX)
    }

    pub(super) fn push(&mut self, stream: StreamId, events: impl IntoIterator<Item = Event>) {
        let stamp = &self.stamp;
        let mut events = events.into_iter().map(|e| (stamp.clone(), e)).peekable();
        if events.peek().is_none() {
            return;
        }
        let messages = matches!(stream, StreamId::Message(_));
        let messages_at = self.messages_at;
        let (index, streams) = if messages {
            if self.messages.is_empty() {
                self.messages_at = self.streams.len();
            }
            (&mut self.message_index, &mut self.messages)
        } else {
            (&mut self.index, &mut self.streams)
        };
        let at = index.get(&stream).copied();
        let list = at.and_then(|i| streams.get_mut(i).map(|(_, l)| l));
        let undo = match (at, list) {
            (Some(at), Some(list)) => {
                let before = list.len();
                list.extend(events);
                Undo::Grew {
                    messages,
                    at,
                    by: list.len().saturating_sub(before),
                }
            }
            _ => {
                index.insert(stream, streams.len());
                streams.push((stream, events.collect()));
                Undo::Created {
                    messages,
                    stream,
                    messages_at,
                }
            }
        };
        if let Some(j) = &mut self.journal {
            j.push(undo);
        }
    }

    /// The drafted streams in the order they are written: first-touched
    /// order, the messages together where the first was drafted.
    #[cfg(test)]
    pub(super) fn ordered(&self) -> impl Iterator<Item = &Drafted> {
        let at = self.messages_at.min(self.streams.len());
        let (before, after) = self.streams.split_at(at);
        before.iter().chain(&self.messages).chain(after)
    }

    /// [`Drafts::ordered`], taken.
    fn into_ordered(mut self) -> Vec<Drafted> {
        if self.messages.is_empty() {
            return self.streams;
        }
        let at = self.messages_at.min(self.streams.len());
        if at == self.streams.len() {
            // The usual case (a reply, a page): the messages come last.
            self.streams.append(&mut self.messages);
            return self.streams;
        }
        let mut all = Vec::with_capacity(self.streams.len() + self.messages.len());
        let mut streams = self.streams.into_iter();
        all.extend(streams.by_ref().take(at));
        all.append(&mut self.messages);
        all.extend(streams);
        all
    }

    /// Pushes outbox events, each to the stream of the message it is
    /// about (see [`StreamId::Message`]): queuing a message, or
    /// acknowledging one, contends with nothing else.
    pub(super) fn push_outbox(&mut self, events: impl IntoIterator<Item = Event>) {
        for e in events {
            let stream = match &e {
                Event::Outbox(o) => StreamId::Message(o.kind.message()),
                // Never drafted: `holds` refuses it on the legacy stream.
                _ => StreamId::Outbox,
            };
            self.push(stream, [e]);
        }
    }

    /// Appends another draft's events, stream by stream, as stamped.
    pub(super) fn absorb(&mut self, mut other: Drafts) {
        self.checks.append(&mut other.checks);
        let stamp = self.stamp.clone();
        let streams = other.into_ordered();
        for (stream, events) in streams {
            for (s, e) in events {
                self.stamp = s;
                self.push(stream, [e]);
            }
        }
        self.stamp = stamp;
    }

    /// Records that a keyed command was accepted, as the first write of
    /// the decision, even when it changes nothing else: the key is
    /// remembered, so a repeat after the desk has moved on still returns
    /// this outcome instead of deciding again.
    pub(super) fn accept(&mut self, key: CommandKey, fingerprint: u64, now: DateTime<Utc>) {
        let event = Event::Command(CommandEvent {
            at: now,
            kind: CommandEventKind::Accepted {
                key: key.clone(),
                fingerprint,
            },
        });
        let stream = key_stream(&key);
        self.streams
            .insert(0, (stream, vec![(self.stamp.clone(), event)]));
        for i in self.index.values_mut() {
            *i = i.saturating_add(1);
        }
        self.index.insert(stream, 0);
        if !self.messages.is_empty() {
            self.messages_at = self.messages_at.saturating_add(1);
        }
    }

    /// The decision, after checking every drafted event may be held by its
    /// stream and every id it introduces is free (see [`Desk::check_ids`]).
    pub(super) fn finish_checked(mut self, desk: &Desk) -> Result<Decision, DeskError> {
        let mut seen = Vec::new();
        let erasure = self.erasure.take();
        let checks = std::mem::take(&mut self.checks);
        let streams = self.into_ordered();
        let mut writes = Vec::with_capacity(streams.len());
        for (stream, events) in streams {
            let base = desk.version(&stream);
            let mut out = Vec::with_capacity(events.len());
            for ((stamp, event), i) in events.into_iter().zip(1u64..) {
                let version = base.saturating_add(i);
                desk.check_drafted(&stream, version, &event, &mut seen)?;
                out.push(NewEvent {
                    id: stream.event_id(version),
                    schema: crate::event::SCHEMA_VERSION,
                    actor: Some(stamp.actor),
                    command: stamp.command,
                    event,
                });
            }
            writes.push(StreamWrite {
                stream,
                expected: ExpectedVersion::Exact(base),
                events: out,
            });
        }
        super::record::no_repeats(seen)?;
        let checked = Self::check_writes(checks, &writes, desk);
        writes.extend(checked);
        Ok(Decision {
            writes,
            repeat: None,
            erasure,
        })
    }

    pub(super) fn finish(mut self, desk: &Desk) -> Decision {
        let erasure = self.erasure.take();
        let checks = std::mem::take(&mut self.checks);
        let streams = self.into_ordered();
        let mut writes: Vec<StreamWrite> = streams
            .into_iter()
            .map(|(stream, events)| {
                let base = desk.version(&stream);
                let events = events
                    .into_iter()
                    .zip(1u64..)
                    .map(|((stamp, event), i)| NewEvent {
                        id: stream.event_id(base.saturating_add(i)),
                        schema: crate::event::SCHEMA_VERSION,
                        actor: Some(stamp.actor),
                        command: stamp.command,
                        event,
                    })
                    .collect();
                StreamWrite {
                    stream,
                    expected: ExpectedVersion::Exact(base),
                    events,
                }
            })
            .collect();
        let checked = Self::check_writes(checks, &writes, desk);
        writes.extend(checked);
        Decision {
            writes,
            repeat: None,
            erasure,
        }
    }
}

/// The salts the desk derives ids with, named by what each derived id is
/// for. Every derived id comes from an event id and one of these, so a
/// rebuilt desk, a retried command and a second desk all derive the same.
pub(super) mod salt {
    /// The (first) message an event queues: a reply, a page, a post going
    /// out, a survey's email. Further messages of one event take 1, 2, ...
    pub(crate) const MESSAGE: u64 = 0;
    /// The thank-you a survey answer queues.
    pub(crate) const THANK_YOU: u64 = 1;
    /// The survey invitation an event asks for (CSAT on solve, an
    /// incident's follow-up).
    pub(crate) const INVITATION: u64 = 7;
    /// The official post a public reply a rule holds becomes.
    pub(crate) const POST: u64 = 8;
    /// The customer registered for an unknown sender, from the id of their
    /// ticket's opening event.
    pub(crate) const NEW_CUSTOMER: u64 = 9;
    /// The contact registered for an unknown sender, likewise.
    pub(crate) const NEW_CONTACT: u64 = 10;
    /// The copies of a public reply to its CCs: this, plus the CC's index.
    pub(crate) const CC: u64 = 1 << 32;
    /// The pages telling followers of an entry: this, plus the index.
    pub(crate) const FOLLOWER: u64 = 2 << 32;
    /// A trigger's pages: this, with the trigger's position shifted left
    /// 16 bits and the page's index.
    pub(crate) const RULE_PAGE: u64 = 3 << 48;
}

/// The id of the message queued by `event`, `salt` among its messages.
pub(super) fn message_of(event: EventId, salt: u64) -> MessageId {
    MessageId::derive(event, salt)
}

/// The id of the survey invitation `event` asks for.
pub(super) fn invitation_of(event: EventId) -> InvitationId {
    InvitationId::from_uuid(MessageId::derive(event, salt::INVITATION).as_uuid())
}

impl Drafts {
    /// The id of the event `ahead` places after the last one drafted on
    /// `stream` (0: that last one; 1: the next to be pushed), so no caller
    /// does version arithmetic.
    pub(super) fn event_id(&self, desk: &Desk, stream: &StreamId, ahead: u64) -> EventId {
        stream.event_id(
            desk.version(stream)
                .saturating_add(self.count(stream))
                .saturating_add(ahead),
        )
    }

    /// The id of the message queued by the event `ahead` places after the
    /// last one drafted on `stream`.
    pub(super) fn message_id(
        &self,
        desk: &Desk,
        stream: &StreamId,
        ahead: u64,
        salt: u64,
    ) -> MessageId {
        message_of(self.event_id(desk, stream, ahead), salt)
    }
}

/// Whether an id is of the form the desk derives ids in (UUID version 8).
pub(super) fn is_derived(id: uuid::Uuid) -> bool {
    id.get_version() == Some(uuid::Version::Custom)
}

/// Refuses a new id a caller chose in the form the desk derives ids in:
/// the kinds the desk also derives (tickets, survey invitations) can then
/// never be taken by a caller before the desk derives them, on a command
/// or on a timer (which has nobody to refuse).
pub(super) fn check_caller_ids(action: &Action) -> Result<(), DeskError> {
    let (kind, id) = match action {
        Action::Ticket(TicketAction::Open(open)) => ("ticket", open.id.as_uuid()),
        // Used when the message opens a ticket (also a reply to a closed one).
        Action::Ticket(TicketAction::Receive(message)) => ("ticket", message.new_ticket.as_uuid()),
        Action::Ticket(TicketAction::Split { new_ticket, .. }) => ("ticket", new_ticket.as_uuid()),
        Action::Survey(SurveyAction::Send { invitation, .. }) => {
            ("invitation", invitation.as_uuid())
        }
        // The desk derives the customers and contacts of unknown senders.
        Action::Customer(CustomerAction::Register { id, .. }) => ("customer", id.as_uuid()),
        Action::Customer(CustomerAction::Update {
            command: CustomerCommand::AddContact { contact, .. },
            ..
        }) => ("contact", contact.as_uuid()),
        // The desk derives the posts of held public replies.
        Action::Post(crate::guard::PostAction::Submit { post, .. }) => ("post", post.as_uuid()),
        // Every other command names ids that exist, or introduces ids of
        // kinds the desk never derives (agents, teams, praise, incidents).
        _ => return Ok(()),
    };
    if is_derived(id) {
        return Err(DeskError::ReservedId { kind, id });
    }
    Ok(())
}

/// The stream that records a keyed command.
pub(super) fn key_stream(key: &CommandKey) -> StreamId {
    StreamId::Command(crate::id::CommandId::for_key(key.as_str()))
}

/// A fingerprint of a command's actor and action, so the same key sent
/// with another command is recognised: a hash of their serialized form
/// (the snapshot checksum's walk, optional fields left out adding
/// nothing), which takes every field, those whose `Debug` hides them
/// (spend, refund amounts) too.
pub(super) fn fingerprint(actor: &Actor, action: &Action) -> u64 {
    crate::store::command_fingerprint(&(actor, action))
}

/// The fingerprint records before schema 3 carry: FNV-1a over the debug
/// form of those builds, blind to what their `Debug` redacted. A key such
/// a record accepted is still matched by it, so a retry across an upgrade
/// is answered, not refused.
pub(super) fn legacy_fingerprint(actor: &Actor, action: &Action) -> u64 {
    let text = match action {
        // Those builds derived `RefundAction`'s `Debug`, amount and all;
        // this one redacts it.
        Action::Refund(crate::refund::RefundAction::Request {
            id,
            ticket,
            kind,
            amount,
            reason,
            note,
        }) => {
            #[derive(Debug)]
            #[allow(dead_code)] // read by the derived `Debug` alone
            struct Request<'a> {
                id: &'a crate::id::RefundId,
                ticket: &'a TicketId,
                kind: &'a crate::refund::RefundKind,
                amount: &'a crate::customer::Money,
                reason: &'a crate::incident::ReasonCode,
                note: &'a String,
            }
            let request = Request {
                id,
                ticket,
                kind,
                amount,
                reason,
                note,
            };
            format!("{actor:?}|Refund({request:?})")
        }
        _ => format!("{actor:?}|{action:?}"),
    };
    text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}
