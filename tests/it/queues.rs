//! Queues through the desk: every filter, every sort, pages and cursors,
//! counts, restrictions, "me" and unassigned, SLA states from real SLA
//! timers, refused definitions, rows kept current for a read model, and
//! a property: paging through any queue yields exactly what a plain
//! filter and sort over every ticket yields.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};
use fanatical::actor::Actor;
use fanatical::channel::{Channel, ChannelKind, SocialNetwork, Visibility};
use fanatical::desk::{Command, Desk, DeskConfig, InboundMessage, TicketAction};
use fanatical::id::{AgentId, TicketId};
use fanatical::queue::{
    AssigneeIs, Cursor, Filter, MAX_PAGE, MemoryQueues, Queue, QueueError, QueueQuery,
    QueueReadModel, QueueRow, Restriction, SlaState, Sort, SortBy, TagMatch, When,
};
use fanatical::store::{RecordedEvent, Store};
use fanatical::ticket::{Priority, Status, Tag, TicketCommand, TicketType};
use proptest::prelude::*;

use crate::support::{World, policies};

fn world() -> World {
    World::with_config(DeskConfig::default().with_sla(policies()))
}

fn update(w: &mut World, ticket: TicketId, command: TicketCommand) {
    let ana = w.ana;
    w.run(Command::new(
        Actor::Agent(ana),
        TicketAction::Update { ticket, command },
    ))
    .unwrap();
}

fn receive(w: &mut World, channel: Channel, tom: bool, body: &str) -> TicketId {
    let id = w.ids.next_id();
    let from = match (&channel, tom) {
        (_, true) => w.tom_email.clone(),
        (Channel::Social { .. }, _) => w.jane_x.clone(),
        (Channel::Phone, _) => w.jane_phone.clone(),
        _ => w.jane_email.clone(),
    };
    w.run(Command::new(
        Actor::integration("inbound"),
        TicketAction::Receive(InboundMessage::new(id, channel, from, body)),
    ))
    .unwrap();
    id
}

fn x() -> Channel {
    Channel::Social {
        network: SocialNetwork::X,
        visibility: Visibility::Public,
    }
}

fn tag(t: &str) -> Tag {
    Tag::new(t).unwrap()
}

/// Every row of `queue` for `viewer`, page by page.
fn all_pages(
    desk: &Desk,
    queue: &Queue,
    viewer: Option<AgentId>,
    restriction: &Restriction,
    limit: usize,
    now: DateTime<Utc>,
) -> Vec<TicketId> {
    let mut out = Vec::new();
    let mut cursor: Option<Cursor> = None;
    loop {
        let page = desk
            .queues()
            .page(queue, viewer, restriction, cursor.as_ref(), limit, now)
            .unwrap();
        assert!(page.rows.len() <= limit);
        assert!(page.next.is_none() || page.rows.len() == limit);
        out.extend(page.rows.iter().map(|r| r.id));
        match page.next {
            Some(c) => cursor = Some(c),
            None => return out,
        }
        assert!(out.len() <= desk.tickets().len(), "the pages never end");
    }
}

fn ids(of: &[TicketId]) -> BTreeSet<TicketId> {
    of.iter().copied().collect()
}

/// Six tickets that differ in everything a queue filters on.
struct Six {
    w: World,
    /// Jane's email, untouched.
    plain: TicketId,
    /// Tom's email.
    toms: TicketId,
    /// Jane's post on X.
    post: TicketId,
    /// Urgent incident, tagged outage, Ana's, the team's.
    outage: TicketId,
    /// Pending, tagged billing, Bill's.
    billing: TicketId,
    /// A phone call, Bill's, answered and solved.
    solved: TicketId,
    opened_third: DateTime<Utc>,
}

fn six() -> Six {
    let mut w = world();
    let plain = receive(&mut w, Channel::Email, false, "Site down");
    w.tick(10);
    let toms = receive(&mut w, Channel::Email, true, "Invoice");
    w.tick(10);
    let opened_third = w.now;
    let post = receive(&mut w, x(), false, "@support help");
    w.tick(10);
    let outage = receive(&mut w, Channel::Email, false, "Everything is down");
    update(&mut w, outage, TicketCommand::SetPriority(Priority::Urgent));
    update(&mut w, outage, TicketCommand::SetType(TicketType::Incident));
    update(&mut w, outage, TicketCommand::AddTag(tag("outage")));
    let (ana, bill, team) = (w.ana, w.bill, w.team);
    update(&mut w, outage, TicketCommand::Assign(Some(ana)));
    update(&mut w, outage, TicketCommand::SetTeam(Some(team)));
    w.tick(10);
    let billing = receive(&mut w, Channel::Email, false, "Charged twice");
    update(&mut w, billing, TicketCommand::AddTag(tag("billing")));
    update(&mut w, billing, TicketCommand::Assign(Some(bill)));
    update(&mut w, billing, TicketCommand::SetStatus(Status::Pending));
    w.tick(10);
    let solved = receive(&mut w, Channel::Phone, false, "How do I reset?");
    update(&mut w, solved, TicketCommand::Assign(Some(bill)));
    w.run(Command::reply(solved, ana, "Like this.")).unwrap();
    update(&mut w, solved, TicketCommand::SetStatus(Status::Solved));
    Six {
        w,
        plain,
        toms,
        post,
        outage,
        billing,
        solved,
        opened_third,
    }
}

#[test]
fn each_filter_selects_what_it_says() {
    let s = six();
    let (w, now) = (&s.w, s.w.now);
    let by_created = Sort::ascending(SortBy::Created);
    let got = |f: Filter| {
        let q = Queue::new(by_created).with(f);
        ids(&all_pages(
            &w.desk,
            &q,
            Some(w.ana),
            &Restriction::All,
            2,
            now,
        ))
    };
    let set = |of: &[TicketId]| ids(of);
    let every = [s.plain, s.toms, s.post, s.outage, s.billing, s.solved];
    assert_eq!(
        got(Filter::Status([Status::Pending].into())),
        set(&[s.billing])
    );
    assert_eq!(
        got(Filter::Status([Status::Solved, Status::Closed].into())),
        set(&[s.solved])
    );
    assert_eq!(
        got(Filter::Priority([Priority::Urgent].into())),
        set(&[s.outage])
    );
    assert_eq!(
        got(Filter::Type([TicketType::Incident].into())),
        set(&[s.outage])
    );
    assert_eq!(
        got(Filter::Channel([ChannelKind::Social].into())),
        set(&[s.post])
    );
    assert_eq!(
        got(Filter::Channel(
            [ChannelKind::Phone, ChannelKind::Social].into()
        )),
        set(&[s.post, s.solved])
    );
    assert_eq!(
        got(Filter::Assignee([AssigneeIs::Agent(w.bill)].into())),
        set(&[s.billing, s.solved])
    );
    assert_eq!(got(Filter::Team([Some(w.team)].into())), set(&[s.outage]));
    assert_eq!(
        got(Filter::Team([None].into())),
        set(&[s.plain, s.toms, s.post, s.billing, s.solved])
    );
    assert_eq!(
        got(Filter::Tags(TagMatch::All([tag("outage")].into()))),
        set(&[s.outage])
    );
    assert_eq!(
        got(Filter::Tags(TagMatch::All(
            [tag("outage"), tag("billing")].into()
        ))),
        set(&[])
    );
    assert_eq!(
        got(Filter::Tags(TagMatch::Any(
            [tag("outage"), tag("billing")].into()
        ))),
        set(&[s.outage, s.billing])
    );
    assert_eq!(
        got(Filter::Tags(TagMatch::None(
            [tag("outage"), tag("billing")].into()
        ))),
        set(&[s.plain, s.toms, s.post, s.solved])
    );
    assert_eq!(got(Filter::Customer([w.tiny].into())), set(&[s.toms]));
    assert_eq!(
        got(Filter::OpenedBefore(When::At(s.opened_third))),
        set(&[s.plain, s.toms])
    );
    assert_eq!(
        got(Filter::OpenedAfter(When::At(s.opened_third))),
        set(&[s.post, s.outage, s.billing, s.solved])
    );
    // 25 minutes ago: the post was opened 30 minutes ago, the outage 20.
    assert_eq!(
        got(Filter::OpenedBefore(When::Ago(Duration::minutes(25)))),
        set(&[s.plain, s.toms, s.post])
    );
    // Only the phone call changed in the last few minutes.
    assert_eq!(
        got(Filter::UpdatedAfter(When::Ago(Duration::minutes(5)))),
        set(&[s.solved])
    );
    assert_eq!(
        got(Filter::UpdatedBefore(When::Ago(Duration::minutes(5)))),
        set(&[s.plain, s.toms, s.post, s.outage, s.billing])
    );
    // No filter: every ticket in memory.
    assert_eq!(
        ids(&all_pages(
            &w.desk,
            &Queue::new(by_created),
            None,
            &Restriction::All,
            4,
            now
        )),
        set(&every)
    );
}

#[test]
fn me_and_unassigned_depend_on_the_viewer() {
    let s = six();
    let (w, now) = (&s.w, s.w.now);
    let mine = Queue::new(Sort::ascending(SortBy::Created))
        .with(Filter::Assignee([AssigneeIs::Me].into()));
    let page = |viewer| {
        ids(&all_pages(
            &w.desk,
            &mine,
            Some(viewer),
            &Restriction::All,
            10,
            now,
        ))
    };
    assert_eq!(page(w.ana), ids(&[s.outage]));
    assert_eq!(page(w.bill), ids(&[s.billing, s.solved]));
    assert_eq!(
        w.desk
            .queues()
            .page(&mine, None, &Restriction::All, None, 10, now),
        Err(QueueError::NoViewer)
    );
    let unassigned = Queue::new(Sort::ascending(SortBy::Created))
        .with(Filter::Assignee([AssigneeIs::Unassigned].into()));
    let mut expected = ids(&[s.plain, s.toms, s.post]);
    assert_eq!(
        ids(&all_pages(
            &w.desk,
            &unassigned,
            None,
            &Restriction::All,
            10,
            now
        )),
        expected
    );
    let mine_or_nobody = Queue::new(Sort::ascending(SortBy::Created)).with(Filter::Assignee(
        [AssigneeIs::Me, AssigneeIs::Unassigned].into(),
    ));
    expected.insert(s.outage);
    assert_eq!(
        ids(&all_pages(
            &w.desk,
            &mine_or_nobody,
            Some(w.ana),
            &Restriction::All,
            10,
            now
        )),
        expected
    );
}

#[test]
fn every_sort_orders_both_ways_with_ties_by_id() {
    let s = six();
    let (w, now) = (&s.w, s.w.now);
    let order = |sort: Sort| all_pages(&w.desk, &Queue::new(sort), None, &Restriction::All, 4, now);
    let created = [s.plain, s.toms, s.post, s.outage, s.billing, s.solved];
    assert_eq!(order(Sort::ascending(SortBy::Created)), created);
    let mut reversed = created;
    reversed.reverse();
    assert_eq!(order(Sort::descending(SortBy::Created)), reversed);
    // Updated: the outage changed after Tom's and the post; the phone call last.
    let updated = order(Sort::ascending(SortBy::Updated));
    let at = |t: TicketId| w.desk.tickets().get(t).unwrap().updated_at();
    assert!(
        updated
            .windows(2)
            .all(|p| (at(p[0]), p[0]) < (at(p[1]), p[1]))
    );
    assert_eq!(updated.last(), Some(&s.solved));
    // Priority: the urgent one first when descending; the normal ones
    // after it by id, highest first.
    let by_priority = order(Sort::descending(SortBy::Priority));
    assert_eq!(by_priority[0], s.outage);
    let mut rest = by_priority[1..].to_vec();
    rest.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(by_priority[1..], rest[..]);
    let ascending = order(Sort::ascending(SortBy::Priority));
    assert_eq!(ascending.last(), Some(&s.outage));
    // Next deadline: the post on X (five minutes) before the emails (the
    // next business hour); the solved call (no clock) last both ways.
    let deadline = |t: TicketId| w.desk.queues().row(t).unwrap().next_deadline.map(|d| d.at);
    let next = order(Sort::ascending(SortBy::NextDeadline));
    assert_eq!(next[0], s.post);
    assert_eq!(next.last(), Some(&s.solved));
    assert_eq!(deadline(s.solved), None);
    let next_desc = order(Sort::descending(SortBy::NextDeadline));
    assert_eq!(next_desc.last(), Some(&s.solved));
    let with_clock: Vec<_> = next_desc
        .iter()
        .filter(|t| deadline(**t).is_some())
        .collect();
    assert!(
        with_clock
            .windows(2)
            .all(|p| (deadline(*p[0]), p[0]) > (deadline(*p[1]), p[1]))
    );
    assert_eq!(with_clock.last(), Some(&&s.post));
}

/// Runs the desk's timers up to `until`, as a service loop does.
fn run_timers_until(w: &mut World, until: DateTime<Utc>) {
    while let Some(at) = w.desk.poll_timeout().filter(|t| *t <= until) {
        w.now = w.now.max(at);
        w.desk.handle_timeout(&mut w.store, w.now).unwrap();
    }
    w.now = w.now.max(until);
}

#[test]
fn sla_states_follow_the_real_timers() {
    let mut w = world();
    let start = w.now;
    let post = receive(&mut w, x(), false, "@support down again");
    let email = receive(&mut w, Channel::Email, false, "Slow site");
    let q = |state| Queue::new(Sort::ascending(SortBy::NextDeadline)).with(Filter::Sla(state));
    let at = |w: &World, state, now| {
        ids(&all_pages(
            &w.desk,
            &q(state),
            None,
            &Restriction::All,
            5,
            now,
        ))
    };
    let five = Duration::minutes(5);
    assert_eq!(
        w.desk
            .queues()
            .row(post)
            .unwrap()
            .next_deadline
            .map(|d| d.at),
        Some(start + five)
    );
    // Three minutes in: due within five minutes, not breached.
    w.tick(3);
    assert_eq!(at(&w, SlaState::DueWithin(five), w.now), ids(&[post]));
    assert_eq!(
        at(&w, SlaState::DueWithin(Duration::minutes(1)), w.now),
        ids(&[])
    );
    assert_eq!(at(&w, SlaState::Breached, w.now), ids(&[]));
    // Past the deadline before its timer has run: breached by the clock.
    assert_eq!(
        at(&w, SlaState::Breached, start + Duration::minutes(6)),
        ids(&[post])
    );
    // The timer records the breach; still breached, no longer due.
    run_timers_until(&mut w, start + Duration::minutes(7));
    assert!(w.desk.queues().row(post).unwrap().breached);
    assert_eq!(at(&w, SlaState::Breached, w.now), ids(&[post]));
    assert_eq!(
        at(&w, SlaState::DueWithin(Duration::hours(1)), w.now),
        ids(&[])
    );
    assert!(!at(&w, SlaState::NoRunning, w.now).contains(&post));
    // A late reply fulfils it: no clock runs, nothing live breached.
    let ana = w.ana;
    w.run(Command::reply(post, ana, "Sorry, on it")).unwrap();
    assert_eq!(at(&w, SlaState::Breached, w.now), ids(&[]));
    assert!(at(&w, SlaState::NoRunning, w.now).contains(&post));
    // The email's clock runs in business hours: due later, within a day.
    assert!(at(&w, SlaState::DueWithin(Duration::days(1)), w.now).contains(&email));
}

#[test]
fn pages_follow_the_cursor_and_count_everything() {
    let mut w = world();
    let mut opened = Vec::new();
    for i in 0..12 {
        opened.push(receive(
            &mut w,
            Channel::Email,
            i % 3 == 0,
            &format!("Problem {i}"),
        ));
        w.tick(1);
    }
    let queue =
        Queue::new(Sort::ascending(SortBy::Created)).with(Filter::Status([Status::New].into()));
    let now = w.now;
    let first = w
        .desk
        .queues()
        .page(&queue, None, &Restriction::All, None, 5, now)
        .unwrap();
    assert_eq!(
        first.rows.iter().map(|r| r.id).collect::<Vec<_>>(),
        opened[..5]
    );
    // Between pages: a ticket of the first page changes, a new one
    // arrives, one of the coming page leaves the queue.
    update(&mut w, opened[1], TicketCommand::AddTag(tag("seen")));
    update(&mut w, opened[6], TicketCommand::SetStatus(Status::Open));
    let late = receive(&mut w, Channel::Email, false, "Late");
    let now = w.now;
    let mut seen: Vec<TicketId> = first.rows.iter().map(|r| r.id).collect();
    let mut cursor = first.next;
    let mut pages = 1;
    while let Some(c) = cursor {
        let page = w
            .desk
            .queues()
            .page(&queue, None, &Restriction::All, Some(&c), 5, now)
            .unwrap();
        seen.extend(page.rows.iter().map(|r| r.id));
        cursor = page.next;
        pages += 1;
    }
    let mut expected: Vec<TicketId> = opened.iter().copied().filter(|t| *t != opened[6]).collect();
    expected.push(late);
    assert_eq!(seen, expected, "each once, in order");
    assert_eq!(pages, 3);
    assert_eq!(
        w.desk.queues().count(&queue, None, &Restriction::All, now),
        Ok(12)
    );
    // The last page says so; a full last page too.
    let exact = w
        .desk
        .queues()
        .page(&queue, None, &Restriction::All, None, 12, now)
        .unwrap();
    assert_eq!((exact.rows.len(), exact.next), (12, None));
    // A cursor survives serialisation; one of another sort is refused.
    let next = w
        .desk
        .queues()
        .page(&queue, None, &Restriction::All, None, 5, now)
        .unwrap()
        .next
        .unwrap();
    let back: Cursor = serde_json::from_str(&serde_json::to_string(&next).unwrap()).unwrap();
    let again = w
        .desk
        .queues()
        .page(&queue, None, &Restriction::All, Some(&back), 5, now)
        .unwrap();
    assert_eq!(again.rows[0].id, expected[5]);
    let other = Queue::new(Sort::descending(SortBy::Created));
    assert_eq!(
        w.desk
            .queues()
            .page(&other, None, &Restriction::All, Some(&back), 5, now),
        Err(QueueError::CursorMismatch {
            cursor: queue.sort,
            queue: other.sort
        })
    );
}

#[test]
fn the_restriction_filters_every_answer() {
    let s = six();
    let (w, now) = (&s.w, s.w.now);
    let every = Queue::new(Sort::ascending(SortBy::Created));
    let seen = |r: Restriction| {
        let got = ids(&all_pages(&w.desk, &every, Some(w.ana), &r, 2, now));
        assert_eq!(
            w.desk.queues().count(&every, Some(w.ana), &r, now),
            Ok(got.len() as u64)
        );
        got
    };
    assert_eq!(seen(Restriction::Assignee(w.ana)), ids(&[s.outage]));
    assert_eq!(
        seen(Restriction::TeamsOrAssignee {
            teams: [w.team].into(),
            agent: w.bill
        }),
        ids(&[s.outage, s.billing, s.solved])
    );
    assert_eq!(
        seen(Restriction::TeamsOrAssignee {
            teams: BTreeSet::new(),
            agent: w.bill
        }),
        ids(&[s.billing, s.solved])
    );
    assert_eq!(seen(Restriction::Requester([w.tom].into())), ids(&[s.toms]));
    assert_eq!(
        seen(Restriction::Requester([w.jane].into())),
        ids(&[s.plain, s.post, s.outage, s.billing, s.solved])
    );
    assert_eq!(seen(Restriction::All).len(), 6);
    // A filter and the restriction both hold.
    let urgent = every
        .clone()
        .with(Filter::Priority([Priority::Urgent].into()));
    assert_eq!(
        ids(&all_pages(
            &w.desk,
            &urgent,
            None,
            &Restriction::Assignee(w.bill),
            5,
            now
        )),
        ids(&[])
    );
}

#[test]
fn rows_show_what_a_queue_screen_shows_and_nothing_private() {
    let mut s = six();
    let ana = s.w.ana;
    s.w.run(Command::note(s.outage, ana, "Secret: the customer owes us"))
        .unwrap();
    let row = s.w.desk.queues().row(s.outage).unwrap();
    let t = s.w.desk.tickets().get(s.outage).unwrap();
    assert_eq!(
        (
            row.subject.as_str(),
            row.status,
            row.priority,
            row.assignee,
            row.team,
            row.customer
        ),
        (
            t.subject(),
            t.status(),
            Priority::Urgent,
            Some(ana),
            Some(s.w.team),
            s.w.acme
        )
    );
    assert_eq!(
        (row.opened_at, row.updated_at),
        (t.opened_at(), t.updated_at())
    );
    assert!(row.next_deadline.is_some());
    let json = serde_json::to_string(&row).unwrap();
    assert!(!json.contains("Secret"), "{json}");
}

#[test]
fn bad_queues_and_pages_are_refused() {
    let s = six();
    let (w, now) = (&s.w, s.w.now);
    let sort = Sort::ascending(SortBy::NextDeadline);
    let refused = |q: Queue, limit| {
        w.desk
            .queues()
            .page(&q, Some(w.ana), &Restriction::All, None, limit, now)
    };
    assert_eq!(
        refused(Queue::new(sort).with(Filter::Customer(BTreeSet::new())), 5),
        Err(QueueError::EmptySet { filter: "customer" })
    );
    assert_eq!(
        refused(
            Queue::new(sort).with(Filter::Tags(TagMatch::None(BTreeSet::new()))),
            5
        ),
        Err(QueueError::EmptySet { filter: "tags" })
    );
    assert_eq!(
        refused(
            Queue::new(sort).with(Filter::Sla(SlaState::DueWithin(Duration::seconds(-30)))),
            5
        ),
        Err(QueueError::DueWithinNotPositive(Duration::seconds(-30)))
    );
    let t = now - Duration::hours(1);
    assert_eq!(
        refused(
            Queue::new(sort)
                .with(Filter::UpdatedAfter(When::At(t)))
                .with(Filter::UpdatedBefore(When::At(t - Duration::seconds(1)))),
            5
        ),
        Err(QueueError::EmptyWindow {
            what: "updated",
            after: t,
            before: t - Duration::seconds(1)
        })
    );
    assert_eq!(refused(Queue::new(sort), 0), Err(QueueError::BadLimit(0)));
    assert_eq!(
        refused(Queue::new(sort), MAX_PAGE + 1),
        Err(QueueError::BadLimit(MAX_PAGE + 1))
    );
    assert_eq!(
        refused(Queue::new(sort), MAX_PAGE).map(|p| p.rows.len()),
        Ok(6)
    );
    // Read from JSON, as a saved queue is: a zero due-within is refused too.
    let saved: Queue = serde_json::from_str(
        r#"{"filters":[{"sla":{"due_within":0}}],"sort":{"by":"next_deadline"}}"#,
    )
    .unwrap();
    assert_eq!(
        refused(saved, 5),
        Err(QueueError::DueWithinNotPositive(Duration::zero()))
    );
}

#[test]
fn a_rebuilt_or_restored_desk_answers_the_same() {
    let mut s = six();
    let now = s.w.now;
    let queues = [
        Queue::new(Sort::ascending(SortBy::NextDeadline)),
        Queue::new(Sort::descending(SortBy::Updated))
            .with(Filter::Status([Status::New, Status::Pending].into())),
    ];
    let answers = |d: &Desk| -> Vec<Vec<TicketId>> {
        queues
            .iter()
            .map(|q| all_pages(d, q, None, &Restriction::All, 2, now))
            .collect()
    };
    let rebuilt = Desk::rebuild(&s.w.store, s.w.desk.config().clone()).unwrap();
    assert_eq!(answers(&rebuilt), answers(&s.w.desk));
    s.w.desk.save_snapshot(&mut s.w.store).unwrap();
    let restored = Desk::resume(&s.w.store, s.w.desk.config().clone()).unwrap();
    assert_eq!(answers(&restored.desk), answers(&s.w.desk));
    assert_eq!(answers(&s.w.desk)[0].len(), 6);
}

/// A read model fed only the desk's row changes answers as the desk does.
#[test]
fn a_read_model_fed_the_changes_stays_current() {
    let mut w = world();
    let mut model = MemoryQueues::new();
    let first: Vec<_> = w
        .desk
        .queues()
        .rows()
        .map(fanatical::queue::RowChange::Upsert)
        .collect();
    model.apply_rows(&first).unwrap();
    let feed = |w: &World, recorded: &[RecordedEvent], model: &mut MemoryQueues| {
        model
            .apply_rows(&w.desk.queues().changes(recorded))
            .unwrap();
    };
    let from = w.desk.position();
    let a = receive(&mut w, Channel::Email, false, "One");
    let recorded = w.store.read_all(from, usize::MAX).unwrap();
    feed(&w, &recorded, &mut model);
    let ana = w.ana;
    let r = w
        .run(Command::new(
            Actor::Agent(ana),
            TicketAction::assign(a, ana),
        ))
        .unwrap();
    feed(&w, &r, &mut model);
    let from = w.desk.position();
    let b = receive(&mut w, x(), false, "Two");
    let r = w.store.read_all(from, usize::MAX).unwrap();
    feed(&w, &r, &mut model);
    let r = w
        .run(Command::new(
            Actor::Agent(ana),
            TicketAction::tag(b, tag("vip")),
        ))
        .unwrap();
    feed(&w, &r, &mut model);
    // The post's first-response clock breaches; the breach is fed too.
    let from = w.desk.position();
    let until = w.now + Duration::minutes(10);
    run_timers_until(&mut w, until);
    let r = w.store.read_all(from, usize::MAX).unwrap();
    assert!(!r.is_empty());
    feed(&w, &r, &mut model);
    assert!(model.get(b).is_some_and(|r| r.breached));
    let rows: BTreeSet<_> = w.desk.queues().rows().map(|r| r.id).collect();
    assert_eq!(rows, ids(&[a, b]));
    for row in w.desk.queues().rows() {
        assert_eq!(model.get(row.id), Some(&row));
    }
}

// ----- the property ------------------------------------------------------

#[derive(Debug, Clone)]
enum Op {
    Receive { channel: u8, tom: bool },
    Priority(usize, Priority),
    Assign(usize, Option<bool>),
    Team(usize, bool),
    Status(usize, Status),
    Tag(usize, u8),
    Reply(usize),
    Tick(i64),
}

fn op() -> impl Strategy<Value = Op> {
    let status = prop::sample::select(vec![
        Status::Open,
        Status::Pending,
        Status::OnHold,
        Status::Solved,
    ]);
    let priority = prop::sample::select(vec![
        Priority::Low,
        Priority::Normal,
        Priority::High,
        Priority::Urgent,
    ]);
    prop_oneof![
        3 => (0u8..4, any::<bool>()).prop_map(|(channel, tom)| Op::Receive { channel, tom }),
        1 => (any::<usize>(), priority).prop_map(|(i, p)| Op::Priority(i, p)),
        1 => (any::<usize>(), prop::option::of(any::<bool>())).prop_map(|(i, a)| Op::Assign(i, a)),
        1 => (any::<usize>(), any::<bool>()).prop_map(|(i, t)| Op::Team(i, t)),
        1 => (any::<usize>(), status).prop_map(|(i, s)| Op::Status(i, s)),
        1 => (any::<usize>(), 0u8..3).prop_map(|(i, t)| Op::Tag(i, t)),
        1 => (any::<usize>()).prop_map(Op::Reply),
        1 => (1i64..90).prop_map(Op::Tick),
    ]
}

const TAGS: [&str; 3] = ["billing", "outage", "vip"];

/// A filter on the world's agents and team (their ids are the same in
/// every world).
fn any_filter() -> impl Strategy<Value = Filter> {
    let (w_ana, team) = {
        let w = World::new();
        (w.ana, w.team)
    };
    let tags = prop::sample::subsequence(TAGS.to_vec(), 1..=2)
        .prop_map(|t| t.into_iter().map(tag).collect::<BTreeSet<_>>());
    prop_oneof![
        prop::sample::subsequence(
            vec![Status::New, Status::Open, Status::Pending, Status::Solved],
            1..=3
        )
        .prop_map(|s| Filter::Status(s.into_iter().collect())),
        prop::sample::subsequence(
            vec![
                Priority::Low,
                Priority::Normal,
                Priority::High,
                Priority::Urgent
            ],
            1..=2
        )
        .prop_map(|s| Filter::Priority(s.into_iter().collect())),
        prop::sample::subsequence(
            vec![ChannelKind::Email, ChannelKind::Social, ChannelKind::Phone],
            1..=2
        )
        .prop_map(|s| Filter::Channel(s.into_iter().collect())),
        prop::sample::subsequence(
            vec![
                AssigneeIs::Me,
                AssigneeIs::Unassigned,
                AssigneeIs::Agent(w_ana)
            ],
            1..=2
        )
        .prop_map(|s| Filter::Assignee(s.into_iter().collect())),
        prop::sample::subsequence(vec![Some(team), None], 1..=1)
            .prop_map(|s| Filter::Team(s.into_iter().collect())),
        tags.clone().prop_map(|t| Filter::Tags(TagMatch::Any(t))),
        tags.clone().prop_map(|t| Filter::Tags(TagMatch::All(t))),
        tags.prop_map(|t| Filter::Tags(TagMatch::None(t))),
        Just(Filter::Sla(SlaState::Breached)),
        Just(Filter::Sla(SlaState::NoRunning)),
        (1i64..600).prop_map(|m| Filter::Sla(SlaState::DueWithin(Duration::minutes(m)))),
        (0i64..300).prop_map(|m| Filter::OpenedBefore(When::Ago(Duration::minutes(m)))),
        (0i64..300).prop_map(|m| Filter::UpdatedAfter(When::Ago(Duration::minutes(m)))),
    ]
}

/// Every ticket's row filtered and sorted plainly (no index): the sort's
/// field compared directly, no deadline last, ties by id.
fn naive(desk: &Desk, q: &QueueQuery, now: DateTime<Utc>) -> Vec<TicketId> {
    let mut rows: Vec<QueueRow> = desk
        .tickets()
        .iter()
        .filter_map(|t| desk.queues().row(t.id()))
        .filter(|r| q.matches(r, now))
        .collect();
    let sort = q.sort();
    rows.sort_by(|a, b| {
        let none_last = match sort.by {
            SortBy::NextDeadline => a.next_deadline.is_none().cmp(&b.next_deadline.is_none()),
            _ => std::cmp::Ordering::Equal,
        };
        let key = match sort.by {
            SortBy::NextDeadline => a
                .next_deadline
                .map(|d| d.at)
                .cmp(&b.next_deadline.map(|d| d.at)),
            SortBy::Priority => a.priority.cmp(&b.priority),
            SortBy::Created => a.opened_at.cmp(&b.opened_at),
            SortBy::Updated => a.updated_at.cmp(&b.updated_at),
        }
        .then(a.id.cmp(&b.id));
        none_last.then(if sort.descending { key.reverse() } else { key })
    });
    rows.into_iter().map(|r| r.id).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(crate::cases(24)))]

    #[test]
    fn paging_yields_exactly_a_plain_filter_and_sort(
        ops in prop::collection::vec(op(), 1..40),
        filters in prop::collection::vec(any_filter(), 0..3),
        by in prop::sample::select(vec![SortBy::NextDeadline, SortBy::Priority, SortBy::Created, SortBy::Updated]),
        descending in any::<bool>(),
        limit in 1usize..6,
        restricted in 0u8..4,
    ) {
        let mut w = world();
        let mut tickets: Vec<TicketId> = Vec::new();
        let (ana, bill, team) = (w.ana, w.bill, w.team);
        for op in ops {
            let pick = |i: usize| tickets.get(i % tickets.len().max(1)).copied();
            // Refused commands (a status a ticket cannot take) change nothing.
            let command = |t, command| Command::new(Actor::Agent(ana), TicketAction::Update { ticket: t, command });
            let _ = match op {
                Op::Receive { channel, tom } => {
                    let channel = if tom { Channel::Email } else { [Channel::Email, x(), Channel::Phone][usize::from(channel % 3)].clone() };
                    tickets.push(receive(&mut w, channel, tom, "Help"));
                    Ok(Vec::new())
                }
                Op::Tick(m) => { w.tick(m); Ok(Vec::new()) }
                Op::Reply(i) => match pick(i) { Some(t) => w.run(Command::reply(t, ana, "Answer")), None => Ok(Vec::new()) },
                Op::Priority(i, p) => match pick(i) { Some(t) => w.run(command(t, TicketCommand::SetPriority(p))), None => Ok(Vec::new()) },
                Op::Assign(i, a) => match pick(i) { Some(t) => w.run(command(t, TicketCommand::Assign(a.map(|b| if b { ana } else { bill })))), None => Ok(Vec::new()) },
                Op::Team(i, on) => match pick(i) { Some(t) => w.run(command(t, TicketCommand::SetTeam(on.then_some(team)))), None => Ok(Vec::new()) },
                Op::Status(i, s) => match pick(i) { Some(t) => w.run(command(t, TicketCommand::SetStatus(s))), None => Ok(Vec::new()) },
                Op::Tag(i, k) => match pick(i) { Some(t) => w.run(command(t, TicketCommand::AddTag(tag(TAGS[usize::from(k)])))), None => Ok(Vec::new()) },
            };
        }
        // Some SLA timers run: warnings, breaches.
        let until = w.now;
        run_timers_until(&mut w, until);
        let queue = Queue { filters, sort: Sort { by, descending } };
        let restriction = match restricted {
            0 => Restriction::All,
            1 => Restriction::Assignee(bill),
            2 => Restriction::TeamsOrAssignee { teams: [team].into(), agent: ana },
            _ => Restriction::Requester([w.tom].into()),
        };
        let now = w.now;
        let q = QueueQuery::new(&queue, Some(ana), restriction.clone(), None, limit).unwrap();
        let expected = naive(&w.desk, &q, now);
        let got = all_pages(&w.desk, &queue, Some(ana), &restriction, limit, now);
        prop_assert_eq!(&got, &expected);
        prop_assert_eq!(w.desk.queues().count(&queue, Some(ana), &restriction, now), Ok(expected.len() as u64));
    }
}

/// A desk that keeps no queue index answers no page or count, and still
/// hands its rows to a read model of its own.
#[test]
fn a_desk_without_the_queue_index_refuses_pages_and_still_feeds_read_models() {
    let mut config = fanatical::desk::DeskConfig::default();
    config.queue_index = false;
    let mut w = World::with_config(config);
    let t = w.jane_emails("Site down");
    let open = fanatical::queue::Queue::new(fanatical::queue::Sort::ascending(
        fanatical::queue::SortBy::NextDeadline,
    ));
    let now = w.now;
    let all = fanatical::queue::Restriction::All;
    assert_eq!(
        w.desk.queues().page(&open, None, &all, None, 50, now),
        Err(fanatical::queue::QueueError::NotIndexed)
    );
    assert_eq!(
        w.desk.queues().count(&open, None, &all, now),
        Err(fanatical::queue::QueueError::NotIndexed)
    );
    assert_eq!(w.desk.queues().model().len(), 0);
    assert_eq!(w.desk.queues().row(t).map(|r| r.id), Some(t));
    assert_eq!(w.desk.queues().rows().count(), 1);
}

/// A crisis ticket's subject (from the person's own words) is in no queue
/// row, nor in what a read model is fed; and contacts have no queue.
#[test]
fn a_crisis_subject_is_in_no_queue_row() {
    let mut w = World::new();
    let words = "The restore failed again and I want to end my life";
    let t = w.jane_emails(words);
    assert!(w.desk.tickets().is_crisis(t));
    let ana = w.ana;
    let restriction = w
        .desk
        .queue_restriction(&fanatical::actor::Actor::Agent(ana))
        .unwrap();
    let all = fanatical::queue::Queue::new(fanatical::queue::Sort::ascending(
        fanatical::queue::SortBy::Created,
    ));
    let now = w.now;
    let page = w
        .desk
        .queues()
        .page(&all, Some(ana), &restriction, None, 50, now)
        .unwrap();
    let row = page.rows.iter().find(|r| r.id == t).unwrap();
    assert_eq!(row.subject, fanatical::crisis::RESTRICTED);
    let fed = format!("{:?}", w.desk.queues().rows().collect::<Vec<_>>());
    assert!(!fed.contains("end my life"), "{fed}");
    assert!(
        w.desk
            .queue_restriction(&fanatical::actor::Actor::Contact(w.jane))
            .is_err()
    );
}
