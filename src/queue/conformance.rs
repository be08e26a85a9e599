//! The queue read-model conformance suite: a [`QueueReadModel`] must answer
//! every queue as [`MemoryQueues`] does, page by page (the same rows, the
//! same cursors) and in its counts.
//!
//! [`sample_rows`] generates a varied set of rows (every status, priority,
//! type and channel; assigned or not; teams; tags; deadlines past, near
//! and far, breached or not, none; custom field values of every kind a
//! queue filters on, or none), [`sample_queries`] the queues to ask
//! of them (every filter, every sort both ways, restrictions, "me"), and
//! [`check`] pages through each at several page sizes in both models.
//! Rows from a real desk (`desk.queues().rows()`) can be checked the same
//! way. Nothing panics: a difference is a [`Mismatch`].
//!
//! Enable with the `conformance` feature.
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use fanatical::queue::{conformance, MemoryQueues, QueueReadModel, RowChange};
//! let now = Utc.with_ymd_and_hms(2026, 3, 3, 9, 0, 0).unwrap();
//! let rows = conformance::sample_rows(7, 300, now);
//! let mut model = MemoryQueues::new();
//! let changes: Vec<RowChange> = rows.iter().cloned().map(RowChange::Upsert).collect();
//! model.apply_rows(&changes).unwrap();
//! let checked = conformance::check(&mut model, &rows, &conformance::sample_queries(&rows), now)
//!     .map_err(|e| e.to_string())?;
//! assert!(checked > 100);
//! # Ok::<(), String>(())
//! ```

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};

use super::{
    AssigneeIs, Filter, MemoryQueues, NextDeadline, Queue, QueueQuery, QueueReadModel, QueueRow,
    Restriction, SlaState, Sort, SortBy, TagMatch, When,
};
use crate::channel::ChannelKind;
use crate::field::{
    Decimal, FieldCondition, FieldKey, FieldTerm, FieldTest, FieldValue, FieldValues,
};
use crate::id::{AgentId, ContactId, CustomerId, TeamId, TicketId};
use crate::sla::Metric;
use crate::ticket::{Priority, Status, Tag, TicketType};

/// A read model answered differently from [`MemoryQueues`], or failed.
#[derive(Debug, thiserror::Error)]
pub enum Mismatch<E: std::fmt::Debug> {
    /// The backend failed.
    #[error("queue {case}: the read model failed: {error:?}")]
    Backend {
        /// Which queue.
        case: String,
        /// Its error.
        error: E,
    },
    /// A page or count differed.
    #[error("queue {case}: {what}")]
    Differs {
        /// Which queue, page size and page.
        case: String,
        /// What differed.
        what: String,
    },
}

/// A queue to ask, with its viewer and restriction, and a name for
/// reports.
#[derive(Debug, Clone)]
pub struct Case {
    /// What it is.
    pub name: String,
    /// The queue.
    pub queue: Queue,
    /// Who looks.
    pub viewer: Option<AgentId>,
    /// What they may see.
    pub restriction: Restriction,
}

/// A small deterministic generator (splitmix64).
struct Mix(u64);

impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn pick<T: Copy, const N: usize>(&mut self, of: &[T; N]) -> T {
        let i = usize::try_from(self.below(N as u64)).unwrap_or(0);
        // `N` is never 0 here: every table has values.
        of.iter()
            .cycle()
            .nth(i)
            .copied()
            .unwrap_or_else(|| unreachable_pick())
    }
}

/// Never called: no table the generator picks from is empty.
#[cold]
fn unreachable_pick<T>() -> T {
    unreachable!("a sample table is empty")
}

fn id_of(kind: u128, n: u64) -> uuid::Uuid {
    uuid::Uuid::from_u128((kind << 64) | u128::from(n))
}

/// The agents the sample rows are assigned to.
#[must_use]
pub fn sample_agents() -> [AgentId; 5] {
    std::array::from_fn(|n| AgentId::from_uuid(id_of(1, n as u64)))
}

/// The teams of the sample rows.
#[must_use]
pub fn sample_teams() -> [TeamId; 3] {
    std::array::from_fn(|n| TeamId::from_uuid(id_of(2, n as u64)))
}

fn sample_tags() -> [BTreeSet<Tag>; 4] {
    ["billing", "outage", "vip", "refund"].map(|t| Tag::new(t).into_iter().collect())
}

const STATUSES: [Status; 6] = [
    Status::New,
    Status::Open,
    Status::Pending,
    Status::OnHold,
    Status::Solved,
    Status::Closed,
];
const PRIORITIES: [Priority; 4] = [
    Priority::Low,
    Priority::Normal,
    Priority::High,
    Priority::Urgent,
];
const TYPES: [TicketType; 4] = [
    TicketType::Question,
    TicketType::Incident,
    TicketType::Problem,
    TicketType::Task,
];
const CHANNELS: [ChannelKind; 6] = [
    ChannelKind::Phone,
    ChannelKind::Portal,
    ChannelKind::Email,
    ChannelKind::Social,
    ChannelKind::Video,
    ChannelKind::Chat,
];

/// `n` varied rows around `now`, the same for the same seed. Instants
/// repeat on purpose (ties go by ticket id) and carry nanoseconds.
#[must_use]
pub fn sample_rows(seed: u64, n: usize, now: DateTime<Utc>) -> Vec<QueueRow> {
    let mut m = Mix(seed);
    let agents = sample_agents();
    let teams = sample_teams();
    let tags = sample_tags();
    let customers: [CustomerId; 4] =
        std::array::from_fn(|n| CustomerId::from_uuid(id_of(3, n as u64)));
    let metrics = [Metric::FirstResponse, Metric::NextResponse];
    (0..n as u64)
        .map(|i| {
            let minutes = |m: &mut Mix, span: u64| {
                // Coarse steps, so instants tie; a few nanoseconds apart.
                let steps = i64::try_from(m.below(span)).unwrap_or(0) * 15;
                Duration::minutes(steps) + Duration::nanoseconds(i64::from(m.pick(&[0u8, 0, 7])))
            };
            let opened = crate::time::minus(now, minutes(&mut m, 200));
            let mut row = QueueRow::new(
                TicketId::from_uuid(id_of(4, m.next())),
                format!("Ticket {i}"),
                m.pick(&customers),
                m.pick(&STATUSES),
                m.pick(&PRIORITIES),
                m.pick(&TYPES),
                m.pick(&CHANNELS),
                opened,
            );
            row.updated_at = crate::time::plus(opened, minutes(&mut m, 20));
            row.assignee = (m.below(4) > 0).then(|| m.pick(&agents));
            row.team = (m.below(5) > 0).then(|| m.pick(&teams));
            row.requester = (m.below(6) > 0).then(|| ContactId::from_uuid(id_of(5, m.below(8))));
            row.tags = tags
                .iter()
                .filter(|_| m.below(3) == 0)
                .flatten()
                .cloned()
                .collect();
            if row.status.is_unsolved() && m.below(5) > 0 {
                let around = minutes(&mut m, 40) - Duration::minutes(150);
                row.next_deadline = Some(NextDeadline {
                    at: crate::time::plus(now, around),
                    metric: m.pick(&metrics),
                });
            }
            row.breached = row.status.is_unsolved() && m.below(7) == 0;
            row.fields = sample_fields(&mut m);
            row
        })
        .collect()
}

/// A field key of the samples (each is a valid key).
fn field_key(k: &str) -> Option<FieldKey> {
    FieldKey::new(k).ok()
}

/// Some of: `plan` (an option), `regions` (options), `escalated`
/// (checkbox), `units` (number), `price` (decimal), `due` (date).
fn sample_fields(m: &mut Mix) -> FieldValues {
    let plans = ["basic", "pro", "enterprise"];
    let regions = ["eu", "us", "apac"];
    let units = i64::try_from(m.below(60)).unwrap_or(0) - 10;
    let cents = i64::try_from(m.below(4000)).unwrap_or(0);
    let day = chrono::NaiveDate::from_ymd_opt(2026, 1, 1)
        .and_then(|d| d.checked_add_days(chrono::Days::new(m.below(90))));
    let values = [
        ("plan", Some(FieldValue::choice(m.pick(&plans)))),
        (
            "regions",
            Some(FieldValue::choices(
                regions.iter().filter(|_| m.below(2) == 0).copied(),
            ))
            .filter(|v| matches!(v, FieldValue::Choices(s) if !s.is_empty())),
        ),
        ("escalated", Some(FieldValue::Checkbox(m.below(2) == 0))),
        ("units", Some(FieldValue::Number(units))),
        (
            "price",
            Decimal::new(cents, 2).ok().map(FieldValue::Decimal),
        ),
        ("due", day.map(FieldValue::Date)),
    ];
    values
        .into_iter()
        .filter(|_| m.below(4) > 0)
        .filter_map(|(k, v)| Some((field_key(k)?, v?)))
        .collect()
}

/// Queues on the sample fields: options, a checkbox, ranges of a number,
/// a decimal and a date, set and empty.
fn field_queries() -> Vec<(&'static str, Vec<Filter>)> {
    let on = |k: &str, test: FieldTest| {
        field_key(k).map(|key| Filter::Field(FieldCondition { key, test }))
    };
    let date = |m: u32, d: u32| chrono::NaiveDate::from_ymd_opt(2026, m, d).map(FieldTerm::Date);
    let cases = [
        (
            "plan pro or enterprise",
            on(
                "plan",
                FieldTest::AnyOf(
                    [FieldTerm::option("pro"), FieldTerm::option("enterprise")].into(),
                ),
            ),
        ),
        (
            "in the us",
            on(
                "regions",
                FieldTest::AnyOf([FieldTerm::option("us")].into()),
            ),
        ),
        (
            "escalated",
            on(
                "escalated",
                FieldTest::AnyOf([FieldTerm::Checkbox(true)].into()),
            ),
        ),
        (
            "units 5 to 20",
            on(
                "units",
                FieldTest::Between {
                    min: Some(FieldTerm::Number(5)),
                    max: Some(FieldTerm::Number(20)),
                },
            ),
        ),
        (
            "units below zero",
            on(
                "units",
                FieldTest::Between {
                    min: None,
                    max: Some(FieldTerm::Number(-1)),
                },
            ),
        ),
        (
            "price at least 12.5",
            on(
                "price",
                FieldTest::Between {
                    min: Decimal::new(125, 1).ok().map(FieldTerm::Decimal),
                    max: None,
                },
            ),
        ),
        (
            "due in february",
            on(
                "due",
                FieldTest::Between {
                    min: date(2, 1),
                    max: date(2, 28),
                },
            ),
        ),
        ("units set", on("units", FieldTest::Set)),
        ("no plan", on("plan", FieldTest::Empty)),
    ];
    let mut out: Vec<(&str, Vec<Filter>)> = cases
        .into_iter()
        .filter_map(|(name, f)| Some((name, vec![f?])))
        .collect();
    if let (Some(p), Some(s)) = (
        on(
            "plan",
            FieldTest::AnyOf([FieldTerm::option("basic")].into()),
        ),
        on("escalated", FieldTest::Empty),
    ) {
        out.push((
            "basic and not escalated and open",
            vec![p, s, Filter::Status([Status::Open].into())],
        ));
    }
    out
}

/// Queues that exercise every filter, every sort both ways, "me", the
/// restrictions, and an empty answer.
#[must_use]
pub fn sample_queries(rows: &[QueueRow]) -> Vec<Case> {
    let agents = sample_agents();
    let teams = sample_teams();
    let tags = sample_tags();
    let customer = rows.first().map(|r| r.customer);
    let contacts: BTreeSet<ContactId> = rows.iter().filter_map(|r| r.requester).take(2).collect();
    let instant = rows.get(rows.len() / 2).map(|r| r.opened_at);
    let unsolved: BTreeSet<Status> =
        [Status::New, Status::Open, Status::Pending, Status::OnHold].into();
    let mut filters: Vec<(&str, Vec<Filter>)> = vec![
        ("everything", vec![]),
        ("unsolved", vec![Filter::Status(unsolved.clone())]),
        (
            "urgent or high",
            vec![Filter::Priority([Priority::Urgent, Priority::High].into())],
        ),
        (
            "incidents",
            vec![Filter::Type([TicketType::Incident].into())],
        ),
        (
            "chat and phone",
            vec![Filter::Channel(
                [ChannelKind::Chat, ChannelKind::Phone].into(),
            )],
        ),
        ("mine", vec![Filter::Assignee([AssigneeIs::Me].into())]),
        (
            "unassigned",
            vec![
                Filter::Assignee([AssigneeIs::Unassigned].into()),
                Filter::Status(unsolved.clone()),
            ],
        ),
        (
            "one agent's or nobody's",
            vec![Filter::Assignee(
                [AssigneeIs::Agent(agents[1]), AssigneeIs::Unassigned].into(),
            )],
        ),
        ("a team", vec![Filter::Team([Some(teams[0])].into())]),
        ("no team", vec![Filter::Team([None].into())]),
        (
            "all tags",
            vec![Filter::Tags(TagMatch::All(
                tags[0].iter().chain(&tags[1]).cloned().collect(),
            ))],
        ),
        (
            "any tag",
            vec![Filter::Tags(TagMatch::Any(
                tags[1].iter().chain(&tags[2]).cloned().collect(),
            ))],
        ),
        (
            "no tag",
            vec![Filter::Tags(TagMatch::None(tags[0].clone()))],
        ),
        ("breached", vec![Filter::Sla(SlaState::Breached)]),
        (
            "due within an hour",
            vec![Filter::Sla(SlaState::DueWithin(Duration::hours(1)))],
        ),
        (
            "no running sla",
            vec![
                Filter::Sla(SlaState::NoRunning),
                Filter::Status(unsolved.clone()),
            ],
        ),
        (
            "opened over a day ago",
            vec![Filter::OpenedBefore(When::Ago(Duration::days(1)))],
        ),
        (
            "updated in the last day",
            vec![Filter::UpdatedAfter(When::Ago(Duration::days(1)))],
        ),
        (
            "my team's open, due soon",
            vec![
                Filter::Team([Some(teams[1])].into()),
                Filter::Status(unsolved),
                Filter::Sla(SlaState::DueWithin(Duration::hours(3))),
            ],
        ),
        (
            "no such customer",
            vec![Filter::Customer(
                [CustomerId::from_uuid(id_of(9, 9))].into(),
            )],
        ),
    ];
    filters.extend(field_queries());
    if let Some(c) = customer {
        filters.push(("a customer", vec![Filter::Customer([c].into())]));
    }
    if let Some(t) = instant {
        filters.push((
            "opened in a window",
            vec![
                Filter::OpenedAfter(When::At(crate::time::minus(t, Duration::hours(10)))),
                Filter::OpenedBefore(When::At(t)),
            ],
        ));
        filters.push(("updated before", vec![Filter::UpdatedBefore(When::At(t))]));
    }
    let mut restrictions = vec![
        ("all", Restriction::All),
        (
            "teams or mine",
            Restriction::TeamsOrAssignee {
                teams: [teams[0], teams[2]].into(),
                agent: agents[0],
            },
        ),
        ("assigned to me", Restriction::Assignee(agents[0])),
        ("a requester's", Restriction::Requester(contacts)),
    ];
    if let Some(c) = customer {
        restrictions.push(("an organisation's", Restriction::Customer(c)));
    }
    let sorts = [
        SortBy::NextDeadline,
        SortBy::Priority,
        SortBy::Created,
        SortBy::Updated,
    ];
    let mut cases = Vec::new();
    for (i, (name, fs)) in filters.into_iter().enumerate() {
        for (j, by) in sorts.iter().enumerate() {
            let descending = (i + j) % 2 == 1;
            let sort = Sort {
                by: *by,
                descending,
            };
            let Some((rname, restriction)) =
                restrictions.get((i + j) % restrictions.len()).cloned()
            else {
                continue;
            };
            // Every queue once unrestricted, and once as the restriction's turn says.
            for restriction in [Restriction::All, restriction] {
                cases.push(Case {
                    name: format!(
                        "{name}, by {by:?}{}, {}",
                        if descending { " descending" } else { "" },
                        if restriction == Restriction::All {
                            "all"
                        } else {
                            rname
                        }
                    ),
                    queue: Queue {
                        filters: fs.clone(),
                        sort,
                    },
                    viewer: Some(agents[0]),
                    restriction,
                });
            }
        }
    }
    cases
}

/// Pages through every case at page sizes 1, 7 and 50 in `model` and in a
/// [`MemoryQueues`] of `rows` (the rows `model` was given), comparing each
/// page and the counts. Returns how many pages were compared.
///
/// # Errors
/// The first [`Mismatch`].
pub fn check<M: QueueReadModel>(
    model: &mut M,
    rows: &[QueueRow],
    cases: &[Case],
    now: DateTime<Utc>,
) -> Result<usize, Mismatch<M::Error>>
where
    M::Error: std::fmt::Debug,
{
    let mut reference = MemoryQueues::new();
    for r in rows {
        reference.upsert(r.clone());
    }
    let mut pages = 0;
    for case in cases {
        let differs = |what: String, name: String| Mismatch::Differs { case: name, what };
        for limit in [1usize, 7, 50] {
            let name = format!("{} (pages of {limit})", case.name);
            let mut cursor = None;
            let mut seen = 0usize;
            loop {
                let q = QueueQuery::new(
                    &case.queue,
                    case.viewer,
                    case.restriction.clone(),
                    cursor.as_ref(),
                    limit,
                )
                .map_err(|e| differs(format!("the query was refused: {e}"), name.clone()))?;
                let expected = reference.page(&q, now);
                let got = model.page(&q, now).map_err(|error| Mismatch::Backend {
                    case: name.clone(),
                    error,
                })?;
                pages += 1;
                if got != expected {
                    let ids =
                        |p: &super::QueuePage| p.rows.iter().map(|r| r.id).collect::<Vec<_>>();
                    return Err(differs(
                        format!(
                            "page {} after {seen} rows: expected {:?} (next {:?}), got {:?} (next {:?})",
                            pages,
                            ids(&expected),
                            expected.next,
                            ids(&got),
                            got.next
                        ),
                        name,
                    ));
                }
                seen += got.rows.len();
                match got.next {
                    Some(next) if seen <= rows.len() => cursor = Some(next),
                    Some(_) => return Err(differs("the pages never end".into(), name)),
                    None => break,
                }
            }
            if limit == 7 {
                let q = QueueQuery::new(
                    &case.queue,
                    case.viewer,
                    case.restriction.clone(),
                    None,
                    limit,
                )
                .map_err(|e| differs(format!("the query was refused: {e}"), name.clone()))?;
                let expected = reference.count(&q, now);
                let got = model.count(&q, now).map_err(|error| Mismatch::Backend {
                    case: name.clone(),
                    error,
                })?;
                if got != expected || usize::try_from(got).ok() != Some(seen) {
                    return Err(differs(
                        format!("count: expected {expected} ({seen} paged), got {got}"),
                        name,
                    ));
                }
            }
        }
    }
    Ok(pages)
}
