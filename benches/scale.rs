//! The stories' scale (story 004, issue 17 item 8): one desk driven like a
//! service through 350,000 customers and 10,000,000 tickets over three
//! simulated years, reporting resident memory as it goes, command latency
//! per simulated month (the first and the last must match), the restart
//! time from a snapshot and the full replay rate.
//!
//! Run by hand, never in CI (the full scale takes a long time and many
//! gigabytes):
//!
//! ```text
//! cargo bench -p fanatical-benches --bench scale
//! FANATICAL_SCALE_CUSTOMERS=10000 FANATICAL_SCALE_TICKETS=100000 \
//!     FANATICAL_SCALE_DAYS=90 cargo bench -p fanatical-benches --bench scale
//! ```
//!
//! Settings (environment): `FANATICAL_SCALE_CUSTOMERS` (350,000),
//! `FANATICAL_SCALE_TICKETS` (10,000,000), `FANATICAL_SCALE_DAYS` (1,095),
//! `FANATICAL_SCALE_REPLAY_EVENTS` (events kept in memory for the replay,
//! 4,000,000), `FANATICAL_SCALE_MAX_RSS_GB` (the drive stops, and says so,
//! when resident memory passes this; 14),
//! `FANATICAL_SCALE_ARCHIVE_DAYS` (closed tickets leave memory this
//! long after closing; 7), `FANATICAL_SCALE_MAX_MINUTES` (the drive stops, and says so, after
//! this long; 1,440), `FANATICAL_SCALE_SNAPSHOT` (the SQLite database the
//! snapshot is kept in; `target/scale-snapshot.sqlite`, removed at the end
//! unless `FANATICAL_SCALE_KEEP_SNAPSHOT` is set),
//! `FANATICAL_SCALE_RESTORE_ONLY` (a database kept that way: no drive, its
//! snapshot loaded and restored, each step timed, as many rounds as
//! `FANATICAL_SCALE_REPLAY_ROUNDS`; with `FANATICAL_SCALE_RESAVE` set, the
//! snapshot is first loaded and saved again in this build's layout, so a
//! database kept by an earlier build measures this one's;
//! `FANATICAL_SCALE_SNAPSHOT_READS=streamed` decodes its chunks as they
//! come, `SnapshotRead::Streamed`, instead of reading them into one buffer
//! first),
//! `FANATICAL_SCALE_SAVE_LOG` (a file the replay log is written to, after
//! the drive) and `FANATICAL_SCALE_REPLAY_ONLY` (such a file: no drive,
//! the replay from it timed),
//! `FANATICAL_SCALE_REPLAY_ROUNDS` (how many times the replay is timed;
//! 2, more to profile it).
//!
//! The workload (story 004: a managed-hosting desk with 350,000 customers
//! that answers at any hour): every customer has one contact with an email
//! address and a phone number. Tickets arrive every day of the period,
//! weekends at 40% of a weekday, 65% of them in Chicago business hours and
//! the rest around the clock; 55% by email, 25% by phone, 20% through the
//! portal, from customers chosen at random. Each is routed to one of the
//! teams and assigned to one of its agents (about 40 tickets per agent per
//! working day: 230 agents in 12 teams at full scale), answered (on the
//! phone within minutes, otherwise within 10 to 90 minutes, one in ten
//! late past the 1-hour first-response target), answered back by the
//! customer in 45% of tickets and answered again, then solved: the CSAT
//! survey goes out (14-day quiet period) and a quarter of invitations are
//! answered within two days. 8% of solved tickets are reopened by the
//! customer within three days, answered and solved again. Four days after
//! its last solve a ticket is closed, as a Zendesk desk auto-closes, and
//! a week after closing it is archived out of memory (the desk's archive
//! window, `DeskConfig::archive`).
//! Every outbound message is handed out by `poll_outbound` and
//! acknowledged with `MarkDelivered`; every timer fires through
//! `handle_timeout` at `poll_timeout`, as a service loop does.
//!
//! The store: the desk's events are numbered and versioned by
//! [`DriveStore`], which keeps no events (tens of millions of events would
//! not fit next to the desk); the first `FANATICAL_SCALE_REPLAY_EVENTS`
//! are also kept in a `MemoryStore`, from which a desk is rebuilt at the
//! end to measure the replay rate. Snapshots are kept by a
//! `fanatical_sqlite::SqliteStore` on a file of their own, in its
//! `snapshots` table and its encoding, as a desk on SQLite keeps them, and
//! restart is `Desk::resume` from it: the row read, decoded, checked
//! against its checksum and restored, the timers started. The time is
//! then split: the load (read and decode) and the checksum again, apart.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap};
use std::path::PathBuf;
use std::time::{Duration as Wall, Instant};

use chrono::{DateTime, Datelike, Duration, TimeZone, Utc, Weekday};
use fanatical::actor::Actor;
use fanatical::agent::{AgentCommand, Role, TeamCommand};
use fanatical::channel::{Channel, ChannelAddress};
use fanatical::customer::CustomerCommand;
use fanatical::desk::{
    ArchivePolicy, Command, CustomerAction, Desk, DeskConfig, DeskState, InboundMessage,
    PeopleAction, RestoredFrom, SurveyAction, TicketAction,
};
use fanatical::event::Event;
use fanatical::id::{AgentId, ContactId, CustomerId, IdGenerator, InvitationId, TeamId, TicketId};
use fanatical::outbox::OutboxAction;
use fanatical::sla::{Clock, Conditions, Metric, SlaConfig, SlaPolicies, SlaPolicy, Target};
use fanatical::store::{
    ExpectedVersion, MemoryStore, RecordedEvent, Snapshot, SnapshotStore, Store, StoreError,
    StreamWrite,
};
use fanatical::survey::{
    Answer, Question, QuestionKind, Rating, Response, SurveyConfig, SurveyDraft, SurveyEvent,
    SurveyEventKind,
};
use fanatical::ticket::{Status, TicketCommand};

// ----- memory ----------------------------------------------------------------

#[path = "common/counting.rs"]
mod counting;
mod replay_log;

#[global_allocator]
static GLOBAL: counting::Counting = counting::Counting;

fn heap() -> isize {
    counting::live()
}

/// The time this thread has spent on a CPU, from /proc/thread-self/schedstat
/// (the machine is shared: wall time includes waiting for a core).
fn cpu() -> Wall {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|v| v.parse().ok()))
        .map_or(Wall::ZERO, Wall::from_nanos)
}

/// This thread's time on a CPU, precisely (`CLOCK_THREAD_CPUTIME_ID`):
/// a command's own cost, without the time it waited for a core.
fn thread_cpu() -> Wall {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `t` is a valid timespec for the call to write.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &raw mut t) };
    if rc != 0 {
        return Wall::ZERO;
    }
    Wall::new(
        u64::try_from(t.tv_sec).unwrap_or(0),
        u32::try_from(t.tv_nsec).unwrap_or(0),
    )
}

/// A line of /proc/self/status in kB (VmRSS, VmHWM), 0 where unreadable.
fn status_kb(key: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

fn gib_kb(kb: u64) -> f64 {
    kb as f64 / (1024.0 * 1024.0)
}

fn gib(bytes: isize) -> f64 {
    bytes as f64 / (1024.0 * 1024.0 * 1024.0)
}

// ----- the store ---------------------------------------------------------------

/// Numbers events and versions streams without keeping events: each
/// write's versions follow from the version it expects (the desk states
/// one on every write it decides; only `Any` writes are counted in a map).
/// One writer, so nothing can conflict; what is measured is the desk.
/// The first `keep` events are also appended to `log`, for the replay.
/// Snapshots go to a SQLite database of their own.
struct DriveStore {
    position: u64,
    any_versions: HashMap<fanatical::event::StreamId, u64>,
    log: MemoryStore,
    keep: u64,
    logging: bool,
    snapshots: fanatical_sqlite::SqliteStore,
    /// The last event appended (a restore checks that the snapshot's last
    /// event is in the store).
    tail: Vec<RecordedEvent>,
}

impl Store for DriveStore {
    fn append(&mut self, batch: &[StreamWrite]) -> Result<Vec<RecordedEvent>, StoreError> {
        if self.logging {
            if self.position < self.keep {
                let logged = self.log.append(batch)?;
                debug_assert_eq!(logged.first().map(|r| r.position), Some(self.position + 1));
            } else {
                self.logging = false;
            }
        }
        let mut out = Vec::with_capacity(batch.iter().map(|w| w.events.len()).sum());
        for w in batch {
            let mut version = match w.expected {
                ExpectedVersion::Exact(v) => v,
                ExpectedVersion::Any => *self.any_versions.get(&w.stream).unwrap_or(&0),
            };
            for e in &w.events {
                version += 1;
                self.position += 1;
                out.push(RecordedEvent {
                    id: e.id,
                    stream: w.stream,
                    version,
                    position: self.position,
                    schema: e.schema,
                    actor: e.actor.clone(),
                    command: e.command.clone(),
                    event: e.event.clone(),
                });
            }
            if matches!(w.expected, ExpectedVersion::Any) {
                self.any_versions.insert(w.stream, version);
            }
        }
        if let Some(last) = out.last() {
            self.tail.clear();
            self.tail.push(last.clone());
        }
        Ok(out)
    }
    fn read_stream(
        &self,
        _: &fanatical::event::StreamId,
        _: u64,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        Err(StoreError::backend_message(
            "the drive store keeps no events",
        ))
    }
    fn read_all(&self, after: u64, limit: usize) -> Result<Vec<RecordedEvent>, StoreError> {
        let kept = self.tail.first().map_or(self.position, |e| e.position - 1);
        if after >= kept {
            Ok(self
                .tail
                .iter()
                .filter(|e| e.position > after)
                .take(limit)
                .cloned()
                .collect())
        } else {
            Err(StoreError::backend_message(
                "the drive store keeps no events",
            ))
        }
    }
}

impl SnapshotStore<DeskState> for DriveStore {
    fn save_snapshot(&mut self, snapshot: &Snapshot<DeskState>) -> Result<(), StoreError> {
        self.snapshots.save_snapshot(snapshot)
    }
    fn load_snapshot(&self) -> Result<Option<Snapshot<DeskState>>, StoreError> {
        self.snapshots.load_snapshot()
    }
}

// ----- settings and randomness --------------------------------------------------

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(default)
}

/// splitmix64: the workload's choices, from a fixed seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    /// True with probability `percent`/100.
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    /// Minutes uniform in `lo..=hi`.
    fn minutes(&mut self, lo: i64, hi: i64) -> Duration {
        Duration::minutes(
            lo + i64::try_from(self.below(u64::try_from(hi - lo + 1).unwrap())).unwrap(),
        )
    }
}

// ----- latency ----------------------------------------------------------------------

/// Nanosecond samples of one kind of call over one period.
#[derive(Default)]
struct Samples(Vec<u32>);

impl Samples {
    fn push(&mut self, d: Wall) {
        self.0.push(u32::try_from(d.as_nanos()).unwrap_or(u32::MAX));
    }
    /// p50, p99, p99.9 and max in microseconds.
    fn summary(&mut self) -> Summary {
        self.0.sort_unstable();
        let at = |q: f64| -> f64 {
            if self.0.is_empty() {
                return 0.0;
            }
            let i = ((self.0.len() - 1) as f64 * q).round() as usize;
            f64::from(self.0[i]) / 1000.0
        };
        Summary {
            n: self.0.len(),
            p50: at(0.50),
            p99: at(0.99),
            p999: at(0.999),
            max: at(1.0),
        }
    }
}

/// One simulated month's latencies.
struct Month {
    /// A whole 30 days (the period's last month may be shorter).
    full: bool,
    exec: Summary,
    exec_cpu: Summary,
    timeouts: Summary,
    kinds: BTreeMap<&'static str, Summary>,
}

#[derive(Clone, Copy, Default)]
struct Summary {
    n: usize,
    p50: f64,
    p99: f64,
    p999: f64,
    max: f64,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "n {:>9} p50 {:>6.1} p99 {:>7.1} p99.9 {:>8.1} max {:>9.1} µs",
            self.n, self.p50, self.p99, self.p999, self.max
        )
    }
}

// ----- the workload -------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Step {
    Open,
    FirstReply,
    CustomerReply,
    NextReply,
    Solve,
    Answer(InvitationId),
    Reopen,
    /// Auto-close, if the ticket was not solved again since (its solve
    /// count).
    Close(u8),
}

/// Flight keys of follow-up tickets: the ticket number with this bit.
const FOLLOW_UP: u32 = 1 << 31;

/// A ticket in flight (open, or solved and not yet closed).
struct Flight {
    ticket: TicketId,
    customer: u32,
    agent: AgentId,
    channel: Channel,
    solves: u8,
}

struct Person {
    email: ChannelAddress,
    phone: ChannelAddress,
}

struct Sim {
    desk: Desk,
    store: DriveStore,
    ids: IdGenerator,
    rng: Rng,
    people: Vec<Person>,
    teams: Vec<(TeamId, Vec<AgentId>)>,
    flights: HashMap<u32, Flight>,
    due: BinaryHeap<Reverse<(DateTime<Utc>, u32, Step)>>,
    exec: Samples,
    exec_cpu: Samples,
    by_kind: BTreeMap<&'static str, Samples>,
    timeouts: Samples,
    commands: u64,
    events: u64,
    opened: u64,
    closed: u64,
    reopened: u64,
    invitations: u64,
    answers: u64,
    follow_ups: u64,
    delivered: u64,
    timer_calls: u64,
}

fn config(archive_days: u64) -> DeskConfig {
    let policies = SlaPolicies::new(vec![SlaPolicy::new(
        "fanatical",
        Conditions::any(),
        vec![
            Target::new(Metric::FirstResponse, Duration::hours(1), Clock::Always).warn_at([75]),
            Target::new(Metric::NextResponse, Duration::hours(4), Clock::Always),
            Target::new(Metric::Resolution, Duration::hours(24), Clock::Always),
        ],
    )])
    .unwrap();
    let csat = SurveyDraft::new("csat")
        .question(Question::new("rating", "How did we do?", QuestionKind::scale()).required())
        .question(Question::new(
            "recommend",
            "How likely are you to recommend us?",
            QuestionKind::Nps,
        ))
        .validate()
        .unwrap();
    let mut surveys = SurveyConfig::default()
        .with_survey(csat)
        .csat_on_solve("csat");
    surveys.quiet_period = Duration::days(14);
    DeskConfig::default()
        .with_sla(SlaConfig::new(policies))
        .with_surveys(surveys)
        .with_time_zone(chrono_tz::America::Chicago)
        .with_archive(
            ArchivePolicy::after_closed(Duration::days(i64::try_from(archive_days).unwrap()))
                .unwrap(),
        )
}

const BODIES: [&str; 6] = [
    "Our site has been slow since this morning; can you look?",
    "The database server is not answering on its private address.",
    "We need a new SSL certificate installed before Friday.",
    "Backups failed last night with a disk quota error.",
    "Please resize our cloud server to 8 GB before the launch.",
    "Email bounces from our domain since the DNS change.",
];

impl Sim {
    fn exec(
        &mut self,
        kind: &'static str,
        command: Command,
        now: DateTime<Utc>,
    ) -> Vec<RecordedEvent> {
        let started = Instant::now();
        let on_cpu = thread_cpu();
        let recorded = self
            .desk
            .execute(&mut self.store, command, now)
            .unwrap_or_else(|e| {
                panic!("a command of the workload ({kind}) was refused at {now}: {e}")
            });
        let took = started.elapsed();
        self.exec_cpu.push(thread_cpu().saturating_sub(on_cpu));
        self.exec.push(took);
        self.by_kind.entry(kind).or_default().push(took);
        self.commands += 1;
        self.events += recorded.len() as u64;
        recorded
    }

    /// Hands out every due message and acknowledges its delivery.
    fn deliver(&mut self, now: DateTime<Utc>) {
        while let Some(msg) = self.desk.poll_outbound(now) {
            let ack = Command::new(
                Actor::integration("transport"),
                OutboxAction::MarkDelivered { message: msg.id },
            );
            self.exec("ack delivery", ack, now);
            self.delivered += 1;
        }
    }

    /// Fires every timer due up to `until`, as a service loop does.
    fn fire(&mut self, until: DateTime<Utc>) {
        while let Some(due) = self.desk.poll_timeout().filter(|t| *t <= until) {
            let started = Instant::now();
            let fired = self
                .desk
                .handle_timeout(&mut self.store, due)
                .unwrap_or_else(|e| panic!("timers at {due}: {e}"));
            self.timeouts.push(started.elapsed());
            self.timer_calls += 1;
            self.events += fired.len() as u64;
            self.deliver(due);
            if self.desk.poll_timeout() == Some(due) {
                break;
            }
        }
    }

    fn setup(&mut self, customers: usize, agents: usize, now: DateTime<Utc>) {
        let setup = Actor::integration("setup");
        for i in 0..customers {
            let (c, p): (CustomerId, ContactId) = (self.ids.next_id(), self.ids.next_id());
            let email = ChannelAddress::email(format!("ops{i}@customer{i}.example")).unwrap();
            let phone = ChannelAddress::phone(format!("+1210{i:07}")).unwrap();
            self.exec(
                "setup",
                Command::new(
                    setup.clone(),
                    CustomerAction::Register {
                        id: c,
                        organisation: format!("Customer {i}"),
                    },
                ),
                now,
            );
            self.exec(
                "setup",
                Command::new(
                    setup.clone(),
                    CustomerAction::Update {
                        customer: c,
                        command: CustomerCommand::AddContact {
                            contact: p,
                            name: format!("Contact {i}"),
                            addresses: vec![email.clone(), phone.clone()],
                        },
                    },
                ),
                now,
            );
            self.people.push(Person { email, phone });
        }
        let team_count = agents.div_ceil(20).max(1);
        for t in 0..team_count {
            let team: TeamId = self.ids.next_id();
            self.exec(
                "setup",
                Command::new(
                    setup.clone(),
                    PeopleAction::CreateTeam {
                        id: team,
                        name: format!("Team {t}"),
                    },
                ),
                now,
            );
            self.teams.push((team, Vec::new()));
        }
        for a in 0..agents {
            let agent: AgentId = self.ids.next_id();
            self.exec(
                "setup",
                Command::new(
                    setup.clone(),
                    PeopleAction::RegisterAgent {
                        id: agent,
                        name: format!("Racker {a}"),
                        time_zone: chrono_tz::America::Chicago,
                        roles: vec![Role::Agent],
                        skills: vec![],
                    },
                ),
                now,
            );
            let t = a % team_count;
            let team = self.teams[t].0;
            self.exec(
                "setup",
                Command::new(
                    setup.clone(),
                    PeopleAction::UpdateTeam {
                        team,
                        command: TeamCommand::AddMember(agent),
                    },
                ),
                now,
            );
            // The first member leads the team; the others report to them
            // (and their lead calls back their unhappy customers).
            let change = match self.teams[t].1.first() {
                None => PeopleAction::UpdateTeam {
                    team,
                    command: TeamCommand::SetLead(agent),
                },
                Some(lead) => PeopleAction::UpdateAgent {
                    agent,
                    command: AgentCommand::ReportTo(Some(*lead)),
                },
            };
            self.exec("setup", Command::new(setup.clone(), change), now);
            self.teams[t].1.push(agent);
        }
        self.deliver(now);
    }

    /// Schedules `count` arrivals over the day starting at `day`.
    fn arrivals(&mut self, day: DateTime<Utc>, first: u32, count: u32) {
        for n in first..first + count {
            let business = self.rng.chance(65);
            // Chicago business hours are 14:00–23:00 UTC (15:00–00:00 in
            // winter); close enough for arrival times.
            let minute = if business {
                14 * 60 + self.rng.below(9 * 60)
            } else {
                self.rng.below(24 * 60)
            };
            let at = day
                + Duration::minutes(i64::try_from(minute).unwrap())
                + Duration::seconds(i64::try_from(self.rng.below(60)).unwrap());
            self.due.push(Reverse((at, n, Step::Open)));
        }
    }

    fn later(&mut self, at: DateTime<Utc>, n: u32, after: Duration, step: Step) {
        self.due.push(Reverse((at + after, n, step)));
    }

    fn from(&self, f: &Flight) -> ChannelAddress {
        let p = &self.people[f.customer as usize];
        match f.channel {
            Channel::Phone => p.phone.clone(),
            _ => p.email.clone(),
        }
    }

    fn step(&mut self, at: DateTime<Utc>, n: u32, step: Step) {
        if step == Step::Open {
            self.open(at, n);
            return;
        }
        let Some(f) = self.flights.get(&n) else {
            return;
        };
        let (ticket, agent) = (f.ticket, f.agent);
        match step {
            Step::Open => {}
            Step::FirstReply => {
                self.exec(
                    "agent reply",
                    Command::reply(
                        ticket,
                        agent,
                        "Thanks, we are on it: checking the server now.",
                    ),
                    at,
                );
                if self.rng.chance(45) {
                    let after = self.rng.minutes(30, 8 * 60);
                    self.later(at, n, after, Step::CustomerReply);
                } else {
                    let after = self.rng.minutes(5, 60);
                    self.later(at, n, after, Step::Solve);
                }
            }
            Step::CustomerReply | Step::Reopen => {
                let msg = InboundMessage::new(
                    self.ids.next_id(),
                    f.channel.clone(),
                    self.from(f),
                    "Still seeing it from here, see the attached trace.",
                )
                .in_reply_to(ticket);
                self.exec(
                    "customer reply",
                    Command::new(Actor::integration("inbound"), TicketAction::Receive(msg)),
                    at,
                );
                if step == Step::Reopen {
                    self.reopened += 1;
                }
                let after = self.rng.minutes(15, 120);
                self.later(at, n, after, Step::NextReply);
            }
            Step::NextReply => {
                self.exec(
                    "agent reply",
                    Command::reply(ticket, agent, "Fixed: a full disk on the web server."),
                    at,
                );
                let after = self.rng.minutes(5, 60);
                self.later(at, n, after, Step::Solve);
            }
            Step::Solve => {
                let solves = f.solves + 1;
                let solved = self.exec(
                    "solve",
                    Command::new(
                        Actor::Agent(agent),
                        TicketAction::set_status(ticket, Status::Solved),
                    ),
                    at,
                );
                if let Some(f) = self.flights.get_mut(&n) {
                    f.solves = solves;
                }
                let invited = solved.iter().find_map(|r| match &r.event {
                    Event::Survey(SurveyEvent {
                        kind: SurveyEventKind::Invited { invitation },
                        ..
                    }) => Some(invitation.id),
                    _ => None,
                });
                if let Some(invitation) = invited {
                    self.invitations += 1;
                    if self.rng.chance(25) {
                        let after = self.rng.minutes(60, 48 * 60);
                        self.later(at, n, after, Step::Answer(invitation));
                    }
                }
                if solves == 1 && self.rng.chance(8) {
                    let after = self.rng.minutes(4 * 60, 3 * 24 * 60);
                    self.later(at, n, after, Step::Reopen);
                }
                self.later(at, n, Duration::days(4), Step::Close(solves));
            }
            Step::Answer(invitation) => {
                let rating = [
                    Rating::Excellent,
                    Rating::Excellent,
                    Rating::Good,
                    Rating::Good,
                    Rating::Average,
                    Rating::Poor,
                ][usize::try_from(self.rng.below(6)).unwrap()];
                let score = u8::try_from(5 + self.rng.below(6)).unwrap();
                let response = Response::new()
                    .answer("rating", Answer::Scale(rating))
                    .answer("recommend", Answer::Nps(score));
                self.exec(
                    "CSAT answer",
                    Command::new(
                        Actor::integration("survey"),
                        SurveyAction::Answer {
                            invitation,
                            response,
                        },
                    ),
                    at,
                );
                self.answers += 1;
                self.follow_up(at, n, invitation);
            }
            Step::Close(solves) => {
                if f.solves != solves {
                    return; // reopened and solved again: its own close is due later
                }
                self.exec(
                    "close",
                    Command::new(
                        Actor::integration("automation"),
                        TicketAction::set_status(ticket, Status::Closed),
                    ),
                    at,
                );
                self.flights.remove(&n);
                self.closed += 1;
            }
        }
    }

    /// A low score opened a personal follow-up (a task ticket for the
    /// rated agent's lead): the owner calls the customer within hours,
    /// and it is worked and closed like any other ticket.
    fn follow_up(&mut self, at: DateTime<Utc>, n: u32, invitation: InvitationId) {
        let id = invitation.follow_up_ticket();
        let Some(ticket) = self.desk.tickets().get(id) else {
            return;
        };
        let Some(f) = self.flights.get(&n) else {
            return;
        };
        let (customer, rated) = (f.customer, f.agent);
        let owner = match ticket.assignee() {
            Some(owner) => owner,
            None => {
                // A lead's own detractor: another member of a team.
                let others = &self.teams[usize::try_from(n).unwrap() % self.teams.len()].1;
                let owner = others
                    .iter()
                    .copied()
                    .find(|a| *a != rated)
                    .unwrap_or(rated);
                self.exec(
                    "assign",
                    Command::new(
                        Actor::integration("routing"),
                        TicketAction::assign(id, owner),
                    ),
                    at,
                );
                owner
            }
        };
        let key = n | FOLLOW_UP;
        self.flights.insert(
            key,
            Flight {
                ticket: id,
                customer,
                agent: owner,
                channel: Channel::Phone,
                solves: 0,
            },
        );
        self.follow_ups += 1;
        let after = self.rng.minutes(60, 6 * 60);
        self.later(at, key, after, Step::FirstReply);
    }

    fn open(&mut self, at: DateTime<Utc>, n: u32) {
        let customer = u32::try_from(self.rng.below(self.people.len() as u64)).unwrap();
        let channel = match self.rng.below(100) {
            0..55 => Channel::Email,
            55..80 => Channel::Phone,
            _ => Channel::Portal,
        };
        let (team, members) =
            &self.teams[usize::try_from(self.rng.below(self.teams.len() as u64)).unwrap()];
        let team = *team;
        let agent = members[usize::try_from(self.rng.below(members.len() as u64)).unwrap()];
        let ticket: TicketId = self.ids.next_id();
        let flight = Flight {
            ticket,
            customer,
            agent,
            channel: channel.clone(),
            solves: 0,
        };
        let body = BODIES[n as usize % BODIES.len()];
        let msg = InboundMessage::new(ticket, channel.clone(), self.from(&flight), body);
        self.exec(
            "inbound new ticket",
            Command::new(Actor::integration("inbound"), TicketAction::Receive(msg)),
            at,
        );
        let routing = Actor::integration("routing");
        self.exec(
            "route to team",
            Command::new(
                routing.clone(),
                TicketAction::Update {
                    ticket,
                    command: TicketCommand::SetTeam(Some(team)),
                },
            ),
            at,
        );
        self.exec(
            "assign",
            Command::new(routing, TicketAction::assign(ticket, agent)),
            at,
        );
        self.flights.insert(n, flight);
        self.opened += 1;
        let after = if channel == Channel::Phone {
            self.rng.minutes(1, 5)
        } else if self.rng.chance(10) {
            self.rng.minutes(61, 150)
        } else {
            self.rng.minutes(10, 90)
        };
        self.later(at, n, after, Step::FirstReply);
    }
}

/// How many of `tickets` arrive on each of `days` days from `start`:
/// weekends at 40% of a weekday.
fn per_day(start: DateTime<Utc>, days: u64, tickets: u64) -> Vec<u32> {
    let weight = |d: u64| -> f64 {
        match (start + Duration::days(i64::try_from(d).unwrap())).weekday() {
            Weekday::Sat | Weekday::Sun => 0.4,
            _ => 1.0,
        }
    };
    let total: f64 = (0..days).map(weight).sum();
    let mut out = Vec::new();
    let mut cumulative = 0.0;
    let mut given = 0u64;
    for d in 0..days {
        cumulative += weight(d);
        let upto = ((cumulative / total) * tickets as f64).round() as u64;
        out.push(u32::try_from(upto - given).unwrap());
        given = upto;
    }
    out
}

fn main() {
    let customers = setting("FANATICAL_SCALE_CUSTOMERS", 350_000);
    let tickets = setting("FANATICAL_SCALE_TICKETS", 10_000_000);
    let days = setting("FANATICAL_SCALE_DAYS", 1_095);
    let keep = setting("FANATICAL_SCALE_REPLAY_EVENTS", 4_000_000);
    let max_rss_kb = setting("FANATICAL_SCALE_MAX_RSS_GB", 14) * 1024 * 1024;
    let max_wall = Wall::from_secs(60 * setting("FANATICAL_SCALE_MAX_MINUTES", 24 * 60));
    let snapshot_file = std::env::var("FANATICAL_SCALE_SNAPSHOT")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/scale-snapshot.sqlite")
        });
    let start = Utc.with_ymd_and_hms(2024, 1, 1, 6, 0, 0).unwrap();
    let daily = per_day(start, days, tickets);
    let busiest = u64::from(daily.iter().copied().max().unwrap_or(0));
    // About 40 tickets per agent per working day, in teams of 20.
    let agents = usize::try_from(busiest.div_ceil(40).max(4)).unwrap();
    let archive_days = setting("FANATICAL_SCALE_ARCHIVE_DAYS", 7);
    let config = config(archive_days);
    if let Ok(file) = std::env::var("FANATICAL_SCALE_REPLAY_ONLY") {
        let rounds = setting("FANATICAL_SCALE_REPLAY_ROUNDS", 2);
        replay_log::replay_only(&PathBuf::from(file), &config, rounds, cpu);
        return;
    }
    if let Ok(file) = std::env::var("FANATICAL_SCALE_RESTORE_ONLY") {
        restore_only(&PathBuf::from(file), &config);
        return;
    }
    remove_database(&snapshot_file);

    println!(
        "scale: {customers} customers, {tickets} tickets over {days} days from {} \
         ({busiest} on a busy weekday), {agents} agents; closed tickets archived after \
         {archive_days} days; replay log {keep} events; stops past {} GiB resident",
        start.date_naive(),
        max_rss_kb / (1024 * 1024)
    );
    let wall = Instant::now();
    let cpu_start = cpu();
    let mut sim = Sim {
        desk: Desk::new(config.clone()),
        store: DriveStore {
            position: 0,
            any_versions: HashMap::new(),
            log: MemoryStore::new(),
            keep,
            logging: true,
            snapshots: fanatical_sqlite::SqliteStore::open(&snapshot_file).unwrap(),
            tail: Vec::new(),
        },
        ids: IdGenerator::from_seed(4),
        rng: Rng(2015),
        people: Vec::with_capacity(usize::try_from(customers).unwrap()),
        teams: Vec::new(),
        flights: HashMap::new(),
        due: BinaryHeap::new(),
        exec: Samples::default(),
        exec_cpu: Samples::default(),
        by_kind: BTreeMap::new(),
        timeouts: Samples::default(),
        commands: 0,
        events: 0,
        opened: 0,
        closed: 0,
        reopened: 0,
        invitations: 0,
        answers: 0,
        follow_ups: 0,
        delivered: 0,
        timer_calls: 0,
    };
    sim.setup(usize::try_from(customers).unwrap(), agents, start);
    println!(
        "setup: {customers} customers and {agents} agents, {} events, {:.1} s, \
         RSS {:.2} GiB, heap {:.2} GiB",
        sim.events,
        wall.elapsed().as_secs_f64(),
        gib_kb(status_kb("VmRSS:")),
        gib(heap())
    );
    sim.exec = Samples::default();
    sim.exec_cpu = Samples::default();
    sim.by_kind.clear();
    sim.timeouts = Samples::default();

    println!(
        "{:>5} {:>10} {:>9} {:>7} {:>11} {:>11} {:>7} {:>7} | commands (execute), wall | on a CPU | handle_timeout p50/p99 | wall (CPU)",
        "month", "date", "opened", "live", "events", "commands", "RSS GiB", "HWM"
    );
    let mut months: Vec<Month> = Vec::new();
    let mut next_ticket = 0u32;
    let mut stopped = None;
    let mut month_start = start;
    let month_len = Duration::days(30);
    let end = start + Duration::days(i64::try_from(days).unwrap());
    for (d, count) in daily.iter().enumerate() {
        let day = start + Duration::days(i64::try_from(d).unwrap());
        sim.arrivals(day, next_ticket, *count);
        next_ticket += count;
        let day_end = day + Duration::days(1);
        while let Some(Reverse((at, n, step))) = sim.due.peek().copied() {
            if at >= day_end {
                break;
            }
            sim.due.pop();
            sim.fire(at);
            sim.step(at, n, step);
            sim.deliver(at);
        }
        sim.fire(day_end);
        let last_day = d + 1 == daily.len();
        if day_end - month_start >= month_len || last_day {
            let exec = sim.exec.summary();
            let exec_cpu = sim.exec_cpu.summary();
            let timeouts = sim.timeouts.summary();
            let kinds: BTreeMap<&'static str, Summary> = sim
                .by_kind
                .iter_mut()
                .map(|(k, v)| (*k, v.summary()))
                .collect();
            months.push(Month {
                full: day_end - month_start >= month_len,
                exec,
                exec_cpu,
                timeouts,
                kinds,
            });
            println!(
                "{:>5} {:>10} {:>9} {:>7} {:>11} {:>11} {:>7.2} {:>7.2} | p50 {:>5.1} p99 {:>6.1} p99.9 {:>7.1} µs | p50 {:>5.1} p99 {:>6.1} | {:>5.1} {:>6.1} µs | {:>6.0} s ({:.0} s CPU)",
                months.len(),
                day_end.date_naive(),
                sim.opened,
                sim.flights.len(),
                sim.events,
                sim.commands,
                gib_kb(status_kb("VmRSS:")),
                gib_kb(status_kb("VmHWM:")),
                exec.p50,
                exec.p99,
                exec.p999,
                exec_cpu.p50,
                exec_cpu.p99,
                timeouts.p50,
                timeouts.p99,
                wall.elapsed().as_secs_f64(),
                (cpu() - cpu_start).as_secs_f64()
            );
            sim.exec = Samples::default();
            sim.exec_cpu = Samples::default();
            sim.by_kind.clear();
            sim.timeouts = Samples::default();
            month_start = day_end;
        }
        let rss = status_kb("VmRSS:");
        if rss > max_rss_kb {
            stopped = Some((
                day_end,
                format!("resident memory {:.2} GiB passed the limit", gib_kb(rss)),
            ));
            break;
        }
        if wall.elapsed() > max_wall {
            stopped = Some((
                day_end,
                format!("the drive took its {} minutes", max_wall.as_secs() / 60),
            ));
            break;
        }
    }
    let drove = wall.elapsed();
    let drove_cpu = cpu() - cpu_start;
    let reached = match stopped {
        Some((at, why)) => {
            println!(
                "STOPPED at {} (day {} of {days}): {why}; {} of {tickets} tickets opened",
                at.date_naive(),
                (at - start).num_days(),
                sim.opened
            );
            at
        }
        None => end,
    };
    println!(
        "drive: {} tickets opened, {} closed, {} reopened, {} CSAT invitations, {} answered, \
         {} low-score follow-ups, {} messages delivered, {} commands, {} timer calls, {} events in {:.0} s \
         ({:.0} s on a CPU: {:.0} events/s, {:.0} commands/s of CPU); {} tickets in flight at {}",
        sim.opened,
        sim.closed,
        sim.reopened,
        sim.invitations,
        sim.answers,
        sim.follow_ups,
        sim.delivered,
        sim.commands,
        sim.timer_calls,
        sim.events,
        drove.as_secs_f64(),
        drove_cpu.as_secs_f64(),
        sim.events as f64 / drove_cpu.as_secs_f64(),
        sim.commands as f64 / drove_cpu.as_secs_f64(),
        sim.flights.len(),
        reached.date_naive(),
    );
    println!(
        "memory after the drive: RSS {:.2} GiB, peak (VmHWM) {:.2} GiB, heap {:.2} GiB \
         (of which the replay log's {} events are measured below)",
        gib_kb(status_kb("VmRSS:")),
        gib_kb(status_kb("VmHWM:")),
        gib(heap()),
        sim.store.log_len()
    );
    // The last whole month (the period's last may be a few days).
    let last = months.iter().rev().find(|m| m.full).or(months.last());
    if let (Some(first), Some(last)) = (months.first(), last) {
        println!("commands, first month: {}", first.exec);
        println!("commands, last month:  {}", last.exec);
        println!("commands on a CPU, first month: {}", first.exec_cpu);
        println!("commands on a CPU, last month:  {}", last.exec_cpu);
        println!("timers,   first month: {}", first.timeouts);
        println!("timers,   last month:  {}", last.timeouts);
        for (kind, f) in &first.kinds {
            println!("  {kind:<20} first month: {f}");
            if let Some(l) = last.kinds.get(kind) {
                println!("  {:<20} last month:  {l}", "");
            }
        }
    }

    let Sim {
        desk, mut store, ..
    } = sim;
    // The replay log's share of the heap.
    let log = std::mem::take(&mut store.log);
    let log_events = log.len();
    if let Ok(file) = std::env::var("FANATICAL_SCALE_SAVE_LOG") {
        replay_log::save(&log, &PathBuf::from(file));
    }
    let before = heap();
    let log_bytes = {
        let held = log.clone();
        let bytes = heap() - before;
        drop(held);
        bytes
    };
    println!(
        "replay log: {log_events} events, {:.2} GiB of heap ({:.0} B an event)",
        gib(log_bytes),
        log_bytes as f64 / log_events.max(1) as f64
    );

    // Restart from a snapshot: the state is cloned to take it, so only
    // when there is room.
    let rss = status_kb("VmRSS:");
    let desk_heap = {
        let before = heap();
        let copy = desk.clone();
        let bytes = heap() - before;
        drop(copy);
        bytes
    };
    println!(
        "desk: {:.2} GiB of heap, holding {} customers and {} tickets",
        gib(desk_heap),
        desk.customers().len(),
        desk.tickets().len()
    );
    if rss + 2 * u64::try_from(desk_heap).unwrap_or(0) / 1024 < max_rss_kb {
        let t = Instant::now();
        let c = cpu();
        desk.save_snapshot(&mut store).unwrap();
        let saved = t.elapsed();
        let saved_cpu = cpu() - c;
        let size = snapshot_bytes(&snapshot_file);
        println!(
            "snapshot at position {}: {:.1} MiB (fanatical-sqlite's encoding) written to {} in \
             {:.2} s ({:.2} s on a CPU)",
            desk.position(),
            size as f64 / (1024.0 * 1024.0),
            snapshot_file.display(),
            saved.as_secs_f64(),
            saved_cpu.as_secs_f64()
        );
        let position = desk.position();
        let reference = desk.clone();
        drop(desk);
        let t = Instant::now();
        let c = cpu();
        let restored = Desk::resume(&store, config.clone()).unwrap();
        let took = t.elapsed();
        let took_cpu = cpu() - c;
        assert_eq!(restored.from, RestoredFrom::Snapshot { position });
        assert!(restored.desk == reference, "the restored desk is the desk");
        println!(
            "restart from the snapshot (Desk::resume: read the snapshot, decode, check, restore, \
             catch up {} events): {:.2} s, {:.2} s on a CPU (target ≤ 5 s)",
            restored.caught_up,
            took.as_secs_f64(),
            took_cpu.as_secs_f64()
        );
        drop(restored);
        drop(reference);
        // The same steps apart, on a CPU: the load, then the checksum.
        let c = cpu();
        let (snapshot, peak) = load_measured(&store);
        let snapshot = snapshot.unwrap();
        let loaded = cpu() - c;
        println!("  {peak}");
        let c = cpu();
        assert!(snapshot.is_intact());
        let checked = cpu() - c;
        println!(
            "  of which, on a CPU: load (read the snapshot, decode) {:.2} s, checksum {:.2} s, \
             the rest (restore: indexes, timers) about {:.2} s",
            loaded.as_secs_f64(),
            checked.as_secs_f64(),
            (took_cpu.saturating_sub(loaded + checked)).as_secs_f64()
        );
        drop(snapshot);
        drop(store);
        if std::env::var_os("FANATICAL_SCALE_KEEP_SNAPSHOT").is_none() {
            remove_database(&snapshot_file);
        }
    } else {
        println!(
            "snapshot skipped: taking it clones the desk's {:.2} GiB, past the memory limit",
            gib(desk_heap)
        );
        drop(desk);
    }

    // Full replay from memory.
    for round in 1..=setting("FANATICAL_SCALE_REPLAY_ROUNDS", 2) {
        let t = Instant::now();
        let c = cpu();
        let rebuilt = Desk::rebuild(&log, config.clone()).unwrap();
        let took = t.elapsed();
        let took_cpu = cpu() - c;
        assert_eq!(rebuilt.position(), log_events as u64);
        println!(
            "replay {round}: Desk::rebuild of {log_events} events from a MemoryStore in {:.2} s \
             ({:.0} events/s), {:.2} s on a CPU ({:.0} events/s; target ≥ 2,000,000)",
            took.as_secs_f64(),
            log_events as f64 / took.as_secs_f64(),
            took_cpu.as_secs_f64(),
            log_events as f64 / took_cpu.as_secs_f64()
        );
    }
}

impl DriveStore {
    fn log_len(&self) -> usize {
        self.log.len()
    }
}

/// The bytes of the snapshots kept in `file`: in the rows of
/// `snapshot_chunks`, and in `snapshots` for a row saved whole (as
/// fanatical-sqlite did before it cut snapshots into chunks).
fn snapshot_bytes(file: &std::path::Path) -> i64 {
    let Ok(c) = rusqlite::Connection::open(file) else {
        return 0;
    };
    let whole: i64 = c
        .query_row(
            "SELECT COALESCE(SUM(length(snapshot)), 0) FROM snapshots",
            [],
            |r| r.get(0),
        )
        .unwrap_or(0);
    let chunks: i64 = c
        .query_row(
            "SELECT COALESCE(SUM(length(bytes)), 0) FROM snapshot_chunks",
            [],
            |r| r.get(0),
        )
        .unwrap_or(0);
    whole + chunks
}

/// The latest snapshot loaded from `store`, and what the load took in
/// memory: the peak resident memory above where it started (Linux's
/// VmHWM, reset first by writing 5 to /proc/self/clear_refs, after the
/// allocator has handed its free memory back, so that what the load
/// allocates shows; SQLite's own copies of values are outside the counted
/// heap, so resident memory it is) and the heap the snapshot holds once
/// loaded.
fn load_measured<T: SnapshotStore<DeskState>>(store: &T) -> (Option<Snapshot<DeskState>>, String) {
    // SAFETY: malloc_trim only returns free memory to the system.
    unsafe { libc::malloc_trim(0) };
    let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let (rss, live) = (status_kb("VmRSS:"), heap());
    let snapshot = store.load_snapshot().unwrap();
    let held = heap() - live;
    let peak = status_kb("VmHWM:").saturating_sub(rss);
    let report = if reset {
        format!(
            "load: peak resident memory {:.2} GiB above the start, the snapshot's state {:.2} GiB \
             of heap",
            gib_kb(peak),
            gib(held)
        )
    } else {
        format!(
            "load: the snapshot's state {:.2} GiB of heap (peak not measurable)",
            gib(held)
        )
    };
    (snapshot, report)
}

/// Removes a SQLite database and its journal files.
fn remove_database(path: &std::path::Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        let _ = std::fs::remove_file(name);
    }
}

/// `FANATICAL_SCALE_RESTORE_ONLY`: no drive; the snapshot a run kept
/// (`FANATICAL_SCALE_KEEP_SNAPSHOT=1`) loaded and restored, each step
/// timed (to profile the restart without driving a desk first). What
/// `Desk::resume` adds, reading the event at the snapshot's position and
/// catching up, is left out.
fn restore_only(file: &std::path::Path, config: &DeskConfig) {
    let reads = match std::env::var("FANATICAL_SCALE_SNAPSHOT_READS").as_deref() {
        Ok("streamed") => fanatical::store::SnapshotRead::Streamed,
        _ => fanatical::store::SnapshotRead::Whole,
    };
    println!("snapshot reads: {reads:?}");
    let mut store = fanatical_sqlite::SqliteStore::open(file)
        .unwrap()
        .with_snapshot_reads(reads);
    if std::env::var_os("FANATICAL_SCALE_RESAVE").is_some() {
        let snapshot: Snapshot<DeskState> = store.load_snapshot().unwrap().unwrap();
        let t = Instant::now();
        store.save_snapshot(&snapshot).unwrap();
        println!(
            "saved again in this build's layout in {:.2} s",
            t.elapsed().as_secs_f64()
        );
    }
    println!(
        "snapshot in {}: {:.1} MiB",
        file.display(),
        snapshot_bytes(file) as f64 / (1024.0 * 1024.0)
    );
    for round in 1..=setting("FANATICAL_SCALE_REPLAY_ROUNDS", 2) {
        let (t, c) = (Instant::now(), cpu());
        let (snapshot, peak) = load_measured(&store);
        let snapshot = snapshot.unwrap_or_else(|| panic!("no snapshot in {}", file.display()));
        let (loaded, loaded_cpu) = (t.elapsed(), cpu() - c);
        println!("restore {round}: {peak}");
        let (t, c) = (Instant::now(), cpu());
        assert!(snapshot.is_intact());
        let (checked, checked_cpu) = (t.elapsed(), cpu() - c);
        let (t, c) = (Instant::now(), cpu());
        let desk = Desk::restore(config.clone(), snapshot).unwrap();
        let (restored, restored_cpu) = (t.elapsed(), cpu() - c);
        println!(
            "restore {round}: load {:.2} s ({:.2} s on a CPU), checksum {:.2} s ({:.2} s), \
             Desk::restore (checksum again, indexes, timers) {:.2} s ({:.2} s); {} tickets",
            loaded.as_secs_f64(),
            loaded_cpu.as_secs_f64(),
            checked.as_secs_f64(),
            checked_cpu.as_secs_f64(),
            restored.as_secs_f64(),
            restored_cpu.as_secs_f64(),
            desk.tickets().len()
        );
    }
}
