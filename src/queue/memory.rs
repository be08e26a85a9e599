//! The in-memory queue read model: every row, posting lists per filtered
//! value, and ordered indexes per sort.
//!
//! A query is answered from the indexes, never by scanning every row:
//! - the **candidates** are the smallest posting list (or union of them)
//!   a filter or the restriction requires: a status, priority, type,
//!   channel, assignee, team, customer, requester or tag; or the range of
//!   an ordered index an SLA state or age filter selects, when smaller;
//!   a custom field's term (any of some options, a checkbox, a number) or
//!   the tickets that have the field (set). A range of a field's values
//!   or an empty field narrows nothing itself: it is checked on the
//!   candidates the other filters give;
//! - the **order** comes from an ordered index of the sort (one over
//!   every row, one by team and one by assignee), walked from the
//!   cursor until the page is full, or from selecting the first rows of
//!   the candidates, whichever the sizes say is cheaper. A walk that
//!   visits as many rows as the candidates hold gives up and selects
//!   instead, so a page never costs much more than its candidates.

use std::collections::hash_map::Entry;
use std::collections::{BTreeSet, BinaryHeap, HashMap};
use std::convert::Infallible;
use std::hash::Hash;
use std::ops::Bound;

use chrono::{DateTime, Utc};

use super::{
    Cursor, Filter, Position, QueuePage, QueueQuery, QueueReadModel, QueueRow, Restriction,
    RowChange, SlaState, SortBy, TagMatch,
};
use crate::channel::ChannelKind;
use crate::field::{FieldCondition, FieldKey, FieldTerm, FieldTest};
use crate::id::{AgentId, ContactId, CustomerId, TeamId, TicketId};
use crate::ticket::{Priority, Status, Tag, TicketType};

type Fixed = foldhash::fast::FixedState;
type Ids = BTreeSet<TicketId>;

/// Tickets by one value of one field.
#[derive(Debug, Clone)]
pub(super) struct Postings<K>(HashMap<K, Ids, Fixed>);

impl<K> Default for Postings<K> {
    fn default() -> Self {
        Postings(HashMap::default())
    }
}

impl<K: Hash + Eq> Postings<K> {
    fn add(&mut self, k: K, id: TicketId) {
        self.0.entry(k).or_default().insert(id);
    }

    fn remove(&mut self, k: K, id: TicketId) {
        if let Entry::Occupied(mut e) = self.0.entry(k) {
            e.get_mut().remove(&id);
            if e.get().is_empty() {
                e.remove();
            }
        }
    }

    fn get(&self, k: &K) -> Option<&Ids> {
        self.0.get(k)
    }

    pub(super) fn len(&self, k: &K) -> usize {
        self.0.get(k).map_or(0, BTreeSet::len)
    }
}

/// Every queue row, indexed. See the module docs.
#[derive(Debug, Clone, Default)]
pub struct MemoryQueues {
    pub(super) rows: HashMap<TicketId, QueueRow, Fixed>,
    pub(super) status: Postings<Status>,
    pub(super) priority: Postings<Priority>,
    pub(super) types: Postings<TicketType>,
    pub(super) channel: Postings<ChannelKind>,
    pub(super) assignee: Postings<Option<AgentId>>,
    pub(super) team: Postings<Option<TeamId>>,
    pub(super) tags: Postings<Tag>,
    pub(super) customer: Postings<CustomerId>,
    pub(super) requester: Postings<ContactId>,
    /// Tickets by each custom field term they hold.
    pub(super) field_terms: Postings<(FieldKey, FieldTerm)>,
    /// Tickets by each custom field they have a value of.
    pub(super) field_set: Postings<FieldKey>,
    /// Rows whose breach is recorded.
    pub(super) breached: Ids,
    /// Every row by each sort, ascending: next deadline, priority,
    /// created, updated.
    pub(super) ordered: Ordered<()>,
    /// Every row by team, then each sort.
    pub(super) by_team: Ordered<Option<TeamId>>,
    /// Every row by assignee, then each sort.
    pub(super) by_assignee: Ordered<Option<AgentId>>,
}

const SORTS: [SortBy; 4] = [
    SortBy::NextDeadline,
    SortBy::Priority,
    SortBy::Created,
    SortBy::Updated,
];

/// Every row by a partition (or `()`), then one sort, ascending.
type ByPosition<K> = BTreeSet<(K, Position)>;

/// Every row by a partition, then each sort.
#[derive(Debug, Clone)]
pub(super) struct Ordered<K> {
    next_deadline: ByPosition<K>,
    priority: ByPosition<K>,
    created: ByPosition<K>,
    updated: ByPosition<K>,
}

impl<K> Default for Ordered<K> {
    fn default() -> Self {
        Ordered {
            next_deadline: BTreeSet::new(),
            priority: BTreeSet::new(),
            created: BTreeSet::new(),
            updated: BTreeSet::new(),
        }
    }
}

impl<K: Ord + Copy> Ordered<K> {
    pub(super) fn by(&self, by: SortBy) -> &ByPosition<K> {
        match by {
            SortBy::NextDeadline => &self.next_deadline,
            SortBy::Priority => &self.priority,
            SortBy::Created => &self.created,
            SortBy::Updated => &self.updated,
        }
    }

    fn by_mut(&mut self, by: SortBy) -> &mut ByPosition<K> {
        match by {
            SortBy::NextDeadline => &mut self.next_deadline,
            SortBy::Priority => &mut self.priority,
            SortBy::Created => &mut self.created,
            SortBy::Updated => &mut self.updated,
        }
    }

    /// Moves a row's entry for `by` from `old` to `new` (partition and
    /// position), touching nothing when they are the same.
    fn shift(&mut self, by: SortBy, old: Option<(K, Position)>, new: Option<(K, Position)>) {
        if old != new {
            let set = self.by_mut(by);
            if let Some(o) = old {
                set.remove(&o);
            }
            if let Some(n) = new {
                set.insert(n);
            }
        }
    }
}

/// A candidate set: the union of these posting lists (which may overlap).
/// (Or these ids, read from a range of an ordered index.)
struct Candidates<'a> {
    sets: Vec<&'a Ids>,
    read: Vec<TicketId>,
    size: usize,
}

impl<'a> Candidates<'a> {
    fn of(sets: Vec<Option<&'a Ids>>) -> Self {
        let sets: Vec<&Ids> = sets.into_iter().flatten().collect();
        let size = sets.iter().map(|s| s.len()).sum();
        Candidates {
            sets,
            read: Vec::new(),
            size,
        }
    }

    fn read(ids: Vec<TicketId>) -> Self {
        Candidates {
            sets: Vec::new(),
            size: ids.len(),
            read: ids,
        }
    }

    /// Each candidate once.
    fn iter(&self) -> impl Iterator<Item = TicketId> + '_ {
        let sets = self.sets.iter().enumerate().flat_map(move |(i, s)| {
            s.iter()
                .filter(move |id| !self.sets.iter().take(i).any(|e| e.contains(id)))
                .copied()
        });
        self.read.iter().copied().chain(sets)
    }
}

impl MemoryQueues {
    /// An empty read model.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// How many rows it holds.
    #[must_use]
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether it holds none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// A ticket's row.
    #[must_use]
    pub fn get(&self, id: TicketId) -> Option<&QueueRow> {
        self.rows.get(&id)
    }

    /// Every row, in no particular order.
    pub fn rows(&self) -> impl Iterator<Item = &QueueRow> {
        self.rows.values()
    }

    /// Puts a ticket's row in (or replaces it), updating only the
    /// indexes whose value changed.
    pub fn upsert(&mut self, row: QueueRow) {
        let id = row.id;
        let old = self.rows.remove(&id);
        self.index(old.as_ref(), Some(&row));
        self.rows.insert(id, row);
    }

    /// Takes a ticket out.
    pub fn remove(&mut self, id: TicketId) {
        if let Some(old) = self.rows.remove(&id) {
            self.index(Some(&old), None);
        }
    }

    /// Moves the index entries of a row from `old` to `new`.
    fn index(&mut self, old: Option<&QueueRow>, new: Option<&QueueRow>) {
        let id = old.or(new).map(|r| r.id);
        let Some(id) = id else { return };
        macro_rules! field {
            ($postings:ident, $f:ident) => {
                let (o, n) = (old.map(|r| r.$f), new.map(|r| r.$f));
                if o != n {
                    if let Some(o) = o {
                        self.$postings.remove(o, id);
                    }
                    if let Some(n) = n {
                        self.$postings.add(n, id);
                    }
                }
            };
        }
        field!(status, status);
        field!(priority, priority);
        field!(types, ticket_type);
        field!(channel, channel);
        field!(assignee, assignee);
        field!(team, team);
        field!(customer, customer);
        let (o, n) = (old.and_then(|r| r.requester), new.and_then(|r| r.requester));
        if o != n {
            if let Some(o) = o {
                self.requester.remove(o, id);
            }
            if let Some(n) = n {
                self.requester.add(n, id);
            }
        }
        if old.is_some_and(|r| r.breached) {
            self.breached.remove(&id);
        }
        if new.is_some_and(|r| r.breached) {
            self.breached.insert(id);
        }
        let empty = BTreeSet::new();
        let (ot, nt) = (
            old.map_or(&empty, |r| &r.tags),
            new.map_or(&empty, |r| &r.tags),
        );
        for t in ot.difference(nt) {
            self.tags.remove(t.clone(), id);
        }
        for t in nt.difference(ot) {
            self.tags.add(t.clone(), id);
        }
        let empty = crate::field::FieldValues::EMPTY;
        let (of, nf) = (
            old.map_or(&empty, |r| &r.fields),
            new.map_or(&empty, |r| &r.fields),
        );
        if of != nf {
            let terms = |v: &crate::field::FieldValues| -> BTreeSet<(FieldKey, FieldTerm)> {
                v.terms().map(|(k, t)| (k.clone(), t)).collect()
            };
            let (ot, nt) = (terms(of), terms(nf));
            for t in ot.difference(&nt) {
                self.field_terms.remove(t.clone(), id);
            }
            for t in nt.difference(&ot) {
                self.field_terms.add(t.clone(), id);
            }
            for (k, _) in of.iter().filter(|(k, _)| nf.get(k).is_none()) {
                self.field_set.remove(k.clone(), id);
            }
            for (k, _) in nf.iter().filter(|(k, _)| of.get(k).is_none()) {
                self.field_set.add(k.clone(), id);
            }
        }
        for by in SORTS {
            let (o, n) = (old.map(|r| r.position(by)), new.map(|r| r.position(by)));
            self.ordered
                .shift(by, o.map(|p| ((), p)), n.map(|p| ((), p)));
            self.by_team.shift(
                by,
                old.zip(o).map(|(r, p)| (r.team, p)),
                new.zip(n).map(|(r, p)| (r.team, p)),
            );
            self.by_assignee.shift(
                by,
                old.zip(o).map(|(r, p)| (r.assignee, p)),
                new.zip(n).map(|(r, p)| (r.assignee, p)),
            );
        }
    }

    /// The smallest candidate set the query's filters and restriction
    /// require; `None` when nothing narrows it (every row).
    fn candidates<'a>(
        &'a self,
        q: &QueueQuery,
        now: DateTime<Utc>,
        ranges: bool,
    ) -> Option<Candidates<'a>> {
        let mut best: Option<Candidates<'a>> = None;
        fn offer<'a>(best: &mut Option<Candidates<'a>>, c: Candidates<'a>) {
            if best.as_ref().is_none_or(|b| c.size < b.size) {
                *best = Some(c);
            }
        }
        for f in &q.queue().filters {
            let c = match f {
                Filter::Status(s) => Candidates::of(s.iter().map(|k| self.status.get(k)).collect()),
                Filter::Priority(s) => {
                    Candidates::of(s.iter().map(|k| self.priority.get(k)).collect())
                }
                Filter::Type(s) => Candidates::of(s.iter().map(|k| self.types.get(k)).collect()),
                Filter::Channel(s) => {
                    Candidates::of(s.iter().map(|k| self.channel.get(k)).collect())
                }
                Filter::Assignee(s) => Candidates::of(
                    q.assignees(s)
                        .iter()
                        .map(|k| self.assignee.get(k))
                        .collect(),
                ),
                Filter::Team(s) => Candidates::of(s.iter().map(|k| self.team.get(k)).collect()),
                Filter::Customer(s) => {
                    Candidates::of(s.iter().map(|k| self.customer.get(k)).collect())
                }
                Filter::Tags(TagMatch::Any(s)) => {
                    Candidates::of(s.iter().map(|k| self.tags.get(k)).collect())
                }
                Filter::Tags(TagMatch::All(s)) => {
                    let smallest = s.iter().min_by_key(|k| self.tags.len(k));
                    Candidates::of(vec![smallest.and_then(|k| self.tags.get(k))])
                }
                Filter::Field(FieldCondition {
                    key,
                    test: FieldTest::AnyOf(terms),
                }) => Candidates::of(
                    terms
                        .iter()
                        .map(|t| self.field_terms.get(&(key.clone(), t.clone())))
                        .collect(),
                ),
                Filter::Field(FieldCondition {
                    key,
                    test: FieldTest::Set,
                }) => Candidates::of(vec![self.field_set.get(key)]),
                _ => continue,
            };
            offer(&mut best, c);
        }
        let c = match q.restriction() {
            Restriction::All => None,
            Restriction::Assignee(a) => Some(Candidates::of(vec![self.assignee.get(&Some(*a))])),
            Restriction::TeamsOrAssignee { teams, agent } => {
                let mut sets: Vec<Option<&Ids>> =
                    teams.iter().map(|t| self.team.get(&Some(*t))).collect();
                sets.push(self.assignee.get(&Some(*agent)));
                Some(Candidates::of(sets))
            }
            Restriction::Requester(contacts) => Some(Candidates::of(
                contacts.iter().map(|c| self.requester.get(c)).collect(),
            )),
            Restriction::Customer(c) => Some(Candidates::of(vec![self.customer.get(c)])),
        };
        if let Some(c) = c {
            offer(&mut best, c);
        }
        // When nothing above narrows the candidates, the SLA state and age
        // filters do: each selects a range of an ordered index, read only
        // up to the smallest such range so far (every row at first).
        if ranges && best.is_none() {
            for f in &q.queue().filters {
                let cap = best.as_ref().map_or(self.rows.len(), |b| b.size);
                if let Some(ids) = self.range_of(f, now, cap) {
                    offer(&mut best, Candidates::read(ids));
                }
            }
        }
        best
    }

    /// The rows a filter on SLA state or age selects, from the ordered
    /// indexes; `None` for another filter or more than `cap` rows.
    fn range_of(&self, f: &Filter, now: DateTime<Utc>, cap: usize) -> Option<Vec<TicketId>> {
        use Bound::{Excluded, Included};
        let (by, lo, hi) = match f {
            Filter::Sla(SlaState::Breached) => (
                SortBy::NextDeadline,
                Included(Position::group_start(0)),
                Excluded(Position::first_at(now)),
            ),
            Filter::Sla(SlaState::DueWithin(d)) => (
                SortBy::NextDeadline,
                Included(Position::first_at(now)),
                Included(Position::last_at(crate::time::plus(now, *d))),
            ),
            Filter::Sla(SlaState::NoRunning) => (
                SortBy::NextDeadline,
                Included(Position::group_start(1)),
                Included(Position::group_end(1)),
            ),
            Filter::OpenedBefore(w) => (
                SortBy::Created,
                Included(Position::group_start(0)),
                Excluded(Position::first_at(w.at(now))),
            ),
            Filter::OpenedAfter(w) => (
                SortBy::Created,
                Included(Position::first_at(w.at(now))),
                Included(Position::group_end(0)),
            ),
            Filter::UpdatedBefore(w) => (
                SortBy::Updated,
                Included(Position::group_start(0)),
                Excluded(Position::first_at(w.at(now))),
            ),
            Filter::UpdatedAfter(w) => (
                SortBy::Updated,
                Included(Position::first_at(w.at(now))),
                Included(Position::group_end(0)),
            ),
            _ => return None,
        };
        let (Included(l) | Excluded(l), Included(h) | Excluded(h)) = (lo, hi) else {
            return None;
        };
        let mut ids = Vec::new();
        // A range whose ends cross is empty (and B-tree ranges refuse it).
        if l < h || (l == h && matches!((lo, hi), (Included(_), Included(_)))) {
            let set = self.ordered.by(by);
            for (_, p) in set.range((lo.map(|p| ((), p)), hi.map(|p| ((), p)))) {
                if ids.len() >= cap {
                    return None;
                }
                ids.push(p.ticket());
            }
        }
        if matches!(f, Filter::Sla(SlaState::Breached)) {
            // Breaches recorded on metrics now paused (no deadline) too.
            if ids.len().saturating_add(self.breached.len()) > cap {
                return None;
            }
            ids.extend(self.breached.iter().copied());
            ids.sort_unstable();
            ids.dedup();
        }
        Some(ids)
    }

    /// The ordered index to walk for the query's sort: the team's or the
    /// assignee's when the queue or restriction pins one (the smaller),
    /// else the whole sort's. With its size.
    fn walk<'a>(&'a self, q: &QueueQuery) -> (Box<dyn Iterator<Item = TicketId> + 'a>, usize) {
        let sort = q.sort();
        let after = q.after();
        let mut team = None;
        let mut agent = None;
        for f in &q.queue().filters {
            match f {
                Filter::Team(s) if s.len() == 1 => team = s.first().copied(),
                Filter::Assignee(s) => {
                    let a = q.assignees(s);
                    if a.len() == 1 {
                        agent = a.first().copied();
                    }
                }
                _ => {}
            }
        }
        if let Restriction::Assignee(a) = q.restriction() {
            agent = agent.or(Some(Some(*a)));
        }
        let by_team = team.map(|t| (self.team.len(&t), t));
        let by_agent = agent.map(|a| (self.assignee.len(&a), a));
        match (by_team, by_agent) {
            (Some((n, t)), a) if a.is_none_or(|(m, _)| n <= m) => {
                let set = self.by_team.by(sort.by);
                (Box::new(walk(set, t, sort.descending, after)), n)
            }
            (_, Some((m, a))) => {
                let set = self.by_assignee.by(sort.by);
                (Box::new(walk(set, a, sort.descending, after)), m)
            }
            _ => {
                let set = self.ordered.by(sort.by);
                (Box::new(walk(set, (), sort.descending, after)), set.len())
            }
        }
    }

    /// A page of the query's queue at `now`.
    #[must_use]
    pub fn page(&self, q: &QueueQuery, now: DateTime<Utc>) -> QueuePage {
        let want = q.limit().saturating_add(1);
        // Posting lists first: a range (SLA state, age) is read only if a
        // short walk of the sort's index does not fill the page.
        let candidates = self.candidates(q, now, false);
        let size = candidates.as_ref().map_or(self.rows.len(), |c| c.size);
        let (walked, walk_len) = self.walk(q);
        // A walk visits about `want` rows per match it finds; matches are
        // at most the candidates.
        let walk_cost = want.saturating_mul(walk_len) / size.max(1);
        let mut rows: Vec<&QueueRow> = Vec::with_capacity(want);
        let mut done = false;
        if size == 0 {
            done = true;
        } else if walk_cost < size || candidates.is_none() {
            // Visit at most as many as selecting would; with nothing to
            // select from, a few pages' worth when a range could narrow
            // the candidates, else all (the walk is the only index).
            let budget = match &candidates {
                Some(_) => size,
                None if q.queue().filters.iter().any(ranged) => want.saturating_mul(64),
                None => usize::MAX,
            };
            done = true;
            for (visited, id) in walked.enumerate() {
                if visited >= budget {
                    done = false;
                    rows.clear();
                    break;
                }
                if let Some(r) = self.rows.get(&id)
                    && q.matches(r, now)
                {
                    rows.push(r);
                    if rows.len() == want {
                        break;
                    }
                }
            }
        }
        if !done {
            let c = candidates.or_else(|| self.candidates(q, now, true));
            match c {
                Some(c) => rows = self.select(q, &c, want, now),
                // Every range was over every row: walk it all.
                None => {
                    rows = self
                        .walk(q)
                        .0
                        .filter_map(|id| self.rows.get(&id))
                        .filter(|r| q.matches(r, now))
                        .take(want)
                        .collect();
                }
            }
        }
        let sort = q.sort();
        let next = if rows.len() > q.limit() {
            rows.truncate(q.limit());
            rows.last().map(|r| Cursor::after(sort, r))
        } else {
            None
        };
        QueuePage {
            rows: rows.into_iter().cloned().collect(),
            next,
        }
    }

    /// The first `want` matching candidates after the cursor, in order.
    fn select<'a>(
        &'a self,
        q: &QueueQuery,
        c: &Candidates<'_>,
        want: usize,
        now: DateTime<Utc>,
    ) -> Vec<&'a QueueRow> {
        let sort = q.sort();
        // A max-heap of the best `want` so far, in the sort's direction.
        struct Ranked<'r>(Position, bool, &'r QueueRow);
        impl PartialEq for Ranked<'_> {
            fn eq(&self, o: &Self) -> bool {
                self.0 == o.0
            }
        }
        impl Eq for Ranked<'_> {}
        impl PartialOrd for Ranked<'_> {
            fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
                Some(self.cmp(o))
            }
        }
        impl Ord for Ranked<'_> {
            fn cmp(&self, o: &Self) -> std::cmp::Ordering {
                self.0.cmp_in(&o.0, self.1)
            }
        }
        let mut heap: BinaryHeap<Ranked<'a>> = BinaryHeap::with_capacity(want + 1);
        for id in c.iter() {
            let Some(r) = self.rows.get(&id) else {
                continue;
            };
            if !q.matches(r, now) || !q.is_after_cursor(r) {
                continue;
            }
            let ranked = Ranked(r.position(sort.by), sort.descending, r);
            if heap.len() < want {
                heap.push(ranked);
            } else if heap.peek().is_some_and(|top| ranked < *top) {
                heap.pop();
                heap.push(ranked);
            }
        }
        heap.into_sorted_vec().into_iter().map(|r| r.2).collect()
    }

    /// How many rows the query's queue holds at `now`, all pages.
    #[must_use]
    pub fn count(&self, q: &QueueQuery, now: DateTime<Utc>) -> u64 {
        let n = match self.candidates(q, now, true) {
            None if q.queue().filters.is_empty() => self.rows.len(),
            None => self.rows.values().filter(|r| q.matches(r, now)).count(),
            Some(c) => c
                .iter()
                .filter_map(|id| self.rows.get(&id))
                .filter(|r| q.matches(r, now))
                .count(),
        };
        u64::try_from(n).unwrap_or(u64::MAX)
    }
}

/// Whether a filter selects a range of an ordered index (SLA state, age).
fn ranged(f: &Filter) -> bool {
    matches!(
        f,
        Filter::Sla(_)
            | Filter::OpenedBefore(_)
            | Filter::OpenedAfter(_)
            | Filter::UpdatedBefore(_)
            | Filter::UpdatedAfter(_)
    )
}

/// The tickets of one partition of an ordered index after `after`, in
/// the direction asked; descending keeps the groups in order (no deadline
/// last).
fn walk<K: Ord + Copy>(
    set: &BTreeSet<(K, Position)>,
    k: K,
    descending: bool,
    after: Option<Position>,
) -> impl Iterator<Item = TicketId> + '_ {
    [0u8, 1].into_iter().flat_map(move |g| {
        let (lo, hi) = ((k, Position::group_start(g)), (k, Position::group_end(g)));
        let range: Box<dyn Iterator<Item = &(K, Position)>> = match (descending, after) {
            (_, Some(a)) if a.group() > g => Box::new(std::iter::empty()),
            (false, Some(a)) if a.group() == g => {
                Box::new(set.range((Bound::Excluded((k, a)), Bound::Included(hi))))
            }
            (true, Some(a)) if a.group() == g => Box::new(
                set.range((Bound::Included(lo), Bound::Excluded((k, a))))
                    .rev(),
            ),
            (false, _) => Box::new(set.range(lo..=hi)),
            (true, _) => Box::new(set.range(lo..=hi).rev()),
        };
        range.map(|(_, p)| p.ticket())
    })
}

impl QueueReadModel for MemoryQueues {
    type Error = Infallible;

    fn apply_rows(&mut self, changes: &[RowChange]) -> Result<(), Infallible> {
        for c in changes {
            match c {
                RowChange::Upsert(row) => self.upsert(row.clone()),
                RowChange::Remove(id) => self.remove(*id),
            }
        }
        Ok(())
    }

    fn page(&mut self, query: &QueueQuery, now: DateTime<Utc>) -> Result<QueuePage, Infallible> {
        Ok(MemoryQueues::page(self, query, now))
    }

    fn count(&mut self, query: &QueueQuery, now: DateTime<Utc>) -> Result<u64, Infallible> {
        Ok(MemoryQueues::count(self, query, now))
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::field::{FieldTest, FieldValue};
    use crate::queue::conformance::sample_rows;
    use crate::queue::{Queue, Sort};

    /// Any-of and set come from the field posting sets: the candidates
    /// are exactly the tickets holding the term (or the field), not every
    /// row; a range or empty alone narrows nothing.
    #[test]
    fn field_filters_take_their_candidates_from_the_field_postings() {
        let now = Utc.with_ymd_and_hms(2026, 3, 3, 9, 0, 0).unwrap();
        let mut model = MemoryQueues::new();
        for r in sample_rows(3, 300, now) {
            model.upsert(r);
        }
        let plan = FieldKey::new("plan").unwrap();
        let size = |test: FieldTest| {
            let q =
                Queue::new(Sort::ascending(SortBy::Created)).with(Filter::Field(FieldCondition {
                    key: plan.clone(),
                    test,
                }));
            let q = QueueQuery::new(&q, None, Restriction::All, None, 10).unwrap();
            model.candidates(&q, now, true).map(|c| c.size)
        };
        let pro = model
            .rows()
            .filter(|r| r.fields.get(&plan) == Some(&FieldValue::choice("pro")))
            .count();
        let with_plan = model
            .rows()
            .filter(|r| r.fields.get(&plan).is_some())
            .count();
        assert!(0 < pro && pro < with_plan && with_plan < model.len());
        assert_eq!(
            size(FieldTest::AnyOf([FieldTerm::option("pro")].into())),
            Some(pro)
        );
        assert_eq!(size(FieldTest::Set), Some(with_plan));
        assert_eq!(size(FieldTest::Empty), None);
    }
}
