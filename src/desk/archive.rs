//! Archiving: tickets closed longer than a window leave the desk's memory.
//!
//! When a ticket is closed, a timer starts for the archive window
//! ([`ArchivePolicy`], 120 days by default, as Zendesk archives closed
//! tickets). When it runs out, [`Desk::handle_timeout`] records the ticket
//! `archived` on its customer's archive stream ([`StreamId::Archive`]) and
//! every area forgets what it held about it: the ticket and its indexes,
//! its SLA record, its outbound messages (once settled) and its survey
//! invitations (their CSAT ratings stay counted per agent), and their
//! stream versions. An archived ticket costs the desk no memory.
//!
//! What was archived stays in the store, unchanged, and is read on demand:
//! - [`TicketsView::archived`](super::TicketsView::archived) reads one
//!   archived ticket back (with its SLA record);
//! - a message on an archived ticket opens a follow-up linked to it, as a
//!   message on a closed ticket does: the desk reads the customer's
//!   archive to check the ticket was theirs ([`Desk::archive_needed`],
//!   [`CustomerArchive`], [`Desk::decide_with_archive`]; [`Desk::execute`]
//!   does this itself);
//! - erasing a contact reads their customer's archive too, so what they
//!   wrote on archived tickets is erased in the store like the rest;
//! - [`crate::metrics::Metrics::archived`] says how many tickets opened in
//!   a report's period were archived and are not in its figures.

#![allow(clippy::wildcard_imports)]

use super::*;
use crate::id::InvitationId;

/// How long closed tickets stay in memory before they are archived.
///
/// ```
/// use chrono::Duration;
/// use fanatical::desk::{ArchivePolicy, DeskConfig};
///
/// assert_eq!(ArchivePolicy::default().after(), Some(Duration::days(120)));
/// let week = ArchivePolicy::after_closed(Duration::days(7))?;
/// let config = DeskConfig::default().with_archive(week);
/// assert_eq!(config.archive.after(), Some(Duration::days(7)));
/// assert!(ArchivePolicy::after_closed(Duration::zero()).is_err());
/// assert_eq!(ArchivePolicy::never().after(), None);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "ArchiveRepr", into = "ArchiveRepr")]
pub struct ArchivePolicy {
    after: Option<Duration>,
}

impl Default for ArchivePolicy {
    /// 120 days after a ticket is closed.
    fn default() -> Self {
        ArchivePolicy {
            after: Some(Duration::days(120)),
        }
    }
}

impl ArchivePolicy {
    /// Archive tickets this long after they are closed.
    ///
    /// # Errors
    /// [`crate::time::DurationOutOfRange`] unless from one minute to 100
    /// years.
    pub fn after_closed(window: Duration) -> Result<Self, crate::time::DurationOutOfRange> {
        let window = crate::time::check(
            "archive window",
            window,
            Duration::minutes(1),
            crate::time::MAX_CONFIGURED,
        )?;
        Ok(ArchivePolicy {
            after: Some(window),
        })
    }

    /// Never archive: every ticket stays in memory.
    #[must_use]
    pub fn never() -> Self {
        ArchivePolicy { after: None }
    }

    /// How long after closing a ticket is archived (`None`: never).
    #[must_use]
    pub fn after(&self) -> Option<Duration> {
        self.after
    }

    /// When a ticket closed at `closed_at` is archived.
    pub(super) fn due(&self, closed_at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.after.map(|w| crate::time::plus(closed_at, w))
    }
}

/// The policy on the wire: the window in seconds, or null for never.
#[derive(Serialize, Deserialize)]
struct ArchiveRepr {
    after_seconds: Option<i64>,
}

impl TryFrom<ArchiveRepr> for ArchivePolicy {
    type Error = crate::time::DurationOutOfRange;
    fn try_from(r: ArchiveRepr) -> Result<Self, Self::Error> {
        match r.after_seconds {
            None => Ok(ArchivePolicy::never()),
            Some(secs) => {
                let d = Duration::try_seconds(secs).unwrap_or(if secs < 0 {
                    Duration::MIN
                } else {
                    Duration::MAX
                });
                ArchivePolicy::after_closed(d)
            }
        }
    }
}

impl From<ArchivePolicy> for ArchiveRepr {
    fn from(p: ArchivePolicy) -> Self {
        ArchiveRepr {
            after_seconds: p.after.map(|d| d.num_seconds()),
        }
    }
}

/// How many tickets one `handle_timeout` archives at most.
pub(super) const ARCHIVALS_PER_DECISION: usize = 1_000;

/// What a command needs read from a customer's archive before it can be
/// decided (see [`Desk::archive_needed`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ArchiveNeed {
    /// Whose archive.
    pub customer: CustomerId,
    /// Whether the archived tickets' contents are needed (an erasure), or
    /// the index of archived tickets alone (a reply to one).
    pub contents: bool,
    /// Contacts whose survey invitations are read too (the erased one's,
    /// whichever ticket they were about).
    pub contacts: Vec<ContactId>,
    /// The legacy desk-wide streams ([`StreamId::Outbox`],
    /// [`StreamId::Surveys`]) the desk holds, read with the contents: a
    /// store written before messages and invitations had streams of their
    /// own keeps the archived tickets' messages and answers there.
    pub legacy: Vec<StreamId>,
}

impl ArchiveNeed {
    /// The streams to read, besides the customer's archive index
    /// (`index`, [`StreamId::Archive`]), for
    /// [`CustomerArchive::from_records`]: none when only the index is
    /// needed; with the contents, every archived ticket's stream, its
    /// messages' streams, the survey invitations of its requester and
    /// of this need's contacts, and the [`ArchiveNeed::legacy`] streams.
    /// What [`CustomerArchive::read`] reads, for
    /// a caller reading the store its own way (an async store).
    ///
    /// ```
    /// # use chrono::Duration;
    /// # use fanatical::prelude::*;
    /// use fanatical::desk::{ArchiveNeed, CustomerArchive};
    /// use fanatical::event::StreamId;
    /// use fanatical::ticket::Status;
    /// # let fanatical::desk::fixture::Fixture { mut desk, mut store, now, acme, jane, ana, ticket, .. } = fanatical::desk::fixture::fixture()?;
    /// // Jane's ticket is solved and closed, and archived 120 days later.
    /// let assign = TicketAction::assign(ticket, ana);
    /// let solve = TicketAction::set_status(ticket, Status::Solved);
    /// let close = TicketAction::set_status(ticket, Status::Closed);
    /// for action in [assign, solve, close] {
    ///     desk.execute(&mut store, Command::new(Actor::Agent(ana), action), now)?;
    /// }
    /// desk.handle_timeout(&mut store, now + Duration::days(121))?;
    /// assert!(desk.tickets().get(ticket).is_none());
    ///
    /// let erase = Command::new(
    ///     Actor::integration("privacy"),
    ///     CustomerAction::EraseContact {
    ///         customer: acme,
    ///         contact: jane,
    ///         scope: fanatical::customer::ErasureScope::ProfileAndMessages,
    ///     },
    /// );
    /// let need: ArchiveNeed = desk.archive_needed(&erase).expect("an erasure reads the archive");
    /// let index = store.read_stream(&StreamId::Archive(acme), 0)?;
    /// let streams = need.content_streams(&index);
    /// assert_eq!(streams.first(), Some(&StreamId::Ticket(ticket)));
    /// assert_eq!(streams.last(), Some(&StreamId::Invitations(jane)));
    /// // Read them any way you like (here, the blocking store) and build it.
    /// let mut records = Vec::new();
    /// for stream in &streams {
    ///     records.extend(store.read_stream(stream, 0)?);
    /// }
    /// let archive = CustomerArchive::from_records(acme, &index, &records);
    /// assert_eq!(archive, CustomerArchive::read(&store, &need)?);
    /// assert!(archive.contains(ticket));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn content_streams(&self, index: &[RecordedEvent]) -> Vec<StreamId> {
        if !self.contents {
            return Vec::new();
        }
        let mut streams = Vec::new();
        let mut contacts: std::collections::BTreeSet<ContactId> =
            self.contacts.iter().copied().collect();
        for r in index
            .iter()
            .filter(|r| r.stream == StreamId::Archive(self.customer))
        {
            if let Event::Ticket(TicketEvent {
                kind:
                    TicketEventKind::Archived {
                        ticket,
                        requester,
                        messages,
                        ..
                    },
                ..
            }) = &r.event
            {
                streams.push(StreamId::Ticket(*ticket));
                streams.extend(messages.iter().map(|m| StreamId::Message(*m)));
                contacts.extend(*requester);
            }
        }
        streams.extend(contacts.into_iter().map(StreamId::Invitations));
        streams.extend(self.legacy.iter().copied());
        streams
    }
}

/// One ticket in a customer's archive, as its `archived` event records it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ArchivedEntry {
    /// The ticket.
    pub ticket: TicketId,
    /// Who opened it, if a contact did.
    pub requester: Option<ContactId>,
    /// When it was opened.
    pub opened_at: DateTime<Utc>,
    /// When it was closed.
    pub closed_at: DateTime<Utc>,
    /// When it was archived.
    pub archived_at: DateTime<Utc>,
    /// The outbound messages about it that left memory with it.
    pub messages: Vec<MessageId>,
    /// The survey invitations about it that left memory with it.
    pub invitations: Vec<InvitationId>,
}

/// A customer's archived tickets, read from the store: what a command
/// that concerns them needs and the desk no longer holds
/// ([`Desk::archive_needed`]). [`CustomerArchive::read`] reads it from a
/// [`Store`]; an async caller reads the same streams itself and builds it
/// with [`CustomerArchive::from_records`].
#[derive(Debug, Clone, PartialEq)]
pub struct CustomerArchive {
    customer: CustomerId,
    /// Whether the archived tickets' contents were read, not only the
    /// index.
    contents: bool,
    /// The version of the customer's archive stream this was read at.
    version: u64,
    entries: Vec<ArchivedEntry>,
    /// The archived tickets, folded from their streams.
    tickets: BTreeMap<TicketId, Ticket>,
    /// Their messages and invitations, folded from their streams.
    outbox: Outbox,
    surveys: Invitations,
}

impl CustomerArchive {
    /// Reads a customer's archive from the store: the index on
    /// [`StreamId::Archive`]; and when `need` asks for the contents, every
    /// archived ticket's stream, its messages' streams, and the survey
    /// invitations of its requester and of `need`'s contacts, and the
    /// legacy desk-wide streams of [`ArchiveNeed::legacy`] (whole: a store
    /// written before messages and invitations had their own streams pays
    /// for reading them on each erasure and export).
    ///
    /// # Errors
    /// Store errors.
    pub fn read<S: Store + ?Sized>(store: &S, need: &ArchiveNeed) -> Result<Self, Error> {
        let customer = need.customer;
        let index = store.read_stream(&StreamId::Archive(customer), 0)?;
        let mut streams: Vec<Vec<RecordedEvent>> = Vec::new();
        for stream in need.content_streams(&index) {
            streams.push(store.read_stream(&stream, 0)?);
        }
        Ok(Self::from_records(
            customer,
            &index,
            streams.iter().flatten(),
        ))
    }

    /// Builds the archive from what the store holds: `index`, the
    /// customer's [`StreamId::Archive`] stream, and `records`, the events
    /// of the streams [`CustomerArchive::read`] reads (the archived
    /// tickets' streams, their messages' streams, their requesters'
    /// invitations, the legacy desk-wide outbox and surveys streams), in
    /// any order. Events of other streams, and events there about other
    /// tickets, are ignored.
    pub fn from_records<'a>(
        customer: CustomerId,
        index: &[RecordedEvent],
        records: impl IntoIterator<Item = &'a RecordedEvent>,
    ) -> Self {
        let mut records = records.into_iter().peekable();
        // Read with the contents when any of them was handed in, or when
        // there is nothing archived to read.
        let contents = records.peek().is_some() || index.is_empty();
        let entries: Vec<ArchivedEntry> = index
            .iter()
            .filter(|r| r.stream == StreamId::Archive(customer))
            .filter_map(|r| match &r.event {
                Event::Ticket(TicketEvent {
                    at,
                    kind:
                        TicketEventKind::Archived {
                            ticket,
                            requester,
                            opened_at,
                            closed_at,
                            messages,
                            invitations,
                        },
                }) => Some(ArchivedEntry {
                    ticket: *ticket,
                    requester: *requester,
                    opened_at: *opened_at,
                    closed_at: *closed_at,
                    archived_at: *at,
                    messages: messages.clone(),
                    invitations: invitations.clone(),
                }),
                _ => None,
            })
            .collect();
        let version = index
            .iter()
            .filter(|r| r.stream == StreamId::Archive(customer))
            .map(|r| r.version)
            .max()
            .unwrap_or(0);
        let archived: std::collections::BTreeSet<TicketId> =
            entries.iter().map(|e| e.ticket).collect();
        let messages: std::collections::BTreeSet<MessageId> =
            entries.iter().flat_map(|e| e.messages.clone()).collect();
        let invitations: std::collections::BTreeSet<InvitationId> =
            entries.iter().flat_map(|e| e.invitations.clone()).collect();
        let mut tickets: BTreeMap<TicketId, Ticket> = BTreeMap::new();
        let mut outbox = Outbox::default();
        let mut surveys = Invitations::default();
        // In store order: a message queued on the legacy outbox stream has
        // its later events on its own stream, read after it.
        let mut records: Vec<&RecordedEvent> = records.collect();
        records.sort_by_key(|r| r.position);
        records.dedup_by_key(|r| r.position);
        for r in records {
            match (&r.stream, &r.event) {
                (StreamId::Ticket(id), Event::Ticket(e)) if archived.contains(id) => {
                    match tickets.get_mut(id) {
                        Some(t) => t.apply(e),
                        None => {
                            if let Some(t) = Ticket::from_opened(e) {
                                tickets.insert(*id, t);
                            }
                        }
                    }
                }
                (StreamId::Message(id), Event::Outbox(e)) if messages.contains(id) => {
                    outbox.apply(r.position, e);
                }
                (StreamId::Outbox, Event::Outbox(e)) if messages.contains(&e.kind.message()) => {
                    outbox.apply(r.position, e);
                }
                (StreamId::Invitations(_) | StreamId::Surveys, Event::Survey(e)) => {
                    let id = match &e.kind {
                        crate::survey::SurveyEventKind::Invited { invitation } => invitation.id,
                        crate::survey::SurveyEventKind::Answered { invitation, .. } => *invitation,
                    };
                    if invitations.contains(&id) {
                        surveys.apply(e);
                    }
                }
                _ => {}
            }
        }
        // A ticket listed here by a customer merge still names the
        // source in its own record: read it as the surviving customer's,
        // as the desk moved the tickets it held.
        for t in tickets.values_mut() {
            follow_merge(t, customer);
        }
        CustomerArchive {
            customer,
            contents,
            version,
            entries,
            tickets,
            outbox,
            surveys,
        }
    }

    /// Whose archive it is.
    #[must_use]
    pub fn customer(&self) -> CustomerId {
        self.customer
    }

    /// Whether the archived tickets' contents were read, not only the
    /// index (see [`ArchiveNeed::contents`]).
    #[must_use]
    pub fn has_contents(&self) -> bool {
        self.contents
    }

    /// The archived tickets, oldest archival first.
    #[must_use]
    pub fn entries(&self) -> &[ArchivedEntry] {
        &self.entries
    }

    /// Whether `ticket` is one of them.
    #[must_use]
    pub fn contains(&self, ticket: TicketId) -> bool {
        self.entries.iter().any(|e| e.ticket == ticket)
    }

    /// An archived ticket as its stream folds (`None` when it is not in
    /// the archive or its stream was not read), as a ticket of this
    /// archive's customer: one listed here by a customer merge reads as
    /// the target's, though its record names the source.
    #[must_use]
    pub fn ticket(&self, id: TicketId) -> Option<&Ticket> {
        self.tickets.get(&id)
    }

    /// Every archived ticket read, by id.
    pub fn tickets(&self) -> impl Iterator<Item = &Ticket> {
        self.tickets.values()
    }

    /// The archived tickets' outbound messages.
    #[must_use]
    pub(super) fn outbox(&self) -> &Outbox {
        &self.outbox
    }

    /// The archived tickets' survey invitations.
    #[must_use]
    pub(super) fn surveys(&self) -> &Invitations {
        &self.surveys
    }
}

impl Desk {
    /// Records `archived` for every closed ticket in `due` whose archive
    /// window has run out by `now`.
    pub(super) fn decide_archival(&self, d: &mut Drafts, due: &[TicketId], now: DateTime<Utc>) {
        // At most this many per decision: the first run after archiving is
        // turned on finds every old closed ticket due at once, and one
        // append of them all would be huge (and fail whole on one
        // conflict). The rest stay due: `poll_timeout` says so at once.
        for id in due.iter().take(ARCHIVALS_PER_DECISION) {
            let Some(t) = self.state.tickets.get(*id) else {
                continue;
            };
            let ripe = archive_due(&self.state, &self.config.archive, *id)
                .is_some_and(|(at, _)| at <= now);
            if !ripe {
                continue;
            }
            // Every message about it: the settled ones leave memory with
            // it, the others when they settle.
            let messages = self.state.outbox.about(*id).map(|e| e.message.id).collect();
            // Listed in the archive of the customer as this desk knows
            // them: another desk's merge of them recorded meanwhile makes
            // the append conflict, and the retry lists it in the target's.
            d.check(StreamId::Customer(t.customer()));
            let invitations = self.state.surveys.about(*id).collect();
            d.push(
                StreamId::Archive(t.customer()),
                [Event::Ticket(TicketEvent {
                    at: now,
                    kind: TicketEventKind::Archived {
                        ticket: *id,
                        requester: t.requester(),
                        opened_at: t.opened_at(),
                        closed_at: t.updated_at(),
                        messages,
                        invitations,
                    },
                })],
            );
        }
    }

    /// Starts, or stops, a ticket's archive timer after an event on it.
    /// Not before its survey invitations expire unanswered: a customer's
    /// answer to one is never refused for the archive.
    /// Only a closed ticket has one (closed is terminal; archival stops
    /// it), so applying any other ticket's events costs one lookup.
    pub(super) fn archive_timer(&mut self, ticket: TicketId) {
        if let Some(due) = archive_due(&self.state, &self.config.archive, ticket) {
            self.timers.set(Timer::Archive(ticket), Some(due));
        }
    }

    /// Folds an `archived` event: every area forgets the ticket.
    pub(super) fn forget_ticket(&mut self, ticket: TicketId, at: DateTime<Utc>) {
        self.timers.set(Timer::Archive(ticket), None);
        let remembered = self.state.tickets.get(ticket).is_some_and(|t| {
            t.id() == t.customer().onboarding_ticket()
                || t.requester().is_some_and(|c| {
                    self.state
                        .incidents
                        .iter()
                        .any(|i| i.id().call_out_ticket(c) == ticket)
                })
        });
        let s = &mut self.state;
        s.tickets.remove(ticket, self.config.time_zone, at);
        if let Some(sla) = s.slas.remove(ticket) {
            for t in sla.timers() {
                self.timers.move_sla(t.key, Some(t.at), None);
            }
        }
        // A ticket whose id the desk derives from what it stays for (a
        // customer's onboarding offer, an incident's call-out task) keeps
        // its stream's version: the desk must still know it was opened, or
        // it would open it again. One per customer or call-out.
        if !remembered {
            s.versions.remove(&StreamId::Ticket(ticket));
        }
        s.versions.remove(&StreamId::Sla(ticket));
        for m in s.outbox.forget_ticket(ticket) {
            s.versions.remove(&StreamId::Message(m));
        }
        s.surveys.forget_ticket(ticket);
    }

    /// Which customer's archive `command` needs read from the store before
    /// it can be decided, if any: a message in reply to a ticket the desk
    /// no longer holds, from a customer with archived tickets, the
    /// erasure of a contact of such a customer, or the merge of such a
    /// customer into another. [`Desk::decide`] refuses
    /// such a command with [`DeskError::ArchiveNeeded`]; read the archive
    /// ([`CustomerArchive::read`]) and call [`Desk::decide_with_archive`].
    /// [`Desk::execute`] does both itself.
    #[must_use]
    pub fn archive_needed(&self, command: &Command) -> Option<ArchiveNeed> {
        let need = match &command.action {
            Action::Ticket(TicketAction::Receive(msg)) => {
                let id = msg.in_reply_to?;
                if self.state.tickets.get(id).is_some() {
                    return None;
                }
                let from = msg.from.clone().validated().ok()?;
                ArchiveNeed {
                    customer: self.state.customers.find_contact(&from)?.customer,
                    contents: false,
                    contacts: Vec::new(),
                    legacy: Vec::new(),
                }
            }
            Action::Customer(CustomerAction::EraseContact {
                customer, contact, ..
            }) => ArchiveNeed {
                customer: *customer,
                contents: true,
                // With the contacts merged into them: the same person.
                contacts: std::iter::once(*contact)
                    .chain(
                        self.state
                            .customers
                            .get(*customer)
                            .map(|c| c.merged_into(*contact))
                            .unwrap_or_default(),
                    )
                    .collect(),
                legacy: self.legacy_streams(),
            },
            // A customer merge lists the source's archived tickets in the
            // target's archive: the index alone.
            Action::Customer(CustomerAction::MergeCustomers { source, .. }) => ArchiveNeed {
                customer: *source,
                contents: false,
                contacts: Vec::new(),
                legacy: Vec::new(),
            },
            _ => return None,
        };
        (self.version(&StreamId::Archive(need.customer)) > 0).then_some(need)
    }

    /// Decides a command that needs a customer's archive (see
    /// [`Desk::archive_needed`]) with the archive read from the store.
    /// The decision depends on the archive as read: if more of the
    /// customer's tickets were archived since, appending it conflicts.
    ///
    /// # Errors
    /// As [`Desk::decide`]; [`DeskError::ArchiveNeeded`] if `archive` is
    /// another customer's, or older than the desk's record of it.
    pub fn decide_with_archive(
        &self,
        command: Command,
        now: DateTime<Utc>,
        archive: &CustomerArchive,
    ) -> Result<Decision, Error> {
        let customer = archive.customer();
        let fits = self
            .archive_needed(&command)
            .is_some_and(|n| n.customer == customer && (archive.contents || !n.contents));
        if !fits || archive.version < self.version(&StreamId::Archive(customer)) {
            return Err(DeskError::ArchiveNeeded { customer }.into());
        }
        self.decide_inner(command, now, Some(archive))
    }

    /// The legacy desk-wide streams this desk holds that may hold an
    /// archived ticket's messages and answers (see [`ArchiveNeed::legacy`]).
    pub(super) fn legacy_streams(&self) -> Vec<StreamId> {
        [StreamId::Outbox, StreamId::Surveys]
            .into_iter()
            .filter(|s| self.version(s) > 0)
            .collect()
    }

    /// The archive `d` was decided with, when it is `customer`'s.
    pub(super) fn archive_of(d: &Drafts, customer: CustomerId) -> Option<&CustomerArchive> {
        d.archive.as_deref().filter(|a| a.customer() == customer)
    }
}

/// An archived ticket read back from the store: **the raw record**, like
/// [`TicketsView::get`](super::TicketsView::get) — show a person its views
/// ([`Desk::archived_agent_view`], [`Desk::archived_customer_view`]).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ArchivedTicket {
    /// The ticket, folded from its stream.
    pub ticket: Ticket,
    /// Its SLA record, folded from its stream.
    pub sla: Option<TicketSla>,
}

impl Desk {
    /// Reads a ticket from the store, whether or not it is still in
    /// memory: an archived ticket on demand, under the customer its own
    /// customer was merged into, if it was (the record archived before a
    /// merge still names the source; see
    /// [`CustomerAction::MergeCustomers`](super::CustomerAction::MergeCustomers)).
    /// `None` when the store holds no such ticket.
    ///
    /// # Errors
    /// Store errors.
    pub(crate) fn read_archived<S: Store + ?Sized>(
        &self,
        store: &S,
        id: TicketId,
    ) -> Result<Option<ArchivedTicket>, Error> {
        let mut read = Self::read_ticket(store, id)?;
        if let Some(a) = read.as_mut() {
            let live = self.state.customers.live_id(a.ticket.customer());
            follow_merge(&mut a.ticket, live);
        }
        Ok(read)
    }

    /// A ticket's record as its stream holds it (see
    /// [`Desk::read_archived`]).
    fn read_ticket<S: Store + ?Sized>(
        store: &S,
        id: TicketId,
    ) -> Result<Option<ArchivedTicket>, Error> {
        let mut ticket: Option<Ticket> = None;
        for r in store.read_stream(&StreamId::Ticket(id), 0)? {
            if let Event::Ticket(e) = &r.event {
                match ticket.as_mut() {
                    Some(t) => t.apply(e),
                    None => ticket = Ticket::from_opened(e),
                }
            }
        }
        let Some(ticket) = ticket else {
            return Ok(None);
        };
        let mut slas = slas::Slas::default();
        for r in store.read_stream(&StreamId::Sla(id), 0)? {
            if let Event::Sla(e) = &r.event {
                let _ = slas.apply(id, || Some(ticket.customer()), e, false);
            }
        }
        Ok(Some(ArchivedTicket {
            ticket,
            sla: slas.remove(id),
        }))
    }

    /// An archived ticket as an agent sees it (see
    /// [`Desk::agent_ticket_view`]), read from the store.
    ///
    /// # Errors
    /// [`DeskError::UnknownTicket`] when the store holds no such ticket;
    /// store errors.
    pub fn archived_agent_view<S: Store + ?Sized>(
        &self,
        store: &S,
        ticket: TicketId,
    ) -> Result<AgentTicketView, Error> {
        let t = self
            .read_archived(store, ticket)?
            .ok_or(DeskError::UnknownTicket(ticket))?;
        self.agent_view_of(&t.ticket)
    }

    /// An archived ticket as one of the customer's contacts sees it (see
    /// [`Desk::customer_ticket_view`]), read from the store.
    ///
    /// # Errors
    /// [`DeskError::UnknownTicket`] when the store holds no such ticket;
    /// as [`Desk::customer_ticket_view`]; store errors.
    pub fn archived_customer_view<S: Store + ?Sized>(
        &self,
        store: &S,
        ticket: TicketId,
        contact: ContactId,
    ) -> Result<CustomerTicketView, Error> {
        let t = self
            .read_archived(store, ticket)?
            .ok_or(DeskError::UnknownTicket(ticket))?;
        // As for a ticket in memory: the contact's permissions decide.
        if self.state.customers.customer_of(contact) == Some(t.ticket.customer()) {
            self.check_on_facts(
                &crate::actor::Actor::Contact(contact),
                crate::permission::Permission::ViewTickets,
                &t.ticket,
            )?;
        }
        self.customer_view_of(&t.ticket, contact)
    }

    /// An archived crisis ticket as a safety responder sees it (see
    /// [`Desk::safety_ticket_view`]): the whole conversation, read from
    /// the store, with the crisis record, which stays in memory.
    ///
    /// # Errors
    /// [`PermissionError::Denied`](crate::permission::PermissionError::Denied)
    /// for a viewer without crisis details (checked before the store is
    /// read) or without the ticket in their view scope; an unknown or
    /// deactivated viewer; [`DeskError::UnknownTicket`] when the store
    /// holds no such ticket; store errors.
    pub fn archived_safety_ticket_view<S: Store + ?Sized>(
        &self,
        store: &S,
        ticket: TicketId,
        viewer: AgentId,
    ) -> Result<super::SafetyTicketView, Error> {
        self.safety_responder(viewer)?;
        let t = self
            .read_archived(store, ticket)?
            .ok_or(DeskError::UnknownTicket(ticket))?;
        self.check_on_facts(
            &crate::actor::Actor::Agent(viewer),
            crate::permission::Permission::ViewTickets,
            &t.ticket,
        )?;
        let mut view = AgentTicketView::from_ticket(&t.ticket);
        view.ccs = self.shown_ccs(&t.ticket);
        Ok(super::SafetyTicketView {
            ticket: view,
            record: self.state.crises.get(ticket).cloned(),
        })
    }
}

/// `t` as a ticket of `customer`, when its own customer was merged into
/// `customer`: what [`TicketEventKind::CustomerChanged`] does to a ticket
/// in memory, dated as the ticket's last change so nothing else moves.
fn follow_merge(t: &mut Ticket, customer: CustomerId) {
    let from = t.customer();
    if from != customer {
        t.apply(&TicketEvent {
            at: t.updated_at(),
            kind: TicketEventKind::CustomerChanged { from, to: customer },
        });
    }
}

/// When a ticket is archived: its window after it was closed, and not
/// before its unanswered survey invitations expire. `None` unless closed.
pub(super) fn archive_due(
    state: &State,
    policy: &ArchivePolicy,
    ticket: TicketId,
) -> Option<(DateTime<Utc>, TimerKind)> {
    let t = state.tickets.get(ticket)?;
    if t.status() != Status::Closed {
        return None;
    }
    let after = policy.due(t.updated_at())?;
    let expiry = state
        .surveys
        .about(ticket)
        .filter_map(|id| state.surveys.get(id))
        .filter(|r| r.answered.is_none())
        .map(|r| r.invitation.expires_at)
        .max();
    Some((expiry.map_or(after, |e| e.max(after)), TimerKind::Archive))
}
