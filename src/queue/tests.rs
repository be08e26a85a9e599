//! Unit tests of queue definitions, positions and the in-memory model.

use chrono::{Duration, TimeZone, Utc};
use proptest::prelude::*;

use super::conformance::{sample_queries, sample_rows};
use super::*;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 3, 9, 0, 0).unwrap()
}

/// Every matching row, sorted by a plain comparison of the sort field
/// (not through the indexes).
fn naive(rows: &[QueueRow], q: &QueueQuery, now: DateTime<Utc>) -> Vec<TicketId> {
    let mut m: Vec<&QueueRow> = rows.iter().filter(|r| q.matches(r, now)).collect();
    let sort = q.sort();
    m.sort_by(|a, b| {
        let key = |r: &QueueRow| match sort.by {
            SortBy::NextDeadline => (r.next_deadline.is_none(), r.next_deadline.map(|d| d.at)),
            SortBy::Priority => (false, None),
            SortBy::Created => (false, Some(r.opened_at)),
            SortBy::Updated => (false, Some(r.updated_at)),
        };
        let (ga, ka) = key(a);
        let (gb, kb) = key(b);
        let by_key = match sort.by {
            SortBy::Priority => a.priority.cmp(&b.priority),
            _ => ka.cmp(&kb),
        }
        .then(a.id.cmp(&b.id));
        ga.cmp(&gb).then(if sort.descending {
            by_key.reverse()
        } else {
            by_key
        })
    });
    m.into_iter().map(|r| r.id).collect()
}

fn paged(model: &MemoryQueues, case: &conformance::Case, limit: usize) -> Vec<TicketId> {
    let mut out = Vec::new();
    let mut cursor = None;
    loop {
        let q = QueueQuery::new(
            &case.queue,
            case.viewer,
            case.restriction.clone(),
            cursor.as_ref(),
            limit,
        )
        .unwrap();
        let page = model.page(&q, now());
        assert!(page.rows.len() <= limit);
        out.extend(page.rows.iter().map(|r| r.id));
        match page.next {
            Some(c) => cursor = Some(c),
            None => return out,
        }
        assert!(
            out.len() <= model.len(),
            "{}: the pages never end",
            case.name
        );
    }
}

fn model_of(rows: &[QueueRow]) -> MemoryQueues {
    let mut m = MemoryQueues::new();
    for r in rows {
        m.upsert(r.clone());
    }
    m
}

#[test]
fn every_sample_queue_pages_to_what_a_plain_filter_and_sort_give() {
    let rows = sample_rows(11, 400, now());
    let model = model_of(&rows);
    let mut nonempty = 0;
    let mut field_cases = BTreeSet::new();
    for case in sample_queries(&rows) {
        let q =
            QueueQuery::new(&case.queue, case.viewer, case.restriction.clone(), None, 1).unwrap();
        let expected = naive(&rows, &q, now());
        nonempty += usize::from(!expected.is_empty());
        if !expected.is_empty()
            && case
                .queue
                .filters
                .iter()
                .any(|f| matches!(f, Filter::Field(_)))
        {
            field_cases.insert(case.name.split(',').next().map(str::to_owned));
        }
        for limit in [1, 3, 50, MAX_PAGE] {
            assert_eq!(
                paged(&model, &case, limit),
                expected,
                "{} by {limit}",
                case.name
            );
        }
        assert_eq!(
            model.count(&q, now()),
            expected.len() as u64,
            "{}",
            case.name
        );
    }
    assert!(
        nonempty > 100,
        "the sample queues select something: {nonempty}"
    );
    // Every field queue selects something under some restriction.
    assert!(field_cases.len() >= 10, "{field_cases:?}");
}

#[test]
fn rows_moved_and_removed_leave_no_stale_index_entry() {
    let rows = sample_rows(5, 200, now());
    let mut model = model_of(&rows);
    // Every row changes everything a queue can see, and some leave.
    let moved = sample_rows(6, 200, now());
    let mut kept = Vec::new();
    for (old, new) in rows.iter().zip(&moved) {
        if old.id.as_uuid().as_u128() % 5 == 0 {
            model.remove(old.id);
        } else {
            let mut r = new.clone();
            r.id = old.id;
            model.upsert(r.clone());
            kept.push(r);
        }
    }
    assert_eq!(model.len(), kept.len());
    // The posting lists and ordered indexes hold exactly the rows kept.
    for r in &kept {
        for t in &r.tags {
            let n = kept.iter().filter(|k| k.tags.contains(t)).count();
            assert_eq!(model.index.tag_len(t), n, "tag {t:?}");
        }
        let n = kept.iter().filter(|k| k.assignee == r.assignee).count();
        assert_eq!(model.index.assignee_len(&r.assignee), n);
        let n = kept.iter().filter(|k| k.team == r.team).count();
        assert_eq!(model.index.team_len(&r.team), n);
        for (key, term) in r.fields.terms() {
            let n = kept
                .iter()
                .filter(|k| k.fields.terms().any(|(kk, t)| kk == key && t == term))
                .count();
            assert_eq!(model.index.term_len(key, &term), n, "{key} {term}");
            let n = kept.iter().filter(|k| k.fields.get(key).is_some()).count();
            assert_eq!(model.index.field_set_len(key), n, "{key}");
        }
    }
    let terms: usize = kept.iter().map(|r| r.fields.terms().count()).sum();
    assert!(terms > 0, "the sample rows have field values");
    for r in &kept {
        let n = kept.iter().filter(|k| k.customer == r.customer).count();
        assert_eq!(model.index.customer_len(r.customer), n);
    }
    // The term table holds exactly the tags, field terms and fields set
    // some kept row has.
    let mut held = BTreeSet::new();
    for r in &kept {
        held.extend(r.tags.iter().map(|t| format!("tag {t}")));
        held.extend(r.fields.terms().map(|(k, t)| format!("{k} = {t:?}")));
        held.extend(r.fields.iter().map(|(k, _)| format!("{k} set")));
    }
    assert_eq!(model.index.terms_held(), held.len());
    let breached = kept.iter().filter(|k| k.breached).count();
    assert_eq!(model.index.breached_len(), breached);
    for by in [
        SortBy::NextDeadline,
        SortBy::Priority,
        SortBy::Created,
        SortBy::Updated,
    ] {
        assert_eq!(model.index.ordered_len(by), (kept.len(), kept.len()));
    }
    for case in sample_queries(&kept) {
        let q =
            QueueQuery::new(&case.queue, case.viewer, case.restriction.clone(), None, 1).unwrap();
        assert_eq!(
            paged(&model, &case, 7),
            naive(&kept, &q, now()),
            "{}",
            case.name
        );
    }
}

#[test]
fn bad_definitions_are_refused_naming_the_value() {
    let q = |f: Filter| {
        Queue::new(Sort::ascending(SortBy::Created))
            .with(f)
            .validate()
    };
    assert_eq!(
        q(Filter::Status(BTreeSet::new())),
        Err(QueueError::EmptySet { filter: "status" })
    );
    assert_eq!(
        q(Filter::Tags(TagMatch::Any(BTreeSet::new()))),
        Err(QueueError::EmptySet { filter: "tags" })
    );
    assert_eq!(
        q(Filter::Sla(SlaState::DueWithin(Duration::zero()))),
        Err(QueueError::DueWithinNotPositive(Duration::zero()))
    );
    assert_eq!(
        q(Filter::Sla(SlaState::DueWithin(Duration::minutes(-5)))),
        Err(QueueError::DueWithinNotPositive(Duration::minutes(-5)))
    );
    assert_eq!(
        q(Filter::UpdatedAfter(When::Ago(Duration::seconds(-1)))),
        Err(QueueError::NegativeAgo {
            filter: "updated after",
            ago: Duration::seconds(-1)
        })
    );
    let t = now();
    let window = Queue::new(Sort::ascending(SortBy::Created))
        .with(Filter::OpenedAfter(When::At(t)))
        .with(Filter::OpenedBefore(When::At(t)));
    assert_eq!(
        window.validate(),
        Err(QueueError::EmptyWindow {
            what: "opened",
            after: t,
            before: t
        })
    );
    let fine = Queue::new(Sort::ascending(SortBy::Created))
        .with(Filter::OpenedAfter(When::At(t)))
        .with(Filter::OpenedBefore(When::At(t + Duration::nanoseconds(1))));
    assert_eq!(fine.validate(), Ok(()));
    let any = Queue::new(Sort::ascending(SortBy::Created));
    assert_eq!(
        QueueQuery::new(&any, None, Restriction::All, None, MAX_PAGE + 1),
        Err(QueueError::BadLimit(MAX_PAGE + 1))
    );
}

#[test]
fn queues_and_cursors_round_trip_through_json() {
    let rows = sample_rows(3, 50, now());
    let model = model_of(&rows);
    for case in sample_queries(&rows) {
        let json = serde_json::to_string(&case.queue).unwrap();
        assert_eq!(serde_json::from_str::<Queue>(&json).unwrap(), case.queue);
    }
    let queue = Queue::new(Sort::descending(SortBy::Updated));
    let q = QueueQuery::new(&queue, None, Restriction::All, None, 10).unwrap();
    let next = model.page(&q, now()).next.unwrap();
    let back: Cursor = serde_json::from_str(&serde_json::to_string(&next).unwrap()).unwrap();
    assert_eq!(back, next);
    let other = Queue::new(Sort::ascending(SortBy::Updated));
    assert_eq!(
        QueueQuery::new(&other, None, Restriction::All, Some(&back), 10),
        Err(QueueError::CursorMismatch {
            cursor: queue.sort,
            queue: other.sort
        })
    );
}

fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    (any::<i64>(), 0u32..2_000_000_000).prop_map(|(s, n)| {
        DateTime::from_timestamp(s % 8_000_000_000_000, n).unwrap_or(DateTime::<Utc>::MIN_UTC)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// A database ordering the bytes orders the positions.
    #[test]
    fn position_bytes_order_as_positions(
        a in instant(), b in instant(), ia in any::<u128>(), ib in any::<u128>(),
        ga in 0u8..2, gb in 0u8..2,
    ) {
        let p = |g: u8, t, i: u128| {
            let mut r = QueueRow::new(TicketId::from_uuid(uuid::Uuid::from_u128(i)), "", CustomerId::from_uuid(uuid::Uuid::nil()), Status::Open, Priority::Normal, TicketType::Question, ChannelKind::Email, t);
            r.next_deadline = (g == 0).then_some(NextDeadline { at: t, metric: Metric::Resolution });
            r.position(SortBy::NextDeadline)
        };
        let (pa, pb) = (p(ga, a, ia), p(gb, b, ib));
        prop_assert_eq!(pa.to_bytes().cmp(&pb.to_bytes()), pa.cmp(&pb));
        prop_assert_eq!(Position::first_at(a) <= Position::first_at(b), a <= b);
        prop_assert_eq!(pa.cmp_in(&pb, true), if ga == gb { pb.cmp(&pa) } else { ga.cmp(&gb) });
    }
}
