//! A truck hits the power system and a datacenter goes dark (story 004).
//!
//! `cargo run --example datacenter_outage`: 200 customers, a third of them
//! in DFW1; the incident declared against the datacenter, updates for
//! engineers and for decision makers on a 30-minute cadence (one late),
//! callers' tickets linked and solved with the resolution, credits by
//! contract with reason codes, follow-ups six weeks later, and the timeline.

use std::collections::BTreeMap;

use chrono::{Duration, TimeZone, Utc};
use fanatical::actor::Actor;
use fanatical::agent::Role;
use fanatical::channel::{Channel, ChannelAddress};
use fanatical::customer::{AccountStanding, ContactRole, Currency, CustomerCommand, Money, Tier};
use fanatical::desk::{Command, Desk, DeskConfig, InboundMessage};
use fanatical::desk::{CustomerAction, IncidentAction, PeopleAction, TicketAction};
use fanatical::id::{AgentId, ComponentId, CustomerId, IdGenerator, IncidentId, TicketId};
use fanatical::incident::{
    Audience, Cadence, ComponentCatalog, ComponentState, CreditConfig, CreditPolicy,
    IncidentConfig, IncidentStatus, Messages, ReasonCode,
};
use fanatical::outbox::OutboxAction;
use fanatical::store::MemoryStore;
use fanatical::survey::{Question, QuestionKind, SurveyConfig, SurveyDraft};
use fanatical::transport::{RecordingTransport, Transport};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let c = |s: &str| ComponentId::new(s);
    let catalog = ComponentCatalog::new()
        .with(c("dfw1")?, "DFW1 datacenter, Fort Worth", None)?
        .with(
            c("dfw1/servers")?,
            "Dedicated servers in DFW1",
            Some(c("dfw1")?),
        )?
        .with(c("dfw1/cloud")?, "Cloud servers in DFW1", Some(c("dfw1")?))?
        .with(c("lon3")?, "LON3 datacenter, London", None)?;
    let credits = CreditConfig::default()
        .with_reason(
            "sla-outage",
            "Downtime credit under the 100% network uptime guarantee",
        )?
        .with_reason("goodwill", "Goodwill credit for the trouble")?
        .with_tier(
            Tier::Enterprise,
            CreditPolicy::new(ReasonCode::new("sla-outage")?, 500, 10_000)?,
        )?
        .with_default(CreditPolicy::new(ReasonCode::new("goodwill")?, 100, 2_000)?)?;
    let follow_up = SurveyDraft::new("after-the-outage")
        .question(
            Question::new(
                "happy",
                "Are you happy with us after the outage?",
                QuestionKind::scale(),
            )
            .required(),
        )
        .question(Question::new(
            "why",
            "Anything we should do better?",
            QuestionKind::Comment,
        ))
        .validate()?;
    let config = DeskConfig::default()
        .with_incidents(
            IncidentConfig::default()
                .with_components(catalog)
                .with_credits(credits)
                .with_follow_up(Some("after-the-outage"), Duration::days(42))?,
        )
        .with_surveys(SurveyConfig::default().with_survey(follow_up));

    let mut ids = IdGenerator::from_seed(2007);
    let mut store = MemoryStore::new();
    let mut desk = Desk::new(config);
    // Monday 12 November 2007, 3:50 p.m. in Fort Worth.
    let mut now = Utc.with_ymd_and_hms(2007, 11, 12, 21, 50, 0).unwrap();
    let (ceo, ana): (AgentId, AgentId) = (ids.next_id(), ids.next_id());
    for (id, name, role) in [(ceo, "Lanham", Role::Executive), (ana, "Ana", Role::Agent)] {
        desk.execute(
            &mut store,
            Command::new(
                Actor::integration("setup"),
                PeopleAction::RegisterAgent {
                    id,
                    name: name.into(),
                    time_zone: chrono_tz::America::Chicago,
                    roles: vec![role],
                    skills: vec![],
                },
            ),
            now,
        )?;
    }
    let mut customers: Vec<(CustomerId, ChannelAddress)> = Vec::new();
    for i in 0..200 {
        let id: CustomerId = ids.next_id();
        let (owner, ops) = (ids.next_id(), ids.next_id());
        let owner_email = ChannelAddress::email(format!("owner{i}@example.com"))?;
        let component = match i % 3 {
            0 => "dfw1/servers",
            1 => "dfw1/cloud",
            _ => "lon3",
        };
        let tier = if i % 10 == 0 {
            Tier::Enterprise
        } else {
            Tier::Standard
        };
        desk.execute(
            &mut store,
            Command::new(
                Actor::integration("setup"),
                CustomerAction::Register {
                    id,
                    organisation: format!("Customer {i}"),
                },
            ),
            now,
        )?;
        for command in [
            CustomerCommand::AddContact {
                contact: owner,
                name: format!("Owner {i}"),
                addresses: vec![owner_email.clone()],
            },
            CustomerCommand::AddContact {
                contact: ops,
                name: format!("Ops {i}"),
                addresses: vec![ChannelAddress::email(format!("ops{i}@example.com"))?],
            },
            CustomerCommand::DesignateContact {
                contact: owner,
                role: ContactRole::Primary,
            },
            CustomerCommand::DesignateContact {
                contact: ops,
                role: ContactRole::Technical,
            },
            CustomerCommand::RunOn {
                component: c(component)?,
            },
            CustomerCommand::SetAccountStanding {
                standing: AccountStanding {
                    monthly_spend: Money {
                        minor: if tier == Tier::Enterprise {
                            2_500_000
                        } else {
                            9_900
                        },
                        currency: Currency::new("USD")?,
                    },
                    tier,
                },
            },
        ] {
            desk.execute(
                &mut store,
                Command::new(
                    Actor::integration("setup"),
                    CustomerAction::Update {
                        customer: id,
                        command,
                    },
                ),
                now,
            )?;
        }
        customers.push((id, owner_email));
    }

    // 3:55 p.m.: the incident.
    now += Duration::minutes(5);
    let incident: IncidentId = ids.next_id();
    desk.execute(
        &mut store,
        Command::new(Actor::Agent(ceo), IncidentAction::Declare {
            incident,
            title: "DFW1 power loss".into(),
            commander: ceo,
            status: IncidentStatus::Investigating,
            components: BTreeMap::from([(c("dfw1")?, ComponentState::MajorOutage)]),
            cadence: Some(Cadence::every_minutes(30, 5)?),
            messages: Messages::from([
                (Audience::Technical, "A vehicle struck the transformer feeding DFW1; chillers are down and servers are being powered off to protect them.".into()),
                (Audience::Business, "Sites hosted in DFW1 are down. We are working to restore power; next update within 30 minutes.".into()),
                (Audience::Public, "We are investigating a power problem in our DFW1 datacenter.".into()),
            ]),
        }),
        now,
    )?;
    let affected = desk
        .incidents()
        .get(incident)
        .map_or(0, |i| i.affected().len());
    println!(
        "Declared at {now}: {affected} of {} customers affected; {} updates queued",
        customers.len(),
        desk.channels().undelivered()
    );

    // Callers: any agent sees the briefing; their tickets are linked.
    let mut callers: Vec<TicketId> = Vec::new();
    let hit: Vec<(CustomerId, ChannelAddress)> = customers
        .iter()
        .filter(|(c, _)| desk.incidents().briefings(*c, now).len() == 1)
        .take(12)
        .cloned()
        .collect();
    for (customer, email) in &hit {
        now += Duration::minutes(1);
        let t: TicketId = ids.next_id();
        desk.execute(
            &mut store,
            Command::new(
                Actor::integration("inbound"),
                TicketAction::Receive(InboundMessage::new(
                    t,
                    Channel::Email,
                    email.clone(),
                    "Our site is down!",
                )),
            ),
            now,
        )?;
        let b = &desk.incidents().briefings(*customer, now)[0];
        if callers.is_empty() {
            println!(
                "An agent taking the first call sees: [{}] {}; next update due {:?}",
                b.status, b.title, b.next_update_due
            );
        }
        callers.push(t);
    }
    desk.execute(
        &mut store,
        Command::new(
            Actor::integration("setup"),
            IncidentAction::LinkTickets {
                incident,
                tickets: callers.clone(),
            },
        ),
        now,
    )?;

    // Updates on the cadence; the second one is late.
    for (minutes, status, state, business) in [
        (
            10,
            IncidentStatus::Identified,
            ComponentState::MajorOutage,
            "The cause is known: utility power. Generators are being started.",
        ),
        (
            80,
            IncidentStatus::Monitoring,
            ComponentState::PartialOutage,
            "Power is back for most racks; servers are booting.",
        ),
        (
            20,
            IncidentStatus::Resolved,
            ComponentState::Operational,
            "Every server in DFW1 is back. We are sorry; credits follow.",
        ),
    ] {
        let target = now + Duration::minutes(minutes);
        while let Some(t) = desk.poll_timeout().filter(|t| *t <= target) {
            now = t;
            let fired = desk.handle_timeout(&mut store, now)?;
            if !fired.is_empty()
                && let Some(e) = desk
                    .incidents()
                    .get(incident)
                    .and_then(|i| i.events().last())
            {
                println!(
                    "{}: commander paged: {}",
                    now.format("%H:%M"),
                    e.kind.summary()
                );
            }
        }
        now = target;
        desk.execute(
            &mut store,
            Command::new(Actor::Agent(ceo), IncidentAction::Update {
                incident,
                status,
                components: BTreeMap::from([(c("dfw1")?, state)]),
                messages: Messages::from([(Audience::Business, business.into())]),
                spokesperson: None,
                solve_linked: (status == IncidentStatus::Resolved).then(|| "The DFW1 outage is over and your site is back. Thank you for your patience.".into()),
            }),
            now,
        )?;
    }
    desk.execute(
        &mut store,
        Command::new(
            Actor::integration("setup"),
            IncidentAction::IssueCredits { incident },
        ),
        now,
    )?;

    // Deliver everything.
    let mut transport = RecordingTransport::new();
    while let Some(m) = desk.poll_outbound(now) {
        transport.deliver(&m)?;
        desk.execute(
            &mut store,
            Command::new(
                Actor::integration("transport"),
                OutboxAction::MarkDelivered { message: m.id },
            ),
            now,
        )?;
    }
    println!(
        "{} messages delivered (updates to owners and engineers, replies to callers, pages)",
        transport.delivered().len()
    );

    // Six weeks later: follow-ups.
    now += Duration::days(42);
    desk.handle_timeout(&mut store, now)?;

    let i = desk.incidents().get(incident).ok_or("no incident")?;
    let solved = callers
        .iter()
        .filter(|t| {
            desk.tickets()
                .get(**t)
                .is_some_and(|t| !t.status().is_unsolved())
        })
        .count();
    let total: i64 = i.credits().values().map(|c| c.amount.minor).sum();
    println!(
        "\nResolved: {solved} of {} linked tickets solved with the final message",
        callers.len()
    );
    println!(
        "Credits: {} customers, {}.{:02} USD in total",
        i.credits().len(),
        total / 100,
        total % 100
    );
    for (reason, n) in i
        .credits()
        .values()
        .fold(BTreeMap::<&str, usize>::new(), |mut m, c| {
            *m.entry(c.reason.as_str()).or_default() += 1;
            m
        })
    {
        println!("  {n} × {reason}");
    }
    println!("Follow-ups: {} sent six weeks on", i.followed_up().len());
    println!("\nTimeline:");
    for line in desk
        .incidents()
        .timeline(incident, ceo)?
        .lines()
        .iter()
        .filter(|l| {
            !l.contains("credit issued") && !l.contains("follow-up") && !l.contains(" linked")
        })
    {
        println!("  {line}");
    }
    assert_eq!(Desk::rebuild(&store, desk.config().clone())?, desk);
    Ok(())
}
