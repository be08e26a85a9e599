//! What the desk keeps in memory per customer and per ticket, measured
//! with a counting allocator: the heap a desk rebuilt from its store holds
//! for N customers with one contact each, N open tickets (message bodies
//! counted apart), and the same tickets answered and solved.
//!
//! Run by hand: `cargo bench -p fanatical-benches --bench memory`
//! (`FANATICAL_MEMORY_N` customers and tickets, 10,000 by default). It
//! prints bytes per item; the README's "Memory" table records them.

use chrono::{TimeZone, Utc};
use fanatical::actor::Actor;
use fanatical::agent::Role;
use fanatical::channel::Channel;
use fanatical::desk::{Command, Desk, DeskConfig, InboundMessage, PeopleAction, TicketAction};
use fanatical::id::{AgentId, IdGenerator, TicketId};
use fanatical::outbox::OutboxAction;
use fanatical::store::MemoryStore;
use fanatical::survey::{Question, QuestionKind, SurveyConfig, SurveyDraft};
use fanatical::ticket::Status;

mod common;

#[path = "common/counting.rs"]
mod counting;
use counting::signed;

#[global_allocator]
static GLOBAL: counting::Counting = counting::Counting;

/// The heap a desk rebuilt from `store` holds.
fn desk_bytes(store: &MemoryStore, config: &DeskConfig) -> isize {
    let before = counting::live();
    let desk = Desk::rebuild(store, config.clone()).unwrap();
    let held = counting::live() - before;
    drop(desk);
    held
}

fn per(bytes: isize, n: usize) -> f64 {
    #[allow(clippy::cast_precision_loss)]
    let r = bytes as f64 / n as f64;
    r
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else is read from the line.
    let n: usize = std::env::var("FANATICAL_MEMORY_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(10_000);
    // A CSAT survey goes out on every solve, as the README's rows say.
    let csat = SurveyDraft::new("after-ticket")
        .question(Question::new("rating", "How did we do?", QuestionKind::scale()).required())
        .validate()
        .unwrap();
    let mut config = DeskConfig::default().with_surveys(
        SurveyConfig::default()
            .with_survey(csat)
            .csat_on_solve("after-ticket"),
    );
    // FANATICAL_MEMORY_QUEUES=off measures a desk that keeps no queue
    // index (its queues served by a database).
    config.queue_index = std::env::var("FANATICAL_MEMORY_QUEUES").as_deref() != Ok("off");
    let now = Utc.with_ymd_and_hms(2026, 11, 2, 14, 0, 0).unwrap();
    let mut ids = IdGenerator::from_seed(7);
    let mut store = MemoryStore::new();
    let mut desk = Desk::new(config.clone());
    let agent: AgentId = ids.next_id();
    desk.execute(
        &mut store,
        Command::new(
            Actor::integration("setup"),
            PeopleAction::RegisterAgent {
                id: agent,
                name: "Ana".into(),
                time_zone: chrono_tz::UTC,
                roles: vec![Role::Agent],
                skills: vec![],
            },
        ),
        now,
    )
    .unwrap();
    let empty = desk_bytes(&store, &config);

    let emails = common::register_customers(&mut desk, &mut store, &mut ids, n, now);
    let customers = desk_bytes(&store, &config);

    let body = "Our site has been slow since this morning; can you look?";
    let reply = "Fixed: a full disk on the web server.";
    let mut round = Round {
        desk: &mut desk,
        store: &mut store,
        ids: &mut ids,
        agent,
        now,
    };
    let tickets = round.open(&emails, body);
    let open = desk_bytes(round.store, &config);
    // The message text is held as the entry's body and as the subject.
    let text = signed(2 * body.len());
    round.solve(&tickets, reply);
    let solved = desk_bytes(round.store, &config);
    round.close(&tickets);
    let closed = desk_bytes(round.store, &config);
    let window = config.archive.after().unwrap();
    round.archive(window);
    let archived = desk_bytes(round.store, &config);
    // A second ticket for every customer, through the same life: what an
    // archived ticket costs once its customer has an archive and its
    // contact a survey budget.
    let tickets = round.open(&emails, body);
    round.solve(&tickets, reply);
    round.close(&tickets);
    round.archive(window);
    let archived_again = desk_bytes(round.store, &config);

    println!("memory held by a desk rebuilt from its store, {n} of each (bytes per item)");
    let rows = [
        ("customer with one contact", customers - empty),
        ("open ticket, all-in", open - customers),
        (
            "open ticket, without message text",
            open - customers - text * signed(n),
        ),
        (
            "solved ticket with its reply, CSAT invitation and messages, all-in",
            solved - customers,
        ),
        (
            "closed ticket, its messages delivered, all-in",
            closed - customers,
        ),
        (
            "archived ticket, the customer's first, all-in",
            archived - customers,
        ),
        (
            "archived ticket, the customer's second, all-in",
            archived_again - archived,
        ),
    ];
    for (what, bytes) in rows {
        println!("{what:<68} {:>8.1}", per(bytes, n));
    }
}

/// Tickets driven through their life on one desk, at one instant.
struct Round<'a> {
    desk: &'a mut Desk,
    store: &'a mut MemoryStore,
    ids: &'a mut IdGenerator,
    agent: AgentId,
    now: chrono::DateTime<Utc>,
}

impl Round<'_> {
    fn run(&mut self, cmd: Command) {
        self.desk.execute(self.store, cmd, self.now).unwrap();
    }

    /// One email from each address: a new ticket each.
    fn open(&mut self, emails: &[fanatical::channel::ChannelAddress], body: &str) -> Vec<TicketId> {
        let mut tickets = Vec::with_capacity(emails.len());
        for email in emails {
            let t: TicketId = self.ids.next_id();
            let msg = InboundMessage::new(t, Channel::Email, email.clone(), body);
            self.run(Command::new(
                Actor::integration("inbound"),
                TicketAction::Receive(msg),
            ));
            tickets.push(t);
        }
        tickets
    }

    /// Assigned, answered and solved.
    fn solve(&mut self, tickets: &[TicketId], reply: &str) {
        let agent = self.agent;
        for t in tickets {
            self.run(Command::new(
                Actor::Agent(agent),
                TicketAction::assign(*t, agent),
            ));
            self.run(Command::reply(*t, agent, reply));
            let solve = TicketAction::set_status(*t, Status::Solved);
            self.run(Command::new(Actor::Agent(agent), solve));
        }
    }

    /// Every message delivered, then closed.
    fn close(&mut self, tickets: &[TicketId]) {
        while let Some(m) = self.desk.poll_outbound(self.now) {
            let delivered = OutboxAction::MarkDelivered { message: m.id };
            self.run(Command::new(Actor::integration("transport"), delivered));
        }
        let agent = self.agent;
        for t in tickets {
            let close = TicketAction::set_status(*t, Status::Closed);
            self.run(Command::new(Actor::Agent(agent), close));
        }
    }

    /// The archive window runs out: every closed ticket leaves memory.
    fn archive(&mut self, window: chrono::Duration) {
        self.now += window;
        let now = self.now;
        // The desk archives at most 1,000 tickets a call: call again while
        // a call still decided something.
        while !self
            .desk
            .handle_timeout(self.store, now)
            .unwrap()
            .is_empty()
        {}
        assert_eq!(
            self.desk.tickets().len(),
            0,
            "every closed ticket was archived"
        );
    }
}
