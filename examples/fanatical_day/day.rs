//! A Fanatical day: one day of a support organisation, from a fixed seed,
//! on the in-memory store, through the public API only.
//!
//! `main.rs` runs it, prints the report and writes the escalation graph as
//! DOT; `tests/it/fanatical_day.rs` runs this same code and checks every
//! story, so the example cannot silently rot.
//!
//! Monday 2 November 2026, America/Chicago. By the clock:
//! - 02:00 a VIP retailer and a ten-dollar blog call at once: same
//!   treatment, and neither the agent nor routing sees what they spend;
//! - 08:40 a public post on X answered in three minutes, and praised;
//!   kudos go up the chain, and the page to Luis, whose mornings are his
//!   until ten, waits for 10:00;
//! - 09:30 a truck hits the power feed of DFW1: an incident with a
//!   30-minute update cadence (one update late), callers linked, everyone
//!   affected kept in the loop; at 09:55 it spreads to LON3 and that
//!   datacenter's customers are brought in; credits with reasons,
//!   follow-ups scheduled;
//! - 10:00 a thank-you with an animated GIF, answered with another;
//! - 11:00 the email gateway fails five deliveries; the outbox retries;
//! - 12:00 an agent remembers a customer's family and team (with consent);
//!   a video onboarding session for a new account;
//! - 12:30 a personal post from the official account is held (mistake one);
//! - 13:00 the phone system goes down for ninety minutes: callers move to
//!   social and to chat on their phones, replies follow them;
//! - 15:00 a post on X waits twelve minutes: the 5-minute SLA breaches and
//!   the post is escalated to the social team lead;
//! - 16:00 "Having fun at Sea World" from the official account is held,
//!   and the same mistake twice is flagged for coaching;
//! - 17:00 an NPS wave: a detractor scoring 3 gets a personal call-back
//!   task; a promoter's praise travels up to the CEO, who acknowledges it,
//!   and the committee issues a certificate;
//! - 19:30 a message signalling self-harm goes straight to the safety
//!   responder;
//! - all day, 160 conversations on phone, email, portal and chat; every
//!   SLA breach is escalated through the day's graph, with its reason, by
//!   a trigger of the desk (`cast::triggers`), in the same decision as
//!   the breach.
//!
//! The day is in rooms of a readable size: this file ties them together
//! and runs the loop (the agenda, the timers, delivery) and notes what the
//! desk's triggers escalated;
//! `cast.rs` is who is in the day (the organisation, the customers, the
//! desk's configuration and escalation graph); `stories/` is what happens,
//! story by story; `report.rs` is what a support leader reads at the end.

// `#[path]`, so the same files load whether `main.rs`,
// `tests/it/fanatical_day.rs` or `benches/day.rs` includes this one.
#[path = "cast.rs"]
mod cast;
#[path = "report.rs"]
mod report;
#[path = "stories/mod.rs"]
mod stories;

use std::collections::BTreeMap;

use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::America::Chicago;
use fanatical::actor::{Actor, Cause};
use fanatical::desk::TicketAction;
use fanatical::desk::{Command, Desk, InboundMessage};
use fanatical::escalation::EscalationGraph;
use fanatical::event::{Event, StreamId};
use fanatical::id::{AgentId, IdGenerator, TicketId};
use fanatical::incident::IncidentEventKind;
use fanatical::outbox::{OutboxAction, OutboxEventKind, Recipient};
use fanatical::routing::{Router, Routing};
use fanatical::sla::SlaEventKind;
use fanatical::store::{MemoryStore, RecordedEvent};
use fanatical::ticket::{Status, TicketEventKind};
use fanatical::transport::{RecordingTransport, Transport};

pub use cast::{Cast, ESCALATE_ON_BREACH, Person, config, graph};
pub use stories::Stories;
// The day's other names, at `day::` too: `tests/it/fanatical_day.rs` reads
// them there; the example and the bench do not, hence the `allow`.
#[allow(unused_imports)]
pub use {
    cast::{BLOG, CROWD, OFFICIAL, SARAH, VIP},
    report::{incident_messages, rerouted_phone_replies},
    stories::{CRISIS_MESSAGE, WAVE},
};

/// The seed of the day the README shows.
pub const SEED: u64 = 20_261_102;

/// Errors end the day with a message.
pub type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

type Step = Box<dyn FnOnce(&mut Day, DateTime<Utc>) -> Result<()>>;

/// A wall-clock time on the day, in Chicago.
pub fn local(h: u32, m: u32) -> DateTime<Utc> {
    Chicago
        .with_ymd_and_hms(2026, 11, 2, h, m, 0)
        .single()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default()
}

fn hhmm(t: DateTime<Utc>) -> String {
    t.with_timezone(&Chicago).format("%H:%M").to_string()
}

/// An escalation the desk's trigger made when an SLA breached, as the
/// record tells it.
#[derive(Debug, Clone)]
pub struct Escalated {
    /// When.
    pub at: DateTime<Utc>,
    /// Which ticket.
    pub ticket: TicketId,
    /// What breached.
    pub trigger: String,
    /// The department it went to.
    pub department: String,
    /// Why, one line per hop.
    pub path: Vec<String>,
    /// What travels with it.
    pub context: Vec<String>,
    /// Who was paged.
    pub people: Vec<AgentId>,
}

/// The day: the desk, its store and transport, and what happened.
pub struct Day {
    /// The desk.
    pub desk: Desk,
    /// Its store.
    pub store: MemoryStore,
    /// The transport every message went through.
    pub transport: RecordingTransport,
    /// The day's escalation graph.
    pub graph: EscalationGraph,
    /// Who is on shift, with what capacity: routing reads this, the
    /// desk's loads and the skills a ticket needs, never the customer.
    pub router: Router,
    /// The organisation.
    pub cast: Cast,
    /// Customers: the VIP, the blog, Sarah, then the crowd.
    pub people: Vec<Person>,
    /// The stories.
    pub stories: Stories,
    /// One line per moment worth telling, in order.
    pub log: Vec<(DateTime<Utc>, String)>,
    /// Every escalation, in order.
    pub escalations: Vec<Escalated>,
    /// How many background conversations were scripted.
    pub background: usize,
    ids: IdGenerator,
    agenda: BTreeMap<(DateTime<Utc>, u64), Step>,
    seq: u64,
}

/// Runs the whole day from `seed`.
pub fn run(seed: u64) -> Result<Day> {
    let mut ids = IdGenerator::from_seed(seed);
    let cast = Cast::new(&mut ids);
    let stories = Stories::new(&mut ids);
    let mut day = Day {
        desk: Desk::new(config(&cast)?),
        store: MemoryStore::new(),
        transport: RecordingTransport::new(),
        graph: graph(&cast)?,
        router: Router::new(Vec::new())?,
        cast,
        people: Vec::new(),
        stories,
        log: Vec::new(),
        escalations: Vec::new(),
        background: 0,
        ids,
        agenda: BTreeMap::new(),
        seq: 0,
    };
    day.organise()?;
    day.sign_up_customers()?;
    day.script_stories()?;
    day.script_incident()?;
    day.script_phone_outage()?;
    day.script_posts()?;
    day.script_wave()?;
    day.script_background()?;
    day.play()?;
    Ok(day)
}

impl Day {
    /// Runs one command now.
    fn exec(&mut self, cmd: Command, now: DateTime<Utc>) -> Result<Vec<RecordedEvent>> {
        Ok(self.desk.execute(&mut self.store, cmd, now)?)
    }

    /// Runs a command the desk must refuse, and keeps why.
    fn expect_refusal(&mut self, what: &str, cmd: Command, now: DateTime<Utc>) -> Result<()> {
        match self.desk.execute(&mut self.store, cmd, now) {
            Ok(_) => Err(format!("{what}: the desk accepted it").into()),
            Err(e) => {
                self.stories.refusals.push(format!("{what}: {e}"));
                Ok(())
            }
        }
    }

    fn at(
        &mut self,
        when: DateTime<Utc>,
        step: impl FnOnce(&mut Day, DateTime<Utc>) -> Result<()> + 'static,
    ) {
        self.seq += 1;
        self.agenda.insert((when, self.seq), Box::new(step));
    }

    fn tell(&mut self, when: DateTime<Utc>, line: &str) {
        let line = line.to_owned();
        self.at(when, move |d, now| {
            d.log.push((now, line));
            Ok(())
        });
    }

    fn inbound(&mut self, when: DateTime<Utc>, msg: InboundMessage) {
        self.at(when, move |d, now| {
            d.exec(
                Command::new(Actor::integration("inbound"), TicketAction::Receive(msg)),
                now,
            )?;
            Ok(())
        });
    }

    /// The ticket's owner answers in public; if nobody owns it yet,
    /// `agent` takes it first.
    fn answer(&mut self, when: DateTime<Utc>, ticket: TicketId, agent: AgentId, body: &str) {
        let body = body.to_owned();
        self.at(when, move |d, now| {
            let Some(t) = d.desk.tickets().get(ticket) else {
                return Ok(());
            };
            let owner = match t.assignee() {
                Some(owner) => owner,
                None => {
                    d.exec(
                        Command::new(
                            Actor::integration("router"),
                            TicketAction::assign(ticket, agent),
                        ),
                        now,
                    )?;
                    agent
                }
            };
            d.exec(Command::reply(ticket, owner, &body), now)?;
            Ok(())
        });
    }

    /// Routes a new ticket to whoever is on shift with the lowest load,
    /// and assigns it.
    fn route(&mut self, when: DateTime<Utc>, ticket: TicketId) {
        self.at(when, move |d, now| {
            let agent = match d.desk.tickets().route(ticket, &d.router, &[], now)? {
                Routing::Assigned { agent, reason } => {
                    d.stories.routed.push((ticket, agent, reason));
                    agent
                }
                Routing::Wait { agent, at, .. } => {
                    return Err(format!("nobody on shift: {agent} is first at {at}").into());
                }
            };
            d.exec(
                Command::new(
                    Actor::integration("router"),
                    TicketAction::assign(ticket, agent),
                ),
                now,
            )?;
            Ok(())
        });
    }

    fn solve(&mut self, when: DateTime<Utc>, ticket: TicketId, agent: AgentId) {
        self.at(when, move |d, now| {
            let Some(t) = d.desk.tickets().get(ticket) else {
                return Ok(());
            };
            if !t.status().is_unsolved() {
                return Ok(());
            }
            if t.assignee().is_none() {
                d.exec(
                    Command::new(
                        Actor::integration("router"),
                        TicketAction::assign(ticket, agent),
                    ),
                    now,
                )?;
            }
            d.exec(
                Command::new(
                    Actor::integration("automation"),
                    TicketAction::set_status(ticket, Status::Solved),
                ),
                now,
            )?;
            Ok(())
        });
    }

    fn roll(&mut self, n: u64) -> u64 {
        self.ids.next_u64() % n.max(1)
    }

    fn person(&self, i: usize) -> Result<&Person> {
        Ok(self.people.get(i).ok_or("no such person")?)
    }

    fn name_of(&self, agent: AgentId) -> String {
        self.desk
            .people()
            .agent(agent)
            .map_or_else(|| agent.to_string(), |a| a.name().to_owned())
    }

    // ----- the run loop -----------------------------------------------------

    /// Plays the agenda in time order, the way a service loop does: before
    /// each moment, every timer due (`poll_timeout`) fires and every due
    /// message is delivered.
    fn play(&mut self) -> Result<()> {
        while let Some(((now, _), step)) = self.agenda.pop_first() {
            self.catch_up(now)?;
            step(self, now)?;
            self.deliver(now)?;
        }
        let end = local(23, 59);
        self.catch_up(end)?;
        self.deliver(end)
    }

    /// Fires every timer due up to `until`, in time order, and reacts to
    /// what fired: SLA breaches are escalated, incident cadence pages
    /// logged.
    fn catch_up(&mut self, until: DateTime<Utc>) -> Result<()> {
        while let Some(due) = self.desk.poll_timeout().filter(|t| *t <= until) {
            let fired = self.desk.handle_timeout(&mut self.store, due)?;
            for r in &fired {
                self.react(r, due);
            }
            self.note_escalations(&fired, due);
            self.deliver(due)?;
            if self.desk.poll_timeout() == Some(due) {
                break;
            }
        }
        Ok(())
    }

    fn react(&mut self, r: &RecordedEvent, now: DateTime<Utc>) {
        if let (StreamId::Incident(_), Event::Incident(e)) = (&r.stream, &r.event) {
            match &e.kind {
                IncidentEventKind::UpdateDueSoon { due } => self.log.push((
                    now,
                    format!(
                        "the incident commander is warned: an update is due at {}",
                        hhmm(*due)
                    ),
                )),
                IncidentEventKind::UpdateOverdue { due } => self.log.push((
                    now,
                    format!(
                        "the {} incident update is overdue; the commander is paged",
                        hhmm(*due)
                    ),
                )),
                _ => {}
            }
        }
    }

    /// Notes the escalations the desk's trigger made in `fired` (the
    /// breach that fired it, where the ticket went, why, what travels with
    /// it, who was paged): the record says it all.
    fn note_escalations(&mut self, fired: &[RecordedEvent], now: DateTime<Utc>) {
        let by_trigger = Some(Actor::System(Cause::Rule(ESCALATE_ON_BREACH.to_owned())));
        for r in fired.iter().filter(|r| r.actor == by_trigger) {
            let (StreamId::Ticket(ticket), Event::Ticket(e)) = (&r.stream, &r.event) else {
                continue;
            };
            let TicketEventKind::HandedOff { to, reason, .. } = &e.kind else {
                continue;
            };
            let breached: Vec<String> = fired
                .iter()
                .filter_map(|b| match (&b.stream, &b.event) {
                    (StreamId::Sla(t), Event::Sla(s)) if t == ticket => match &s.kind {
                        SlaEventKind::Breached { key, .. } => {
                            Some(format!("{} breached", key.metric))
                        }
                        _ => None,
                    },
                    _ => None,
                })
                .collect();
            // The hand-off's note carries the context that travels.
            let context = fired
                .iter()
                .filter(|n| n.actor == by_trigger && n.stream == r.stream)
                .find_map(|n| match &n.event {
                    Event::Ticket(t) => match &t.kind {
                        TicketEventKind::EntryAdded { entry } => entry
                            .body
                            .split_once("Context that travels with it: ")
                            .map(|(_, c)| c.split("; ").map(str::to_owned).collect()),
                        _ => None,
                    },
                    _ => None,
                })
                .unwrap_or_default();
            let people = fired
                .iter()
                .filter_map(|m| match &m.event {
                    Event::Outbox(o) => match &o.kind {
                        OutboxEventKind::Queued { message }
                            if message.ticket == Some(*ticket)
                                && matches!(message.recipient, Recipient::Agent { .. }) =>
                        {
                            match message.recipient {
                                Recipient::Agent { agent } => Some(agent),
                                _ => None,
                            }
                        }
                        _ => None,
                    },
                    _ => None,
                })
                .collect();
            if *ticket == self.stories.social_late {
                self.log.push((
                    now,
                    format!(
                        "the post on X breached its 5-minute first response: escalated to {to}"
                    ),
                ));
            }
            self.escalations.push(Escalated {
                at: now,
                ticket: *ticket,
                trigger: breached.join(", "),
                department: to.clone(),
                path: reason.split("; ").map(str::to_owned).collect(),
                context,
                people,
            });
        }
    }

    /// Hands every due message to the transport and records the outcome.
    fn deliver(&mut self, now: DateTime<Utc>) -> Result<()> {
        // Pages that waited for their person's time, by person: how many
        // and since when.
        let mut waited: BTreeMap<AgentId, (usize, DateTime<Utc>)> = BTreeMap::new();
        while let Some(msg) = self.desk.poll_outbound(now) {
            if let (Some(_), Recipient::Agent { agent }) = (msg.deliver_after, &msg.recipient) {
                let entry = waited.entry(*agent).or_insert((0, msg.queued_at));
                entry.0 += 1;
                entry.1 = entry.1.min(msg.queued_at);
            }
            let ack = match self.transport.deliver(&msg) {
                Ok(_) => Command::new(
                    Actor::integration("transport"),
                    OutboxAction::MarkDelivered { message: msg.id },
                ),
                Err(e) => Command::new(
                    Actor::integration("transport"),
                    OutboxAction::MarkFailed {
                        message: msg.id,
                        reason: e.to_string(),
                    },
                ),
            };
            self.exec(ack, now)?;
        }
        for (agent, (n, since)) in waited {
            let line = format!(
                "{n} page(s) to {}, held for their working time since {}, go out",
                self.name_of(agent),
                hhmm(since)
            );
            self.log.push((now, line));
        }
        Ok(())
    }
}
