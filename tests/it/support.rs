//! Fixtures shared by the behaviour tests, and by the store crates' tests
//! (`stores/*/tests` include this file), so a day on a real store is the
//! day the library's tests run in memory. It names only `fanatical` (and
//! the `chrono` it re-exports), so it compiles in any crate of the workspace.

use fanatical::actor::Actor;
use fanatical::agent::Role;
use fanatical::channel::{Channel, ChannelAddress, ChannelKind, SocialNetwork};
use fanatical::chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use fanatical::chrono_tz::America::Chicago;
use fanatical::customer::CustomerCommand;
use fanatical::desk::{Command, Desk, DeskConfig, InboundMessage};
use fanatical::desk::{CustomerAction, PeopleAction, TicketAction};
use fanatical::event::StreamId;
use fanatical::id::{AgentId, ContactId, CustomerId, IdGenerator, TeamId, TicketId};
use fanatical::sla::{
    BusinessCalendar, Clock, Conditions, DayHours, Metric, SlaConfig, SlaPolicies, SlaPolicy,
    Target,
};
use fanatical::store::{
    ExpectedVersion, MemoryStore, RecordedEvent, Store, StoreError, StreamWrite,
};
use fanatical::ticket::{Priority, Tag, TicketType};

pub fn t0() -> DateTime<Utc> {
    // A Monday, 2 a.m. UTC.
    Utc.with_ymd_and_hms(2026, 11, 2, 2, 0, 0).unwrap()
}

/// A small support organisation on a memory store.
pub struct World {
    pub ids: IdGenerator,
    pub store: MemoryStore,
    pub desk: Desk,
    pub now: DateTime<Utc>,
    pub acme: CustomerId,
    pub jane: ContactId,
    pub jane_email: ChannelAddress,
    pub jane_phone: ChannelAddress,
    pub jane_x: ChannelAddress,
    pub tiny: CustomerId,
    pub tom: ContactId,
    pub tom_email: ChannelAddress,
    pub ana: AgentId,
    pub bill: AgentId,
    pub team: TeamId,
}

impl World {
    pub fn new() -> Self {
        Self::with_config(DeskConfig::default())
    }

    /// The world's record so far copied into `store` event by event, at
    /// the same streams, versions and positions, with the same ids and
    /// stamps (its setup, onto a real store); returns what `store`
    /// recorded.
    pub fn copy_into<S: Store + ?Sized>(&self, store: &mut S) -> Vec<RecordedEvent> {
        let mut recorded = Vec::new();
        for r in self.store.read_all(0, usize::MAX).unwrap() {
            let mut write = StreamWrite::new(
                r.stream,
                ExpectedVersion::Exact(r.version - 1),
                vec![r.event],
            );
            let e = &mut write.events[0];
            (e.id, e.schema, e.actor, e.command) = (r.id, r.schema, r.actor, r.command);
            recorded.extend(store.append(&[write]).unwrap());
        }
        recorded
    }

    pub fn with_config(config: DeskConfig) -> Self {
        let mut ids = IdGenerator::from_seed(2026);
        let mut store = MemoryStore::new();
        let mut desk = Desk::new(config);
        let now = t0();
        let (acme, jane, tiny, tom, ana, bill, team) = (
            ids.next_id(),
            ids.next_id(),
            ids.next_id(),
            ids.next_id(),
            ids.next_id(),
            ids.next_id(),
            ids.next_id(),
        );
        let jane_email = ChannelAddress::email("jane@acme.example").unwrap();
        let jane_phone = ChannelAddress::phone("+1 210 555 0100").unwrap();
        let jane_x = ChannelAddress::social(SocialNetwork::X, "@jane_acme").unwrap();
        let tom_email = ChannelAddress::email("tom@tiny.example").unwrap();
        let setup = vec![
            Command::new(
                Actor::integration("setup"),
                CustomerAction::Register {
                    id: acme,
                    organisation: "Acme Hosting".into(),
                },
            ),
            Command::new(
                Actor::integration("setup"),
                CustomerAction::Update {
                    customer: acme,
                    command: CustomerCommand::AddContact {
                        contact: jane,
                        name: "Jane Doe".into(),
                        addresses: vec![jane_email.clone(), jane_phone.clone(), jane_x.clone()],
                    },
                },
            ),
            Command::new(
                Actor::integration("setup"),
                CustomerAction::Register {
                    id: tiny,
                    organisation: "Tiny Blog".into(),
                },
            ),
            Command::new(
                Actor::integration("setup"),
                CustomerAction::Update {
                    customer: tiny,
                    command: CustomerCommand::AddContact {
                        contact: tom,
                        name: "Tom".into(),
                        addresses: vec![tom_email.clone()],
                    },
                },
            ),
            Command::new(
                Actor::integration("setup"),
                PeopleAction::RegisterAgent {
                    id: ana,
                    name: "Ana".into(),
                    time_zone: Chicago,
                    roles: vec![Role::Agent],
                    skills: vec![],
                },
            ),
            Command::new(
                Actor::integration("setup"),
                PeopleAction::RegisterAgent {
                    id: bill,
                    name: "Bill".into(),
                    time_zone: Chicago,
                    roles: vec![Role::Billing, Role::TeamLead],
                    skills: vec![],
                },
            ),
            Command::new(
                Actor::integration("setup"),
                PeopleAction::CreateTeam {
                    id: team,
                    name: "Front line".into(),
                },
            ),
        ];
        for cmd in setup {
            desk.execute(&mut store, cmd, now).unwrap();
        }
        World {
            ids,
            store,
            desk,
            now,
            acme,
            jane,
            jane_email,
            jane_phone,
            jane_x,
            tiny,
            tom,
            tom_email,
            ana,
            bill,
            team,
        }
    }

    pub fn run(&mut self, cmd: Command) -> Result<Vec<RecordedEvent>, fanatical::Error> {
        self.desk.execute(&mut self.store, cmd, self.now)
    }

    /// Escalates the trends at `now` through `graph`: decided by the
    /// incidents view, committed like any decision.
    pub fn escalate_trends(
        &mut self,
        graph: &fanatical::escalation::EscalationGraph,
        start: &str,
    ) -> Result<Vec<RecordedEvent>, fanatical::Error> {
        let decision = self
            .desk
            .incidents()
            .decide_trend_escalations(graph, start, self.now)?;
        self.desk.commit(&mut self.store, &decision)
    }

    pub fn tick(&mut self, minutes: i64) {
        self.now += Duration::minutes(minutes);
    }

    /// Jane emails support; returns the new ticket.
    pub fn jane_emails(&mut self, body: &str) -> TicketId {
        let id = self.ids.next_id();
        let msg = InboundMessage::new(id, Channel::Email, self.jane_email.clone(), body);
        self.run(Command::new(
            Actor::integration("inbound"),
            TicketAction::Receive(msg),
        ))
        .unwrap();
        id
    }

    /// Marks every message the desk hands out delivered.
    pub fn deliver_all(&mut self) {
        while let Some(m) = self.desk.poll_outbound(self.now) {
            self.run(Command::new(
                Actor::integration("transport"),
                fanatical::outbox::OutboxAction::MarkDelivered { message: m.id },
            ))
            .unwrap();
        }
    }

    /// Jane emails `body`; Ana takes the ticket, answers `reply` and
    /// solves it; the messages go out; Ana closes it. Returns the ticket.
    pub fn closed_ticket(&mut self, body: &str, reply: &str) -> TicketId {
        let ana = self.ana;
        let t = self.jane_emails(body);
        let run = |w: &mut World, action: TicketAction| {
            w.run(Command::new(Actor::Agent(ana), action)).unwrap();
        };
        run(self, TicketAction::assign(t, ana));
        self.run(Command::reply(t, ana, reply)).unwrap();
        run(
            self,
            TicketAction::set_status(t, fanatical::ticket::Status::Solved),
        );
        self.deliver_all();
        run(
            self,
            TicketAction::set_status(t, fanatical::ticket::Status::Closed),
        );
        t
    }

    /// Runs `cmd`, expects it to be refused with `err`, and checks that
    /// neither the desk nor the store changed.
    pub fn refused(&mut self, cmd: Command, err: impl Into<fanatical::Error>) {
        let desk_before = self.desk.clone();
        let store_before = self.store.clone();
        let err = err.into();
        assert_eq!(
            err.kind(),
            fanatical::error::ErrorKind::Refused,
            "{err} is not a refusal"
        );
        let got = self.run(cmd);
        assert_eq!(got, Err(err));
        assert_eq!(self.desk, desk_before, "a refused command changed the desk");
        assert_eq!(
            self.store, store_before,
            "a refused command wrote to the store"
        );
    }
}

/// A store wrapper that fails or conflicts on demand.
pub struct FlakyStore {
    pub inner: MemoryStore,
    pub fail_next_append: Option<StoreError>,
}

impl Store for FlakyStore {
    fn append(&mut self, batch: &[StreamWrite]) -> Result<Vec<RecordedEvent>, StoreError> {
        if let Some(e) = self.fail_next_append.take() {
            return Err(e);
        }
        self.inner.append(batch)
    }
    fn append_erasing(
        &mut self,
        batch: &[StreamWrite],
        erasure: &fanatical::store::Erasure,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        if let Some(e) = self.fail_next_append.take() {
            return Err(e);
        }
        self.inner.append_erasing(batch, erasure)
    }
    fn read_stream(&self, s: &StreamId, after: u64) -> Result<Vec<RecordedEvent>, StoreError> {
        self.inner.read_stream(s, after)
    }
    fn read_all(&self, after: u64, limit: usize) -> Result<Vec<RecordedEvent>, StoreError> {
        self.inner.read_all(after, limit)
    }
}

pub fn chicago_9_to_5() -> BusinessCalendar {
    BusinessCalendar::weekdays(Chicago, DayHours::parse(&[("09:00", "17:00")]).unwrap())
        .with_holidays([NaiveDate::from_ymd_opt(2026, 12, 25).unwrap()])
}

/// Social: first response within 5 minutes, 24x7, warn at 60%.
/// Everything else: 1 business hour first response, 2 h next response,
/// 8 business hours resolution (2 for urgent), on a Chicago 9-to-5.
/// Incidents tagged `outage`: a public update every 30 minutes, 24x7.
pub fn policies() -> SlaConfig {
    let policies = SlaPolicies::new(vec![
        SlaPolicy::new(
            "social",
            Conditions::any().on_channels([ChannelKind::Social]),
            vec![
                Target::new(Metric::FirstResponse, Duration::minutes(5), Clock::Always)
                    .warn_at([60]),
            ],
        ),
        SlaPolicy::new(
            "outage",
            Conditions::any()
                .of_types([TicketType::Incident])
                .tagged([Tag::new("outage").unwrap()]),
            vec![
                Target::new(Metric::PeriodicUpdate, Duration::minutes(30), Clock::Always)
                    .pause_on([])
                    .warn_at([80]),
                Target::new(Metric::Resolution, Duration::hours(4), Clock::Always),
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
                Target::new(Metric::Resolution, Duration::hours(2), Clock::SupportHours)
                    .for_priority(Priority::Urgent),
                Target::new(Metric::Resolution, Duration::hours(8), Clock::SupportHours),
            ],
        ),
    ])
    .unwrap();
    SlaConfig::new(policies).with_support_hours(chicago_9_to_5())
}

/// A positive count from the environment variable `name`, or `default`
/// when it is unset; panics (failing the test) on anything else.
pub fn positive<T: std::str::FromStr + PartialOrd + Default + Copy + std::fmt::Display>(
    name: &str,
    default: T,
) -> T {
    match std::env::var(name) {
        Err(std::env::VarError::NotPresent) => default,
        Err(std::env::VarError::NotUnicode(v)) => panic!("{name}={v:?} is not a number"),
        Ok(v) => match v.trim().parse::<T>() {
            Ok(n) if n > T::default() => n,
            Ok(n) => panic!("{name}={n}: at least one is needed, or nothing is tested"),
            Err(_) => panic!("{name}={v:?} is not a number"),
        },
    }
}

/// The refusal the desk gives `actor` for lacking `permission` (on
/// `ticket`), naming the roles of the desk's table that grant it.
pub fn denied(
    desk: &Desk,
    actor: Actor,
    permission: fanatical::permission::Permission,
    ticket: Option<TicketId>,
) -> fanatical::Error {
    fanatical::permission::PermissionError::Denied {
        actor,
        permission,
        ticket,
        granted_by: desk.permissions().roles_granting(permission),
    }
    .into()
}
