//! A Fanatical day: one day of a support organisation, from a fixed seed,
//! on the in-memory store, through the public API only.
//!
//! Run with `cargo run --example fanatical_day`. It prints a report a
//! support leader would read: volume and first-response times by channel,
//! the outbox, and the stories the crate was built from (the 2 a.m. call,
//! equal treatment, a social reply, a GIF, a remembered family, views).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::{DateTime, Duration, TimeZone, Utc};
use chrono_tz::America::Chicago;
use fanatical::agent::Role;
use fanatical::channel::{Channel, ChannelAddress, ChannelKind, SocialNetwork, Visibility};
use fanatical::customer::{
    AccountStanding, ConsentSource, Currency, CustomerCommand, Interest, Money, Relation, Tier,
};
use fanatical::desk::{Command, Desk, DeskConfig, InboundMessage};
use fanatical::id::{AgentId, ContactId, CustomerId, IdGenerator, TicketId};
use fanatical::outbox::DeliveryState;
use fanatical::sla::{
    BusinessCalendar, Clock, Conditions, DayHours, Metric, Phase, SlaConfig, SlaPolicies,
    SlaPolicy, Target,
};
use fanatical::store::{MemoryStore, Store};
use fanatical::ticket::{Attachment, Author, EntryVisibility, OpenTicket, Status, Tag, TicketType};
use fanatical::transport::{RecordingTransport, Transport};

const SEED: u64 = 20_261_102;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// Something that happens at a moment of the day.
#[derive(Debug, Clone)]
enum Action {
    Inbound(InboundMessage),
    Reply(TicketId, AgentId, String),
    ReplyWith(TicketId, AgentId, String, Attachment),
    Solve(TicketId, AgentId),
    Tag(TicketId, Tag),
    Story(&'static str),
}

struct Day {
    ids: IdGenerator,
    store: MemoryStore,
    desk: Desk,
    transport: RecordingTransport,
    agenda: BTreeMap<(DateTime<Utc>, u64), Action>,
    seq: u64,
    log: Vec<String>,
}

impl Day {
    fn at(&mut self, when: DateTime<Utc>, action: Action) {
        self.seq += 1;
        self.agenda.insert((when, self.seq), action);
    }

    fn run(&mut self, cmd: Command, now: DateTime<Utc>) -> Result<()> {
        self.desk.execute(&mut self.store, cmd, now)?;
        Ok(())
    }

    fn roll(&mut self, n: u64) -> u64 {
        self.ids.next_u64() % n
    }

    /// Runs every SLA timer and delivery retry due up to `until`, in time
    /// order, the way a service loop driven by `poll_timeout` does.
    fn catch_up(&mut self, until: DateTime<Utc>) -> Result<()> {
        while let Some(due) = self.desk.poll_timeout().filter(|t| *t <= until) {
            self.desk.handle_timeout(&mut self.store, due)?;
            self.deliver(due)?;
            if self.desk.poll_timeout() == Some(due) {
                break;
            }
        }
        Ok(())
    }

    /// Hands every due message to the transport and records the outcome.
    fn deliver(&mut self, now: DateTime<Utc>) -> Result<()> {
        while let Some(msg) = self.desk.poll_outbound(now) {
            let ack = match self.transport.deliver(&msg) {
                Ok(_) => Command::MarkDelivered { message: msg.id },
                Err(e) => Command::MarkFailed {
                    message: msg.id,
                    reason: e.to_string(),
                },
            };
            self.run(ack, now)?;
        }
        Ok(())
    }
}

fn local(h: u32, m: u32) -> DateTime<Utc> {
    Chicago
        .with_ymd_and_hms(2026, 11, 2, h, m, 0)
        .single()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default()
}

/// The SLA policies of the day. The front line is 24x7x365, so its clocks
/// are `Always`; billing answers in office hours (Chicago, 9 to 5 on
/// weekdays), which is what "support hours" means here.
fn config() -> DeskConfig {
    let office = BusinessCalendar::weekdays(
        Chicago,
        DayHours::parse(&[("09:00", "17:00")]).unwrap_or_default(),
    )
    .with_holidays(chrono::NaiveDate::from_ymd_opt(2026, 11, 26));
    let billing = Tag::new("billing").ok();
    let policies = SlaPolicies::new(vec![
        SlaPolicy::new(
            "social",
            Conditions::any().on_channels([ChannelKind::Social]),
            vec![
                Target::new(Metric::FirstResponse, Duration::minutes(5), Clock::Always)
                    .warn_at([60]),
                Target::new(Metric::NextResponse, Duration::minutes(30), Clock::Always),
            ],
        ),
        SlaPolicy::new(
            "billing",
            Conditions::any().tagged(billing),
            vec![
                Target::new(
                    Metric::FirstResponse,
                    Duration::hours(4),
                    Clock::SupportHours,
                ),
                Target::new(Metric::Resolution, Duration::hours(16), Clock::SupportHours),
            ],
        ),
        SlaPolicy::new(
            "standard",
            Conditions::any(),
            vec![
                Target::new(Metric::FirstResponse, Duration::hours(1), Clock::Always)
                    .warn_at([50, 75]),
                Target::new(Metric::NextResponse, Duration::hours(2), Clock::Always),
                Target::new(Metric::Resolution, Duration::hours(8), Clock::Always),
            ],
        ),
    ])
    .unwrap_or_default();
    DeskConfig::default().with_sla(SlaConfig::new(policies).with_support_hours(office))
}

fn main() -> Result<()> {
    let mut day = Day {
        ids: IdGenerator::from_seed(SEED),
        store: MemoryStore::new(),
        desk: Desk::new(config()),
        transport: RecordingTransport::new(),
        agenda: BTreeMap::new(),
        seq: 0,
        log: Vec::new(),
    };
    let start = local(0, 0);

    // ----- the organisation ---------------------------------------------
    let mut agents = Vec::new();
    for (name, tz, role) in [
        ("Ana (Chicago, nights)", Chicago, Role::Agent),
        (
            "Kofi (London, social)",
            chrono_tz::Europe::London,
            Role::Agent,
        ),
        ("Mei (Sydney)", chrono_tz::Australia::Sydney, Role::Agent),
        (
            "Luis (San Antonio)",
            chrono_tz::America::Chicago,
            Role::TeamLead,
        ),
    ] {
        let id: AgentId = day.ids.next_id();
        day.run(
            Command::RegisterAgent {
                id,
                name: name.into(),
                time_zone: tz,
                roles: vec![role],
                skills: vec![],
            },
            start,
        )?;
        agents.push(id);
    }
    let [ana, kofi, mei, luis] = [agents[0], agents[1], agents[2], agents[3]];
    let billing: AgentId = day.ids.next_id();
    day.run(
        Command::RegisterAgent {
            id: billing,
            name: "Bea (billing)".into(),
            time_zone: Chicago,
            roles: vec![Role::Billing],
            skills: vec![],
        },
        start,
    )?;

    // ----- customers: a VIP, a ten-dollar blog, and a crowd --------------
    let usd = Currency::new("USD")?;
    // (customer, contact, email, phone, chat)
    let mut contacts: Vec<(
        CustomerId,
        ContactId,
        ChannelAddress,
        ChannelAddress,
        ChannelAddress,
    )> = Vec::new();
    let mut new_customer = |day: &mut Day,
                            org: &str,
                            person: &str,
                            spend: i64,
                            tier: Tier,
                            handle: Option<&str>|
     -> Result<(CustomerId, ContactId)> {
        let (c, p): (CustomerId, ContactId) = (day.ids.next_id(), day.ids.next_id());
        let slug: String = person
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_lowercase();
        let email = ChannelAddress::email(format!("{slug}@{}.example", c.as_uuid().simple()))?;
        let phone = ChannelAddress::phone(format!("+1 210 555 {:04}", contacts.len()))?;
        let chat = ChannelAddress::chat(format!("{slug}-{}", contacts.len()))?;
        let mut addresses = vec![email.clone(), phone.clone(), chat.clone()];
        if let Some(h) = handle {
            addresses.push(ChannelAddress::social(SocialNetwork::X, h)?);
        }
        day.run(
            Command::RegisterCustomer {
                id: c,
                organisation: org.into(),
            },
            start,
        )?;
        day.run(
            Command::UpdateCustomer {
                customer: c,
                command: CustomerCommand::AddContact {
                    contact: p,
                    name: person.into(),
                    addresses,
                },
            },
            start,
        )?;
        day.run(
            Command::UpdateCustomer {
                customer: c,
                command: CustomerCommand::SetAccountStanding {
                    standing: AccountStanding {
                        monthly_spend: Money {
                            minor: spend,
                            currency: usd,
                        },
                        tier,
                    },
                },
            },
            start,
        )?;
        contacts.push((c, p, email, phone, chat));
        Ok((c, p))
    };
    let (vip, jane) = new_customer(
        &mut day,
        "Big Retail Co",
        "Jane Park",
        25_000_000,
        Tier::Enterprise,
        None,
    )?;
    let (blog, sam) = new_customer(
        &mut day,
        "Ten Dollar Blog",
        "Sam Ortiz",
        1_000,
        Tier::Standard,
        None,
    )?;
    let (_, sarah) = new_customer(
        &mut day,
        "Sarah's Studio",
        "Sarah Lee",
        9_900,
        Tier::Standard,
        Some("@sarah_builds"),
    )?;
    let first_names = [
        "Ava", "Ben", "Chloe", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivan", "Jo",
    ];
    for i in 0..40u64 {
        let name = format!("{} {}", first_names[(i % 10) as usize], i);
        let spend = 1_000 + (day.ids.next_u64() % 5_000_000) as i64;
        new_customer(
            &mut day,
            &format!("Customer {i}"),
            &name,
            spend,
            Tier::Business,
            None,
        )?;
    }
    let contacts = contacts;
    let address_of = |contact: ContactId| {
        contacts
            .iter()
            .find(|c| c.1 == contact)
            .map(|c| (c.2.clone(), c.3.clone()))
    };

    // ----- the stories ----------------------------------------------------
    // 2 a.m.: the ten-dollar blog and the VIP both call. Same treatment.
    let (sam_email, sam_phone) = address_of(sam).ok_or("sam")?;
    let (jane_email, jane_phone) = address_of(jane).ok_or("jane")?;
    let call_blog: TicketId = day.ids.next_id();
    let call_vip: TicketId = day.ids.next_id();
    day.at(
        local(2, 0),
        Action::Story("2:00 a.m. — two customers call at once"),
    );
    day.at(
        local(2, 0),
        Action::Inbound(InboundMessage::new(
            call_blog,
            Channel::Phone,
            sam_phone,
            "My blog shows a 502 error",
        )),
    );
    day.at(
        local(2, 1),
        Action::Inbound(InboundMessage::new(
            call_vip,
            Channel::Phone,
            jane_phone,
            "Checkout is slow",
        )),
    );
    day.at(
        local(2, 3),
        Action::Reply(
            call_blog,
            ana,
            "PHP-FPM restarted; your blog is back.".into(),
        ),
    );
    day.at(
        local(2, 4),
        Action::Reply(
            call_vip,
            mei,
            "Cache node replaced; checkout is fast again.".into(),
        ),
    );
    day.at(local(2, 10), Action::Solve(call_blog, ana));
    day.at(local(2, 12), Action::Solve(call_vip, mei));

    // A public post on X, answered in minutes.
    let sarah_x = ChannelAddress::social(SocialNetwork::X, "@sarah_builds")?;
    let x_public = Channel::Social {
        network: SocialNetwork::X,
        visibility: Visibility::Public,
    };
    let social: TicketId = day.ids.next_id();
    day.at(
        local(8, 40),
        Action::Story("8:40 a.m. — a public post on X"),
    );
    day.at(
        local(8, 40),
        Action::Inbound(InboundMessage::new(
            social,
            x_public,
            sarah_x,
            "@support my store is down and I have a sale today!!",
        )),
    );
    day.at(
        local(8, 43),
        Action::Reply(
            social,
            kofi,
            "@sarah_builds we're on it — DM us your account number and we'll call you.".into(),
        ),
    );

    // A second post, in the afternoon rush, waits twelve minutes.
    let late_social: TicketId = day.ids.next_id();
    let sarah_again = ChannelAddress::social(SocialNetwork::X, "@sarah_builds")?;
    day.at(
        local(15, 0),
        Action::Story("3:00 p.m. — another post on X, in the rush"),
    );
    day.at(
        local(15, 0),
        Action::Inbound(InboundMessage::new(
            late_social,
            Channel::Social {
                network: SocialNetwork::X,
                visibility: Visibility::Public,
            },
            sarah_again,
            "@support checkout is throwing 500s again",
        )),
    );
    day.at(
        local(15, 12),
        Action::Reply(
            late_social,
            kofi,
            "@sarah_builds sorry for the wait — fixed, and we're watching it.".into(),
        ),
    );

    // A GIF of thanks, and a GIF back.
    let gif_ticket: TicketId = day.ids.next_id();
    day.at(
        local(10, 0),
        Action::Story("10:00 a.m. — a thank-you with an animated GIF"),
    );
    day.at(
        local(10, 0),
        Action::Inbound(
            InboundMessage::new(
                gif_ticket,
                Channel::Email,
                sam_email,
                "You saved my launch. Have a GIF!",
            )
            .with_subject("THANK YOU")
            .with_attachment(Attachment::new(
                "happy-dance.gif",
                "image/gif",
                1_843_200,
            )?),
        ),
    );
    day.at(
        local(10, 6),
        Action::ReplyWith(
            gif_ticket,
            luis,
            "Right back at you!".into(),
            Attachment::new("high-five.gif", "image/gif", 982_112)?,
        ),
    );

    // Background volume: customers write on every channel all day; agents
    // answer within 1 to 90 minutes and solve most.
    let channels = [
        Channel::Phone,
        Channel::Email,
        Channel::Portal,
        Channel::Chat,
        Channel::Email,
        Channel::Phone,
    ];
    let mut background = 0;
    for _ in 0..160 {
        let who = contacts[3 + day.roll((contacts.len() - 3) as u64) as usize].clone();
        let channel = channels[day.roll(channels.len() as u64) as usize].clone();
        let from = match channel.kind() {
            ChannelKind::Phone => who.3.clone(),
            ChannelKind::Chat => who.4.clone(),
            _ => who.2.clone(),
        };
        let opened = start + Duration::minutes(day.roll(24 * 60) as i64);
        let id: TicketId = day.ids.next_id();
        let subject = [
            "Server unreachable",
            "DNS change",
            "Invoice question",
            "SSL renewal",
            "Backup restore",
            "Slow database",
        ][day.roll(6) as usize];
        day.at(
            opened,
            Action::Inbound(InboundMessage::new(id, channel.clone(), from, subject)),
        );
        if subject == "Invoice question" {
            day.at(opened, Action::Tag(id, Tag::new("billing")?));
        }
        let agent = agents[day.roll(agents.len() as u64) as usize];
        // Calls are answered live, chats in minutes, written channels later.
        let wait = match channel.kind() {
            ChannelKind::Phone => day.roll(3),
            ChannelKind::Chat => 1 + day.roll(5),
            _ => 5 + day.roll(115),
        };
        let answered = opened + Duration::minutes(wait as i64);
        day.at(
            answered,
            Action::Reply(
                id,
                agent,
                format!("Re: {subject} — done, and I checked your other servers too."),
            ),
        );
        if day.roll(10) < 8 {
            day.at(answered + Duration::minutes(5), Action::Solve(id, agent));
        }
        background += 1;
    }

    // ----- run the day ----------------------------------------------------
    // The email gateway is down for the first messages after 11:00.
    let mut gateway_broken = false;
    while let Some(((now, _), action)) = day.agenda.pop_first() {
        if !gateway_broken && now >= local(11, 0) {
            day.transport.fail_next(5);
            gateway_broken = true;
            day.log.push(format!(
                "{} the email gateway fails five deliveries; the outbox retries",
                now.with_timezone(&Chicago).format("%H:%M")
            ));
        }
        // Fire SLA timers and deliver what became due before this moment.
        day.catch_up(now)?;
        match action {
            Action::Inbound(msg) => day.run(Command::ReceiveMessage(msg), now)?,
            Action::Reply(t, a, body) => day.run(Command::reply(t, a, &body), now)?,
            Action::ReplyWith(t, a, body, file) => day.run(
                Command::Reply {
                    ticket: t,
                    agent: a,
                    body,
                    attachments: vec![file],
                },
                now,
            )?,
            Action::Solve(t, a) => {
                day.run(Command::assign(t, a), now)?;
                day.run(Command::set_status(t, Status::Solved), now)?;
            }
            Action::Tag(t, tag) => day.run(Command::tag(t, tag), now)?,
            Action::Story(s) => day.log.push(s.to_owned()),
        }
        day.deliver(now)?;
    }
    day.catch_up(local(23, 59))?;

    // An agent remembers the VIP's family and team, with consent.
    let after = local(12, 0);
    for cmd in [
        CustomerCommand::RecordConsent {
            contact: jane,
            source: ConsentSource::Agent(mei),
        },
        CustomerCommand::AddFamilyMember {
            contact: jane,
            name: "Lily".into(),
            relation: Relation::Child,
        },
        CustomerCommand::AddInterest {
            contact: jane,
            interest: Interest {
                topic: "favourite team".into(),
                detail: "San Antonio Spurs".into(),
            },
        },
    ] {
        day.run(
            Command::UpdateCustomer {
                customer: vip,
                command: cmd,
            },
            after,
        )?;
    }
    // A video onboarding session for a new account, and an internal note.
    let onboarding: TicketId = day.ids.next_id();
    day.run(
        Command::OpenTicket(
            OpenTicket::new(
                onboarding,
                vip,
                "Onboarding call: new Kubernetes cluster",
                Channel::Video,
            )
            .requested_by(jane)
            .with_type(TicketType::Task)
            .with_message(
                Author::Agent(luis),
                "Walked Jane's team through the cluster on video.",
            ),
        ),
        after,
    )?;
    day.run(
        Command::note(
            onboarding,
            luis,
            "Their CTO prefers Slack updates over email.",
        ),
        after,
    )?;
    let _ = (sarah, jane_email, blog);

    // ----- the report -------------------------------------------------------
    let mut out = String::new();
    writeln!(
        out,
        "A FANATICAL DAY — Monday 2 November 2026 (America/Chicago), seed {SEED}"
    )?;
    writeln!(out, "{}", "=".repeat(72))?;
    writeln!(out, "\nStories")?;
    for l in &day.log {
        writeln!(out, "  - {l}")?;
    }
    writeln!(out, "\nVolume and first response by channel")?;
    writeln!(
        out,
        "  {:<22} {:>7} {:>7} {:>22}",
        "channel", "opened", "solved", "first response (median)"
    )?;
    let mut by_channel: BTreeMap<String, (usize, usize, Vec<i64>)> = BTreeMap::new();
    for t in day.desk.tickets() {
        let row = by_channel.entry(t.channel().to_string()).or_default();
        row.0 += 1;
        if t.status() == Status::Solved {
            row.1 += 1;
        }
        let first = t.conversation().iter().find(|e| {
            matches!(e.author, Author::Agent(_)) && e.visibility == EntryVisibility::Public
        });
        if let Some(e) = first {
            row.2.push((e.at - t.opened_at()).num_minutes());
        }
    }
    for (channel, (opened, solved, mut firsts)) in by_channel {
        firsts.sort_unstable();
        let median = firsts
            .get(firsts.len() / 2)
            .map_or("—".to_owned(), |m| format!("{m} min"));
        writeln!(out, "  {channel:<22} {opened:>7} {solved:>7} {median:>22}")?;
    }
    let delivered = day
        .desk
        .outbox()
        .filter(|e| e.state == DeliveryState::Delivered)
        .count();
    let retried = day.desk.outbox().filter(|e| e.failures > 0).count();
    writeln!(
        out,
        "\nSLA attainment by channel and metric (met / missed; still running)"
    )?;
    let mut sla: BTreeMap<(String, Metric), (usize, usize, usize)> = BTreeMap::new();
    for record in day.desk.slas() {
        let Some(t) = day.desk.ticket(record.ticket) else {
            continue;
        };
        for m in record.metrics() {
            let row = sla
                .entry((t.channel().kind().to_string(), m.key.metric))
                .or_default();
            match (&m.phase, m.breached.is_some()) {
                (_, true) => row.1 += 1,
                (Phase::Fulfilled { .. }, false) => row.0 += 1,
                (Phase::Active { .. } | Phase::Paused, false) => row.2 += 1,
                _ => {}
            }
        }
    }
    for ((channel, metric), (met, missed, running)) in &sla {
        let pct = if met + missed > 0 {
            format!("{:.1}%", 100.0 * *met as f64 / (*met + *missed) as f64)
        } else {
            "—".to_owned()
        };
        writeln!(
            out,
            "  {channel:<8} {:<16} {met:>4} / {missed:<3} {pct:>7}   ({running} running)",
            metric.to_string()
        )?;
    }
    let policies: BTreeMap<String, usize> = day.desk.slas().fold(BTreeMap::new(), |mut acc, s| {
        *acc.entry(s.policy.clone().unwrap_or_else(|| "none".into()))
            .or_default() += 1;
        acc
    });
    writeln!(out, "  policies in force: {policies:?}")?;
    if let Some(m) = day.desk.ticket_sla(late_social).and_then(|s| {
        s.metrics()
            .iter()
            .find(|m| m.key.metric == Metric::FirstResponse)
    }) {
        writeln!(
            out,
            "  the 3 p.m. post breached its 5-minute first response at {} (recorded once)",
            m.breached
                .map(|b| b.with_timezone(&Chicago).format("%H:%M").to_string())
                .unwrap_or_default()
        )?;
    }

    writeln!(out, "\nOutbox")?;
    writeln!(
        out,
        "  {delivered} messages delivered ({retried} after retries), {} still pending",
        day.desk.undelivered()
    )?;
    writeln!(
        out,
        "  transport saw {} attempts; {} duplicate deliveries dropped by idempotency key",
        day.transport.attempts(),
        day.transport.duplicates()
    )?;

    writeln!(out, "\nEqual treatment at 2 a.m.")?;
    for (label, t) in [("ten-dollar blog", call_blog), ("VIP retailer", call_vip)] {
        let ticket = day.desk.ticket(t).ok_or("ticket")?;
        let first = ticket
            .conversation()
            .get(1)
            .map(|e| (e.at - ticket.opened_at()).num_minutes());
        let view = serde_json::to_value(day.desk.agent_customer_view(ticket.customer())?)?;
        let keys: Vec<String> = view
            .as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default();
        writeln!(
            out,
            "  {label:<16} answered in {} min; the agent sees fields {keys:?}",
            first.unwrap_or(-1)
        )?;
    }
    let account = day.desk.account_customer_view(vip, billing)?;
    let spend = account
        .standing
        .map(|s| s.monthly_spend.to_string())
        .unwrap_or_default();
    writeln!(
        out,
        "  billing (and only billing, account managers, executives) sees the VIP's spend: {spend}"
    )?;
    writeln!(
        out,
        "  an agent asking for it is refused: {}",
        day.desk
            .account_customer_view(vip, ana)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
    )?;

    writeln!(out, "\nA public post on X")?;
    let s = day.desk.ticket(social).ok_or("social")?;
    let reply = s.conversation().get(1).ok_or("reply")?;
    writeln!(out, "  \"{}\"", s.conversation()[0].body)?;
    writeln!(
        out,
        "  answered publicly in {} min: \"{}\"",
        (reply.at - s.opened_at()).num_minutes(),
        reply.body
    )?;

    writeln!(out, "\nA GIF is a first-class citizen")?;
    for e in day.desk.ticket(gif_ticket).ok_or("gif")?.conversation() {
        for a in &e.attachments {
            writeln!(
                out,
                "  {} ({}, {} KiB, plays inline: {})",
                a.file_name,
                a.media_type,
                a.size / 1024,
                a.media_type.is_animated_image_capable()
            )?;
        }
    }

    writeln!(out, "\nRemembering people (with consent)")?;
    let view = day.desk.agent_customer_view(vip)?;
    for c in &view.contacts {
        if let Some(p) = &c.personal {
            let family: Vec<String> = p
                .family
                .iter()
                .map(|f| format!("{} ({})", f.name, f.relation))
                .collect();
            let interests: Vec<String> = p
                .interests
                .iter()
                .map(|i| format!("{}: {}", i.topic, i.detail))
                .collect();
            writeln!(
                out,
                "  {}: family {}; {}",
                c.name,
                family.join(", "),
                interests.join(", ")
            )?;
        }
    }

    writeln!(out, "\nWhat the customer sees of the onboarding ticket")?;
    let cv = day.desk.customer_ticket_view(onboarding, jane)?;
    let av = day.desk.agent_ticket_view(onboarding)?;
    writeln!(
        out,
        "  agents see {} entries, the customer sees {} (internal notes stay internal)",
        av.conversation.len(),
        cv.conversation.len()
    )?;

    let rebuilt = Desk::rebuild(&day.store, config())?;
    let events = day.store.read_all(0, usize::MAX)?.len();
    writeln!(out, "\nThe record")?;
    writeln!(
        out,
        "  {events} events; {background} background conversations; a desk rebuilt from the store is {}",
        if rebuilt == day.desk {
            "identical"
        } else {
            "DIFFERENT"
        }
    )?;
    print!("{out}");
    if rebuilt != day.desk {
        return Err("rebuilt desk differs".into());
    }
    Ok(())
}
