//! The PostgreSQL queue read model against a real server
//! (`FANATICAL_PG_URL`; see `common`): the library's queue conformance
//! suite over generated rows, and over a desk's own rows kept current
//! from its applied events, page for page and count for count as the
//! desk's in-memory model answers.

#[allow(dead_code)]
#[path = "../../../tests/it/support.rs"]
mod support;

mod common;

use fanatical::actor::Actor;
use fanatical::channel::{Channel, SocialNetwork, Visibility};
use fanatical::chrono::{Duration, TimeZone, Utc};
use fanatical::desk::{Command, DeskConfig, InboundMessage, TicketAction};
use fanatical::id::TicketId;
use fanatical::queue::{QueueReadModel, QueueRow, RowChange, conformance};
use fanatical::store::Store;
use fanatical::ticket::{Priority, Status, Tag, TicketCommand, TicketType};
use fanatical_postgres::PgQueues;

use support::World;

#[test]
fn postgres_answers_every_sample_queue_as_memory_does() {
    let Some(db) = common::db("postgres_answers_every_sample_queue_as_memory_does") else {
        return;
    };
    let now = Utc.with_ymd_and_hms(2026, 3, 3, 9, 0, 0).unwrap();
    let mut pg = PgQueues::with_schema(&db.url, &db.schema_name()).unwrap();
    for seed in [1, 2] {
        let rows = conformance::sample_rows(seed, 150, now);
        pg.replace_all(rows.clone()).unwrap();
        let pages = conformance::check(&mut pg, &rows, &conformance::sample_queries(&rows), now)
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(pages > 1000, "{pages} pages compared");
    }
    // Rows changed and removed through apply_rows.
    let mut rows = conformance::sample_rows(3, 250, now);
    pg.replace_all(rows.clone()).unwrap();
    let moved = conformance::sample_rows(4, 250, now);
    let mut changes = Vec::new();
    for (i, (row, other)) in rows.iter_mut().zip(&moved).enumerate() {
        if i % 7 == 0 {
            changes.push(RowChange::Remove(row.id));
        } else if i % 2 == 0 {
            let id = row.id;
            *row = other.clone();
            row.id = id;
            changes.push(RowChange::Upsert(row.clone()));
        }
    }
    pg.apply_rows(&changes).unwrap();
    let kept: Vec<QueueRow> = rows
        .into_iter()
        .enumerate()
        .filter(|(i, _)| i % 7 != 0)
        .map(|(_, r)| r)
        .collect();
    conformance::check(&mut pg, &kept, &conformance::sample_queries(&kept), now)
        .unwrap_or_else(|e| panic!("{e}"));
}

fn update(
    w: &mut World,
    ticket: TicketId,
    command: TicketCommand,
) -> Vec<fanatical::store::RecordedEvent> {
    let ana = w.ana;
    // Some commands are refused (a status a ticket cannot take): nothing
    // is written, nothing to feed.
    w.run(Command::new(
        Actor::Agent(ana),
        TicketAction::Update { ticket, command },
    ))
    .unwrap_or_default()
}

#[test]
fn postgres_kept_current_from_a_desk_answers_as_the_desk_does() {
    let Some(db) = common::db("postgres_kept_current_from_a_desk_answers_as_the_desk_does") else {
        return;
    };
    let mut w = World::with_config(DeskConfig::default().with_sla(support::policies()));
    let mut pg = PgQueues::with_schema(&db.url, &db.schema_name()).unwrap();
    pg.replace_all(w.desk.queues().rows()).unwrap();
    let (ana, bill, team) = (w.ana, w.bill, w.team);
    let x = Channel::Social {
        network: SocialNetwork::X,
        visibility: Visibility::Public,
    };
    let mut tickets = Vec::new();
    for i in 0..60u32 {
        // A ticket arrives, by email, post or phone, from Jane or Tom.
        let from_position = w.desk.position();
        let id: TicketId = w.ids.next_id();
        let (channel, from) = match i % 4 {
            0 => (x.clone(), w.jane_x.clone()),
            1 => (Channel::Phone, w.jane_phone.clone()),
            2 => (Channel::Email, w.tom_email.clone()),
            _ => (Channel::Email, w.jane_email.clone()),
        };
        w.run(Command::new(
            Actor::integration("inbound"),
            TicketAction::Receive(InboundMessage::new(
                id,
                channel,
                from,
                &format!("Problem {i}"),
            )),
        ))
        .unwrap();
        let recorded = w.store.read_all(from_position, usize::MAX).unwrap();
        pg.apply_rows(&w.desk.queues().changes(&recorded)).unwrap();
        tickets.push(id);
        // Earlier tickets move on.
        let t = tickets[(i as usize * 7) % tickets.len()];
        let command = match i % 6 {
            0 => TicketCommand::SetPriority(
                [Priority::Urgent, Priority::High, Priority::Low][(i as usize / 6) % 3],
            ),
            1 => TicketCommand::Assign(Some(if i % 4 == 1 { ana } else { bill })),
            2 => TicketCommand::SetTeam(Some(team)),
            3 => TicketCommand::AddTag(
                Tag::new(["billing", "outage", "vip"][(i as usize / 6) % 3]).unwrap(),
            ),
            4 => TicketCommand::SetType(TicketType::Incident),
            _ => TicketCommand::SetStatus(
                [Status::Pending, Status::Open, Status::Solved][(i as usize / 6) % 3],
            ),
        };
        let recorded = update(&mut w, t, command);
        pg.apply_rows(&w.desk.queues().changes(&recorded)).unwrap();
        if i % 5 == 0 {
            let recorded = w.run(Command::reply(t, ana, "Looking")).unwrap();
            pg.apply_rows(&w.desk.queues().changes(&recorded)).unwrap();
        }
        // Time passes; SLA timers warn and breach.
        w.tick(7);
        let from_position = w.desk.position();
        while let Some(at) = w.desk.poll_timeout().filter(|t| *t <= w.now) {
            let now = w.now.max(at);
            w.desk.handle_timeout(&mut w.store, now).unwrap();
        }
        let recorded = w.store.read_all(from_position, usize::MAX).unwrap();
        pg.apply_rows(&w.desk.queues().changes(&recorded)).unwrap();
    }
    let rows: Vec<QueueRow> = w.desk.queues().rows().collect();
    assert!(rows.iter().any(|r| r.breached), "some SLA breached");
    assert!(rows.iter().any(|r| r.next_deadline.is_some()));
    // The desk's own model is the reference the suite builds from its rows.
    let cases = conformance::sample_queries(&rows)
        .into_iter()
        .map(|mut c| {
            c.viewer = Some(ana);
            c
        })
        .chain(desk_cases(&w))
        .collect::<Vec<_>>();
    let pages = conformance::check(&mut pg, &rows, &cases, w.now).unwrap_or_else(|e| panic!("{e}"));
    assert!(pages > 500, "{pages} pages compared");
    // And the desk's in-memory model answers as the suite's reference.
    let mut desk_model = w.desk.queues().model().clone();
    conformance::check(
        &mut desk_model,
        &rows,
        &cases,
        w.now + Duration::minutes(30),
    )
    .unwrap_or_else(|e| panic!("{e}"));
}

/// Queues on the world's own agents and team.
fn desk_cases(w: &World) -> Vec<conformance::Case> {
    use fanatical::queue::{AssigneeIs, Filter, Queue, Restriction, SlaState, Sort, SortBy};
    let sorts = [
        SortBy::NextDeadline,
        SortBy::Priority,
        SortBy::Created,
        SortBy::Updated,
    ];
    let mut cases = Vec::new();
    for (i, by) in sorts.into_iter().enumerate() {
        let sort = Sort {
            by,
            descending: i % 2 == 0,
        };
        for (name, queue, restriction) in [
            (
                "mine",
                Queue::new(sort).with(Filter::Assignee([AssigneeIs::Me].into())),
                Restriction::All,
            ),
            (
                "team's unsolved",
                Queue::new(sort)
                    .with(Filter::Team([Some(w.team)].into()))
                    .with(Filter::Status(
                        [Status::New, Status::Open, Status::Pending].into(),
                    )),
                Restriction::All,
            ),
            (
                "breached",
                Queue::new(sort).with(Filter::Sla(SlaState::Breached)),
                Restriction::TeamsOrAssignee {
                    teams: [w.team].into(),
                    agent: w.ana,
                },
            ),
            (
                "Jane's",
                Queue::new(sort),
                Restriction::Requester([w.jane].into()),
            ),
            ("Bill's", Queue::new(sort), Restriction::Assignee(w.bill)),
        ] {
            cases.push(conformance::Case {
                name: format!("{name} by {by:?}"),
                queue,
                viewer: Some(w.ana),
                restriction,
            });
        }
    }
    cases
}

/// A customer merge moves the source's tickets under the target in the
/// read model too: the PostgreSQL rows, kept current from the recorded
/// merge, answer queues filtered on either customer as the desk does
/// (issue 18, item 6).
#[test]
fn postgres_finds_a_merged_customers_tickets_under_the_target() {
    use fanatical::desk::CustomerAction;
    use fanatical::queue::{Filter, Queue, QueueQuery, Restriction, Sort, SortBy};
    let Some(db) = common::db("postgres_finds_a_merged_customers_tickets_under_the_target") else {
        return;
    };
    let mut w = World::with_config(DeskConfig::default().with_sla(support::policies()));
    let mut pg = PgQueues::with_schema(&db.url, &db.schema_name()).unwrap();
    pg.replace_all(w.desk.queues().rows()).unwrap();
    let (acme, tiny, ana) = (w.acme, w.tiny, w.ana);
    for i in 0..6u32 {
        let from_position = w.desk.position();
        let id: TicketId = w.ids.next_id();
        let from = if i % 3 == 0 {
            w.tom_email.clone()
        } else {
            w.jane_email.clone()
        };
        w.run(Command::new(
            Actor::integration("inbound"),
            TicketAction::Receive(InboundMessage::new(
                id,
                Channel::Email,
                from,
                &format!("Problem {i}"),
            )),
        ))
        .unwrap();
        if i == 4 {
            update(&mut w, id, TicketCommand::SetStatus(Status::Solved));
        }
        let recorded = w.store.read_all(from_position, usize::MAX).unwrap();
        pg.apply_rows(&w.desk.queues().changes(&recorded)).unwrap();
        w.tick(3);
    }
    let by = |c| Queue::new(Sort::ascending(SortBy::Created)).with(Filter::Customer([c].into()));
    let now = w.now;
    let count = |pg: &mut PgQueues, c| {
        let q = QueueQuery::new(&by(c), Some(ana), Restriction::All, None, 50).unwrap();
        pg.count(&q, now).unwrap()
    };
    assert_eq!((count(&mut pg, acme), count(&mut pg, tiny)), (4, 2));
    let recorded = w
        .run(Command::new(
            Actor::integration("crm"),
            CustomerAction::MergeCustomers {
                source: acme,
                target: tiny,
            },
        ))
        .unwrap();
    pg.apply_rows(&w.desk.queues().changes(&recorded)).unwrap();
    assert_eq!((count(&mut pg, acme), count(&mut pg, tiny)), (0, 6));
    let rows: Vec<QueueRow> = w.desk.queues().rows().collect();
    assert!(rows.iter().all(|r| r.customer == tiny));
    let mut cases = Vec::new();
    for c in [acme, tiny] {
        for by_ in [SortBy::NextDeadline, SortBy::Created, SortBy::Updated] {
            cases.push(conformance::Case {
                name: format!("customer {c} by {by_:?}"),
                queue: Queue::new(Sort::ascending(by_)).with(Filter::Customer([c].into())),
                viewer: Some(ana),
                restriction: Restriction::All,
            });
            cases.push(conformance::Case {
                name: format!("restricted to customer {c} by {by_:?}"),
                queue: Queue::new(Sort::ascending(by_)),
                viewer: Some(ana),
                restriction: Restriction::Customer(c),
            });
        }
    }
    conformance::check(&mut pg, &rows, &cases, w.now).unwrap_or_else(|e| panic!("{e}"));
}
