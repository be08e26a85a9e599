//! The in-memory queue read model: every row, and the compact index
//! ([`super::index`]) that answers queries over them.
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
//!   every row and one by team), walked from the cursor until the page
//!   is full, or from selecting the first rows of the candidates,
//!   whichever the sizes say is cheaper. A walk that visits as many rows
//!   as the candidates hold gives up and selects instead, so a page never
//!   costs much more than its candidates.
//!
//! The desk keeps the same index without the rows: it builds the rows of
//! a page from its tickets.

use std::collections::HashMap;
use std::convert::Infallible;

use chrono::{DateTime, Utc};

use super::index::{Facts, QueueIndex};
use super::{QueuePage, QueueQuery, QueueReadModel, QueueRow, RowChange};
use crate::id::TicketId;

type Fixed = foldhash::fast::FixedState;

/// Every queue row, indexed. See the module docs.
#[derive(Debug, Clone, Default)]
pub struct MemoryQueues {
    rows: HashMap<TicketId, QueueRow, Fixed>,
    pub(super) index: QueueIndex,
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
        self.index.set(&Facts::of(&row));
        self.rows.insert(row.id, row);
    }

    /// Takes a ticket out.
    pub fn remove(&mut self, id: TicketId) {
        if self.rows.remove(&id).is_some() {
            self.index.remove(id);
        }
    }

    /// A page of the query's queue at `now`.
    #[must_use]
    pub fn page(&self, q: &QueueQuery, now: DateTime<Utc>) -> QueuePage {
        let answer = self.index.page(q, now);
        QueuePage {
            rows: answer
                .ids
                .iter()
                .filter_map(|id| self.rows.get(id).cloned())
                .collect(),
            next: answer.next,
        }
    }

    /// How many rows the query's queue holds at `now`, all pages.
    #[must_use]
    pub fn count(&self, q: &QueueQuery, now: DateTime<Utc>) -> u64 {
        self.index.count(q, now)
    }
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
    use crate::field::{FieldCondition, FieldKey, FieldTerm, FieldTest, FieldValue};
    use crate::queue::conformance::sample_rows;
    use crate::queue::{Filter, QueueQuery, Restriction, SortBy};
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
            model.index.candidates(&q, now, true).map(|c| c.size())
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
