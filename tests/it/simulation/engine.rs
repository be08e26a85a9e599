//! The simulation's engine, generic over the store it runs on
//! ([`Backend`]): the library's tests run it on memory (`super`), and the
//! store crates' tests include this file (and `model.rs` beside it) to run
//! the very same days over a SQLite file and a PostgreSQL schema.
//!
//! Deterministic simulation, in the style of FoundationDB's and
//! TigerBeetle's simulators: from a seed, days of a support organisation on
//! a virtual clock that jumps to the next thing due, with faults injected
//! from the same seed, and the invariants checked as it goes.
//!
//! Two desk instances share one store (two service replicas), each on a
//! connection of its own, so conflicts are real. Faults: appends that fail
//! before writing (on PostgreSQL, the server process is killed while the
//! append waits in it), appends whose acknowledgement is lost after
//! writing (the connection dropped after the commit), deliveries that
//! fail, arrive twice, or are never acknowledged, and crashes (a desk and
//! its connection dropped at a random point, a new connection opened, and
//! the desk rebuilt from the store or, on about half of them, restored
//! from the store's latest snapshot and caught up). Replicas save
//! snapshots now and then. Every command carries an idempotency key, and
//! one whose append failed is retried with it.
//!
//! - `FANATICAL_SIM_SEEDS` seeds on memory (the store crates have their
//!   own variables, see [`On`]), each `FANATICAL_SIM_DAYS` simulated days
//!   (default 3), starting at `FANATICAL_SIM_FIRST_SEED` (default 1);
//! - `FANATICAL_SIM_SEED=n` replays one seed exactly.
//!
//! A failure prints its seed and the command to replay it.
//!
//! Beside the desk runs an independent model ([`model`]) of what must be
//! true, so the simulation checks correctness, not only that the desk
//! agrees with itself: refusals are classified (a command that must
//! succeed failing is a failure, and each kind's refusal rate is bounded),
//! every batch of stored events is checked against the rules, and the
//! messages the transport receives are exactly the ones the rules call for.
//! The mutants (`super::mutants`, and a store crate's own) show broken
//! desks caught.

#[path = "model.rs"]
mod model;

use model::{Model, ModelContact, Origin};

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use std::panic::AssertUnwindSafe;

use fanatical::actor::{Actor, CommandKey};
use fanatical::agent::{AgentCommand, Role};
use fanatical::channel::{Channel, ChannelAddress, ChannelKind, SocialNetwork, Visibility};
use fanatical::chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use fanatical::chrono_tz::America::Chicago;
use fanatical::customer::{AccountStanding, ContactRole, Currency, CustomerCommand, Money, Tier};
use fanatical::desk::{ArchivePolicy, Command, Desk, DeskConfig, DeskError, InboundMessage};
use fanatical::desk::{
    CustomerAction, IncidentAction, PeopleAction, RecognitionAction, SurveyAction, TicketAction,
};
use fanatical::desk::{DeskState, RebuildReason, RestoredFrom};
use fanatical::event::Event;
use fanatical::id::{
    AgentId, ComponentId, ContactId, CustomerId, IdGenerator, IncidentId, TicketId,
};
use fanatical::incident::{
    Audience, Cadence, ComponentCatalog, ComponentState, CreditConfig, CreditPolicy,
    IncidentConfig, IncidentStatus, Messages, ReasonCode,
};
use fanatical::outbox::OutboxAction;
use fanatical::outbox::{DeliveryState, RetryPolicy};
use fanatical::sla::{
    BusinessCalendar, Clock, Conditions, DayHours, Metric, SlaConfig, SlaEventKind, SlaPolicies,
    SlaPolicy, Target,
};
use fanatical::store::{
    MemoryStore, RecordedEvent, SharedStore, Snapshot, SnapshotStore, Store, StoreError,
    StreamWrite,
};
use fanatical::survey::{
    Answer, Question, QuestionKind, Rating, Response, SurveyConfig, SurveyDraft,
};
use fanatical::ticket::{Status, TicketCommand, TicketError};
use fanatical::transport::{RecordingTransport, Transport};

/// A positive count from the environment (see `support::positive`): zero
/// seeds or days would report "clean" having simulated nothing.
fn env(name: &str, default: u64) -> u64 {
    crate::support::positive(name, default)
}

/// SplitMix64: the simulation's only source of randomness.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % (n.max(1) as u64)).unwrap()
    }
    /// True with probability `permille` / 1000.
    fn chance(&mut self, permille: u64) -> bool {
        self.next() % 1000 < permille
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        if items.is_empty() {
            None
        } else {
            items.get(self.below(items.len()))
        }
    }
}

/// What went wrong on purpose, and how often.
#[derive(Default, Debug)]
struct Stats {
    steps: u64,
    commands: u64,
    refused: u64,
    append_failures: u64,
    lost_acks: u64,
    /// Appends failed for real while in flight (a killed server process).
    killed_appends: u64,
    /// Connections dropped and opened again.
    reconnects: u64,
    conflicts: u64,
    crashes: u64,
    /// Crashes recovered from a snapshot and the events after it.
    snapshot_recoveries: u64,
    /// Snapshots saved, and those the store refused as taken before an
    /// erasure.
    snapshots: u64,
    stale_snapshots: u64,
    delivery_failures: u64,
    duplicate_deliveries: u64,
    unacked_deliveries: u64,
    breaches: u64,
    delivered: u64,
    /// SLA deadlines the model recomputed and compared.
    deadlines: u64,
    /// Messages to contacts the model expected (all delivered, once).
    expected_messages: u64,
    /// Credits and CSAT invitations the model checked.
    credits: u64,
    csat: u64,
    /// Tickets closed, archived (each checked by the model), and messages
    /// on closed or archived tickets that opened a linked follow-up (of
    /// those, on archived ones).
    closes: u64,
    archivals: u64,
    follow_ups: u64,
    archived_follow_ups: u64,
    /// Commands on closed or archived tickets, refused as the rules say
    /// (of those, on tickets the replica had archived).
    refused_on_closed: u64,
    refused_on_archived: u64,
    /// Per command kind: attempts and refusals.
    kinds: BTreeMap<Kind, (u64, u64)>,
}

/// What kind of command the simulation ran, for refusal accounting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Receive,
    Reply,
    SetStatus,
    Assign,
    Promise,
    Incident,
    SurveyAnswer,
    Praise,
    Outbox,
    /// Closing a solved ticket.
    Close,
    /// A reply or status change on a closed or archived ticket: always
    /// refused, with the error the rules give (checked one by one).
    OnClosed,
}

impl Kind {
    /// The most of this kind's commands that may be refused, in percent:
    /// the simulation picks tickets and invitations from a replica that
    /// may lag, so some refusals are legitimate, but a desk refusing much
    /// more than that is broken. Kinds that must succeed are checked one
    /// by one as well.
    fn max_refused_percent(self) -> u64 {
        match self {
            Kind::Receive | Kind::Reply | Kind::Assign | Kind::Praise => 5,
            Kind::SetStatus | Kind::Promise | Kind::SurveyAnswer => 20,
            Kind::Incident | Kind::Outbox | Kind::Close => 20,
            Kind::OnClosed => 100,
        }
    }
}

/// A deliberately broken desk, to show the simulation catches it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mutant {
    /// The real desk.
    None,
    /// Refuses every agent reply.
    RefusesReplies,
    /// Decides outbound messages but never records them, in rebuild and
    /// in catch-up alike (its store drops them on the way in).
    DropsOutbound,
    /// Records every SLA breach one minute before its deadline.
    EarlyBreach,
}

/// The refusal the reply-refusing mutant gives.
#[derive(Debug)]
struct MutantRefusal;

impl fmt::Display for MutantRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("mutant: replies refused")
    }
}

/// A store the simulation runs on: memory ([`Memory`]), a SQLite file, a
/// PostgreSQL schema. The store outlives its connections: every
/// [`Backend::connect`] opens a new connection to the same store, and a
/// crash drops one (with its desk) and opens another.
pub trait Backend {
    /// One connection to the store.
    type Conn: Store + SnapshotStore<DeskState>;
    /// Whether [`Backend::kill_append`] fails appends for real (the run
    /// then checks that it did).
    const KILLS_IN_FLIGHT: bool = false;
    /// A new connection to the store.
    fn connect(&mut self) -> Self::Conn;
    /// Appends `batch` on `conn` and fails it for real while it is in
    /// flight (on PostgreSQL: the server process serving `conn` is killed
    /// while the append waits inside it), returning what the append
    /// returned; `None` where the store cannot, and the failure is
    /// simulated instead.
    fn kill_append(
        &mut self,
        conn: &mut Self::Conn,
        batch: &[StreamWrite],
    ) -> Option<Result<Vec<RecordedEvent>, StoreError>> {
        let _ = (conn, batch);
        None
    }
}

/// The memory store: every connection is a handle on one [`MemoryStore`].
#[derive(Default)]
pub struct Memory(SharedStore<MemoryStore>);

impl Backend for Memory {
    type Conn = SharedStore<MemoryStore>;
    fn connect(&mut self) -> Self::Conn {
        self.0.clone()
    }
}

/// A store that fails on purpose, and remembers every event it
/// acknowledged so losing one is caught. Each replica writes through a
/// connection of its own ([`FaultyStore::on`]); the checks read through
/// one of theirs, which no fault touches.
struct FaultyStore<B: Backend> {
    conns: [B::Conn; 2],
    reader: B::Conn,
    rng: Rng,
    faults_on: bool,
    acknowledged: Vec<RecordedEvent>,
    fail_permille: u64,
    lost_ack_permille: u64,
    stats_failures: u64,
    stats_lost_acks: u64,
    /// Appends the backend failed for real while in flight.
    stats_killed: u64,
    /// Connections dropped and opened again (crashes, lost
    /// acknowledgements).
    stats_reconnects: u64,
    /// How many events the store holds (acknowledged or not).
    stored: usize,
    mutant: Mutant,
    /// Last, so it outlives the connections when dropped (a SQLite
    /// backend removes its file).
    backend: B,
}

impl<B: Backend> FaultyStore<B> {
    fn new(mut backend: B, rng: Rng, mutant: Mutant) -> Self {
        FaultyStore {
            conns: [backend.connect(), backend.connect()],
            reader: backend.connect(),
            backend,
            rng,
            faults_on: false,
            acknowledged: Vec::new(),
            fail_permille: 30,
            lost_ack_permille: 20,
            stats_failures: 0,
            stats_lost_acks: 0,
            stats_killed: 0,
            stats_reconnects: 0,
            stored: 0,
            mutant,
        }
    }

    /// Replica `r`'s connection, faults and all.
    fn on(&mut self, r: usize) -> Replica<'_, B> {
        Replica { store: self, r }
    }

    /// Drops replica `r`'s connection and opens a new one.
    fn reconnect(&mut self, r: usize) {
        self.stats_reconnects += 1;
        let fresh = self.backend.connect();
        drop(std::mem::replace(&mut self.conns[r], fresh));
    }

    /// What a mutant desk would have decided instead.
    fn mutate(&self, batch: &[StreamWrite]) -> Vec<StreamWrite> {
        use fanatical::outbox::OutboxEventKind;
        let mut batch = batch.to_vec();
        match self.mutant {
            Mutant::DropsOutbound => {
                for w in &mut batch {
                    w.events.retain(|e| {
                        !matches!(&e.event, Event::Outbox(o) if matches!(o.kind, OutboxEventKind::Queued { .. }))
                    });
                }
                batch.retain(|w| !w.events.is_empty());
            }
            Mutant::EarlyBreach => {
                for w in &mut batch {
                    for e in &mut w.events {
                        if let Event::Sla(s) = &mut e.event
                            && let SlaEventKind::Breached { due, .. } = &mut s.kind
                        {
                            *due -= Duration::minutes(1);
                            s.at = s.at.min(*due);
                        }
                    }
                }
            }
            Mutant::None | Mutant::RefusesReplies => {}
        }
        batch
    }

    /// Counts events the store took, acknowledged to the caller.
    fn acknowledge(&mut self, stored: &[RecordedEvent]) {
        self.stored += stored.len();
        self.acknowledged.extend(stored.iter().cloned());
    }
}

/// One replica's connection to the faulty store.
struct Replica<'a, B: Backend> {
    store: &'a mut FaultyStore<B>,
    r: usize,
}

impl<B: Backend> Store for Replica<'_, B> {
    fn append(&mut self, batch: &[StreamWrite]) -> Result<Vec<RecordedEvent>, StoreError> {
        let s = &mut *self.store;
        let batch = s.mutate(batch);
        if s.faults_on && s.rng.chance(s.fail_permille) {
            s.stats_failures += 1;
            let Some(result) = s.backend.kill_append(&mut s.conns[self.r], &batch) else {
                return Err(StoreError::backend_message("injected: disk full"));
            };
            // Failed for real, or (had the append finished before the
            // kill) whatever it did.
            return match result {
                Ok(stored) => {
                    s.acknowledge(&stored);
                    Ok(stored)
                }
                Err(e) => {
                    if matches!(e, StoreError::Backend { .. }) {
                        s.stats_killed += 1;
                    }
                    Err(e)
                }
            };
        }
        let stored = s.conns[self.r].append(&batch)?;
        if s.faults_on && s.rng.chance(s.lost_ack_permille) {
            // Written, but the connection drops before the caller hears
            // so.
            s.stored += stored.len();
            s.stats_lost_acks += 1;
            s.reconnect(self.r);
            return Err(StoreError::backend_message(
                "injected: connection reset after commit",
            ));
        }
        s.acknowledge(&stored);
        Ok(stored)
    }
    fn append_erasing(
        &mut self,
        batch: &[StreamWrite],
        erasure: &fanatical::store::Erasure,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        let s = &mut *self.store;
        if s.faults_on && s.rng.chance(s.fail_permille) {
            s.stats_failures += 1;
            return Err(StoreError::backend_message("injected: disk full"));
        }
        // What the erasure replaced is no longer what was acknowledged.
        let stored = s.conns[self.r].append_erasing(batch, erasure)?;
        s.stored += stored.len();
        s.acknowledged = s.conns[self.r].read_all(0, usize::MAX)?;
        Ok(stored)
    }
    fn read_stream(
        &self,
        stream: &fanatical::event::StreamId,
        after: u64,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        self.store.conns[self.r].read_stream(stream, after)
    }
    fn read_all(&self, after: u64, limit: usize) -> Result<Vec<RecordedEvent>, StoreError> {
        self.store.conns[self.r].read_all(after, limit)
    }
    fn stream_version(&self, stream: &fanatical::event::StreamId) -> Result<u64, StoreError> {
        self.store.conns[self.r].stream_version(stream)
    }
}

/// Snapshots are kept by the store underneath, without faults.
impl<B: Backend> SnapshotStore<DeskState> for Replica<'_, B> {
    fn save_snapshot(&mut self, snapshot: &Snapshot<DeskState>) -> Result<(), StoreError> {
        self.store.conns[self.r].save_snapshot(snapshot)
    }
    fn load_snapshot(&self) -> Result<Option<Snapshot<DeskState>>, StoreError> {
        self.store.conns[self.r].load_snapshot()
    }
}

struct Contact {
    id: ContactId,
    customer: CustomerId,
    addresses: Vec<ChannelAddress>,
}

struct Sim<B: Backend> {
    seed: u64,
    rng: Rng,
    /// When snapshots are saved and which crashes recover from one: apart
    /// from `rng`, so the rest of a seed's run is what it was before
    /// snapshots.
    snap_rng: Rng,
    /// What closes tickets and writes to closed ones, apart from `rng`
    /// too, so the rest of a seed's run stays close to what it was
    /// before archiving.
    arch_rng: Rng,
    ids: IdGenerator,
    config: DeskConfig,
    store: FaultyStore<B>,
    desks: [Desk; 2],
    transport: RecordingTransport,
    now: DateTime<Utc>,
    contacts: Vec<Contact>,
    agents: Vec<AgentId>,
    commander: AgentId,
    incident: Option<IncidentId>,
    incidents_declared: u32,
    stats: Stats,
    mutant: Mutant,
    model: Model,
    /// Commands sent so far: each one's idempotency key is its number.
    keys: u64,
    /// The store position the model has seen up to.
    seen: u64,
    /// Customers running on the datacenter the incidents take down.
    on_dc1: BTreeSet<CustomerId>,
    /// The refusal the next command must get, when it must be refused.
    must_refuse: Option<fanatical::Error>,
}

fn calendar() -> BusinessCalendar {
    BusinessCalendar::weekdays(
        Chicago,
        DayHours::parse(&[("09:00", "12:00"), ("13:00", "17:00")]).unwrap(),
    )
    .with_holidays([NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()])
}

fn config() -> DeskConfig {
    let policies = SlaPolicies::new(vec![
        SlaPolicy::new(
            "social",
            Conditions::any().on_channels([ChannelKind::Social]),
            vec![
                Target::new(Metric::FirstResponse, Duration::minutes(15), Clock::Always)
                    .warn_at([50]),
            ],
        ),
        SlaPolicy::new(
            "standard",
            Conditions::any(),
            vec![
                Target::new(
                    Metric::FirstResponse,
                    Duration::hours(1),
                    Clock::SupportHours,
                )
                .warn_at([50, 75]),
                Target::new(
                    Metric::NextResponse,
                    Duration::hours(2),
                    Clock::SupportHours,
                ),
                Target::new(Metric::Resolution, Duration::hours(8), Clock::SupportHours),
            ],
        ),
    ])
    .unwrap();
    let csat = SurveyDraft::new("after-ticket")
        .question(Question::new("rating", "How did we do?", QuestionKind::scale()).required())
        .validate()
        .unwrap();
    let dc = ComponentId::new("dc1").unwrap();
    let catalog = ComponentCatalog::new()
        .with(dc.clone(), "DC1", None)
        .unwrap()
        .with(ComponentId::new("dc1/web").unwrap(), "Web", Some(dc))
        .unwrap();
    let mut retry = RetryPolicy::default();
    retry.max_attempts = 10_000;
    retry.max_delay = Duration::minutes(10);
    DeskConfig::default()
        .with_sla(SlaConfig::new(policies).with_support_hours(calendar()))
        .with_surveys(
            SurveyConfig::default()
                .with_survey(csat)
                .csat_on_solve("after-ticket"),
        )
        .with_incidents(
            IncidentConfig::default()
                .with_components(catalog)
                .with_credits(credits()),
        )
        .with_retry(retry)
        .with_archive(ArchivePolicy::after_closed(model::ARCHIVE_AFTER).unwrap())
}

/// 5% of the monthly fee per hour of major outage, at most the whole fee
/// (the model recomputes every credit from this).
fn credits() -> CreditConfig {
    let reason = ReasonCode::new("sla-outage").unwrap();
    CreditConfig::default()
        .with_reason("sla-outage", "Downtime under the SLA")
        .unwrap()
        .with_default(CreditPolicy::new(reason, 500, 10_000).unwrap())
        .unwrap()
}

/// Every simulated customer pays this much a month.
fn monthly_fee() -> Money {
    Money {
        minor: 100_000,
        currency: Currency::new("USD").unwrap(),
    }
}

impl<B: Backend> Sim<B> {
    fn new(seed: u64, mutant: Mutant, backend: B) -> Self {
        let mut rng = Rng(seed);
        let config = config();
        let store = FaultyStore::new(backend, Rng(rng.next()), mutant);
        let mut sim = Sim {
            seed,
            snap_rng: Rng(seed ^ 0x5a9_5a9),
            arch_rng: Rng(seed ^ 0xa4c_41e),
            ids: IdGenerator::from_seed(rng.next()),
            rng,
            desks: [Desk::new(config.clone()), Desk::new(config.clone())],
            config,
            store,
            transport: RecordingTransport::new(),
            // A Monday morning in Chicago.
            now: Utc.with_ymd_and_hms(2026, 11, 23, 14, 0, 0).unwrap(),
            contacts: Vec::new(),
            agents: Vec::new(),
            commander: AgentId::from_uuid(uuid::Uuid::nil()),
            incident: None,
            incidents_declared: 0,
            stats: Stats::default(),
            mutant,
            model: Model::new(seed, BTreeMap::new(), BTreeSet::new()),
            keys: 0,
            seen: 0,
            on_dc1: BTreeSet::new(),
            must_refuse: None,
        };
        sim.setup();
        let contacts = sim
            .contacts
            .iter()
            .map(|c| {
                (
                    c.id,
                    ModelContact {
                        customer: c.customer,
                        addresses: c.addresses.clone(),
                    },
                )
            })
            .collect();
        sim.model = Model::new(seed, contacts, sim.on_dc1.clone());
        sim.observe(&Origin::Other);
        sim.store.faults_on = true;
        sim
    }

    fn setup(&mut self) {
        let mut cmds = Vec::new();
        let ceo: AgentId = self.ids.next_id();
        let lead: AgentId = self.ids.next_id();
        for (id, name, role) in [
            (ceo, "CEO", Role::Executive),
            (lead, "Lead", Role::TeamLead),
        ] {
            cmds.push(Command::new(
                Actor::integration("setup"),
                PeopleAction::RegisterAgent {
                    id,
                    name: name.into(),
                    time_zone: Chicago,
                    roles: vec![role],
                    skills: vec![],
                },
            ));
        }
        cmds.push(Command::new(
            Actor::integration("setup"),
            PeopleAction::UpdateAgent {
                agent: lead,
                command: AgentCommand::ReportTo(Some(ceo)),
            },
        ));
        for n in 0..4 {
            let a: AgentId = self.ids.next_id();
            cmds.push(Command::new(
                Actor::integration("setup"),
                PeopleAction::RegisterAgent {
                    id: a,
                    name: format!("Agent {n}"),
                    time_zone: Chicago,
                    roles: vec![Role::Agent],
                    skills: vec![],
                },
            ));
            cmds.push(Command::new(
                Actor::integration("setup"),
                PeopleAction::UpdateAgent {
                    agent: a,
                    command: AgentCommand::ReportTo(Some(lead)),
                },
            ));
            self.agents.push(a);
        }
        self.commander = lead;
        for n in 0..25 {
            let c: CustomerId = self.ids.next_id();
            cmds.push(Command::new(
                Actor::integration("setup"),
                CustomerAction::Register {
                    id: c,
                    organisation: format!("Customer {n}"),
                },
            ));
            cmds.push(Command::new(
                Actor::integration("billing"),
                CustomerAction::Update {
                    customer: c,
                    command: CustomerCommand::SetAccountStanding {
                        standing: AccountStanding {
                            monthly_spend: monthly_fee(),
                            tier: Tier::Standard,
                        },
                    },
                },
            ));
            if n % 2 == 0 {
                self.on_dc1.insert(c);
                cmds.push(Command::new(
                    Actor::integration("setup"),
                    CustomerAction::Update {
                        customer: c,
                        command: CustomerCommand::RunOn {
                            component: ComponentId::new("dc1/web").unwrap(),
                        },
                    },
                ));
            }
            for k in 0..2 {
                let contact: ContactId = self.ids.next_id();
                let addresses = vec![
                    ChannelAddress::email(format!("c{n}k{k}@example.com")).unwrap(),
                    ChannelAddress::phone(format!("+1 210 555 {n:02}{k}0")).unwrap(),
                    ChannelAddress::social(SocialNetwork::X, format!("@c{n}k{k}")).unwrap(),
                    ChannelAddress::chat(format!("chat-{n}-{k}")).unwrap(),
                ];
                cmds.push(Command::new(
                    Actor::integration("setup"),
                    CustomerAction::Update {
                        customer: c,
                        command: CustomerCommand::AddContact {
                            contact,
                            name: format!("Contact {n}.{k}"),
                            addresses: addresses.clone(),
                        },
                    },
                ));
                if k == 0 {
                    cmds.push(Command::new(
                        Actor::integration("setup"),
                        CustomerAction::Update {
                            customer: c,
                            command: CustomerCommand::DesignateContact {
                                contact,
                                role: ContactRole::Primary,
                            },
                        },
                    ));
                }
                self.contacts.push(Contact {
                    id: contact,
                    customer: c,
                    addresses,
                });
            }
        }
        for cmd in cmds {
            self.desks[0]
                .execute(&mut self.store.on(0), cmd, self.now)
                .unwrap_or_else(|e| panic!("setup: {e}"));
        }
        self.desks[1].catch_up(&self.store.conns[1]).unwrap();
    }

    /// Shows the model what was stored since it last looked, as the work
    /// of `origin`.
    fn observe(&mut self, origin: &Origin) {
        let batch = self.store.reader.read_all(self.seen, usize::MAX).unwrap();
        if let Some(last) = batch.last() {
            self.seen = last.position;
            self.model.observe(&batch, origin, self.now);
        }
    }

    /// Whether a command of this kind must succeed on replica `r`, caught
    /// up: a known contact's message always; an active agent's reply to a
    /// ticket that is not solved or closed.
    fn must_succeed(&self, r: usize, kind: Kind, origin: &Origin) -> bool {
        match origin {
            Origin::Receive { .. } => true,
            Origin::Close(t) if kind == Kind::Close => self.desks[r]
                .tickets()
                .get(*t)
                .is_some_and(|t| t.status() == Status::Solved),
            Origin::Reply { ticket, agent, .. } => {
                self.desks[r]
                    .tickets()
                    .get(*ticket)
                    .is_some_and(|t| t.status().is_unsolved())
                    && self.desks[r]
                        .people()
                        .agent(*agent)
                        .is_some_and(|a| a.is_active())
            }
            _ => false,
        }
    }

    /// Runs a command on replica `r` as a service would, with an
    /// idempotency key of its own: on a conflict, catch up and decide
    /// again; on a failed append, catch up and send the same command, key
    /// and all, again: if the first was stored after all (its
    /// acknowledgement was lost), the desk knows the key and hands back
    /// what it recorded, writing nothing. Returns whether it was accepted.
    /// A refusal must leave the store and the desk as they were, and a
    /// command that must succeed on a caught-up desk must not be refused.
    fn run(&mut self, r: usize, kind: Kind, origin: Origin, cmd: Command) -> bool {
        let must_refuse = self.must_refuse.take();
        self.stats.commands += 1;
        self.stats.kinds.entry(kind).or_default().0 += 1;
        self.keys += 1;
        let key = CommandKey::new(&format!("sim-{}-{}", self.seed, self.keys)).unwrap();
        let cmd = cmd.with_key(key);
        // Whether an attempt whose append failed was stored all the same.
        let mut landed = false;
        for _ in 0..20 {
            let before = self.store.stored;
            let snapshot = self.desks[r].clone();
            let caught_up = self.desks[r].position() == before as u64;
            let result = if self.mutant == Mutant::RefusesReplies && kind == Kind::Reply {
                Err((MutantRefusal.to_string(), None))
            } else {
                match self.desks[r].execute(&mut self.store.on(r), cmd.clone(), self.now) {
                    Ok(recorded) => {
                        if landed {
                            assert!(
                                self.store.stored == before && !recorded.is_empty(),
                                "seed {}: a command sent again with its key after a lost acknowledgement was not recognised: it wrote {} events and handed back {}",
                                self.seed,
                                self.store.stored - before,
                                recorded.len()
                            );
                        }
                        Ok(())
                    }
                    Err(fanatical::Error::Store(StoreError::Conflict { .. })) => {
                        self.stats.conflicts += 1;
                        self.desks[r].catch_up(&self.store.conns[r]).unwrap();
                        continue;
                    }
                    Err(fanatical::Error::Store(StoreError::Backend { .. })) => {
                        self.desks[r].catch_up(&self.store.conns[r]).unwrap();
                        landed |= self.store.stored > before;
                        continue;
                    }
                    Err(e) => Err((e.to_string(), Some(e))),
                }
            };
            match result {
                Ok(()) => {
                    if let Some(want) = must_refuse {
                        panic!(
                            "model: seed {}: a {kind:?} was accepted, the rules refuse it: {want}",
                            self.seed
                        );
                    }
                    self.observe(&origin);
                    return true;
                }
                Err((e, error)) if must_refuse.is_some() => {
                    assert_eq!(
                        error, must_refuse,
                        "model: seed {}: a {kind:?} refused otherwise than the rules say: {e}",
                        self.seed
                    );
                    self.stats.refused_on_closed += 1;
                    self.stats.refused_on_archived += u64::from(matches!(
                        must_refuse,
                        Some(fanatical::Error::Desk(DeskError::UnknownTicket(_)))
                    ));
                    self.stats.refused += 1;
                    self.stats.kinds.entry(kind).or_default().1 += 1;
                    assert_eq!(
                        self.store.stored, before,
                        "seed {}: a refused command wrote",
                        self.seed
                    );
                    assert!(
                        self.desks[r] == snapshot,
                        "seed {}: a refused command changed the desk",
                        self.seed
                    );
                    return false;
                }
                // The model refused it (a reply to a ticket solved on the
                // other replica, a survey answered twice...).
                Err((e, _)) => {
                    self.stats.refused += 1;
                    self.stats.kinds.entry(kind).or_default().1 += 1;
                    assert!(
                        !landed,
                        "seed {}: a command stored, whose acknowledgement was lost, was refused when sent again with its key: {e}",
                        self.seed
                    );
                    assert_eq!(
                        self.store.stored, before,
                        "seed {}: a refused command wrote",
                        self.seed
                    );
                    assert!(
                        self.desks[r] == snapshot,
                        "seed {}: a refused command changed the desk",
                        self.seed
                    );
                    if caught_up && self.must_succeed(r, kind, &origin) {
                        panic!(
                            "model: seed {}: a {kind:?} that must succeed on a caught-up desk was refused: {e}",
                            self.seed
                        );
                    }
                    return false;
                }
            }
        }
        panic!("seed {}: a command kept failing", self.seed);
    }

    fn replica(&mut self) -> usize {
        let r = self.rng.below(2);
        // Usually a replica is up to date; sometimes it is behind and will
        // conflict.
        if self.rng.chance(700) {
            self.desks[r].catch_up(&self.store.conns[r]).unwrap();
        }
        r
    }

    fn open_tickets(&self, r: usize) -> Vec<TicketId> {
        self.desks[r]
            .tickets()
            .iter()
            .filter(|t| t.status().is_unsolved())
            .map(|t| t.id())
            .collect()
    }

    fn customer_writes(&mut self) {
        let r = self.replica();
        let Some((contact, c)) = self
            .rng
            .pick(&self.contacts)
            .map(|c| (c.id, c.addresses.clone()))
        else {
            return;
        };
        let (channel, from) = match self.rng.below(6) {
            0 => (Channel::Email, c[0].clone()),
            1 => (Channel::Phone, c[1].clone()),
            2 => (
                Channel::Social {
                    network: SocialNetwork::X,
                    visibility: Visibility::Public,
                },
                c[2].clone(),
            ),
            3 => (Channel::Chat, c[3].clone()),
            4 => (Channel::Portal, c[0].clone()),
            _ => (Channel::Email, c[0].clone()),
        };
        let words = [
            "Site down",
            "Invoice?",
            "Slow pages",
            "Thanks Agent 1, great job",
            "DNS again",
        ];
        let body = words[self.rng.below(words.len())];
        let mut msg = InboundMessage::new(self.ids.next_id(), channel, from.clone(), body);
        // Half the time it continues one of their open tickets.
        if self.rng.chance(500) {
            let mine: Vec<TicketId> = self
                .open_tickets(r)
                .into_iter()
                .filter(|t| {
                    let customer = self.desks[r]
                        .customers()
                        .find_contact(&from)
                        .map(|c| c.customer);
                    self.desks[r].tickets().get(*t).map(|t| t.customer()) == customer
                })
                .collect();
            if let Some(t) = self.rng.pick(&mine) {
                msg = msg.in_reply_to(*t);
            }
        } else if self.arch_rng.chance(250) {
            // Sometimes they write again about one of their customer's
            // closed tickets, archived or not: a follow-up linked to it.
            let customer = self
                .contacts
                .iter()
                .find(|k| k.id == contact)
                .map(|k| k.customer);
            let closed = customer
                .map(|c| self.model.closed_of(c))
                .unwrap_or_default();
            if let Some(t) = self.arch_rng.pick(&closed) {
                msg = msg.in_reply_to(*t);
            }
        }
        let origin = Origin::Receive {
            new_ticket: msg.new_ticket,
            reply_to: msg.in_reply_to,
            contact,
            channel: msg.channel.clone(),
            body: msg.body.clone(),
        };
        self.run(
            r,
            Kind::Receive,
            origin,
            Command::new(Actor::integration("inbound"), TicketAction::Receive(msg)),
        );
    }

    fn agent_works(&mut self) {
        let r = self.replica();
        let open = self.open_tickets(r);
        let (Some(&t), Some(&agent)) = (self.rng.pick(&open), self.rng.pick(&self.agents)) else {
            return;
        };
        let body = "Here is what we found.";
        let (kind, origin, cmd) = match self.rng.below(10) {
            0..=4 => (
                Kind::Reply,
                Origin::Reply {
                    ticket: t,
                    agent,
                    body: body.to_owned(),
                },
                Command::reply(t, agent, body),
            ),
            5 => (
                Kind::SetStatus,
                Origin::Other,
                Command::new(
                    Actor::integration("setup"),
                    TicketAction::Update {
                        ticket: t,
                        command: TicketCommand::SetStatus(Status::Pending),
                    },
                ),
            ),
            6 => (
                Kind::Assign,
                Origin::Other,
                Command::new(
                    Actor::integration("setup"),
                    TicketAction::Update {
                        ticket: t,
                        command: TicketCommand::Assign(Some(agent)),
                    },
                ),
            ),
            7 | 8 => {
                self.run(
                    r,
                    Kind::Assign,
                    Origin::Other,
                    Command::new(
                        Actor::integration("setup"),
                        TicketAction::Update {
                            ticket: t,
                            command: TicketCommand::Assign(Some(agent)),
                        },
                    ),
                );
                (
                    Kind::SetStatus,
                    Origin::Other,
                    Command::new(
                        Actor::integration("setup"),
                        TicketAction::Update {
                            ticket: t,
                            command: TicketCommand::SetStatus(Status::Solved),
                        },
                    ),
                )
            }
            _ => (
                Kind::Promise,
                Origin::Other,
                Command::new(
                    Actor::Agent(agent),
                    TicketAction::Promise {
                        ticket: t,
                        due: self.now + Duration::hours(2),
                        note: String::new(),
                    },
                ),
            ),
        };
        self.run(r, kind, origin, cmd);
    }

    /// An agent closes a solved ticket (closed is terminal: the archive
    /// window starts), or tries to work on a closed or archived one, which
    /// the rules refuse: a ticket the replica holds closed with
    /// [`TicketError::Closed`], one it archived as unknown.
    fn close_step(&mut self) {
        let r = self.arch_rng.below(2);
        if self.arch_rng.chance(700) {
            self.desks[r].catch_up(&self.store.conns[r]).unwrap();
        }
        let Some(&agent) = self.arch_rng.pick(&self.agents) else {
            return;
        };
        if self.arch_rng.chance(800) {
            let solved: Vec<TicketId> = self.desks[r]
                .tickets()
                .iter()
                .filter(|t| t.status() == Status::Solved)
                .map(|t| t.id())
                .collect();
            if let Some(&t) = self.arch_rng.pick(&solved) {
                let closed = self.run(
                    r,
                    Kind::Close,
                    Origin::Close(t),
                    Command::new(
                        Actor::Agent(agent),
                        TicketAction::Update {
                            ticket: t,
                            command: TicketCommand::SetStatus(Status::Closed),
                        },
                    ),
                );
                self.stats.closes += u64::from(closed);
            }
            return;
        }
        let closed: Vec<TicketId> = self
            .model
            .archived_tickets()
            .into_iter()
            .map(|(t, _)| t)
            .chain(
                self.desks[r]
                    .tickets()
                    .iter()
                    .filter(|t| t.status() == Status::Closed)
                    .map(|t| t.id()),
            )
            .collect();
        let Some(&t) = self.arch_rng.pick(&closed) else {
            return;
        };
        let want: fanatical::Error = if self.desks[r].tickets().get(t).is_some() {
            TicketError::Closed(t).into()
        } else {
            DeskError::UnknownTicket(t).into()
        };
        let cmd = if self.arch_rng.chance(500) {
            Command::reply(t, agent, "One more thing.")
        } else {
            Command::new(
                Actor::Agent(agent),
                TicketAction::Update {
                    ticket: t,
                    command: TicketCommand::SetStatus(Status::Open),
                },
            )
        };
        self.must_refuse = Some(want);
        self.run(r, Kind::OnClosed, Origin::Other, cmd);
    }

    /// Archiving as the model knows it, on a desk caught up with the
    /// store: no ticket the model knows archived is in its memory; none
    /// whose archival was due an hour ago is still there; and when
    /// `read_back`, every archived one reads back from the store, closed,
    /// with its whole conversation.
    fn check_archive(&self, desk: &Desk, read_back: bool) {
        for (t, entries) in self.model.archived_tickets() {
            assert!(
                desk.tickets().get(t).is_none(),
                "seed {}: archived {t} is still in memory",
                self.seed
            );
            if read_back {
                let got = desk
                    .tickets()
                    .archived(&self.store.reader, t)
                    .unwrap()
                    .unwrap_or_else(|| {
                        panic!("seed {}: archived {t} reads back as none", self.seed)
                    });
                assert_eq!(got.ticket.status(), Status::Closed);
                assert_eq!(
                    got.ticket.conversation().len(),
                    entries,
                    "seed {}: archived {t} reads back with another conversation",
                    self.seed
                );
                let view = desk.archived_agent_view(&self.store.reader, t).unwrap();
                assert_eq!(view.id, t);
            }
        }
        for t in self.model.overdue(self.now, Duration::hours(1)) {
            if let Some(ticket) = desk.tickets().get(t) {
                panic!(
                    "seed {}: {t} is in memory past its archival at {}: {:?} since {}; the desk's next timer {:?}; its invitations {:?}",
                    self.seed,
                    self.now,
                    ticket.status(),
                    ticket.updated_at(),
                    desk.next_timer(),
                    desk.surveys()
                        .invitations()
                        .filter(|i| i.invitation.ticket == Some(t))
                        .map(|i| (i.invitation.expires_at, i.answered.is_some()))
                        .collect::<Vec<_>>()
                );
            }
        }
    }

    fn incident_step(&mut self) {
        let r = self.replica();
        match self.incident {
            None if self.incidents_declared < 2 && self.rng.chance(20) => {
                let id: IncidentId = self.ids.next_id();
                self.incidents_declared += 1;
                self.incident = Some(id);
                self.run(
                    r,
                    Kind::Incident,
                    Origin::Other,
                    Command::new(
                        Actor::Agent(self.commander),
                        IncidentAction::Declare {
                            incident: id,
                            title: "DC1 power".into(),
                            commander: self.commander,
                            status: IncidentStatus::Investigating,
                            components: BTreeMap::from([(
                                ComponentId::new("dc1").unwrap(),
                                ComponentState::MajorOutage,
                            )]),
                            cadence: Some(Cadence::every_minutes(30, 5).unwrap()),
                            messages: Messages::from([
                                (Audience::Technical, "Power lost in DC1.".to_owned()),
                                (Audience::Business, "Sites in DC1 are down.".to_owned()),
                            ]),
                        },
                    ),
                );
            }
            Some(id) if self.rng.chance(300) => {
                let resolve = self.rng.chance(250);
                let status = if resolve {
                    IncidentStatus::Resolved
                } else {
                    IncidentStatus::Identified
                };
                let linked = self.desks[r].incidents().unlinked_tickets(id);
                if !linked.is_empty() && !resolve {
                    self.run(
                        r,
                        Kind::Incident,
                        Origin::Other,
                        Command::new(
                            Actor::integration("setup"),
                            IncidentAction::LinkTickets {
                                incident: id,
                                tickets: linked,
                            },
                        ),
                    );
                }
                self.run(
                    r,
                    Kind::Incident,
                    Origin::IncidentUpdate,
                    Command::new(
                        Actor::Agent(self.commander),
                        IncidentAction::Update {
                            incident: id,
                            status,
                            components: BTreeMap::new(),
                            messages: Messages::from([(
                                Audience::Business,
                                format!("Update at {}", self.now),
                            )]),
                            spokesperson: None,
                            solve_linked: resolve.then(|| "The outage is over.".to_owned()),
                        },
                    ),
                );
                if resolve {
                    self.incident = None;
                    self.run(
                        r,
                        Kind::Incident,
                        Origin::IssueCredits(id),
                        Command::new(
                            Actor::integration("billing"),
                            IncidentAction::IssueCredits { incident: id },
                        ),
                    );
                }
            }
            _ => {}
        }
    }

    fn survey_answers(&mut self) {
        let r = self.replica();
        // Invitations about closed tickets too: an answer lets the ticket
        // be archived at the end of the window rather than at the
        // invitation's expiry, on a live desk as on a rebuilt one (the
        // rule the model holds).
        let open: Vec<_> = self.desks[r]
            .surveys()
            .invitations()
            .filter(|i| i.answered.is_none())
            .map(|i| i.invitation.id)
            .collect();
        if let Some(&inv) = self.rng.pick(&open) {
            let rating = [Rating::Excellent, Rating::Good, Rating::Poor][self.rng.below(3)];
            self.run(
                r,
                Kind::SurveyAnswer,
                Origin::Other,
                Command::new(
                    Actor::integration("survey"),
                    SurveyAction::Answer {
                        invitation: inv,
                        response: Response::new().answer("rating", Answer::Scale(rating)),
                    },
                ),
            );
        }
    }

    fn praise(&mut self) {
        let r = self.replica();
        let solved: Vec<(TicketId, CustomerId)> = self.desks[r]
            .tickets()
            .iter()
            .filter(|t| t.status() == Status::Solved)
            .map(|t| (t.id(), t.customer()))
            .collect();
        if let Some(&(t, c)) = self.rng.pick(&solved) {
            let praise = self.ids.next_id();
            self.run(
                r,
                Kind::Praise,
                Origin::Other,
                Command::new(
                    Actor::integration("setup"),
                    RecognitionAction::RecordPraise {
                        praise,
                        source: fanatical::recognition::PraiseSource::TicketReply,
                        text: "You were wonderful, thank you!".into(),
                        customer: Some(c),
                        ticket: Some(t),
                    },
                ),
            );
        }
    }

    /// Delivers what is due through a transport that fails, duplicates
    /// and forgets to acknowledge.
    fn deliver(&mut self, faults: bool) {
        let r = self.replica();
        while let Some(msg) = self.desks[r].poll_outbound(self.now) {
            if faults && self.rng.chance(100) {
                self.stats.delivery_failures += 1;
                self.run(
                    r,
                    Kind::Outbox,
                    Origin::Other,
                    Command::new(
                        Actor::integration("transport"),
                        OutboxAction::MarkFailed {
                            message: msg.id,
                            reason: "injected: gateway timeout".into(),
                        },
                    ),
                );
                continue;
            }
            self.transport.deliver(&msg).unwrap();
            if faults && self.rng.chance(50) {
                self.stats.duplicate_deliveries += 1;
                self.transport.deliver(&msg).unwrap();
            }
            if faults && self.rng.chance(50) {
                // Delivered, but the process died before the ack: the
                // lease runs out and it goes again.
                self.stats.unacked_deliveries += 1;
                continue;
            }
            self.run(
                r,
                Kind::Outbox,
                Origin::Other,
                Command::new(
                    Actor::integration("transport"),
                    OutboxAction::MarkDelivered { message: msg.id },
                ),
            );
        }
    }

    fn crash(&mut self) {
        let r = self.rng.below(2);
        let mut before = self.desks[r].clone();
        before.catch_up(&self.store.conns[r]).unwrap();
        // The process dies: its desk and its connection are gone. Another
        // starts, connects again and recovers from the store.
        self.store.reconnect(r);
        let rebuilt = Desk::rebuild(&self.store.conns[r], self.config.clone()).unwrap();
        assert!(
            rebuilt == before,
            "seed {}: a desk rebuilt after a crash differs from the desk before it",
            self.seed
        );
        self.stats.crashes += 1;
        self.check_archive(&rebuilt, false);
        if !self.snap_rng.chance(500) {
            self.desks[r] = rebuilt;
            return;
        }
        // From the latest snapshot and the events after it: the very desk
        // a full replay gives, its timers and delivery queue included.
        let resumed = Desk::resume(&self.store.conns[r], self.config.clone()).unwrap();
        match &resumed.from {
            RestoredFrom::Snapshot { .. } => self.stats.snapshot_recoveries += 1,
            RestoredFrom::Rebuild {
                why: RebuildReason::NoSnapshot,
            } => {}
            other => panic!("seed {}: resumed from {other:?}", self.seed),
        }
        let desk = resumed.desk;
        assert!(
            desk == rebuilt
                && desk.snapshot() == rebuilt.snapshot()
                && desk.next_timer() == rebuilt.next_timer()
                && format!("{desk:?}") == format!("{rebuilt:?}"),
            "seed {}: a desk resumed from a snapshot differs from the desk rebuilt",
            self.seed
        );
        self.desks[r] = desk;
    }

    /// A replica keeps a snapshot of what it has applied. One behind an
    /// erasure it has not seen is refused: it still holds what was erased.
    fn snapshot(&mut self) {
        let r = self.snap_rng.below(2);
        match self.desks[r].save_snapshot(&mut self.store.on(r)) {
            Ok(()) => self.stats.snapshots += 1,
            Err(fanatical::Error::Store(StoreError::StaleSnapshot { position, .. }))
                if position == self.desks[r].position() =>
            {
                self.stats.stale_snapshots += 1;
            }
            Err(e) => panic!("seed {}: saving a snapshot failed: {e}", self.seed),
        }
    }

    fn check_step(&mut self) {
        // The latest acknowledged events are in the store, unchanged, at
        // their place (all of them are checked at the end), read in one
        // go.
        let latest: Vec<&RecordedEvent> = self.store.acknowledged.iter().rev().take(16).collect();
        if let (Some(newest), Some(oldest)) = (latest.first(), latest.last()) {
            let span = usize::try_from(newest.position - oldest.position + 1).unwrap();
            let got = self
                .store
                .reader
                .read_all(oldest.position - 1, span)
                .unwrap();
            for e in &latest {
                let at = usize::try_from(e.position - oldest.position).unwrap();
                assert_eq!(
                    got.get(at),
                    Some(*e),
                    "seed {}: an acknowledged event was lost",
                    self.seed
                );
            }
        }
        for d in &self.desks {
            assert!(d.position() <= self.store.stored as u64);
            if d.position() == self.store.stored as u64 {
                self.check_archive(d, false);
            }
        }
        self.model.check_clock(self.now);
    }

    /// Fires the timers due on replica `r`. A store failure is retried at
    /// the next step (the timers stay due); any other error fails the run,
    /// never dropped.
    fn fire(&mut self, r: usize) {
        match self.desks[r].handle_timeout(&mut self.store.on(r), self.now) {
            Ok(_) => {}
            Err(fanatical::Error::Store(
                StoreError::Backend { .. } | StoreError::Conflict { .. },
            )) => {
                self.desks[r].catch_up(&self.store.conns[r]).unwrap();
            }
            Err(e) => panic!("seed {}: timers at {} failed: {e}", self.seed, self.now),
        }
        self.observe(&Origin::Timer);
    }

    fn step(&mut self) {
        self.stats.steps += 1;
        // Something happens every few minutes; more in business hours.
        let gap = Duration::minutes(1 + i64::try_from(self.rng.below(20)).unwrap());
        let mut next = self.now + gap;
        for d in &self.desks {
            if let Some(t) = d.poll_timeout() {
                next = next.min(t.max(self.now));
            }
        }
        self.now = next;
        let r = self.replica();
        self.fire(r);
        match self.rng.below(100) {
            0..=34 => self.customer_writes(),
            35..=69 => self.agent_works(),
            70..=79 => self.survey_answers(),
            80..=84 => self.praise(),
            _ => self.incident_step(),
        }
        if self.arch_rng.chance(150) {
            self.close_step();
        }
        self.deliver(true);
        if self.rng.chance(15) {
            self.crash();
        }
        if self.snap_rng.chance(20) {
            self.snapshot();
        }
        self.check_step();
    }

    /// The end: faults off, everything due is delivered, and the whole
    /// record is checked.
    fn finish(&mut self) {
        self.store.faults_on = false;
        for r in 0..2 {
            self.desks[r].catch_up(&self.store.conns[r]).unwrap();
        }
        // Drain the outbox: leases run out, backoffs end, timers fire.
        for _ in 0..10_000 {
            self.desks[0].catch_up(&self.store.conns[0]).unwrap();
            self.fire(0);
            self.deliver(false);
            self.model.check_clock(self.now);
            for r in 0..2 {
                self.desks[r].catch_up(&self.store.conns[r]).unwrap();
            }
            if self.desks[0].channels().undelivered() == 0 {
                break;
            }
            let next = self.desks[0]
                .poll_timeout()
                .into_iter()
                .chain(self.desks[1].poll_timeout())
                .min()
                .unwrap_or(self.now + Duration::minutes(5));
            self.now = self.now.max(next).max(self.now + Duration::seconds(1));
        }
        let desk = &self.desks[0];
        assert_eq!(
            desk.channels().undelivered(),
            0,
            "seed {}: messages never delivered",
            self.seed
        );
        let delivered: BTreeSet<_> = self.transport.delivered().iter().map(|m| m.id).collect();
        for e in desk.channels().outbox() {
            assert!(
                matches!(e.state, DeliveryState::Delivered),
                "seed {}: message {} ended {:?}",
                self.seed,
                e.message.id,
                e.state
            );
            assert!(
                delivered.contains(&e.message.id),
                "seed {}: {} acknowledged but never sent",
                self.seed,
                e.message.id
            );
        }
        // A second delivery is harmless: the transport kept one per key.
        assert_eq!(delivered.len(), self.transport.delivered().len());
        self.stats.delivered = delivered.len() as u64;

        // SLA breaches: once each, never early, never in closed time.
        let stored = self.store.reader.read_all(0, usize::MAX).unwrap();
        let mut breached = BTreeSet::new();
        for r in &stored {
            if let (fanatical::event::StreamId::Sla(ticket), Event::Sla(e)) = (&r.stream, &r.event)
                && let SlaEventKind::Breached { key, due } = &e.kind
            {
                assert!(
                    breached.insert((*ticket, *key)),
                    "seed {}: {ticket} {key:?} breached twice",
                    self.seed
                );
                assert!(
                    e.at >= *due,
                    "seed {}: a breach fired before its deadline",
                    self.seed
                );
                let archived;
                let sla = match desk.tickets().sla(*ticket) {
                    Some(sla) => sla,
                    None => {
                        archived = desk
                            .tickets()
                            .archived(&self.store.reader, *ticket)
                            .unwrap()
                            .and_then(|a| a.sla)
                            .unwrap();
                        &archived
                    }
                };
                let clock = sla.metric(*key).unwrap().spec.clock;
                let cal = self.config.sla.calendar(clock, sla.customer);
                assert!(
                    cal.is_open(*due),
                    "seed {}: breach deadline {due} is in closed time",
                    self.seed
                );
            }
        }
        self.stats.breaches = breached.len() as u64;
        // Every acknowledged event is still there; both replicas and a
        // fresh rebuild agree.
        for e in &self.store.acknowledged {
            let at = usize::try_from(e.position - 1).unwrap();
            assert_eq!(
                stored.get(at),
                Some(e),
                "seed {}: an acknowledged event was lost",
                self.seed
            );
        }
        let rebuilt = Desk::rebuild(&self.store.reader, self.config.clone()).unwrap();
        assert!(
            rebuilt == self.desks[0] && rebuilt == self.desks[1],
            "seed {}: replicas disagree",
            self.seed
        );
        self.stats.append_failures = self.store.stats_failures;
        self.stats.lost_acks = self.store.stats_lost_acks;
        self.stats.killed_appends = self.store.stats_killed;
        self.stats.reconnects = self.store.stats_reconnects;

        // The independent model: every message to a contact the rules call
        // for arrived once, and nothing else; no kind of command was
        // refused more than it may be.
        self.model.check_clock(self.now);
        self.model.check_delivered(self.transport.delivered());
        assert_eq!(
            self.model.breaches, self.stats.breaches,
            "seed {}: the model saw other breaches than the store holds",
            self.seed
        );
        self.stats.deadlines = self.model.deadlines;
        self.stats.expected_messages = self.model.expected_messages();
        self.stats.credits = self.model.credits;
        self.stats.csat = self.model.csat;
        self.check_archive(&self.desks[0], true);
        self.stats.archivals = self.model.archivals;
        self.stats.follow_ups = self.model.closed_follow_ups;
        self.stats.archived_follow_ups = self.model.archived_follow_ups;
        for (kind, (attempts, refused)) in &self.stats.kinds {
            assert!(
                *attempts < 20 || refused * 100 <= attempts * kind.max_refused_percent(),
                "model: seed {}: {refused} of {attempts} {kind:?} commands refused, more than {}%",
                self.seed,
                kind.max_refused_percent()
            );
        }
    }
}

/// What one seed did: its counters and its whole event log, serialized.
pub struct Run {
    stats: Stats,
    /// Every stored event, as JSON.
    pub log: String,
}

impl Run {
    /// The run's counters, for comparing two runs, on any stores: all
    /// but how many appends the store failed for real rather than by
    /// simulation.
    pub fn counters(&self) -> String {
        let real = Stats {
            killed_appends: 0,
            kinds: self.stats.kinds.clone(),
            ..self.stats
        };
        format!("{real:?}")
    }
}

/// Runs one seed for `days` against a desk, real or broken, on `backend`
/// (a fresh, empty store).
pub fn run_mutant<B: Backend>(seed: u64, days: u64, mutant: Mutant, backend: B) -> Run {
    let mut sim = Sim::new(seed, mutant, backend);
    let end = sim.now + Duration::days(i64::try_from(days).unwrap());
    while sim.now < end {
        sim.step();
    }
    sim.finish();
    let events = sim.store.reader.read_all(0, usize::MAX).unwrap();
    Run {
        stats: sim.stats,
        log: serde_json::to_string(&events).unwrap(),
    }
}

/// Which store a run of seeds is on, and how many seeds it runs.
pub struct On {
    /// The store, as messages name it ("memory", "SQLite files").
    pub store: &'static str,
    /// The variable that sets how many seeds to run, and how many when it
    /// is unset.
    pub seeds_var: &'static str,
    pub default_seeds: u64,
    /// The command that runs this store's simulation, for the replay hint.
    pub test: &'static str,
}

/// Runs the configured seeds, each for `FANATICAL_SIM_DAYS` days on a
/// fresh store from `fresh(seed)`, checking everything as it goes; fails
/// naming the seed that failed and how to replay it, and says on stderr
/// what ran, how long it took and which faults it injected.
pub fn simulate<B: Backend>(on: &On, fresh: impl Fn(u64) -> B) {
    let days = env("FANATICAL_SIM_DAYS", 3);
    let seeds: Vec<u64> = match std::env::var("FANATICAL_SIM_SEED") {
        Ok(s) => vec![s.parse().expect("FANATICAL_SIM_SEED is a number")],
        Err(_) => {
            let first = std::env::var("FANATICAL_SIM_FIRST_SEED").map_or(1, |v| {
                v.parse().expect("FANATICAL_SIM_FIRST_SEED is a number")
            });
            (first..first + env(on.seeds_var, on.default_seeds)).collect()
        }
    };
    let started = std::time::Instant::now();
    let mut total = Stats::default();
    for seed in &seeds {
        let result = std::panic::catch_unwind(AssertUnwindSafe(|| {
            run_mutant(*seed, days, Mutant::None, fresh(*seed)).stats
        }));
        match result {
            Ok(s) => {
                total.steps += s.steps;
                total.commands += s.commands;
                total.refused += s.refused;
                total.append_failures += s.append_failures;
                total.lost_acks += s.lost_acks;
                total.killed_appends += s.killed_appends;
                total.reconnects += s.reconnects;
                total.conflicts += s.conflicts;
                total.crashes += s.crashes;
                total.snapshot_recoveries += s.snapshot_recoveries;
                total.snapshots += s.snapshots;
                total.stale_snapshots += s.stale_snapshots;
                total.delivery_failures += s.delivery_failures;
                total.duplicate_deliveries += s.duplicate_deliveries;
                total.unacked_deliveries += s.unacked_deliveries;
                total.breaches += s.breaches;
                total.delivered += s.delivered;
                total.deadlines += s.deadlines;
                total.expected_messages += s.expected_messages;
                total.credits += s.credits;
                total.csat += s.csat;
                total.closes += s.closes;
                total.archivals += s.archivals;
                total.follow_ups += s.follow_ups;
                total.refused_on_closed += s.refused_on_closed;
                total.archived_follow_ups += s.archived_follow_ups;
                total.refused_on_archived += s.refused_on_archived;
                for (k, (a, r)) in s.kinds {
                    let t = total.kinds.entry(k).or_default();
                    t.0 += a;
                    t.1 += r;
                }
            }
            Err(_) => panic!(
                "simulation on {} failed for seed {seed}; replay with: FANATICAL_SIM_SEED={seed} FANATICAL_SIM_DAYS={days} {} -- --nocapture",
                on.store, on.test
            ),
        }
    }
    // Past the harness's capture, so `cargo test` shows what ran where.
    let _ = std::io::Write::write_all(
        &mut std::io::stderr(),
        format!(
            "simulation on {}: {} seeds × {days} simulated days clean in {:.1?}: {total:?}\n",
            on.store,
            seeds.len(),
            started.elapsed()
        )
        .as_bytes(),
    );
    // The faults really happened (a simulation that injects nothing proves
    // nothing).
    if seeds.len() >= 3 {
        assert!(total.append_failures > 0 && total.lost_acks > 0 && total.conflicts > 0);
        assert!(total.crashes > 0 && total.delivery_failures > 0 && total.duplicate_deliveries > 0);
        assert!(total.reconnects > total.crashes);
        assert!(!B::KILLS_IN_FLIGHT || total.killed_appends > 0);
        assert!(total.snapshots > 0 && total.snapshot_recoveries > 0);
        assert!(total.breaches > 0 && total.delivered > 0);
        assert!(total.deadlines > 0 && total.expected_messages > 0);
        assert!(total.credits > 0 && total.csat > 0);
    }
    // Archiving ran under the faults: tickets closed, archived, written
    // to again and worked on after closing.
    if seeds.len() >= 2 {
        assert!(
            total.closes > 0
                && total.archivals > 0
                && total.archived_follow_ups > 0
                && total.refused_on_archived > 0
                && total.refused_on_closed > total.refused_on_archived,
            "archiving was not exercised: {total:?}"
        );
    }
}

/// Runs `mutant` on seed 1 for a day on `backend` and returns the failure
/// message; fails if the broken desk passes.
pub fn caught<B: Backend>(mutant: Mutant, backend: B) -> String {
    let result = std::panic::catch_unwind(AssertUnwindSafe(|| run_mutant(1, 1, mutant, backend)));
    let Err(payload) = result else {
        panic!("the simulation passed a desk that is broken: {mutant:?}");
    };
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_default()
}
