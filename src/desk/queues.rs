//! Queues over the desk: each ticket's keys kept in a compact queue
//! index as events are applied (built once at the end of a replay and on
//! a snapshot's restore), the [`QueuesView`] that answers queues from it
//! with rows built from the tickets of the page, and the rows a database
//! read model needs to stay current.

#![allow(clippy::wildcard_imports)]

use super::*;
use crate::queue::{
    Cursor, Facts, MemoryQueues, NextDeadline, Queue, QueueError, QueueIndex, QueuePage,
    QueueQuery, QueueRow, Restriction, RowChange,
};
use crate::sla::Phase;

/// Queues: pages and counts of [`Queue`]s, answered from the desk's
/// indexes, and the rows a read model of your own takes in.
///
/// Borrowed from [`Desk::queues`].
#[derive(Clone, Copy)]
pub struct QueuesView<'a> {
    desk: &'a Desk,
}

impl std::fmt::Debug for QueuesView<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QueuesView").finish_non_exhaustive()
    }
}

impl<'a> QueuesView<'a> {
    /// A page of `queue` at `now` for `viewer` ("me" in its filters): at
    /// most `limit` rows after `cursor` (the first page without one), only
    /// tickets `restriction` allows. **Unchecked**: the restriction is the
    /// caller's and nothing here checks who is asking, so it is for
    /// trusted code (a report, a read model's conformance test) that may
    /// ask for everything. A service showing a queue to a person calls
    /// [`QueuesView::page_as`], which derives the restriction from their
    /// permissions. Pass the page's `next` back for the page after it.
    ///
    /// # Errors
    /// A bad queue or query: see [`QueueQuery::new`]; a field filter the
    /// desk's catalog refuses: see [`Queue::check_fields`];
    /// [`QueueError::NotIndexed`] when the desk keeps no queue index.
    ///
    /// ```
    /// # use chrono::{Duration, TimeZone, Utc};
    /// # use fanatical::prelude::*;
    /// # let fanatical::desk::fixture::Fixture { mut desk, mut store, mut ids, now, acme, jane, ana, ticket, email } =
    /// #     fanatical::desk::fixture::fixture()?;
    /// use fanatical::queue::{Filter, Queue, Restriction, Sort, SortBy};
    /// let open = Queue::new(Sort::ascending(SortBy::NextDeadline))
    ///     .with(Filter::Status([Status::New, Status::Open].into()));
    /// let page = desk.queues().page(&open, Some(ana), &Restriction::All, None, 50, now)?;
    /// assert_eq!(page.rows[0].id, ticket);
    /// assert_eq!(page.next, None); // one page holds them all
    /// assert_eq!(desk.queues().count(&open, Some(ana), &Restriction::All, now)?, 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn page(
        &self,
        queue: &Queue,
        viewer: Option<AgentId>,
        restriction: &Restriction,
        cursor: Option<&Cursor>,
        limit: usize,
        now: DateTime<Utc>,
    ) -> Result<QueuePage, QueueError> {
        let q = QueueQuery::new(queue, viewer, restriction.clone(), cursor, limit)?;
        queue.check_fields(self.desk.fields().catalog())?;
        if !self.desk.config.queue_index {
            return Err(QueueError::NotIndexed);
        }
        let answer = self.desk.queues.page(&q, now);
        Ok(QueuePage {
            rows: answer
                .ids
                .iter()
                .filter_map(|id| self.desk.queue_row(*id))
                .collect(),
            next: answer.next,
        })
    }

    /// How many tickets `queue` holds for `viewer` at `now`, all pages.
    /// **Unchecked**, as [`QueuesView::page`]; a service counting for a
    /// person calls [`QueuesView::count_as`].
    ///
    /// # Errors
    /// As [`QueuesView::page`] (the page size is not asked).
    pub fn count(
        &self,
        queue: &Queue,
        viewer: Option<AgentId>,
        restriction: &Restriction,
        now: DateTime<Utc>,
    ) -> Result<u64, QueueError> {
        let q = QueueQuery::new(queue, viewer, restriction.clone(), None, 1)?;
        queue.check_fields(self.desk.fields().catalog())?;
        if !self.desk.config.queue_index {
            return Err(QueueError::NotIndexed);
        }
        Ok(self.desk.queues.count(&q, now))
    }

    /// A page of `queue` as `viewer` may see it: the form a service
    /// showing a queue to a person calls. The tickets are those
    /// [`Desk::queue_restriction`] gives the viewer (their
    /// [`Permission::ViewTickets`](crate::permission::Permission::ViewTickets)
    /// scope, by the predicate commands are checked with), "me" in the
    /// queue's filters is the viewer, and a crisis ticket's row shows no
    /// subject (as every row does). Otherwise as [`QueuesView::page`].
    ///
    /// # Errors
    /// [`PermissionError::Denied`](crate::permission::PermissionError::Denied)
    /// for a viewer who may view no ticket;
    /// [`DeskError::NeedsAgent`] for a contact (a portal lists their
    /// tickets with [`TicketsView::seen_by`](super::TicketsView::seen_by));
    /// the viewer's own errors (unknown, inactive); a bad queue or query
    /// as [`QueuesView::page`] ([`crate::Error::Queue`]).
    ///
    /// ```
    /// # use fanatical::prelude::*;
    /// # let fanatical::desk::fixture::Fixture { desk, ana, ticket, now, .. } = fanatical::desk::fixture::fixture()?;
    /// use fanatical::queue::{Filter, Queue, Sort, SortBy};
    /// let open = Queue::new(Sort::ascending(SortBy::NextDeadline))
    ///     .with(Filter::Status([Status::New, Status::Open].into()));
    /// let page = desk.queues().page_as(&open, &Actor::Agent(ana), None, 50, now)?;
    /// assert_eq!(page.rows[0].id, ticket);
    /// assert_eq!(desk.queues().count_as(&open, &Actor::Agent(ana), now)?, 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn page_as(
        &self,
        queue: &Queue,
        viewer: &Actor,
        cursor: Option<&Cursor>,
        limit: usize,
        now: DateTime<Utc>,
    ) -> Result<QueuePage, Error> {
        let restriction = self.desk.queue_restriction(viewer)?;
        Ok(self.page(queue, viewer.agent(), &restriction, cursor, limit, now)?)
    }

    /// How many tickets `queue` holds for `viewer`, all pages, counting
    /// only tickets they may see: the checked form of
    /// [`QueuesView::count`], as [`QueuesView::page_as`] is of
    /// [`QueuesView::page`].
    ///
    /// # Errors
    /// As [`QueuesView::page_as`].
    pub fn count_as(
        &self,
        queue: &Queue,
        viewer: &Actor,
        now: DateTime<Utc>,
    ) -> Result<u64, Error> {
        let restriction = self.desk.queue_restriction(viewer)?;
        Ok(self.count(queue, viewer.agent(), &restriction, now)?)
    }

    /// A [`MemoryQueues`] of every ticket's row as it is now: a copy
    /// (the desk keeps only its compact index, and builds rows for the
    /// pages it answers), to answer [`QueueQuery`]s made once and asked
    /// many times without the desk. Empty when
    /// [`DeskConfig::queue_index`](super::DeskConfig::queue_index) is off.
    #[must_use]
    pub fn model(&self) -> MemoryQueues {
        let mut model = MemoryQueues::new();
        if self.desk.config.queue_index {
            for row in self.rows() {
                model.upsert(row);
            }
        }
        model
    }

    /// A ticket's row, as the desk holds it now; `None` for a ticket not
    /// in memory.
    #[must_use]
    pub fn row(&self, ticket: TicketId) -> Option<QueueRow> {
        self.desk.queue_row(ticket)
    }

    /// Every ticket's row: what a read model of your own starts from.
    pub fn rows(&self) -> impl Iterator<Item = QueueRow> + 'a {
        let desk = self.desk;
        desk.state
            .tickets
            .iter()
            .filter_map(move |t| desk.queue_row(t.id()))
    }

    /// What a read model must take in after `recorded` was applied to
    /// this desk: each ticket the batch touched (its ticket or SLA
    /// stream, its archiving, an erasure of its customer's contact, its
    /// crisis being recorded), once,
    /// with its row as it now is or its removal.
    #[must_use]
    pub fn changes(&self, recorded: &[RecordedEvent]) -> Vec<RowChange> {
        let mut touched: Vec<TicketId> = Vec::new();
        for r in recorded {
            match (&r.stream, &r.event) {
                (StreamId::Ticket(id) | StreamId::Sla(id), _) => touched.push(*id),
                (StreamId::Archive(_), Event::Ticket(e)) => {
                    if let TicketEventKind::Archived { ticket, .. } = &e.kind {
                        touched.push(*ticket);
                    }
                }
                (StreamId::Customer(c), Event::Customer(e)) if erases(&e.kind) => {
                    touched.extend(self.desk.state.tickets.of_customer(*c).map(Ticket::id));
                }
                // A crisis hides its ticket's subject from the row.
                (StreamId::Crisis, Event::Crisis(e)) => {
                    let crate::crisis::CrisisEventKind::Flagged { record } = &e.kind;
                    touched.push(record.ticket);
                }
                _ => {}
            }
        }
        let mut seen = std::collections::HashSet::new();
        touched
            .into_iter()
            .filter(|id| seen.insert(*id))
            .map(|id| match self.desk.queue_row(id) {
                Some(row) => RowChange::Upsert(row),
                None => RowChange::Remove(id),
            })
            .collect()
    }
}

/// Whether a customer event erases words from their tickets (a subject
/// may go).
fn erases(kind: &CustomerEventKind) -> bool {
    matches!(
        kind,
        CustomerEventKind::ContactErased { .. } | CustomerEventKind::ArchiveErased { .. }
    )
}

impl Desk {
    /// Queues: see [`QueuesView`].
    #[must_use]
    pub fn queues(&self) -> QueuesView<'_> {
        QueuesView { desk: self }
    }

    /// A ticket's queue row from its record and its SLA.
    pub(super) fn queue_row(&self, id: TicketId) -> Option<QueueRow> {
        let t = self.state.tickets.get(id)?;
        let f = queue_facts(&self.state, id)?;
        // A crisis ticket's subject came from the person's message: it is
        // for the safety role only, as in the agent's ticket view.
        let subject = if self.is_crisis(id) {
            crate::crisis::RESTRICTED
        } else {
            t.subject()
        };
        let mut row = QueueRow::new(
            id,
            subject,
            f.customer,
            f.status,
            f.priority,
            f.ticket_type,
            f.channel,
            f.opened_at,
        );
        row.updated_at = f.updated_at;
        row.assignee = f.assignee;
        row.team = f.team;
        row.requester = f.requester;
        row.tags.clone_from(f.tags);
        row.fields.clone_from(f.fields);
        row.breached = f.breached;
        row.next_deadline = self.state.slas.get(id).and_then(next_deadline);
        Some(row)
    }

    /// Brings a ticket's queue row up to date (not while replaying: the
    /// rows are built once at the end).
    pub(super) fn requeue(&mut self, id: TicketId) {
        if self.replaying || !self.config.queue_index {
            return;
        }
        match queue_facts(&self.state, id) {
            Some(f) => self.queues.set(&f),
            None => self.queues.remove(id),
        }
    }

    /// Requeues every ticket of a customer whose contact's words were
    /// erased (subjects may be gone).
    pub(super) fn requeue_customer(&mut self, customer: CustomerId, kind: &CustomerEventKind) {
        if self.replaying || !erases(kind) {
            return;
        }
        let ids: Vec<TicketId> = self
            .state
            .tickets
            .of_customer(customer)
            .map(Ticket::id)
            .collect();
        for id in ids {
            self.requeue(id);
        }
    }

    /// Builds every queue row again from the state (after a replay or a
    /// snapshot's restore).
    pub(super) fn rebuild_queues(&mut self) {
        let mut queues = QueueIndex::default();
        if self.config.queue_index {
            for t in self.state.tickets.iter() {
                if let Some(f) = queue_facts(&self.state, t.id()) {
                    queues.set(&f);
                }
            }
        }
        self.queues = queues;
    }
}

/// What the queue index keeps of a ticket, borrowed from its record and
/// its SLA.
fn queue_facts(state: &State, id: TicketId) -> Option<Facts<'_>> {
    let t = state.tickets.get(id)?;
    let sla = state.slas.get(id);
    Some(Facts {
        id,
        status: t.status(),
        priority: t.priority(),
        ticket_type: t.ticket_type(),
        channel: t.channel().kind(),
        assignee: t.assignee(),
        team: t.team(),
        customer: t.customer(),
        requester: t.requester(),
        tags: t.tags(),
        fields: t.fields(),
        next_deadline: sla.and_then(next_deadline).map(|d| d.at),
        breached: sla.is_some_and(|sla| {
            sla.metrics()
                .iter()
                .any(|m| m.is_live() && m.breached.is_some())
        }),
        opened_at: t.opened_at(),
        updated_at: t.updated_at(),
    })
}

/// The earliest deadline a running SLA clock of a ticket has.
fn next_deadline(sla: &crate::sla::TicketSla) -> Option<NextDeadline> {
    sla.metrics()
        .iter()
        .filter_map(|m| match &m.phase {
            Phase::Active { schedule, .. } => schedule.deadline.map(|at| NextDeadline {
                at,
                metric: m.key.metric,
            }),
            _ => None,
        })
        .min_by_key(|d| d.at)
}
