//! The ticket area: tickets with their indexes by customer and by opening
//! time, each agent's load, and the log of the unsolved queue.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};

use crate::channel::ChannelKind;
use crate::id::{AgentId, ContactId, CustomerId, TicketId};
use crate::ticket::{Ticket, TicketEvent};

use super::queue_log::{QueueChange, QueueLog};

/// Every ticket the desk knows, indexed: a fold of the ticket streams.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Tickets {
    /// Boxed: a ticket is large, and a B-tree moves its values within a
    /// node on every insert; a pointer moves cheaply.
    tickets: BTreeMap<TicketId, Box<Ticket>>,
    /// Each customer's tickets.
    /// One entry per ticket, not a set per customer: a set's first
    /// ticket allocates room for eleven.
    #[serde(skip)]
    by_customer: BTreeSet<(CustomerId, TicketId)>,
    /// Every ticket by when it was opened.
    #[serde(skip)]
    by_opening: BTreeSet<(DateTime<Utc>, TicketId)>,
    /// Unsolved tickets assigned to each agent (their routing load).
    #[serde(skip)]
    loads: BTreeMap<AgentId, u32>,
    /// The same, per channel kind (what auto-assignment's capacity
    /// counts).
    #[serde(skip)]
    channel_loads: BTreeMap<(AgentId, ChannelKind), u32>,
    /// The unsolved tickets assigned to each agent (what moves when they
    /// become absent).
    #[serde(skip)]
    by_assignee: BTreeSet<(AgentId, TicketId)>,
    /// Every change in the number of unsolved tickets: one by one for
    /// recent days, each day's peak for the days of archived tickets.
    queue_log: QueueLog,
    /// How many archived tickets were opened on each day (UTC): what a
    /// report over those days no longer counts from memory.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    archived_by_day: BTreeMap<chrono::NaiveDate, u32>,
}

impl Tickets {
    /// One ticket.
    #[must_use]
    pub fn get(&self, id: TicketId) -> Option<&Ticket> {
        self.tickets.get(&id).map(|t| &**t)
    }

    /// Every ticket, by id.
    pub fn iter(&self) -> impl Iterator<Item = &Ticket> {
        self.tickets.values().map(|t| &**t)
    }

    /// How many tickets there are.
    #[must_use]
    pub fn len(&self) -> usize {
        self.tickets.len()
    }

    /// Whether there are none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.tickets.is_empty()
    }

    /// Erases what `contact` of `customer` wrote on the customer's tickets
    /// (see `Ticket::erase_messages_of`).
    pub(super) fn erase_messages_of(&mut self, customer: CustomerId, contact: ContactId) {
        for (_, id) in Self::range_of(&self.by_customer, customer) {
            if let Some(t) = self.tickets.get_mut(id) {
                t.erase_messages_of(contact);
            }
        }
    }

    /// Erases `contact`'s messages and, where they requested it, the
    /// subject, on the tickets `ids` only.
    pub(super) fn erase_messages_in<'a>(
        &mut self,
        ids: impl IntoIterator<Item = &'a TicketId>,
        contact: ContactId,
    ) {
        for id in ids {
            if let Some(t) = self.tickets.get_mut(id) {
                t.erase_messages_of(contact);
            }
        }
    }

    /// The internal notes on the tickets `contact` of `customer` opened
    /// that quote one of `words`, by ticket.
    pub(super) fn notes_quoting(
        &self,
        customer: CustomerId,
        contact: ContactId,
        words: &[String],
    ) -> BTreeMap<TicketId, BTreeSet<u32>> {
        if words.is_empty() {
            return BTreeMap::new();
        }
        let mut out: BTreeMap<TicketId, BTreeSet<u32>> = self
            .of_customer(customer)
            .filter(|t| t.requester() == Some(contact))
            .map(|t| (t.id(), t.notes_quoting(words)))
            .filter(|(_, n)| !n.is_empty())
            .collect();
        // A note split off into another ticket is still recorded where it
        // was first added: erase it there too.
        let origins: Vec<_> = out
            .iter()
            .filter_map(|(id, numbers)| Some((self.tickets.get(id)?, numbers)))
            .flat_map(|(t, numbers)| {
                t.conversation()
                    .iter()
                    .filter(|e| numbers.contains(&e.number) && t.links().split_from.is_some())
                    .filter_map(|e| e.origin)
            })
            .collect();
        for o in origins {
            out.entry(o.ticket).or_default().insert(o.number);
        }
        out
    }

    /// Erases the notes found by [`Tickets::notes_quoting`].
    pub(super) fn erase_notes(&mut self, notes: &BTreeMap<TicketId, BTreeSet<u32>>) {
        for (id, numbers) in notes {
            if let Some(t) = self.tickets.get_mut(id) {
                t.erase_entries(numbers);
            }
        }
    }

    /// A customer's tickets, by id.
    pub fn of_customer(&self, customer: CustomerId) -> impl Iterator<Item = &Ticket> {
        Self::range_of(&self.by_customer, customer)
            .filter_map(|(_, id)| self.tickets.get(id).map(|t| &**t))
    }

    /// A customer's entries of the `by_customer` index.
    fn range_of(
        index: &BTreeSet<(CustomerId, TicketId)>,
        customer: CustomerId,
    ) -> impl Iterator<Item = &(CustomerId, TicketId)> {
        let first = TicketId::from_uuid(uuid::Uuid::nil());
        let last = TicketId::from_uuid(uuid::Uuid::max());
        index.range((customer, first)..=(customer, last))
    }

    /// Tickets opened in `[from, to)`, oldest first.
    pub fn opened(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> impl Iterator<Item = &Ticket> {
        let nil = TicketId::from_uuid(uuid::Uuid::nil());
        let max = TicketId::from_uuid(uuid::Uuid::max());
        let range = if from < to {
            Some(self.by_opening.range((from, nil)..(to, max)))
        } else {
            None
        };
        range
            .into_iter()
            .flatten()
            .filter(move |(at, _)| *at < to)
            .filter_map(|(_, id)| self.tickets.get(id).map(|t| &**t))
    }

    /// Forgets an archived ticket (and its entries in the indexes),
    /// counting it on the day it was opened. Returns it.
    /// The queue log is compacted up to the end of the day the ticket was
    /// closed, or the start of the day it is archived, whichever is first.
    pub(super) fn remove(
        &mut self,
        id: TicketId,
        tz: chrono_tz::Tz,
        archived_at: DateTime<Utc>,
    ) -> Option<Box<Ticket>> {
        let t = self.tickets.remove(&id)?;
        // The days up to the one it closed on, once they are over.
        let next_day = super::queue_log::local_date(tz, t.updated_at())
            .succ_opt()
            .and_then(|d| super::queue_log::start_of(tz, d))
            .unwrap_or(archived_at);
        self.queue_log.compact(tz, next_day.min(archived_at));
        self.by_customer.remove(&(t.customer(), id));
        self.by_opening.remove(&(t.opened_at(), id));
        if let Some(a) = t.assignee().filter(|_| t.status().is_unsolved()) {
            self.count_load(id, a, t.channel().kind(), false);
        }
        let n = self
            .archived_by_day
            .entry(t.opened_at().date_naive())
            .or_default();
        *n = n.saturating_add(1);
        Some(t)
    }

    /// How many archived tickets were opened on the UTC days from `from`
    /// to `to`, both included.
    pub(super) fn archived_between(&self, from: chrono::NaiveDate, to: chrono::NaiveDate) -> u32 {
        if from > to {
            return 0;
        }
        self.archived_by_day
            .range(from..=to)
            .fold(0u32, |n, (_, k)| n.saturating_add(*k))
    }

    /// Each agent's unsolved assigned tickets (missing means none).
    #[must_use]
    pub fn loads(&self) -> &BTreeMap<AgentId, u32> {
        &self.loads
    }

    /// One agent's unsolved assigned tickets.
    #[must_use]
    pub fn load(&self, agent: AgentId) -> u32 {
        self.loads.get(&agent).copied().unwrap_or(0)
    }

    /// The unsolved queue over time.
    #[must_use]
    pub(super) fn queue_log(&self) -> &QueueLog {
        &self.queue_log
    }

    /// Builds the indexes again from the tickets (after a snapshot is
    /// restored: they are not part of it). A ticket's opening never
    /// changes (its customer only with a customer merge), and a load counts
    /// the unsolved tickets assigned.
    pub(super) fn reindex(&mut self) {
        self.by_customer.clear();
        self.by_opening.clear();
        self.loads.clear();
        self.channel_loads.clear();
        self.by_assignee.clear();
        for (id, t) in &self.tickets {
            self.by_customer.insert((t.customer(), *id));
            self.by_opening.insert((t.opened_at(), *id));
            if let Some(a) = t.assignee().filter(|_| t.status().is_unsolved()) {
                let n = self.loads.entry(a).or_default();
                *n = n.saturating_add(1);
                let n = self
                    .channel_loads
                    .entry((a, t.channel().kind()))
                    .or_default();
                *n = n.saturating_add(1);
                self.by_assignee.insert((a, *id));
            }
        }
    }

    /// One agent's unsolved assigned tickets of a channel kind.
    #[must_use]
    pub fn channel_load(&self, agent: AgentId, kind: ChannelKind) -> u32 {
        self.channel_loads.get(&(agent, kind)).copied().unwrap_or(0)
    }

    /// The unsolved tickets assigned to `agent`, by id.
    pub(super) fn assigned_to(&self, agent: AgentId) -> impl Iterator<Item = TicketId> + '_ {
        self.by_assignee
            .range((agent, TicketId::from_uuid(uuid::Uuid::nil()))..)
            .take_while(move |(a, _)| *a == agent)
            .map(|(_, t)| *t)
    }

    /// Counts a ticket of `kind` into (`add`) or out of an agent's loads.
    fn count_load(&mut self, id: TicketId, agent: AgentId, kind: ChannelKind, add: bool) {
        if add {
            self.by_assignee.insert((agent, id));
        } else {
            self.by_assignee.remove(&(agent, id));
        }
        fn step<K: Ord>(map: &mut BTreeMap<K, u32>, key: K, add: bool) {
            if add {
                let n = map.entry(key).or_default();
                *n = n.saturating_add(1);
            } else if let Some(n) = map.get_mut(&key) {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    map.remove(&key);
                }
            }
        }
        step(&mut self.loads, agent, add);
        step(&mut self.channel_loads, (agent, kind), add);
    }

    /// Folds one event of a ticket's stream.
    pub(super) fn apply(&mut self, id: TicketId, e: &TicketEvent) {
        if let Some(t) = Ticket::from_opened(e) {
            if t.status().is_unsolved() {
                self.queue_log.push(QueueChange {
                    at: e.at,
                    delta: 1,
                    channel: t.channel().kind(),
                });
            }
            self.by_customer.insert((t.customer(), id));
            self.by_opening.insert((t.opened_at(), id));
            self.tickets.insert(id, Box::new(t));
            return;
        }
        let Some(t) = self.tickets.get_mut(&id) else {
            return;
        };
        let counted = |t: &Ticket| t.assignee().filter(|_| t.status().is_unsolved());
        let before = counted(t);
        let was_open = t.status().is_unsolved();
        let customer = t.customer();
        t.apply(e);
        // A merge of its customer moves it to the target's.
        if t.customer() != customer {
            self.by_customer.remove(&(customer, id));
            self.by_customer.insert((t.customer(), id));
        }
        let after = counted(t);
        let channel = t.channel().kind();
        match (was_open, t.status().is_unsolved()) {
            (true, false) => self.queue_log.push(QueueChange {
                at: e.at,
                delta: -1,
                channel,
            }),
            (false, true) => self.queue_log.push(QueueChange {
                at: e.at,
                delta: 1,
                channel,
            }),
            _ => {}
        }
        if before != after {
            if let Some(a) = before {
                self.count_load(id, a, channel, false);
            }
            if let Some(a) = after {
                self.count_load(id, a, channel, true);
            }
        }
    }
}
