//! Answering a query from the index: candidates from the posting lists,
//! order from the ordered indexes, whichever the sizes say is cheaper.

use std::collections::BinaryHeap;
use std::ops::Bound::{self, Excluded, Included};

use chrono::{DateTime, Utc};

use super::{
    ByPosition, Candidates, Packed, QueueIndex, Term, Test, cmp_in, group_end, group_start,
    instant, packed, unpack,
};
use crate::field::{FieldCondition, FieldTest};
use crate::id::TicketId;
use crate::queue::{Cursor, Filter, QueueQuery, Restriction, SlaState, SortBy, TagMatch};

/// The tickets of a page, in order, and where the next page starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Answer {
    pub(crate) ids: Vec<TicketId>,
    pub(crate) next: Option<Cursor>,
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

/// The entries of an ordered index after `after`, in the direction
/// asked; descending keeps the groups in order (no deadline last).
fn walk(
    set: &ByPosition,
    descending: bool,
    after: Option<Packed>,
) -> impl Iterator<Item = (Packed, u32)> + '_ {
    let group = |p: &Packed| p.0 >> 95;
    [0u8, 1].into_iter().flat_map(move |g| {
        let (lo, hi) = (group_start(g), group_end(g));
        let gg = u128::from(g);
        let range: Box<dyn Iterator<Item = (&Packed, &u32)>> = match (descending, after) {
            (_, Some(a)) if group(&a) > gg => Box::new(std::iter::empty()),
            (false, Some(a)) if group(&a) == gg => {
                Box::new(set.range((Bound::Excluded(a), Bound::Included(hi))))
            }
            (true, Some(a)) if group(&a) == gg => {
                Box::new(set.range((Bound::Included(lo), Bound::Excluded(a))).rev())
            }
            (false, _) => Box::new(set.range(lo..=hi)),
            (true, _) => Box::new(set.range(lo..=hi).rev()),
        };
        range.map(|(p, n)| (*p, *n))
    })
}

impl QueueIndex {
    /// The smallest candidate set the query's filters and restriction
    /// require; `None` when nothing narrows it (every ticket).
    pub(in crate::queue) fn candidates(
        &self,
        q: &QueueQuery,
        now: DateTime<Utc>,
        ranges: bool,
    ) -> Option<Candidates<'_>> {
        let mut best: Option<Candidates<'_>> = None;
        fn offer<'a>(best: &mut Option<Candidates<'a>>, c: Candidates<'a>) {
            if best.as_ref().is_none_or(|b| c.size() < b.size()) {
                *best = Some(c);
            }
        }
        let term = |t: Term| self.terms.posting(self.terms.id(&t));
        for f in &q.queue().filters {
            let c = match f {
                Filter::Status(s) => Candidates::of(s.iter().map(|k| self.status.get(k))),
                Filter::Priority(s) => Candidates::of(s.iter().map(|k| self.priority.get(k))),
                Filter::Type(s) => Candidates::of(s.iter().map(|k| self.types.get(k))),
                Filter::Channel(s) => Candidates::of(s.iter().map(|k| self.channel.get(k))),
                Filter::Assignee(s) => {
                    Candidates::of(q.assignees(s).iter().map(|k| self.assignee.get(k)))
                }
                Filter::Team(s) => Candidates::of(s.iter().map(|k| self.team.get(k))),
                Filter::Customer(s) => {
                    Candidates::read(s.iter().flat_map(|c| self.customer.of(*c)).collect())
                }
                Filter::Tags(TagMatch::Any(s)) => {
                    Candidates::of(s.iter().map(|t| term(super::Term::Tag(t.clone()))))
                }
                Filter::Tags(TagMatch::All(s)) => {
                    let smallest = s
                        .iter()
                        .map(|t| term(Term::Tag(t.clone())))
                        .min_by_key(|p| p.map_or(0, roaring::RoaringBitmap::len));
                    Candidates::of([smallest.flatten()])
                }
                Filter::Field(FieldCondition {
                    key,
                    test: FieldTest::AnyOf(terms),
                }) => Candidates::of(
                    terms
                        .iter()
                        .map(|t| term(Term::Value(key.clone(), t.clone()))),
                ),
                Filter::Field(FieldCondition {
                    key,
                    test: FieldTest::Set,
                }) => Candidates::of([term(Term::Set(key.clone()))]),
                _ => continue,
            };
            offer(&mut best, c);
        }
        let c = match q.restriction() {
            Restriction::All => None,
            Restriction::Assignee(a) => Some(Candidates::of([self.assignee.get(&Some(*a))])),
            Restriction::TeamsOrAssignee { teams, agent } => Some(Candidates::of(
                teams
                    .iter()
                    .map(|t| self.team.get(&Some(*t)))
                    .chain([self.assignee.get(&Some(*agent))]),
            )),
            Restriction::Requester(contacts) => Some(Candidates::read(
                contacts
                    .iter()
                    .flat_map(|c| self.requester.of(*c))
                    .collect(),
            )),
            Restriction::Customer(c) => Some(Candidates::read(self.customer.of(*c).collect())),
        };
        if let Some(c) = c {
            offer(&mut best, c);
        }
        // When nothing above narrows the candidates, the SLA state and age
        // filters do: each selects a range of an ordered index, read only
        // up to the smallest such range so far (every ticket at first).
        if ranges && best.is_none() {
            for f in &q.queue().filters {
                let cap = best.as_ref().map_or(self.len(), Candidates::size);
                if let Some(ids) = self.range_of(f, now, cap) {
                    offer(&mut best, Candidates::Read(ids));
                }
            }
        }
        best
    }

    /// The tickets a filter on SLA state or age selects, from the ordered
    /// indexes; `None` for another filter or more than `cap` tickets.
    fn range_of(&self, f: &Filter, now: DateTime<Utc>, cap: usize) -> Option<Vec<u32>> {
        let first = |t| (instant(t), 0u128);
        let last = |t| (instant(t), u128::MAX);
        let (by, lo, hi) = match f {
            Filter::Sla(SlaState::Breached) => (
                SortBy::NextDeadline,
                Included(group_start(0)),
                Excluded(first(now)),
            ),
            Filter::Sla(SlaState::DueWithin(d)) => (
                SortBy::NextDeadline,
                Included(first(now)),
                Included(last(crate::time::plus(now, *d))),
            ),
            Filter::Sla(SlaState::NoRunning) => (
                SortBy::NextDeadline,
                Included(group_start(1)),
                Included(group_end(1)),
            ),
            Filter::OpenedBefore(w) => (
                SortBy::Created,
                Included(group_start(0)),
                Excluded(first(w.at(now))),
            ),
            Filter::OpenedAfter(w) => (
                SortBy::Created,
                Included(first(w.at(now))),
                Included(group_end(0)),
            ),
            Filter::UpdatedBefore(w) => (
                SortBy::Updated,
                Included(group_start(0)),
                Excluded(first(w.at(now))),
            ),
            Filter::UpdatedAfter(w) => (
                SortBy::Updated,
                Included(first(w.at(now))),
                Included(group_end(0)),
            ),
            _ => return None,
        };
        let (Included(l) | Excluded(l), Included(h) | Excluded(h)) = (lo, hi) else {
            return None;
        };
        let mut ids = Vec::new();
        // A range whose ends cross is empty (and B-tree ranges refuse it).
        if l < h || (l == h && matches!((lo, hi), (Included(_), Included(_)))) {
            for n in self.ordered.by(by).range((lo, hi)).map(|(_, n)| *n) {
                if ids.len() >= cap {
                    return None;
                }
                ids.push(n);
            }
            ids.sort_unstable();
        }
        if matches!(f, Filter::Sla(SlaState::Breached)) {
            // Breaches recorded on metrics now paused (no deadline) too.
            let breached = usize::try_from(self.breached.len()).unwrap_or(usize::MAX);
            if ids.len().saturating_add(breached) > cap {
                return None;
            }
            ids.extend(self.breached.iter());
            ids.sort_unstable();
            ids.dedup();
        }
        Some(ids)
    }

    /// The ordered index to walk for the query's sort: the team's when
    /// the queue pins one team, else the whole sort's. With its size.
    fn walk<'a>(&'a self, q: &QueueQuery) -> (Box<dyn Iterator<Item = (Packed, u32)> + 'a>, usize) {
        let sort = q.sort();
        let after = q.after().map(|p| packed(&p));
        let team = q.queue().filters.iter().find_map(|f| match f {
            Filter::Team(s) if s.len() == 1 => s.first().copied(),
            _ => None,
        });
        match team {
            Some(t) => match self.by_team.get(&t) {
                Some(o) => {
                    let set = o.by(sort.by);
                    (Box::new(walk(set, sort.descending, after)), set.len())
                }
                None => (Box::new(std::iter::empty()), 0),
            },
            None => {
                let set = self.ordered.by(sort.by);
                (Box::new(walk(set, sort.descending, after)), set.len())
            }
        }
    }

    /// The tickets of a page of the query's queue at `now`, and the
    /// cursor after it.
    pub(crate) fn page(&self, q: &QueueQuery, now: DateTime<Utc>) -> Answer {
        let tests = self.tests(q);
        let want = q.limit().saturating_add(1);
        // Posting lists first: a range (SLA state, age) is read only if a
        // short walk of the sort's index does not fill the page.
        let candidates = self.candidates(q, now, false);
        let size = candidates.as_ref().map_or(self.len(), Candidates::size);
        let (walked, walk_len) = self.walk(q);
        // A walk visits about `want` entries per match it finds; matches
        // are at most the candidates.
        let walk_cost = want.saturating_mul(walk_len) / size.max(1);
        let mut found: Vec<Packed> = Vec::with_capacity(want);
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
            for (visited, (p, n)) in walked.enumerate() {
                if visited >= budget {
                    done = false;
                    found.clear();
                    break;
                }
                // Every match is a candidate: the membership test spares
                // reading the keys of most tickets that do not match.
                if candidates.as_ref().is_none_or(|c| c.contains(n))
                    && self
                        .slot(n)
                        .is_some_and(|s| self.matches(q, &tests, s, now))
                {
                    found.push(p);
                    if found.len() == want {
                        break;
                    }
                }
            }
        }
        if !done {
            let c = candidates.or_else(|| self.candidates(q, now, true));
            found = match c {
                Some(c) => self.select(q, &tests, &c, want, now),
                // Every range was over every ticket: walk it all.
                None => self
                    .walk(q)
                    .0
                    .filter(|(_, n)| {
                        self.slot(*n)
                            .is_some_and(|s| self.matches(q, &tests, s, now))
                    })
                    .map(|(p, _)| p)
                    .take(want)
                    .collect(),
            };
        }
        let sort = q.sort();
        let next = if found.len() > q.limit() {
            found.truncate(q.limit());
            found.last().map(|p| Cursor::at(sort, unpack(*p)))
        } else {
            None
        };
        Answer {
            ids: found
                .into_iter()
                .map(|p| TicketId::from_uuid(uuid::Uuid::from_u128(p.1)))
                .collect(),
            next,
        }
    }

    /// The first `want` matching candidates after the cursor, in order.
    fn select(
        &self,
        q: &QueueQuery,
        tests: &[Test<'_>],
        c: &Candidates<'_>,
        want: usize,
        now: DateTime<Utc>,
    ) -> Vec<Packed> {
        let sort = q.sort();
        let after = q.after().map(|p| packed(&p));
        // A max-heap of the best `want` so far, in the sort's direction.
        struct Ranked(Packed, bool);
        impl PartialEq for Ranked {
            fn eq(&self, o: &Self) -> bool {
                self.0 == o.0
            }
        }
        impl Eq for Ranked {}
        impl PartialOrd for Ranked {
            fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
                Some(self.cmp(o))
            }
        }
        impl Ord for Ranked {
            fn cmp(&self, o: &Self) -> std::cmp::Ordering {
                cmp_in(&self.0, &o.0, self.1)
            }
        }
        let mut heap: BinaryHeap<Ranked> = BinaryHeap::with_capacity(want + 1);
        for n in c.numbers() {
            let Some(s) = self.slot(n) else {
                continue;
            };
            let p = s.position(sort.by);
            if after.is_some_and(|a| cmp_in(&p, &a, sort.descending).is_le())
                || !self.matches(q, tests, s, now)
            {
                continue;
            }
            let ranked = Ranked(p, sort.descending);
            if heap.len() < want {
                heap.push(ranked);
            } else if heap.peek().is_some_and(|top| ranked < *top) {
                heap.pop();
                heap.push(ranked);
            }
        }
        heap.into_sorted_vec().into_iter().map(|r| r.0).collect()
    }

    /// How many tickets the query's queue holds at `now`, all pages.
    pub(crate) fn count(&self, q: &QueueQuery, now: DateTime<Utc>) -> u64 {
        let tests = self.tests(q);
        let n = match self.candidates(q, now, true) {
            None if q.queue().filters.is_empty() => self.len(),
            None => self
                .all()
                .filter(|s| self.matches(q, &tests, s, now))
                .count(),
            Some(c) => c
                .numbers()
                .filter_map(|n| self.slot(n))
                .filter(|s| self.matches(q, &tests, s, now))
                .count(),
        };
        u64::try_from(n).unwrap_or(u64::MAX)
    }
}
