//! Queues: saved ticket lists as data, answered page by page.
//!
//! A [`Queue`] is a list of [`Filter`]s (all must hold) and a [`Sort`].
//! It is plain serde data, so a team can keep its queues as configuration
//! or as rows of its own. [`Queue::validate`] refuses a definition that
//! cannot mean anything (an empty set, a due-within of zero, an opening
//! window that ends before it starts) with a [`QueueError`] naming the bad
//! value.
//!
//! A [`QueueQuery`] is a checked queue with who is looking: the viewer
//! (whom [`AssigneeIs::Me`] means), the [`Restriction`] their permissions
//! leave them (every answer is filtered by it), a [`Cursor`] and a page
//! size. A [`QueueReadModel`] answers queries over [`QueueRow`]s, one row
//! per ticket: [`MemoryQueues`] is the in-memory one the desk keeps
//! current as it applies events (`desk.queues()`); a database implements
//! the same trait to serve the same queues from its own tables
//! (`fanatical-postgres` does), kept current with the rows the desk says
//! changed. Both answer identically: [`conformance`] (feature
//! `conformance`) checks a read model against [`MemoryQueues`].
//!
//! **Pagination** is by key, not offset: a [`Cursor`] is the position
//! (sort key and ticket id) of the last row handed out, and the next page
//! starts strictly after it. The order is total (ties go by ticket id), so
//! a ticket that keeps its place is handed out exactly once however other
//! tickets arrive, leave or move between pages. A ticket whose own sort
//! key moves across the cursor between two pages is handed out twice (it
//! moved from before the cursor to after it) or not again (after to
//! before): that is inherent to any stable cursor, and a queue screen
//! refreshed from the first page shows it where it now is.
//!
//! **What a queue holds:** the tickets in the desk's memory. A ticket
//! archived out of memory (closed, then archived by the desk's
//! [`crate::desk::ArchivePolicy`]) leaves every queue.
//!
//! **Custom fields** are filtered on by [`Filter::Field`], a
//! [`FieldCondition`] on the ticket's field values ([`QueueRow::fields`]):
//! an option of a dropdown or multi-select, a checkbox, a number, decimal
//! or date range, set or empty. [`Queue::validate`] checks only the shape
//! (an any-of lists some value); [`Queue::check_fields`] checks the
//! filters against the desk's field catalog (the desk does so for every
//! queue it answers): a field it does not define, a field of customers or
//! contacts, or a value of another type than the field's is a
//! [`QueueError`] naming the field. A retired field can still be filtered
//! on: tickets keep the values it had.
//!
//! # Example
//! ```
//! use chrono::{Duration, TimeZone, Utc};
//! use fanatical::queue::{AssigneeIs, Filter, Queue, Sort, SortBy, SlaState};
//! use fanatical::ticket::Status;
//!
//! // My open tickets, the next breach first.
//! let mine = Queue::new(Sort::ascending(SortBy::NextDeadline))
//!     .with(Filter::Status([Status::New, Status::Open].into()))
//!     .with(Filter::Assignee([AssigneeIs::Me].into()));
//! assert!(mine.validate().is_ok());
//! // Due within no time at all is refused, naming the value.
//! let bad = Queue::new(Sort::ascending(SortBy::NextDeadline))
//!     .with(Filter::Sla(SlaState::DueWithin(Duration::zero())));
//! assert!(bad.validate().is_err());
//! ```

use std::cmp::Ordering;
use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::channel::ChannelKind;
use crate::field::{
    FieldCatalog, FieldCondition, FieldKey, FieldObject, FieldTerm, FieldTest, FieldType,
    FieldValues,
};
use crate::id::{AgentId, ContactId, CustomerId, TeamId, TicketId};
use crate::sla::Metric;
use crate::ticket::{Priority, Status, Tag, TicketType};

#[cfg(any(test, feature = "conformance"))]
pub mod conformance;
mod index;
mod memory;
mod query;

pub(crate) use index::{Facts, QueueIndex};
pub use memory::MemoryQueues;
pub use query::{Cursor, QueueQuery};

/// The most rows one page may ask for.
pub const MAX_PAGE: usize = 500;

/// A queue: every filter must hold; rows come in the sort's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Queue {
    /// The filters, all of which a ticket must pass.
    #[serde(default)]
    pub filters: Vec<Filter>,
    /// The order.
    pub sort: Sort,
}

/// One condition on a ticket. A set means "any of these".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Filter {
    /// The status is one of these.
    Status(BTreeSet<Status>),
    /// The priority is one of these.
    Priority(BTreeSet<Priority>),
    /// The ticket type is one of these.
    Type(BTreeSet<TicketType>),
    /// It arrived on one of these kinds of channel.
    Channel(BTreeSet<ChannelKind>),
    /// It is assigned as one of these says.
    Assignee(BTreeSet<AssigneeIs>),
    /// Its team is one of these (`None`: no team).
    Team(BTreeSet<Option<TeamId>>),
    /// Its tags.
    Tags(TagMatch),
    /// Its customer is one of these.
    Customer(BTreeSet<CustomerId>),
    /// Where its SLA is.
    Sla(SlaState),
    /// Opened strictly before.
    OpenedBefore(When),
    /// Opened at or after.
    OpenedAfter(When),
    /// Last changed strictly before.
    UpdatedBefore(When),
    /// Last changed at or after.
    UpdatedAfter(When),
    /// A custom field's value (see the module docs).
    Field(FieldCondition),
}

/// Whom a ticket is assigned to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssigneeIs {
    /// This agent.
    Agent(AgentId),
    /// The viewer (a query without a viewer is refused).
    Me,
    /// Nobody.
    Unassigned,
}

/// A condition on a ticket's tags.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TagMatch {
    /// It has every one of these.
    All(BTreeSet<Tag>),
    /// It has at least one of these.
    Any(BTreeSet<Tag>),
    /// It has none of these.
    None(BTreeSet<Tag>),
}

/// Where a ticket's SLA is, at the time of the query.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlaState {
    /// A live metric has breached (recorded), or the next deadline has
    /// passed (its breach not yet recorded).
    Breached,
    /// The next deadline is still to come, within this long from now
    /// (at most `now + d`, not before `now`). Must be positive.
    DueWithin(#[serde(with = "crate::time::seconds")] Duration),
    /// No SLA clock runs toward a deadline (none applies, or each one is
    /// paused, fulfilled or cancelled).
    NoRunning,
}

/// An instant, fixed or relative to the time of the query.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum When {
    /// This instant.
    At(DateTime<Utc>),
    /// This long before the query's `now` (not negative).
    Ago(#[serde(with = "crate::time::seconds")] Duration),
}

impl When {
    /// The instant this is at `now` (saturating at the ends of time).
    #[must_use]
    pub fn at(self, now: DateTime<Utc>) -> DateTime<Utc> {
        match self {
            When::At(t) => t,
            When::Ago(d) => crate::time::minus(now, d),
        }
    }
}

/// What a queue is sorted by; ties always go by ticket id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortBy {
    /// The next SLA deadline; tickets without one come last, in either
    /// direction.
    NextDeadline,
    /// Priority.
    Priority,
    /// When the ticket was opened.
    Created,
    /// When the ticket last changed.
    Updated,
}

/// A queue's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Sort {
    /// By what.
    pub by: SortBy,
    /// Highest first (ties by ticket id, highest first too).
    #[serde(default)]
    pub descending: bool,
}

impl Sort {
    /// Lowest first.
    #[must_use]
    pub fn ascending(by: SortBy) -> Self {
        Sort {
            by,
            descending: false,
        }
    }

    /// Highest first.
    #[must_use]
    pub fn descending(by: SortBy) -> Self {
        Sort {
            by,
            descending: true,
        }
    }
}

/// What the viewer may see, computed from their permissions: every queue
/// answer is filtered by it, with the same predicate commands are checked
/// with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Restriction {
    /// Every ticket.
    All,
    /// Tickets of these teams, and tickets assigned to this agent.
    TeamsOrAssignee {
        /// The teams.
        teams: BTreeSet<TeamId>,
        /// The agent.
        agent: AgentId,
    },
    /// Tickets assigned to this agent.
    Assignee(AgentId),
    /// Tickets one of these contacts asked for (a customer's contact
    /// looking at their own).
    Requester(BTreeSet<ContactId>),
    /// Every ticket of one customer (a contact looking at their
    /// organisation's).
    Customer(CustomerId),
}

impl Restriction {
    /// Whether a row passes.
    #[must_use]
    pub fn allows(&self, row: &QueueRow) -> bool {
        match self {
            Restriction::All => true,
            Restriction::TeamsOrAssignee { teams, agent } => {
                row.assignee == Some(*agent) || row.team.is_some_and(|t| teams.contains(&t))
            }
            Restriction::Assignee(a) => row.assignee == Some(*a),
            Restriction::Requester(contacts) => {
                row.requester.is_some_and(|c| contacts.contains(&c))
            }
            Restriction::Customer(c) => row.customer == *c,
        }
    }
}

/// A bad queue definition or query, naming what was wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum QueueError {
    /// The desk keeps no queue index in memory
    /// ([`crate::desk::DeskConfig::queue_index`] is off): serve queues
    /// from a read model fed with its rows instead.
    #[error("this desk keeps no queue index in memory (DeskConfig::queue_index is off)")]
    NotIndexed,
    /// A filter lists no value at all (it could match nothing).
    #[error("the {filter} filter lists no value")]
    EmptySet {
        /// Which filter.
        filter: &'static str,
    },
    /// A due-within that is zero or negative.
    #[error("due within {0} is not a positive duration")]
    DueWithinNotPositive(Duration),
    /// A relative instant with a negative duration.
    #[error("{filter} {ago} ago is a negative duration")]
    NegativeAgo {
        /// Which filter.
        filter: &'static str,
        /// The duration.
        ago: Duration,
    },
    /// Fixed bounds that leave no instant: opened (or updated) at or
    /// after `after` and before `before`, with `before <= after`.
    #[error("{what} at or after {after} and before {before} is empty")]
    EmptyWindow {
        /// "opened" or "updated".
        what: &'static str,
        /// The lower bound.
        after: DateTime<Utc>,
        /// The upper bound.
        before: DateTime<Utc>,
    },
    /// [`AssigneeIs::Me`] in a query with no viewer.
    #[error("the queue asks for the viewer's tickets and there is no viewer")]
    NoViewer,
    /// A page size of zero or over [`MAX_PAGE`].
    #[error("a page of {0} rows: the size must be 1 to {MAX_PAGE}")]
    BadLimit(usize),
    /// A filter on a field the desk's catalog does not define.
    #[error("the queue filters on field {0}, which is not defined")]
    UnknownField(FieldKey),
    /// A filter on a field of customers or contacts, not of tickets.
    #[error("the queue filters on field {key}, which belongs on {belongs}, not on tickets")]
    NotATicketField {
        /// The field.
        key: FieldKey,
        /// What it is defined on.
        belongs: FieldObject,
    },
    /// A filter value of another type than the field's (or a range on a
    /// field that has no order).
    #[error("the queue filters on field {key}, which takes {expected}, with {value}")]
    FieldType {
        /// The field.
        key: FieldKey,
        /// The field's type, by name.
        expected: &'static str,
        /// The value the filter gives (for a range on a field without an
        /// order, `"a range"`).
        value: String,
    },
    /// A cursor from a queue with another sort.
    #[error("the cursor is for a queue sorted by {cursor:?}, this one by {queue:?}")]
    CursorMismatch {
        /// The cursor's sort.
        cursor: Sort,
        /// The queue's.
        queue: Sort,
    },
}

/// Fixed lower and upper bounds on an instant.
type Window = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

impl Queue {
    /// A queue of every ticket in `sort`'s order.
    #[must_use]
    pub fn new(sort: Sort) -> Self {
        Queue {
            filters: Vec::new(),
            sort,
        }
    }

    /// This queue with one more filter.
    #[must_use]
    pub fn with(mut self, filter: Filter) -> Self {
        self.filters.push(filter);
        self
    }

    /// Checks the definition.
    ///
    /// # Errors
    /// [`QueueError::EmptySet`] for a filter with no value,
    /// [`QueueError::DueWithinNotPositive`],
    /// [`QueueError::NegativeAgo`], and [`QueueError::EmptyWindow`] for
    /// fixed opened (or updated) bounds that leave no instant. Field
    /// filters are checked against a catalog by [`Queue::check_fields`].
    pub fn validate(&self) -> Result<(), QueueError> {
        let empty = |filter| Err(QueueError::EmptySet { filter });
        // The tightest fixed (after, before) bounds of openings and updates.
        let (mut opened_window, mut updated_window): (Window, Window) = Default::default();
        for f in &self.filters {
            match f {
                Filter::Status(s) if s.is_empty() => return empty("status"),
                Filter::Priority(s) if s.is_empty() => return empty("priority"),
                Filter::Type(s) if s.is_empty() => return empty("type"),
                Filter::Channel(s) if s.is_empty() => return empty("channel"),
                Filter::Assignee(s) if s.is_empty() => return empty("assignee"),
                Filter::Team(s) if s.is_empty() => return empty("team"),
                Filter::Customer(s) if s.is_empty() => return empty("customer"),
                Filter::Tags(TagMatch::All(s) | TagMatch::Any(s) | TagMatch::None(s))
                    if s.is_empty() =>
                {
                    return empty("tags");
                }
                Filter::Field(FieldCondition {
                    test: FieldTest::AnyOf(s),
                    ..
                }) if s.is_empty() => return empty("field"),
                Filter::Sla(SlaState::DueWithin(d)) if *d <= Duration::zero() => {
                    return Err(QueueError::DueWithinNotPositive(*d));
                }
                Filter::OpenedBefore(w)
                | Filter::OpenedAfter(w)
                | Filter::UpdatedBefore(w)
                | Filter::UpdatedAfter(w) => {
                    let (opened, name, after) = match f {
                        Filter::OpenedBefore(_) => (true, "opened before", false),
                        Filter::OpenedAfter(_) => (true, "opened after", true),
                        Filter::UpdatedBefore(_) => (false, "updated before", false),
                        _ => (false, "updated after", true),
                    };
                    match *w {
                        When::Ago(ago) if ago < Duration::zero() => {
                            return Err(QueueError::NegativeAgo { filter: name, ago });
                        }
                        When::At(t) => {
                            let (lo, hi) = if opened {
                                &mut opened_window
                            } else {
                                &mut updated_window
                            };
                            let bound = if after { lo } else { hi };
                            // The tightest bound counts.
                            *bound = Some(match *bound {
                                Some(b) if after => b.max(t),
                                Some(b) => b.min(t),
                                None => t,
                            });
                        }
                        When::Ago(_) => {}
                    }
                }
                _ => {}
            }
        }
        for ((lo, hi), what) in [(opened_window, "opened"), (updated_window, "updated")] {
            if let (Some(after), Some(before)) = (lo, hi)
                && before <= after
            {
                return Err(QueueError::EmptyWindow {
                    what,
                    after,
                    before,
                });
            }
        }
        Ok(())
    }
}

impl Queue {
    /// Checks the queue's field filters against a field catalog (the
    /// desk's: `desk.fields().catalog()`). Retired fields pass.
    ///
    /// # Errors
    /// [`QueueError::UnknownField`] for a field the catalog does not
    /// define, [`QueueError::NotATicketField`] for a customer's or
    /// contact's field, [`QueueError::FieldType`] for a value (or range
    /// bound) of another type than the field's, or a range on a field
    /// without an order (text, checkbox, options).
    ///
    /// ```
    /// use fanatical::field::{FieldCatalog, FieldCondition, FieldDefinition, FieldKey, FieldObject, FieldTerm, FieldType};
    /// use fanatical::queue::{Filter, Queue, QueueError, Sort, SortBy};
    /// let plan = FieldKey::new("plan")?;
    /// let mut catalog = FieldCatalog::default();
    /// catalog.define(FieldDefinition::new(plan.clone(), "Plan", FieldObject::Ticket, FieldType::dropdown(["pro", "enterprise"])))?;
    /// let q = Queue::new(Sort::ascending(SortBy::Created))
    ///     .with(Filter::Field(FieldCondition::any_of(plan, [FieldTerm::option("enterprise")])));
    /// assert_eq!(q.check_fields(&catalog), Ok(()));
    /// let seats = FieldKey::new("seats")?;
    /// let q = q.with(Filter::Field(FieldCondition::set(seats.clone())));
    /// assert_eq!(q.check_fields(&catalog), Err(QueueError::UnknownField(seats)));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn check_fields(&self, catalog: &FieldCatalog) -> Result<(), QueueError> {
        for f in &self.filters {
            let Filter::Field(c) = f else { continue };
            let Some(def) = catalog.get(&c.key) else {
                return Err(QueueError::UnknownField(c.key.clone()));
            };
            if def.object != FieldObject::Ticket {
                return Err(QueueError::NotATicketField {
                    key: c.key.clone(),
                    belongs: def.object,
                });
            }
            let wrong = |value: String| QueueError::FieldType {
                key: c.key.clone(),
                expected: def.field_type.name(),
                value,
            };
            match &c.test {
                FieldTest::Set | FieldTest::Empty => {}
                FieldTest::AnyOf(terms) => {
                    if let Some(t) = terms.iter().find(|t| !term_fits(&def.field_type, t)) {
                        return Err(wrong(term_described(t)));
                    }
                }
                FieldTest::Between { min, max } => {
                    let ordered = matches!(
                        def.field_type,
                        FieldType::Number | FieldType::Decimal { .. } | FieldType::Date
                    );
                    if !ordered {
                        return Err(wrong("a range".to_owned()));
                    }
                    if let Some(t) = [min, max]
                        .into_iter()
                        .flatten()
                        .find(|t| !term_fits(&def.field_type, t))
                    {
                        return Err(wrong(term_described(t)));
                    }
                }
            }
        }
        Ok(())
    }
}

/// Whether a term is of the kind a field's values give.
fn term_fits(ty: &FieldType, t: &FieldTerm) -> bool {
    matches!(
        (ty, t),
        (
            FieldType::Text | FieldType::Pattern { .. },
            FieldTerm::Text(_)
        ) | (FieldType::Number, FieldTerm::Number(_))
            | (FieldType::Decimal { .. }, FieldTerm::Decimal(_))
            | (FieldType::Date, FieldTerm::Date(_))
            | (FieldType::Checkbox, FieldTerm::Checkbox(_))
            | (
                FieldType::Dropdown { .. } | FieldType::MultiSelect { .. },
                FieldTerm::Option(_)
            )
    )
}

/// A term with its kind, as errors name it.
fn term_described(t: &FieldTerm) -> String {
    let kind = match t {
        FieldTerm::Text(_) => "text",
        FieldTerm::Number(_) => "number",
        FieldTerm::Decimal(_) => "decimal",
        FieldTerm::Date(_) => "date",
        FieldTerm::Checkbox(_) => "checkbox",
        FieldTerm::Option(_) => "option",
    };
    let shown: String = t.to_string().chars().take(100).collect();
    format!("{kind} {shown:?}")
}

/// The next SLA deadline of a ticket and the metric it is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct NextDeadline {
    /// The last on-time instant.
    pub at: DateTime<Utc>,
    /// The metric whose clock runs toward it.
    pub metric: Metric,
}

/// One ticket as a queue screen shows it, and what queues filter on. No
/// conversation, internal notes or spend: only what a list of tickets
/// shows. The desk gives each ticket's row (`desk.queues().row(id)`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct QueueRow {
    /// The ticket.
    pub id: TicketId,
    /// Its subject.
    pub subject: String,
    /// Its status.
    pub status: Status,
    /// Its priority.
    pub priority: Priority,
    /// Its type.
    pub ticket_type: TicketType,
    /// The kind of channel it arrived on.
    pub channel: ChannelKind,
    /// Whom it is assigned to.
    pub assignee: Option<AgentId>,
    /// Its team.
    pub team: Option<TeamId>,
    /// Its customer.
    pub customer: CustomerId,
    /// The contact who asked, when one did.
    pub requester: Option<ContactId>,
    /// Its tags.
    pub tags: BTreeSet<Tag>,
    /// The earliest deadline a running SLA clock has (a breached one's
    /// too, which has passed); `None` when no clock runs.
    pub next_deadline: Option<NextDeadline>,
    /// Whether a live SLA metric has breached.
    pub breached: bool,
    /// When it was opened.
    pub opened_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// Its custom field values.
    #[serde(default, skip_serializing_if = "FieldValues::is_empty")]
    pub fields: FieldValues,
}

impl QueueRow {
    /// A row with the given facts and everything else empty: no
    /// assignee, team, requester, tags, deadline or field values. For tests and read
    /// models of your own; the desk builds its rows from its tickets.
    #[must_use]
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        id: TicketId,
        subject: impl Into<String>,
        customer: CustomerId,
        status: Status,
        priority: Priority,
        ticket_type: TicketType,
        channel: ChannelKind,
        opened_at: DateTime<Utc>,
    ) -> Self {
        QueueRow {
            id,
            subject: subject.into(),
            status,
            priority,
            ticket_type,
            channel,
            assignee: None,
            team: None,
            customer,
            requester: None,
            tags: BTreeSet::new(),
            next_deadline: None,
            breached: false,
            opened_at,
            updated_at: opened_at,
            fields: FieldValues::new(),
        }
    }

    /// The row's position in an ascending order by `by`.
    #[must_use]
    pub fn position(&self, by: SortBy) -> Position {
        let (group, at) = match by {
            SortBy::NextDeadline => match self.next_deadline {
                Some(d) => (0, split(d.at)),
                None => (1, (0, 0)),
            },
            SortBy::Priority => (0, (i64::from(priority_code(self.priority)), 0)),
            SortBy::Created => (0, split(self.opened_at)),
            SortBy::Updated => (0, split(self.updated_at)),
        };
        Position {
            group,
            secs: at.0,
            nanos: at.1,
            id: self.id,
        }
    }
}

/// A row's place in a queue's order, ascending: first the group (0, or 1
/// for a ticket without a next deadline, which comes last in either
/// direction), then the key (seconds and nanoseconds of an instant, or a
/// priority's rank), then the ticket id. Descending reverses all but the
/// group. [`Position::to_bytes`] keeps the order bytewise, for databases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Position {
    group: u8,
    secs: i64,
    nanos: u32,
    id: TicketId,
}

impl Position {
    /// The first position at an instant (before every ticket's there),
    /// for comparing an instant key with a time: a key is before `t`
    /// exactly when its position is below `first_at(t)`.
    #[must_use]
    pub fn first_at(at: DateTime<Utc>) -> Self {
        let (secs, nanos) = split(at);
        Position {
            group: 0,
            secs,
            nanos,
            id: TicketId::from_uuid(uuid::Uuid::nil()),
        }
    }

    /// The last position at an instant (after every ticket's there): a
    /// key is at or before `t` exactly when its position is at most
    /// `last_at(t)`.
    #[must_use]
    pub fn last_at(at: DateTime<Utc>) -> Self {
        Position {
            id: TicketId::from_uuid(uuid::Uuid::max()),
            ..Self::first_at(at)
        }
    }

    /// The group: 1 for "no next deadline", else 0.
    #[must_use]
    pub fn group(&self) -> u8 {
        self.group
    }

    /// The ticket.
    #[must_use]
    pub fn ticket(&self) -> TicketId {
        self.id
    }

    /// 29 bytes whose lexicographic order is the position's order: the
    /// group, the key's seconds (sign bit flipped, big-endian), its
    /// nanoseconds (big-endian), the ticket id's UUID bytes.
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut b = Vec::with_capacity(29);
        b.push(self.group);
        b.extend_from_slice(&(self.secs.cast_unsigned() ^ (1 << 63)).to_be_bytes());
        b.extend_from_slice(&self.nanos.to_be_bytes());
        b.extend_from_slice(self.id.as_uuid().as_bytes());
        b
    }

    /// Compares two positions in a sort's direction.
    #[must_use]
    pub fn cmp_in(&self, other: &Self, descending: bool) -> Ordering {
        if descending {
            self.group.cmp(&other.group).then_with(|| {
                (other.secs, other.nanos, other.id).cmp(&(self.secs, self.nanos, self.id))
            })
        } else {
            self.cmp(other)
        }
    }
}

/// An instant as seconds and nanoseconds since the epoch (ordered as the
/// instant is).
fn split(t: DateTime<Utc>) -> (i64, u32) {
    (t.timestamp(), t.timestamp_subsec_nanos())
}

/// A priority's rank, lowest first.
fn priority_code(p: Priority) -> u8 {
    match p {
        Priority::Low => 0,
        Priority::Normal => 1,
        Priority::High => 2,
        Priority::Urgent => 3,
    }
}

/// One page of a queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuePage {
    /// The rows, in the queue's order.
    pub rows: Vec<QueueRow>,
    /// Where the next page starts; `None` when this one is the last.
    pub next: Option<Cursor>,
}

/// A change a read model takes in: a ticket's row as it now is, or a
/// ticket that left memory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RowChange {
    /// The ticket's row, new or changed.
    Upsert(QueueRow),
    /// The ticket left (archived).
    Remove(TicketId),
}

/// A read model that answers queues: the in-memory [`MemoryQueues`], or a
/// database's. It takes the desk's rows as they change
/// ([`RowChange`]s: `desk.queues().changes(&recorded)` after each applied
/// batch, `desk.queues().rows()` to fill it the first time) and answers
/// checked [`QueueQuery`]s. The library does no I/O: the implementation
/// does.
pub trait QueueReadModel {
    /// What can go wrong in the backend.
    type Error;

    /// Takes in changed rows, in order.
    ///
    /// # Errors
    /// The backend's.
    fn apply_rows(&mut self, changes: &[RowChange]) -> Result<(), Self::Error>;

    /// A page of the query's queue at `now`.
    ///
    /// # Errors
    /// The backend's.
    fn page(&mut self, query: &QueueQuery, now: DateTime<Utc>) -> Result<QueuePage, Self::Error>;

    /// How many tickets the query's queue holds at `now` (all pages).
    ///
    /// # Errors
    /// The backend's.
    fn count(&mut self, query: &QueueQuery, now: DateTime<Utc>) -> Result<u64, Self::Error>;
}

#[cfg(test)]
mod tests;
