//! Appends through `fanatical-postgres` side by side with PostgreSQL's own
//! limit, in one run (issue 17, "Performance against the database's own
//! limit"). Run by hand against a server you started, never in CI:
//!
//! ```text
//! FANATICAL_PG_URL=postgres://postgres@localhost:5432/fanatical \
//!     cargo bench -p fanatical-postgres --bench append
//! ```
//!
//! It starts no server. It creates two schemas of its own in the database
//! (`bench_append_<pid>` for the store, `bench_pgbench_<pid>` for the plain
//! table) and drops them at the end. Each workload runs for a fixed time
//! (`FANATICAL_BENCH_SECS`, default 10) with 1 and 4 writers, and the whole
//! set runs `FANATICAL_BENCH_ROUNDS` times (default 2; the machine may be
//! shared, so the table gives each round and their range). `PGBENCH` names
//! the pgbench program (default: the one next to PostgreSQL 15's server on
//! Debian, `/usr/lib/postgresql/15/bin/pgbench`, then `pgbench` on PATH).
//!
//! The workloads, all at the server's own durability (whatever the
//! database is configured with; nothing here changes it):
//!
//! - `pgbench insert`: PostgreSQL's limit. pgbench with a custom script,
//!   `-c` clients: one plain single-row `INSERT` per transaction of the
//!   same event row the store writes (the same columns, the same JSON
//!   text and actor) into a table with the same keys (primary
//!   key on the position, from a sequence; unique id; unique stream and
//!   version).
//! - `store, 1 event`: the store's append of a prepared [`StreamWrite`] of
//!   one event: an agent's internal note on a ticket (the event a real
//!   [`Desk`] decided, with a fresh id and version each time; no idempotency key, which
//!   would add a second event on the key's stream), each
//!   writer on its own tickets, each writer a thread with its own
//!   [`PgStore`] (connection).
//! - `desk, note`: the whole command through [`Desk::execute`] — decide,
//!   append, apply — each writer a desk of its own on its own tickets; a
//!   desk that sees other writers' positions in between catches up first
//!   (one more read), as desks sharing a store must.
//! - `desk, reply`: an agent's public reply, a decision of two events on
//!   two streams (the ticket and its outbox partition), one append.
//! - `store, 8 events`: a prepared batch of eight notes on eight tickets,
//!   one append (one round trip): what batching a decision's events gives,
//!   counted in events.
//! - `grouped store, 1 event` and `grouped desk, note`: the first two
//!   again, the writers (threads, each with a store of its own from
//!   [`PgGroupAppender::store`]) sharing one [`PgGroupAppender`] of the
//!   process, so appends made at once commit in one transaction; the
//!   line on stderr says how many appends shared each commit; then both
//!   again with a commit delay of 1 ms
//!   ([`PgGroupAppender::with_commit_delay`]).
//! - `pgbench insert, again`: pgbench once more after the store's cases;
//!   the ratios are taken against the mean of its two runs in the round,
//!   since a shared disk's speed drifts within a round, and the table
//!   also gives them over the steady rounds alone: those whose two
//!   pgbench runs are within 15 % of each other.
//!
//! Set `FANATICAL_BENCH_SECS=0.5 FANATICAL_BENCH_ROUNDS=1` for a quick
//! smoke run. `FANATICAL_BENCH_WRITERS=4` runs only the four-writer
//! cases, and `FANATICAL_BENCH_CASES=5,6,7,8` only the cases of those
//! numbers (in the order above, from 0, pgbench's two always): on a
//! noisy machine, more rounds of fewer cases keep each ratio's two
//! sides closer in time.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::Command as Process;
use std::sync::Barrier;
use std::time::{Duration, Instant};

use fanatical::actor::Actor;
use fanatical::agent::Role;
use fanatical::channel::{Channel, ChannelAddress};
use fanatical::chrono::{DateTime, TimeZone, Utc};
use fanatical::customer::CustomerCommand;
use fanatical::desk::TicketAction;
use fanatical::desk::{Command, CustomerAction, Desk, DeskConfig, InboundMessage, PeopleAction};
use fanatical::event::StreamId;
use fanatical::id::{AgentId, CustomerId, IdGenerator, TicketId};
use fanatical::store::{ExpectedVersion, NewEvent, Store, StoreError, StreamWrite};
use fanatical_postgres::{PgGroupAppender, PgStore};

/// Tickets each writer works on.
const TICKETS: usize = 16;
/// The most writers in a case.
const WRITERS: usize = 4;
/// Events in a batch of the batching case.
const BATCH: usize = 8;

struct Settings {
    url: String,
    secs: f64,
    rounds: usize,
    /// The writer counts to run (`FANATICAL_BENCH_WRITERS`, default 1,4).
    writers: Vec<usize>,
    /// The cases to run, by number (`FANATICAL_BENCH_CASES`, default all;
    /// pgbench's two always run).
    cases: Option<Vec<usize>>,
    pgbench: PathBuf,
}

fn settings() -> Settings {
    let Ok(url) = std::env::var("FANATICAL_PG_URL") else {
        eprintln!(
            "set FANATICAL_PG_URL to a database to run this bench (see stores/postgres/README.md)"
        );
        std::process::exit(2);
    };
    let secs = std::env::var("FANATICAL_BENCH_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10.0);
    let rounds = std::env::var("FANATICAL_BENCH_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2);
    let pgbench = std::env::var_os("PGBENCH").map_or_else(
        || {
            let debian = PathBuf::from("/usr/lib/postgresql/15/bin/pgbench");
            if debian.exists() {
                debian
            } else {
                PathBuf::from("pgbench")
            }
        },
        PathBuf::from,
    );
    Settings {
        url,
        secs,
        rounds,
        writers: list("FANATICAL_BENCH_WRITERS")
            .unwrap_or_else(|| vec![1, WRITERS])
            .into_iter()
            .filter(|w| (1..=WRITERS).contains(w))
            .collect(),
        cases: list("FANATICAL_BENCH_CASES"),
        pgbench,
    }
}

/// A comma-separated list of numbers in the variable `name`.
fn list(name: &str) -> Option<Vec<usize>> {
    let v = std::env::var(name).ok()?;
    Some(v.split(',').filter_map(|n| n.trim().parse().ok()).collect())
}

/// The desk, its store's schema, the agent and each writer's tickets.
struct Fixture {
    desk: Desk,
    schema: String,
    agent: AgentId,
    now: DateTime<Utc>,
    tickets: Vec<Vec<TicketId>>,
}

fn fixture(url: &str, schema: &str) -> Fixture {
    let mut store = PgStore::with_schema(url, schema).unwrap();
    let mut ids = IdGenerator::from_seed(17);
    let mut desk = Desk::new(DeskConfig::default());
    let now = Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap();
    let setup = || Actor::integration("setup");
    let agent: AgentId = ids.next_id();
    desk.execute(
        &mut store,
        Command::new(
            setup(),
            PeopleAction::RegisterAgent {
                id: agent,
                name: "Ana".into(),
                time_zone: fanatical::chrono_tz::America::Chicago,
                roles: vec![Role::Agent],
                skills: vec![],
            },
        ),
        now,
    )
    .unwrap();
    let mut tickets = vec![Vec::new(); WRITERS];
    for i in 0..WRITERS * TICKETS {
        let (customer, contact): (CustomerId, _) = (ids.next_id(), ids.next_id());
        let email = ChannelAddress::email(format!("c{i}@example.com")).unwrap();
        let register = CustomerAction::Register {
            id: customer,
            organisation: format!("Customer {i}"),
        };
        desk.execute(&mut store, Command::new(setup(), register), now)
            .unwrap();
        let contact = CustomerAction::Update {
            customer,
            command: CustomerCommand::AddContact {
                contact,
                name: format!("Contact {i}"),
                addresses: vec![email.clone()],
            },
        };
        desk.execute(&mut store, Command::new(setup(), contact), now)
            .unwrap();
        let ticket: TicketId = ids.next_id();
        let msg = InboundMessage::new(ticket, Channel::Email, email, "Server down since 08:40");
        let receive = Command::new(Actor::integration("inbound"), TicketAction::Receive(msg));
        desk.execute(&mut store, receive, now).unwrap();
        tickets[i % WRITERS].push(ticket);
    }
    Fixture {
        desk,
        schema: schema.to_owned(),
        agent,
        now: now + fanatical::chrono::Duration::minutes(5),
        tickets,
    }
}

const NOTE: &str = "Checked the load balancer: pool member 3 failed its health check at 08:41";

/// The note a desk decides on `ticket`, as the store is given it.
fn note_event(f: &Fixture, ticket: TicketId) -> NewEvent {
    let command = Command::note(ticket, f.agent, NOTE);
    let decision = f.desk.decide(command, f.now).unwrap();
    let [write] = decision.writes() else {
        panic!("a note wrote {} streams", decision.writes().len());
    };
    let [event] = write.events.as_slice() else {
        panic!("a note wrote {} events", write.events.len());
    };
    event.clone()
}

/// What one writer did in its window.
#[derive(Default, Clone, Copy)]
struct Done {
    commands: u64,
    events: u64,
    conflicts: u64,
}

/// Runs `work` on `writers` threads, each with a store of its own on the
/// bench schema (its appends through `group` when given), for `secs`;
/// `work` is called until the window closes and returns what one call
/// did.
fn run_writers<S: Send>(
    s: &Settings,
    f: &Fixture,
    writers: usize,
    group: Option<&PgGroupAppender>,
    state: impl Fn(usize, &mut PgStore) -> S + Sync,
    work: impl Fn(usize, &mut PgStore, &mut S) -> Done + Sync,
) -> Done {
    let barrier = Barrier::new(writers);
    let window = Duration::from_secs_f64(s.secs);
    let done: Vec<Done> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..writers)
            .map(|w| {
                let (barrier, state, work) = (&barrier, &state, &work);
                scope.spawn(move || {
                    let mut store = match group {
                        Some(g) => g.store().unwrap(),
                        None => PgStore::with_schema(&s.url, &f.schema).unwrap(),
                    };
                    let mut st = state(w, &mut store);
                    barrier.wait();
                    let end = Instant::now() + window;
                    let mut total = Done::default();
                    while Instant::now() < end {
                        let d = work(w, &mut store, &mut st);
                        total.commands += d.commands;
                        total.events += d.events;
                        total.conflicts += d.conflicts;
                    }
                    total
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    done.into_iter().fold(Done::default(), |a, d| Done {
        commands: a.commands + d.commands,
        events: a.events + d.events,
        conflicts: a.conflicts + d.conflicts,
    })
}

/// Each writer's tickets with their versions and note templates.
struct Prepared {
    streams: Vec<(StreamId, u64, NewEvent)>,
    next: usize,
}

fn prepared(f: &Fixture, w: usize, store: &mut PgStore) -> Prepared {
    let streams = f.tickets[w]
        .iter()
        .map(|t| {
            let stream = StreamId::Ticket(*t);
            let version = store.stream_version(&stream).unwrap();
            (stream, version, note_event(f, *t))
        })
        .collect();
    Prepared { streams, next: 0 }
}

/// A prepared append of one note to each of the writer's next `events`
/// tickets (each at its version, with a fresh id).
fn append_prepared(store: &mut PgStore, p: &mut Prepared, events: usize) -> Done {
    let len = p.streams.len();
    let picks: Vec<usize> = (0..events).map(|i| (p.next + i) % len).collect();
    p.next = (p.next + events) % len;
    let batch: Vec<StreamWrite> = picks
        .iter()
        .map(|&i| {
            let (stream, version, template) = &p.streams[i];
            let mut event = template.clone();
            event.id = stream.event_id(version + 1);
            StreamWrite {
                stream: *stream,
                expected: ExpectedVersion::Exact(*version),
                events: vec![event],
            }
        })
        .collect();
    store.append(&batch).unwrap();
    for &i in &picks {
        p.streams[i].1 += 1;
    }
    Done {
        commands: 1,
        events: events as u64,
        conflicts: 0,
    }
}

/// One command through a desk of the writer's own: decide, append,
/// apply; a conflict (none expected on distinct tickets) catches up and
/// decides again.
fn execute(desk: &mut Desk, store: &mut PgStore, command: Command, now: DateTime<Utc>) -> Done {
    let mut conflicts = 0;
    loop {
        match desk.execute(store, command.clone(), now) {
            Ok(recorded) => {
                return Done {
                    commands: 1,
                    events: recorded.len() as u64,
                    conflicts,
                };
            }
            Err(fanatical::Error::Store(StoreError::Conflict { .. })) => {
                conflicts += 1;
                desk.catch_up(&*store).unwrap();
            }
            Err(e) => panic!("{e}"),
        }
    }
}

/// The plain table pgbench inserts into, in a schema of its own.
fn pgbench_table(url: &str, schema: &str) {
    let mut c = postgres::Client::connect(url, postgres::NoTls).unwrap();
    c.batch_execute(&format!(
        "DROP SCHEMA IF EXISTS {schema} CASCADE;
         CREATE SCHEMA {schema};
         CREATE TABLE {schema}.events (
             position bigserial PRIMARY KEY,
             stream   text   NOT NULL,
             version  bigint NOT NULL,
             id       text   NOT NULL UNIQUE,
             schema   int    NOT NULL,
             event    text   NOT NULL,
             actor    text,
             command  text,
             UNIQUE (stream, version)
         );"
    ))
    .unwrap();
}

fn literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// The pgbench script: one single-row insert of the note row.
fn pgbench_script(f: &Fixture, schema: &str) -> String {
    let ticket = f.tickets[0][0];
    let e = note_event(f, ticket);
    let event = serde_json::to_string(&e.event).unwrap();
    let actor = serde_json::to_string(&e.actor).unwrap();
    let stream = StreamId::Ticket(ticket).to_string();
    format!(
        "\\set v random(1, 9000000000000000000)\n\
         INSERT INTO {schema}.events (stream, version, id, schema, event, actor, command) \
         VALUES ({} || :client_id, :v, gen_random_uuid()::text, {}, {}, {}, NULL);\n",
        literal(&stream),
        e.schema,
        literal(&event),
        literal(&actor),
    )
}

/// pgbench's rate (transactions per second, without connection time).
fn pgbench(s: &Settings, script: &std::path::Path, clients: usize) -> f64 {
    let out = Process::new(&s.pgbench)
        .args(["-n", "-f"])
        .arg(script)
        .args(["-c", &clients.to_string(), "-j", &clients.to_string()])
        .args(["-T", &format!("{}", s.secs.ceil().max(1.0))])
        .arg(&s.url)
        .output()
        .unwrap_or_else(|e| panic!("could not run {}: {e} (set PGBENCH)", s.pgbench.display()));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "pgbench failed: {text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    text.lines()
        .find_map(|l| l.strip_prefix("tps = "))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no tps in pgbench's output: {text}"))
}

/// A case's rates over the rounds.
#[derive(Default)]
struct Rates {
    per_round: Vec<f64>,
    unit: &'static str,
    conflicts: u64,
}

fn main() {
    let s = settings();
    let pid = std::process::id();
    let schema = format!("bench_append_{pid}");
    let plain = format!("bench_pgbench_{pid}");
    eprintln!("setting up {WRITERS} writers x {TICKETS} tickets in schema {schema}");
    let f = fixture(&s.url, &schema);
    pgbench_table(&s.url, &plain);
    let dir = std::env::temp_dir().join(format!("fanatical-bench-append-{pid}"));
    std::fs::create_dir_all(&dir).unwrap();
    let script = dir.join("insert.sql");
    std::fs::write(&script, pgbench_script(&f, &plain)).unwrap();

    let mut results: BTreeMap<(usize, usize), Rates> = BTreeMap::new();
    let cases = [
        "pgbench insert (1 row)",
        "store, 1 event",
        "desk, note (1 event)",
        "desk, reply (2+ events, 2+ streams)",
        "store, 8 events on 8 streams",
        "grouped store, 1 event",
        "grouped desk, note (1 event)",
        "grouped + 1 ms commit delay, store, 1 event",
        "grouped + 1 ms commit delay, desk, note",
        "pgbench insert (1 row), again",
    ];
    for round in 1..=s.rounds {
        for &writers in &s.writers {
            for (c, name) in cases.iter().enumerate() {
                if !(c == 0 || c == 9 || s.cases.as_ref().is_none_or(|only| only.contains(&c))) {
                    continue;
                }
                let secs = s.secs;
                // The grouped cases: one appender for the case's writers.
                let group = (5..=8).contains(&c).then(|| {
                    let delay = Duration::from_millis(if c >= 7 { 1 } else { 0 });
                    PgGroupAppender::with_schema(&s.url, &f.schema)
                        .unwrap()
                        .with_commit_delay(delay)
                });
                let group = group.as_ref();
                let (rate, unit, conflicts) = match c {
                    0 | 9 => (pgbench(&s, &script, writers), "rows/s", 0),
                    1 | 5 | 7 => {
                        let d = run_writers(
                            &s,
                            &f,
                            writers,
                            group,
                            |w, store| prepared(&f, w, store),
                            |_, store, p| append_prepared(store, p, 1),
                        );
                        (d.commands as f64 / secs, "appends/s", d.conflicts)
                    }
                    2 | 3 | 6 | 8 => {
                        let reply = c == 3;
                        let d = run_writers(
                            &s,
                            &f,
                            writers,
                            group,
                            |_, store| {
                                let mut desk = f.desk.clone();
                                desk.catch_up(&*store).unwrap();
                                (desk, 0u64)
                            },
                            |w, store, (desk, n)| {
                                *n += 1;
                                let tickets = &f.tickets[w];
                                let t = tickets[*n as usize % tickets.len()];
                                let command = if reply {
                                    Command::reply(
                                        t,
                                        f.agent,
                                        "We replaced the failed pool member; the site is back.",
                                    )
                                } else {
                                    Command::note(t, f.agent, NOTE)
                                };
                                execute(desk, store, command, f.now)
                            },
                        );
                        let per = d.events as f64 / d.commands.max(1) as f64;
                        // A note is one event; a reply at least two (the
                        // first on a ticket also meets its first response).
                        assert!(
                            if reply { per >= 2.0 } else { per == 1.0 },
                            "{name}: {per} events per command"
                        );
                        (d.commands as f64 / secs, "commands/s", d.conflicts)
                    }
                    _ => {
                        let d = run_writers(
                            &s,
                            &f,
                            writers,
                            group,
                            |w, store| prepared(&f, w, store),
                            |_, store, p| append_prepared(store, p, BATCH),
                        );
                        (d.events as f64 / secs, "events/s", d.conflicts)
                    }
                };
                let shared = group.map_or(String::new(), |g| {
                    let st = g.stats();
                    format!(
                        " ({:.2} appends per commit)",
                        st.appends as f64 / st.groups.max(1) as f64
                    )
                });
                eprintln!("round {round}: {name}, {writers} writers: {rate:.0} {unit}{shared}");
                let r = results.entry((writers, c)).or_default();
                r.per_round.push(rate);
                r.unit = unit;
                r.conflicts += conflicts;
            }
        }
    }

    let mut table = String::new();
    let _ = writeln!(
        table,
        "| workload | writers | rate (each round) | range | ratio to pgbench (range) | in steady rounds (median) | conflicts |"
    );
    let _ = writeln!(table, "|---|---|---|---|---|---|---|");
    for &writers in &s.writers {
        // PostgreSQL's limit in each round: the mean of pgbench's runs
        // before and after the store's (the disk's speed drifts).
        let before = &results[&(writers, 0)].per_round;
        let after = &results[&(writers, 9)].per_round;
        let base: Vec<f64> = before
            .iter()
            .zip(after)
            .map(|(a, b)| (a + b) / 2.0)
            .collect();
        // Steady rounds: pgbench's two runs within 15 % of each other, so
        // the disk did not change speed under the store's cases.
        let steady: Vec<bool> = before
            .iter()
            .zip(after)
            .map(|(a, b)| (a - b).abs() <= 0.15 * (a + b) / 2.0)
            .collect();
        for (c, name) in cases.iter().enumerate() {
            let Some(r) = results.get(&(writers, c)) else {
                continue;
            };
            let each: Vec<String> = r.per_round.iter().map(|x| format!("{x:.0}")).collect();
            let (lo, hi) = range(&r.per_round);
            // Each round against the pgbench figure of the same round.
            let ratios: Vec<f64> = r.per_round.iter().zip(&base).map(|(x, b)| x / b).collect();
            let (rlo, rhi) = range(&ratios);
            let mut calm: Vec<f64> = ratios
                .iter()
                .zip(&steady)
                .filter(|(_, s)| **s)
                .map(|(r, _)| *r)
                .collect();
            calm.sort_by(f64::total_cmp);
            let calm_text = match (calm.first(), calm.last()) {
                (Some(a), Some(b)) => format!(
                    "{:.0}–{:.0} % ({:.0} %), {} of {} rounds",
                    a * 100.0,
                    b * 100.0,
                    calm[calm.len() / 2] * 100.0,
                    calm.len(),
                    ratios.len()
                ),
                _ => "no steady round".to_owned(),
            };
            let _ = writeln!(
                table,
                "| {name} | {writers} | {} {} | {lo:.0}–{hi:.0} | {:.0}–{:.0} % | {calm_text} | {} |",
                each.join(", "),
                r.unit,
                rlo * 100.0,
                rhi * 100.0,
                r.conflicts
            );
        }
    }
    println!("{table}");

    let mut c = postgres::Client::connect(&s.url, postgres::NoTls).unwrap();
    let _ = c.batch_execute(&format!(
        "DROP SCHEMA IF EXISTS {schema} CASCADE; DROP SCHEMA IF EXISTS {plain} CASCADE"
    ));
    let _ = std::fs::remove_dir_all(&dir);
}

fn range(xs: &[f64]) -> (f64, f64) {
    xs.iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
            (lo.min(x), hi.max(x))
        })
}
