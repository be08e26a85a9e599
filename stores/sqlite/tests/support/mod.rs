//! The fixtures of `fanatical`'s behaviour tests that the SQLite tests use:
//! the same small support organisation (`tests/it/support.rs` there) and
//! the same SLA policies (`tests/it/sla_desk.rs`), so a day on SQLite is
//! the day the library's tests run in memory.

use fanatical::actor::Actor;
use fanatical::agent::Role;
use fanatical::channel::{ChannelAddress, ChannelKind, SocialNetwork};
use fanatical::chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use fanatical::chrono_tz::America::Chicago;
use fanatical::customer::CustomerCommand;
use fanatical::desk::{Command, CustomerAction, Desk, DeskConfig, PeopleAction};
use fanatical::id::{AgentId, IdGenerator};
use fanatical::sla::{
    BusinessCalendar, Clock, Conditions, DayHours, Metric, SlaConfig, SlaPolicies, SlaPolicy,
    Target,
};
use fanatical::store::MemoryStore;
use fanatical::ticket::{Priority, Tag, TicketType};

/// A Monday, 2 a.m. UTC.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 2, 0, 0).unwrap()
}

/// A small support organisation on a memory store: Acme (Jane, on email,
/// phone and X), Tiny Blog (Tom), agents Ana and Bill, a front-line team.
pub struct World {
    pub ids: IdGenerator,
    pub store: MemoryStore,
    pub desk: Desk,
    pub now: DateTime<Utc>,
    pub jane_email: ChannelAddress,
    pub ana: AgentId,
}

impl World {
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
                        addresses: vec![jane_email.clone(), jane_phone, jane_x],
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
                        addresses: vec![tom_email],
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
                    roles: vec![Role::Billing],
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
            jane_email,
            ana,
        }
    }
}

fn chicago_9_to_5() -> BusinessCalendar {
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
