//! A checked query: a valid queue, who looks, what they may see, where the
//! page starts and how long it is.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{
    AssigneeIs, Filter, MAX_PAGE, Position, Queue, QueueError, QueueRow, Restriction, SlaState,
    Sort, TagMatch,
};
use crate::id::AgentId;

/// Where the next page of a queue starts: the position of the last row
/// handed out, in the queue's sort. Opaque; serialise it to hand it to a
/// client and back. A cursor is only good for a queue with the same sort
/// ([`QueueError::CursorMismatch`] otherwise).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Cursor {
    sort: Sort,
    after: Position,
}

impl Cursor {
    /// The cursor after `row` in `sort`'s order.
    #[must_use]
    pub fn after(sort: Sort, row: &QueueRow) -> Self {
        Cursor {
            sort,
            after: row.position(sort.by),
        }
    }

    /// The cursor after a position.
    pub(super) fn at(sort: Sort, after: Position) -> Self {
        Cursor { sort, after }
    }

    /// The position the next page starts after.
    #[must_use]
    pub fn position(&self) -> Position {
        self.after
    }
}

/// A queue checked and resolved for one viewer: [`AssigneeIs::Me`] is the
/// viewer, the restriction applies, the page starts after the cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueQuery {
    queue: Queue,
    viewer: Option<AgentId>,
    restriction: Restriction,
    after: Option<Position>,
    limit: usize,
}

impl QueueQuery {
    /// Checks a query.
    ///
    /// # Errors
    /// The queue's own ([`Queue::validate`]); [`QueueError::NoViewer`]
    /// for a queue of "my" tickets without a viewer;
    /// [`QueueError::BadLimit`] for a page of 0 or more than
    /// [`MAX_PAGE`] rows; [`QueueError::CursorMismatch`] for a cursor of
    /// another sort.
    ///
    /// ```
    /// use fanatical::queue::{AssigneeIs, Filter, Queue, QueueError, QueueQuery, Restriction, Sort, SortBy};
    /// let mine = Queue::new(Sort::ascending(SortBy::NextDeadline))
    ///     .with(Filter::Assignee([AssigneeIs::Me].into()));
    /// assert_eq!(QueueQuery::new(&mine, None, Restriction::All, None, 50), Err(QueueError::NoViewer));
    /// let any = Queue::new(Sort::ascending(SortBy::Created));
    /// assert_eq!(QueueQuery::new(&any, None, Restriction::All, None, 0), Err(QueueError::BadLimit(0)));
    /// ```
    pub fn new(
        queue: &Queue,
        viewer: Option<AgentId>,
        restriction: Restriction,
        cursor: Option<&Cursor>,
        limit: usize,
    ) -> Result<Self, QueueError> {
        queue.validate()?;
        if !(1..=MAX_PAGE).contains(&limit) {
            return Err(QueueError::BadLimit(limit));
        }
        let me = queue
            .filters
            .iter()
            .any(|f| matches!(f, Filter::Assignee(s) if s.contains(&AssigneeIs::Me)));
        if me && viewer.is_none() {
            return Err(QueueError::NoViewer);
        }
        if let Some(c) = cursor
            && c.sort != queue.sort
        {
            return Err(QueueError::CursorMismatch {
                cursor: c.sort,
                queue: queue.sort,
            });
        }
        Ok(QueueQuery {
            queue: queue.clone(),
            viewer,
            restriction,
            after: cursor.map(|c| c.after),
            limit,
        })
    }

    /// The queue.
    #[must_use]
    pub fn queue(&self) -> &Queue {
        &self.queue
    }

    /// The sort.
    #[must_use]
    pub fn sort(&self) -> Sort {
        self.queue.sort
    }

    /// The viewer.
    #[must_use]
    pub fn viewer(&self) -> Option<AgentId> {
        self.viewer
    }

    /// What the viewer may see.
    #[must_use]
    pub fn restriction(&self) -> &Restriction {
        &self.restriction
    }

    /// The position the page starts after (`None`: the first page).
    #[must_use]
    pub fn after(&self) -> Option<Position> {
        self.after
    }

    /// The most rows the page holds.
    #[must_use]
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// The assignees an assignee filter means for this viewer (`None`:
    /// unassigned).
    #[must_use]
    pub fn assignees(&self, of: &BTreeSet<AssigneeIs>) -> BTreeSet<Option<AgentId>> {
        of.iter()
            .map(|a| match a {
                AssigneeIs::Agent(a) => Some(*a),
                // Checked: a query with "me" has a viewer.
                AssigneeIs::Me => self.viewer,
                AssigneeIs::Unassigned => None,
            })
            .collect()
    }

    /// Whether a row is in the queue at `now` and the viewer may see it
    /// (whatever the cursor).
    #[must_use]
    pub fn matches(&self, row: &QueueRow, now: DateTime<Utc>) -> bool {
        self.restriction.allows(row) && self.queue.filters.iter().all(|f| self.passes(f, row, now))
    }

    /// Whether a row comes after the cursor in the queue's order.
    #[must_use]
    pub fn is_after_cursor(&self, row: &QueueRow) -> bool {
        self.after.is_none_or(|c| {
            row.position(self.queue.sort.by)
                .cmp_in(&c, self.queue.sort.descending)
                .is_gt()
        })
    }

    fn passes(&self, f: &Filter, row: &QueueRow, now: DateTime<Utc>) -> bool {
        match f {
            Filter::Status(s) => s.contains(&row.status),
            Filter::Priority(s) => s.contains(&row.priority),
            Filter::Type(s) => s.contains(&row.ticket_type),
            Filter::Channel(s) => s.contains(&row.channel),
            Filter::Assignee(s) => s.iter().any(|a| match a {
                AssigneeIs::Agent(a) => row.assignee == Some(*a),
                AssigneeIs::Me => self.viewer.is_some() && row.assignee == self.viewer,
                AssigneeIs::Unassigned => row.assignee.is_none(),
            }),
            Filter::Team(s) => s.contains(&row.team),
            Filter::Tags(TagMatch::All(s)) => s.iter().all(|t| row.tags.contains(t)),
            Filter::Tags(TagMatch::Any(s)) => s.iter().any(|t| row.tags.contains(t)),
            Filter::Tags(TagMatch::None(s)) => !s.iter().any(|t| row.tags.contains(t)),
            Filter::Customer(s) => s.contains(&row.customer),
            Filter::Sla(SlaState::Breached) => {
                row.breached || row.next_deadline.is_some_and(|d| d.at < now)
            }
            Filter::Sla(SlaState::DueWithin(d)) => row
                .next_deadline
                .is_some_and(|n| n.at >= now && n.at <= crate::time::plus(now, *d)),
            Filter::Sla(SlaState::NoRunning) => row.next_deadline.is_none(),
            Filter::OpenedBefore(w) => row.opened_at < w.at(now),
            Filter::OpenedAfter(w) => row.opened_at >= w.at(now),
            Filter::UpdatedBefore(w) => row.updated_at < w.at(now),
            Filter::UpdatedAfter(w) => row.updated_at >= w.at(now),
            Filter::Field(c) => c.matches(&row.fields),
        }
    }
}
