//! Business calendars and SLA policies, step by step.
//!
//! `cargo run --example sla_calendars`: a split-shift support calendar in
//! Chicago with a holiday and a short Christmas week, business-time
//! arithmetic across the DST change and a weekend, and a ticket whose
//! first-response clock warns, breaches and is fulfilled late.

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::America::Chicago;
use fanatical::actor::Actor;
use fanatical::channel::{Channel, ChannelAddress, ChannelKind};
use fanatical::customer::CustomerCommand;
use fanatical::desk::{Command, Desk, DeskConfig, InboundMessage};
use fanatical::desk::{CustomerAction, PeopleAction, TicketAction};
use fanatical::event::Event;
use fanatical::id::{AgentId, ContactId, CustomerId, IdGenerator, TicketId};
use fanatical::sla::{
    BusinessCalendar, Clock, Conditions, DayHours, Metric, SlaConfig, SlaEventKind, SlaPolicies,
    SlaPolicy, Target,
};
use fanatical::store::MemoryStore;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Weekdays 8:00–12:00 and 13:00–17:00 in Chicago; Thanksgiving off; a
    // short Christmas week.
    let hours = BusinessCalendar::weekdays(
        Chicago,
        DayHours::parse(&[("08:00", "12:00"), ("13:00", "17:00")])?,
    )
    .with_holidays([NaiveDate::from_ymd_opt(2026, 11, 26).ok_or("date")?])
    .with_exception(
        NaiveDate::from_ymd_opt(2026, 12, 21).ok_or("date")?,
        NaiveDate::from_ymd_opt(2026, 12, 24).ok_or("date")?,
        DayHours::parse(&[("09:00", "13:00")])?,
    )?;
    let show = |t: chrono::DateTime<Utc>| {
        t.with_timezone(&Chicago)
            .format("%a %d %b %H:%M %Z")
            .to_string()
    };

    println!("Business-time arithmetic on the support calendar");
    // Friday 30 October, 4 p.m.: 3 business hours later crosses the
    // weekend and the end of daylight saving time (1 November).
    let friday = Chicago
        .with_ymd_and_hms(2026, 10, 30, 16, 0, 0)
        .single()
        .ok_or("time")?
        .with_timezone(&Utc);
    let due = hours.add(friday, Duration::hours(3))?;
    println!("  {} + 3 business hours = {}", show(friday), show(due));
    println!(
        "  elapsed back: {} business hours",
        hours.elapsed(friday, due).num_minutes() as f64 / 60.0
    );
    // Wednesday before Thanksgiving, 4 p.m.: 2 hours lands on Friday.
    let wednesday = Chicago
        .with_ymd_and_hms(2026, 11, 25, 16, 0, 0)
        .single()
        .ok_or("time")?
        .with_timezone(&Utc);
    println!(
        "  {} + 2 business hours = {} (Thursday is a holiday)",
        show(wednesday),
        show(hours.add(wednesday, Duration::hours(2))?)
    );
    let xmas = Chicago
        .with_ymd_and_hms(2026, 12, 22, 12, 0, 0)
        .single()
        .ok_or("time")?
        .with_timezone(&Utc);
    println!(
        "  {} + 2 business hours = {} (Christmas week hours are 9–13)",
        show(xmas),
        show(hours.add(xmas, Duration::hours(2))?)
    );
    let at_lunch = Chicago
        .with_ymd_and_hms(2026, 11, 2, 12, 30, 0)
        .single()
        .ok_or("time")?
        .with_timezone(&Utc);
    println!(
        "  open at {}? {}; next opening {}",
        show(at_lunch),
        hours.is_open(at_lunch),
        show(hours.next_open(at_lunch)?)
    );

    // Policies: social within 5 minutes around the clock; everything else
    // within 1 business hour, warned at 50% and 75%.
    let policies = SlaPolicies::new(vec![
        SlaPolicy::new(
            "social",
            Conditions::any().on_channels([ChannelKind::Social]),
            vec![Target::new(
                Metric::FirstResponse,
                Duration::minutes(5),
                Clock::Always,
            )],
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
            ],
        ),
    ])?;
    let mut desk = Desk::new(
        DeskConfig::default().with_sla(SlaConfig::new(policies).with_support_hours(hours)),
    );
    let mut store = MemoryStore::new();
    let mut ids = IdGenerator::from_seed(9);
    let (acme, jane, ana, ticket): (CustomerId, ContactId, AgentId, TicketId) =
        (ids.next_id(), ids.next_id(), ids.next_id(), ids.next_id());
    let email = ChannelAddress::email("jane@acme.example")?;
    // Monday 2 November, 11:40: an email 20 minutes before lunch.
    let mut now = Chicago
        .with_ymd_and_hms(2026, 11, 2, 11, 40, 0)
        .single()
        .ok_or("time")?
        .with_timezone(&Utc);
    for cmd in [
        Command::new(
            Actor::integration("setup"),
            CustomerAction::Register {
                id: acme,
                organisation: "Acme".into(),
            },
        ),
        Command::new(
            Actor::integration("setup"),
            CustomerAction::Update {
                customer: acme,
                command: CustomerCommand::AddContact {
                    contact: jane,
                    name: "Jane".into(),
                    addresses: vec![email.clone()],
                },
            },
        ),
        Command::new(
            Actor::integration("setup"),
            PeopleAction::RegisterAgent {
                id: ana,
                name: "Ana".into(),
                time_zone: Chicago,
                roles: vec![fanatical::agent::Role::Agent],
                skills: vec![],
            },
        ),
        Command::new(
            Actor::integration("inbound"),
            TicketAction::Receive(InboundMessage::new(
                ticket,
                Channel::Email,
                email,
                "Our invoices page is blank",
            )),
        ),
    ] {
        desk.execute(&mut store, cmd, now)?;
    }
    println!(
        "\nA ticket at {} under the standard policy (1 business hour, warned at 50% and 75%)",
        show(now)
    );
    // Run the clock: fire every warning and breach as it falls due.
    let reply_at = Chicago
        .with_ymd_and_hms(2026, 11, 2, 13, 50, 0)
        .single()
        .ok_or("time")?
        .with_timezone(&Utc);
    while let Some(t) = desk.poll_timeout().filter(|t| *t <= reply_at) {
        now = t;
        for r in desk.handle_timeout(&mut store, now)? {
            if let Event::Sla(e) = &r.event {
                match &e.kind {
                    SlaEventKind::Warned { percent, .. } => {
                        println!("  {}: warned at {percent}%", show(now))
                    }
                    SlaEventKind::Breached { due, .. } => {
                        println!("  {}: breached (due {})", show(now), show(*due))
                    }
                    _ => {}
                }
            }
        }
    }
    now = reply_at;
    for r in desk.execute(
        &mut store,
        Command::reply(ticket, ana, "Fixed: a stale cache."),
        now,
    )? {
        if let Event::Sla(e) = &r.event
            && let SlaEventKind::Fulfilled {
                business_time,
                breached,
                ..
            } = &e.kind
        {
            println!(
                "  {}: answered after {} business minutes (breached: {breached})",
                show(now),
                business_time.num_minutes()
            );
        }
    }
    Ok(())
}
