//! The wire format does not drift: golden JSON for every event kind, for
//! a business calendar and for a survey definition, and older records
//! still read.
//!
//! `FANATICAL_BLESS=1 cargo test --test it golden` writes the file of a
//! new event kind, and rewrites changed files only after
//! `event::SCHEMA_VERSION` moved and the old version's files are frozen in
//! `tests/golden/v<old>` (which are read back forever); otherwise it
//! refuses, naming the file. CI fails on any change under
//! `tests/golden` that a run leaves behind.

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::Duration;
use fanatical::actor::{Actor, CommandKey};
use fanatical::agent::{AgentCommand, Role, Skill, TeamCommand};
use fanatical::channel::ChannelAction;
use fanatical::channel::{Channel, ChannelAddress, ChannelKind, SocialNetwork};
use fanatical::coaching::{CoachingAction, MistakeKind};
use fanatical::customer::{
    AccountStanding, ConsentSource, ContactRole, Currency, CustomerCommand, ErasureScope, Interest,
    Money, Relation, Tier,
};
use fanatical::desk::{Command, Desk, DeskConfig};
use fanatical::desk::{
    CustomerAction, IncidentAction, PeopleAction, RecognitionAction, SurveyAction, TicketAction,
};
use fanatical::event::{Event, SCHEMA_VERSION, StreamId};
use fanatical::guard::PostAction;
use fanatical::id::{ComponentId, IncidentId, PostId, PraiseId};
use fanatical::incident::{Audience, ComponentState, IncidentStatus, Messages};
use fanatical::outbox::OutboxAction;
use fanatical::recognition::PraiseSource;
use fanatical::store::{RecordedEvent, Store, StoreError};
use fanatical::survey::{
    Answer, Question, QuestionKind, Rating, Response, SurveyConfig, SurveyDraft,
};
use fanatical::ticket::{LinkKind, Priority, Status, Tag, TicketCommand, TicketType};

use crate::support::World;

fn dir(sub: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(sub)
}

fn bless() -> bool {
    std::env::var("FANATICAL_BLESS").is_ok_and(|v| v == "1")
}

/// Every variant tag serde knows for an aggregate's events, from serde's
/// own "expected one of" list: a new variant cannot hide from this test.
fn variants(aggregate: &str) -> Vec<String> {
    let probe = format!(
        r#"{{"aggregate":"{aggregate}","event":{{"at":"2026-01-01T00:00:00Z","kind":{{"type":"__none"}}}}}}"#
    );
    let err = serde_json::from_str::<Event>(&probe)
        .unwrap_err()
        .to_string();
    let list = err
        .split("expected")
        .nth(1)
        .unwrap_or_else(|| panic!("{err}"));
    list.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

const AGGREGATES: [&str; 20] = [
    "customer",
    "agent",
    "team",
    "ticket",
    "outbox",
    "sla",
    "survey",
    "recognition",
    "coaching",
    "post",
    "crisis",
    "channel",
    "incident",
    "trend",
    "command",
    "refund",
    "permission",
    "fields",
    "triage",
    "rules",
];

fn kind_of(e: &Event) -> (String, String) {
    let v = serde_json::to_value(e).unwrap();
    (
        v["aggregate"].as_str().unwrap().to_owned(),
        v["event"]["kind"]["type"].as_str().unwrap().to_owned(),
    )
}

fn all(w: &World) -> Vec<RecordedEvent> {
    w.store.read_all(0, usize::MAX).unwrap()
}

/// Customers, agents and teams in every state they can be put in.
/// The record was written before permissions, when anyone could act:
/// every built-in role may issue every command here, so the files keep
/// their actors, streams and positions. Who sees crisis details and spend
/// stays as by default: the desk routes crises by it.
fn legacy(config: DeskConfig) -> DeskConfig {
    use fanatical::permission::{Permission, PermissionTable, Scope};
    let mut table = PermissionTable::defaults();
    for role in Role::BUILT_IN {
        for permission in Permission::ALL {
            if !matches!(
                permission,
                Permission::ViewCrisisDetails | Permission::ViewSpend
            ) {
                table = table.grant(role.clone(), permission, Scope::All);
            }
        }
    }
    config.with_permissions(table)
}

fn people() -> Vec<RecordedEvent> {
    let mut o = crate::incidents::outage_world(legacy(crate::incidents::config()));
    let w = &mut o.w;
    let (acme, jane, ana, team) = (w.acme, w.jane, w.ana, w.team);
    let extra = ChannelAddress::chat("jane-chat").unwrap();
    let mut written = Vec::new();
    // A keyed command: its acceptance is recorded on the key's stream.
    w.run(
        Command::new(
            Actor::integration("crm"),
            CustomerAction::Update {
                customer: acme,
                command: CustomerCommand::RenameOrganisation {
                    name: "Acme Hosting Co.".into(),
                },
            },
        )
        .with_key(CommandKey::new("crm-rename-acme-1").unwrap()),
    )
    .unwrap();
    for command in [
        CustomerCommand::RenameOrganisation {
            name: "Acme Hosting Inc.".into(),
        },
        CustomerCommand::AddAddress {
            contact: jane,
            address: extra.clone(),
        },
        CustomerCommand::RemoveAddress {
            contact: jane,
            address: extra,
        },
        CustomerCommand::DesignateContact {
            contact: jane,
            role: ContactRole::Primary,
        },
        CustomerCommand::AssignAccountTeam {
            agent: ana,
            role: Role::AccountManager,
        },
        CustomerCommand::RecordConsent {
            contact: jane,
            source: ConsentSource::Agent(ana),
        },
        CustomerCommand::AddFamilyMember {
            contact: jane,
            name: "Max".into(),
            relation: Relation::Child,
        },
        CustomerCommand::AddInterest {
            contact: jane,
            interest: Interest {
                topic: "team".into(),
                detail: "Spurs".into(),
            },
        },
        CustomerCommand::WithdrawConsent { contact: jane },
        CustomerCommand::SetAccountStanding {
            standing: AccountStanding {
                monthly_spend: Money {
                    minor: 123_400,
                    currency: Currency::new("USD").unwrap(),
                },
                tier: Tier::Business,
            },
        },
        CustomerCommand::StopRunningOn {
            component: ComponentId::new("dfw1/servers").unwrap(),
        },
    ] {
        if matches!(command, CustomerCommand::WithdrawConsent { .. }) {
            // Withdrawing consent erases the family member and interest
            // in the store: their files pin the records as written.
            written = all(w);
        }
        w.run(Command::new(
            Actor::integration("setup"),
            CustomerAction::Update {
                customer: acme,
                command,
            },
        ))
        .unwrap();
    }
    let bill = w.bill;
    for command in [
        AgentCommand::Rename("Ana María".into()),
        AgentCommand::SetTimeZone(chrono_tz::Europe::London),
        AgentCommand::AddSkill(Skill::new("linux").unwrap()),
        AgentCommand::RemoveSkill(Skill::new("linux").unwrap()),
        AgentCommand::GrantRole(Role::TeamLead),
        AgentCommand::RevokeRole(Role::TeamLead),
        AgentCommand::ReportTo(Some(bill)),
    ] {
        w.run(Command::new(
            Actor::integration("setup"),
            PeopleAction::UpdateAgent {
                agent: ana,
                command,
            },
        ))
        .unwrap();
    }
    for command in [
        TeamCommand::Rename("Racker front line".into()),
        TeamCommand::AddMember(ana),
        TeamCommand::AddMember(bill),
        TeamCommand::SetLead(ana),
        TeamCommand::RemoveMember(bill),
    ] {
        w.run(Command::new(
            Actor::integration("setup"),
            PeopleAction::UpdateTeam { team, command },
        ))
        .unwrap();
    }
    w.run(Command::new(
        Actor::integration("setup"),
        PeopleAction::UpdateAgent {
            agent: bill,
            command: AgentCommand::Deactivate,
        },
    ))
    .unwrap();
    // Tom is erased, last: the records before it are kept as written.
    let (tiny, tom) = (w.tiny, w.tom);
    let unerased = all(w);
    w.run(Command::new(
        Actor::Agent(ana),
        CustomerAction::EraseContact {
            customer: tiny,
            contact: tom,
            scope: ErasureScope::ProfileAndMessages,
        },
    ))
    .unwrap();
    let erasure = all(w).split_off(unerased.len());
    let withdrawn = unerased.get(written.len()..).unwrap_or_default().to_vec();
    written.extend(withdrawn);
    written.extend(erasure);
    written
}

/// A ticket's whole life: SLA clocks, the outbox, surveys, links, merges.
fn tickets() -> Vec<RecordedEvent> {
    let csat = SurveyDraft::new("after-ticket")
        .question(Question::new("rating", "How did we do?", QuestionKind::scale()).required())
        .validate()
        .unwrap();
    let mut retry = fanatical::outbox::RetryPolicy::default();
    retry.max_attempts = 2;
    let config = DeskConfig::default()
        .with_sla(paused_as_when_blessed())
        .with_surveys(
            SurveyConfig::default()
                .with_survey(csat)
                .csat_on_solve("after-ticket"),
        )
        .with_retry(retry);
    let mut w = World::with_config(legacy(config));
    // Monday 9:00 in Chicago.
    w.now = chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 11, 2, 15, 0, 0).unwrap();
    let (ana, team) = (w.ana, w.team);
    let t = w.jane_emails("Site down");
    let other = w.jane_emails("Also down");
    let ticket = |command| {
        Command::new(
            Actor::integration("setup"),
            TicketAction::Update { ticket: t, command },
        )
    };
    // Warnings and a breach of the first response, then a late reply.
    w.tick(45);
    w.desk.handle_timeout(&mut w.store, w.now).unwrap();
    w.tick(30);
    w.desk.handle_timeout(&mut w.store, w.now).unwrap();
    w.run(Command::reply(t, ana, "Looking now")).unwrap();
    for c in [
        TicketCommand::SetPriority(Priority::Urgent),
        TicketCommand::SetType(TicketType::Incident),
        TicketCommand::AddTag(Tag::new("dns").unwrap()),
        TicketCommand::RemoveTag(Tag::new("dns").unwrap()),
        TicketCommand::Assign(Some(ana)),
        TicketCommand::SetTeam(Some(team)),
        TicketCommand::SetStatus(Status::Pending),
        TicketCommand::HandOff {
            to: "Tier 2".into(),
            by: ana,
            reason: "needs DNS access".into(),
            context: vec!["zone file".into()],
        },
    ] {
        w.run(ticket(c)).unwrap();
    }
    // The customer answers: the paused clocks resume.
    let answer = fanatical::desk::InboundMessage::new(
        w.ids.next_id(),
        Channel::Email,
        w.jane_email.clone(),
        "Here are the logs",
    )
    .in_reply_to(t);
    w.run(Command::new(
        Actor::integration("inbound"),
        TicketAction::Receive(answer),
    ))
    .unwrap();
    w.run(Command::new(
        Actor::integration("setup"),
        TicketAction::Link {
            ticket: other,
            link: LinkKind::DuplicateOf,
            other: t,
        },
    ))
    .unwrap();
    let third = w.jane_emails("And again");
    w.run(Command::new(
        Actor::Agent(ana),
        TicketAction::Merge {
            source: third,
            target: t,
        },
    ))
    .unwrap();
    // Another customer message opens a next-response clock; solving the
    // other ticket cancels what runs on it.
    let more = fanatical::desk::InboundMessage::new(
        w.ids.next_id(),
        Channel::Email,
        w.jane_email.clone(),
        "Any news?",
    )
    .in_reply_to(other);
    w.run(Command::new(
        Actor::integration("inbound"),
        TicketAction::Receive(more),
    ))
    .unwrap();
    w.run(Command::new(
        Actor::integration("setup"),
        TicketAction::Update {
            ticket: other,
            command: TicketCommand::Assign(Some(ana)),
        },
    ))
    .unwrap();
    w.run(Command::new(
        Actor::integration("setup"),
        TicketAction::Update {
            ticket: other,
            command: TicketCommand::SetStatus(Status::Solved),
        },
    ))
    .unwrap();
    w.run(ticket(TicketCommand::SetStatus(Status::Solved)))
        .unwrap();
    // The outbox: delivered, failed, abandoned.
    let mut ids = Vec::new();
    while let Some(m) = w.desk.poll_outbound(w.now) {
        ids.push(m.id);
    }
    w.run(Command::new(
        Actor::integration("transport"),
        OutboxAction::MarkDelivered { message: ids[0] },
    ))
    .unwrap();
    for _ in 0..2 {
        w.run(Command::new(
            Actor::integration("transport"),
            OutboxAction::MarkFailed {
                message: ids[1],
                reason: "mailbox full".into(),
            },
        ))
        .unwrap();
        w.tick(10);
    }
    let invitation = w.desk.surveys().invitations().next().unwrap().invitation.id;
    w.run(Command::new(
        Actor::integration("survey"),
        SurveyAction::Answer {
            invitation,
            response: Response::new().answer("rating", Answer::Scale(Rating::Excellent)),
        },
    ))
    .unwrap();
    // Billing puts the customer on an enterprise contract.
    let acme = w.acme;
    w.run(Command::new(
        Actor::integration("billing"),
        fanatical::desk::CustomerAction::SetContract {
            customer: acme,
            contract: Some(Box::new(fanatical::sla::Contract::in_segment("enterprise"))),
        },
    ))
    .unwrap();
    all(&w)
}

/// Praise up the chain, reminders, peers, the committee, certificates,
/// coaching, official posts, a crisis, a channel outage.
fn signals() -> Vec<RecordedEvent> {
    let mut w = World::with_config(legacy(crate::guard::config()));
    w.now = chrono::TimeZone::with_ymd_and_hms(&chrono_tz::America::Chicago, 2026, 11, 2, 10, 0, 0)
        .unwrap()
        .with_timezone(&chrono::Utc);
    let (ana, bill, acme) = (w.ana, w.bill, w.acme);
    w.run(Command::new(
        Actor::integration("setup"),
        PeopleAction::UpdateAgent {
            agent: ana,
            command: AgentCommand::ReportTo(Some(bill)),
        },
    ))
    .unwrap();
    let t = w.jane_emails("Thanks");
    w.run(Command::new(
        Actor::integration("setup"),
        TicketAction::assign(t, ana),
    ))
    .unwrap();
    let p: PraiseId = w.ids.next_id();
    w.run(Command::new(
        Actor::integration("setup"),
        RecognitionAction::RecordPraise {
            praise: p,
            source: PraiseSource::TicketReply,
            text: "Ana saved our launch!".into(),
            customer: Some(acme),
            ticket: Some(t),
        },
    ))
    .unwrap();
    w.tick(24 * 60);
    w.desk.handle_timeout(&mut w.store, w.now).unwrap();
    w.run(Command::new(
        Actor::Agent(bill),
        RecognitionAction::Acknowledge { praise: p },
    ))
    .unwrap();
    w.run(Command::new(
        Actor::Agent(bill),
        RecognitionAction::RecognisePeer {
            to: ana,
            note: "covered my shift".into(),
        },
    ))
    .unwrap();
    w.run(Command::new(
        Actor::integration("setup"),
        RecognitionAction::NameCommittee {
            members: vec![bill],
        },
    ))
    .unwrap();
    w.run(Command::new(
        Actor::Agent(bill),
        RecognitionAction::IssueCertificate {
            agent: ana,
            title: "Fanatical Award".into(),
        },
    ))
    .unwrap();
    for _ in 0..2 {
        w.run(Command::new(
            Actor::Agent(bill),
            CoachingAction::RecordMistake {
                agent: ana,
                kind: MistakeKind::Tone,
                ticket: Some(t),
                note: "curt reply".into(),
            },
        ))
        .unwrap();
    }
    for (text, approve) in [
        ("Having fun at Sea World!", true),
        ("Having fun at the beach!", false),
    ] {
        let post: PostId = w.ids.next_id();
        w.run(Command::new(
            Actor::Agent(ana),
            PostAction::Submit {
                post,
                network: SocialNetwork::X,
                handle: "@rackspace".into(),
                text: text.into(),
            },
        ))
        .unwrap();
        let decision = if approve {
            Command::new(Actor::Agent(bill), PostAction::Approve { post })
        } else {
            Command::new(
                Actor::Agent(bill),
                PostAction::Reject {
                    post,
                    reason: "personal".into(),
                },
            )
        };
        w.run(decision).unwrap();
    }
    w.jane_emails("I want to end my life");
    w.run(Command::new(
        Actor::integration("setup"),
        ChannelAction::MarkDown {
            channel: ChannelKind::Phone,
            reason: "PBX down".into(),
        },
    ))
    .unwrap();
    w.run(Command::new(
        Actor::integration("setup"),
        ChannelAction::MarkUp {
            channel: ChannelKind::Phone,
        },
    ))
    .unwrap();
    let _ = Channel::Email;
    all(&w)
}

/// An incident from declaration to follow-up; a trend and a spike.
fn incidents() -> Vec<RecordedEvent> {
    let mut o = crate::incidents::outage_world(legacy(crate::incidents::config()));
    let acme = o.w.acme;
    o.w.run(Command::new(
        Actor::integration("setup"),
        CustomerAction::Update {
            customer: acme,
            command: CustomerCommand::SetAccountStanding {
                standing: AccountStanding {
                    monthly_spend: Money {
                        minor: 100_000,
                        currency: Currency::new("USD").unwrap(),
                    },
                    tier: Tier::Enterprise,
                },
            },
        },
    ))
    .unwrap();
    let id: IncidentId = o.w.ids.next_id();
    crate::incidents::declare(&mut o, id);
    let t = o.w.jane_emails("Down!");
    o.w.run(Command::new(
        Actor::integration("setup"),
        IncidentAction::LinkTickets {
            incident: id,
            tickets: vec![t],
        },
    ))
    .unwrap();
    o.w.tick(31);
    o.w.desk.handle_timeout(&mut o.w.store, o.w.now).unwrap();
    o.w.run(Command::new(
        Actor::Agent(o.boss),
        IncidentAction::Update {
            incident: id,
            status: IncidentStatus::Resolved,
            components: BTreeMap::from([(
                ComponentId::new("dfw1").unwrap(),
                ComponentState::Operational,
            )]),
            messages: Messages::from([(Audience::Business, "Back.".to_owned())]),
            spokesperson: None,
            solve_linked: Some("Fixed.".into()),
        },
    ))
    .unwrap();
    o.w.run(Command::new(
        Actor::integration("setup"),
        IncidentAction::IssueCredits { incident: id },
    ))
    .unwrap();
    o.w.now += Duration::days(45);
    o.w.desk.handle_timeout(&mut o.w.store, o.w.now).unwrap();
    // A second outage spreads from ORD1 to DFW1 (Acme joins), and its
    // write-up is published.
    let second: IncidentId = o.w.ids.next_id();
    o.w.run(Command::new(
        Actor::Agent(o.boss),
        IncidentAction::Declare {
            incident: second,
            title: "ORD1 network loss".into(),
            commander: o.boss,
            status: IncidentStatus::Investigating,
            components: BTreeMap::from([(
                ComponentId::new("ord1").unwrap(),
                ComponentState::MajorOutage,
            )]),
            cadence: None,
            messages: Messages::from([(Audience::Business, "ORD1 is down.".to_owned())]),
        },
    ))
    .unwrap();
    for (status, state) in [
        (IncidentStatus::Identified, ComponentState::PartialOutage),
        (IncidentStatus::Resolved, ComponentState::Operational),
    ] {
        o.w.run(Command::new(
            Actor::Agent(o.boss),
            IncidentAction::Update {
                incident: second,
                status,
                components: BTreeMap::from([(ComponentId::new("dfw1").unwrap(), state)]),
                messages: Messages::from([(Audience::Business, format!("{status}."))]),
                spokesperson: None,
                solve_linked: None,
            },
        ))
        .unwrap();
    }
    o.w.run(Command::new(
        Actor::Agent(o.boss),
        IncidentAction::PublishReview {
            incident: second,
            what_happened: "A fibre cut isolated ORD1.".into(),
            prevention: "A second carrier on a separate path.".into(),
            spokesperson: Some(o.boss),
        },
    ))
    .unwrap();
    let mut events = all(&o.w);

    let mut w = World::with_config(legacy(crate::trends::config()));
    let acme = w.acme;
    let pm = crate::trends::pm(&mut w);
    w.run(Command::new(
        Actor::integration("setup"),
        CustomerAction::Update {
            customer: acme,
            command: CustomerCommand::RunOn {
                component: ComponentId::new("dfw1").unwrap(),
            },
        },
    ))
    .unwrap();
    let start = w.now;
    crate::trends::week(&mut w, start);
    w.now = start + Duration::days(7) + Duration::hours(1);
    for _ in 0..30 {
        w.tick(1);
        crate::trends::open(&mut w, acme, None, Channel::Phone);
    }
    let g = crate::trends::graph(pm);
    w.escalate_trends(&g, "front_line").unwrap();
    // Days later the spike is over: the trend has ended.
    w.now += Duration::days(10);
    w.escalate_trends(&g, "front_line").unwrap();
    events.extend(all(&w));
    events
}

/// An agent's time: working hours, protected windows, an absence.
fn schedules() -> Vec<RecordedEvent> {
    use fanatical::agent::Absence;
    use fanatical::sla::{BusinessCalendar, DayHours};
    let mut w = World::with_config(legacy(DeskConfig::default()));
    let ana = w.ana;
    let tz = chrono_tz::America::Chicago;
    let hours = |a: &str, b: &str| DayHours::parse(&[(a, b)]).unwrap();
    let away = Absence {
        from: w.now + Duration::days(7),
        until: w.now + Duration::days(9),
    };
    for command in [
        AgentCommand::SetWorkingHours(Some(BusinessCalendar::weekdays(
            tz,
            hours("08:00", "17:00"),
        ))),
        AgentCommand::SetProtectedTime(Some(BusinessCalendar::weekdays(
            tz,
            hours("08:00", "10:00"),
        ))),
        AgentCommand::AddAbsence(away),
        AgentCommand::CancelAbsence(away.from),
    ] {
        w.run(Command::new(
            Actor::integration("setup"),
            PeopleAction::UpdateAgent {
                agent: ana,
                command,
            },
        ))
        .unwrap();
    }
    all(&w)
}

/// A goodwill credit asked for and approved, and a refund declined.
fn refunds() -> Vec<RecordedEvent> {
    use fanatical::incident::{CreditConfig, ReasonCode};
    use fanatical::refund::{RefundAction, RefundKind};
    let mut config = DeskConfig::default();
    config.incidents.credits = CreditConfig::default()
        .with_reason("goodwill", "To make up for a bad experience")
        .unwrap();
    let mut w = World::with_config(legacy(config));
    let (ana, bill) = (w.ana, w.bill);
    let ticket = w.jane_emails("I had to send the same log three times");
    let (credit, refund) = (w.ids.next_id(), w.ids.next_id());
    for (id, kind) in [
        (credit, RefundKind::GoodwillCredit),
        (refund, RefundKind::Refund),
    ] {
        w.run(Command::new(
            Actor::Agent(ana),
            RefundAction::Request {
                id,
                ticket,
                kind,
                amount: Money {
                    minor: 4_200,
                    currency: Currency::new("USD").unwrap(),
                },
                reason: ReasonCode::new("goodwill").unwrap(),
                note: "Three replies asking for the same log file.".into(),
            },
        ))
        .unwrap();
    }
    w.run(Command::new(
        Actor::Agent(bill),
        RefundAction::Approve { id: credit },
    ))
    .unwrap();
    w.run(Command::new(
        Actor::integration("billing"),
        RefundAction::Decline {
            id: refund,
            why: "Credited instead".into(),
        },
    ))
    .unwrap();
    all(&w)
}

/// A ticket closed, a follow-up opened by a message on it, and the closed
/// ticket archived when its window runs out.
fn archive() -> Vec<RecordedEvent> {
    use fanatical::desk::{ArchivePolicy, InboundMessage};
    let csat = SurveyDraft::new("after-ticket")
        .question(Question::new("rating", "How did we do?", QuestionKind::scale()).required())
        .validate()
        .unwrap();
    let mut surveys = SurveyConfig::default()
        .with_survey(csat)
        .csat_on_solve("after-ticket");
    surveys.valid_for = Duration::hours(1);
    let config = DeskConfig::default()
        .with_surveys(surveys)
        .with_archive(ArchivePolicy::after_closed(Duration::days(1)).unwrap());
    let mut w = World::with_config(legacy(config));
    let ticket = w.closed_ticket(
        "Our invoice shows the wrong address",
        "Corrected; a new invoice is on its way.",
    );
    w.tick(60);
    let follow_up = w.ids.next_id();
    let msg = InboundMessage::new(
        follow_up,
        Channel::Email,
        w.jane_email.clone(),
        "The new one is wrong too",
    )
    .in_reply_to(ticket);
    w.run(Command::new(
        Actor::integration("inbound"),
        TicketAction::Receive(msg),
    ))
    .unwrap();
    w.deliver_all();
    w.tick(2 * 24 * 60);
    let now = w.now;
    w.desk.handle_timeout(&mut w.store, now).unwrap();
    // Jane erased: her archived ticket's invitation is forgotten too.
    let (acme, jane) = (w.acme, w.jane);
    w.run(Command::new(
        Actor::integration("privacy"),
        CustomerAction::EraseContact {
            customer: acme,
            contact: jane,
            scope: ErasureScope::ProfileAndMessages,
        },
    ))
    .unwrap();
    all(&w)
}

/// An email address that bounced and works again.
fn bounces() -> Vec<RecordedEvent> {
    let mut w = World::with_config(legacy(DeskConfig::default()));
    let (acme, jane, email) = (w.acme, w.jane, w.jane_email.clone());
    for command in [
        CustomerCommand::MarkUndeliverable {
            contact: jane,
            address: email.clone(),
            reason: "5.1.1 user unknown".into(),
        },
        CustomerCommand::MarkDeliverable {
            contact: jane,
            address: email,
        },
    ] {
        w.run(Command::new(
            Actor::integration("email"),
            CustomerAction::Update {
                customer: acme,
                command,
            },
        ))
        .unwrap();
    }
    all(&w)
}

/// A permission table set by an administrator: an admin role, a custom
/// role that works its teams' tickets, contacts on their own tickets, and
/// a mail gateway that may only take messages in. (Built from the empty
/// table, so the file does not follow changes to the defaults.)
fn permissions() -> Vec<RecordedEvent> {
    use fanatical::agent::RoleName;
    use fanatical::permission::{Permission, PermissionTable, Scope};
    let mut w = World::new();
    let tier2 = Role::Custom(RoleName::new("tier 2").unwrap());
    let table = PermissionTable::empty()
        .grant(Role::Admin, Permission::ManagePermissions, Scope::All)
        .grant(Role::Admin, Permission::ManagePeople, Scope::All)
        .grant_contacts(Permission::ReplyPublicly, Scope::Requested)
        .with_integration_default([Role::Admin])
        .grant(tier2.clone(), Permission::ViewTickets, Scope::Teams)
        .grant(tier2, Permission::ReplyPublicly, Scope::Assigned)
        .with_integration("mail", [Role::Custom(RoleName::new("gateway").unwrap())])
        .grant(
            Role::Custom(RoleName::new("gateway").unwrap()),
            Permission::ReceiveMessages,
            Scope::All,
        );
    w.run(Command::new(
        Actor::integration("setup"),
        fanatical::desk::PeopleAction::SetPermissions {
            table: Box::new(table),
        },
    ))
    .unwrap();
    all(&w)
}

/// The first record of each kind of event, across the tour, in tour
/// order: the event with its actor, command key, stream and position.
fn samples() -> BTreeMap<(String, String), RecordedEvent> {
    let mut out = BTreeMap::new();
    for r in people()
        .into_iter()
        .chain(tickets())
        .chain(signals())
        .chain(incidents())
        .chain(schedules())
        .chain(refunds())
        .chain(archive())
        .chain(bounces())
        .chain(permissions())
        .chain(crate::conversations::golden_tour())
        .chain(crate::fields_rules::golden_tour())
        .chain(crate::contacts::golden_tour())
        .chain(crate::customer_merge::golden_tour())
        .chain(crate::assignment::golden_tour())
        .chain(crate::triggers::golden_tour())
        .chain(crate::automations::golden_tour())
        .chain(crate::locales::golden_tour())
        .chain(crate::macros::golden_tour())
    {
        out.entry(kind_of(&r.event)).or_insert(r);
    }
    out
}

fn pretty<T: serde::Serialize>(v: &T) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap();
    s.push('\n');
    s
}

/// The schema version the golden event files were written at (the
/// `schema` field of the records in `tests/golden/events`), if any: read
/// once, before a blessing run rewrites any of them.
fn blessed_schema() -> Option<u64> {
    static AT_START: std::sync::OnceLock<Option<u64>> = std::sync::OnceLock::new();
    *AT_START.get_or_init(blessed_schema_now)
}

fn blessed_schema_now() -> Option<u64> {
    std::fs::read_dir(dir("events"))
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|f| std::fs::read_to_string(f.path()).ok())
        .filter_map(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .find_map(|v| v.get("schema").and_then(serde_json::Value::as_u64))
}

/// Whether blessing may rewrite `path` with `want`: a new file (a new
/// event kind) always; a changed one only when `event::SCHEMA_VERSION`
/// moved past the version the files were written at, and the files of
/// that version are frozen in `tests/golden/v<old>` to be read forever.
fn may_bless(path: &std::path::Path, want: &str) -> Result<(), String> {
    let Ok(got) = std::fs::read_to_string(path) else {
        return Ok(());
    };
    if got == want {
        return Ok(());
    }
    let current = u64::from(SCHEMA_VERSION);
    let in_events = path.parent() == Some(dir("events").as_path());
    match blessed_schema() {
        Some(old) if old < current && !in_events => Ok(()),
        Some(old) if old < current => {
            if dir(&format!("v{old}")).is_dir() {
                Ok(())
            } else {
                Err(format!(
                    "schema {old} is not frozen: copy its records into tests/golden/v{old} first"
                ))
            }
        }
        _ => Err(format!(
            "{} would change, but event::SCHEMA_VERSION is still {current}: a change of the \
             wire format moves the schema version (and freezes the old files); nothing written",
            path.display()
        )),
    }
}

fn check_file(path: PathBuf, want: &str) {
    if bless() {
        if let Err(why) = may_bless(&path, want) {
            panic!("refusing to bless: {why}");
        }
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, want).unwrap();
        return;
    }
    let got = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (FANATICAL_BLESS=1 writes it)", path.display()));
    assert_eq!(
        got,
        want,
        "{} changed: the wire format drifted",
        path.display()
    );
}

/// For an event of an area whose golden files were written on its legacy
/// desk-wide stream: that stream, and the stream the desk records it on
/// now (see `StreamId`'s docs): an outbound message's own stream, the
/// invited contact's invitations, a praise's own stream, the agent's
/// mistakes.
fn partition_of(r: &RecordedEvent) -> Option<(StreamId, StreamId)> {
    use fanatical::survey::SurveyEventKind;
    match &r.event {
        Event::Outbox(e) => Some((StreamId::Outbox, StreamId::Message(e.kind.message()))),
        Event::Survey(e) => match &e.kind {
            SurveyEventKind::Invited { invitation } => {
                Some((StreamId::Surveys, StreamId::Invitations(invitation.contact)))
            }
            // The tour answers its own invitation: the stream it was on.
            _ => matches!(r.stream, StreamId::Invitations(_))
                .then_some((StreamId::Surveys, r.stream)),
        },
        // The programme's own records stay on the recognition stream, at
        // other versions now that praise has left it.
        Event::Recognition(e) => Some((
            StreamId::Recognition,
            e.kind
                .praise()
                .map_or(StreamId::Recognition, StreamId::Praise),
        )),
        Event::Coaching(e) => Some((StreamId::Coaching, StreamId::Mistakes(e.kind.agent()))),
        _ => None,
    }
}

/// Checks an event kind's golden file. The event itself, its actor,
/// command, schema and position are compared byte for byte. A kind the
/// files hold on a legacy desk-wide stream (written before that area was
/// partitioned) is now recorded on its partition: that record must be
/// exactly there (stream, version and the id derived from both), and the
/// file, which stays as written, must still read and write back the same
/// (`every_golden_event_still_reads_and_writes_back_the_same`). The ids
/// the desk derives from an event's id (a message's, an invitation's)
/// follow the stream the event is on, so on those kinds a derived id (a
/// version 8 UUID) is compared as such, not by value.
fn check_event_file(path: PathBuf, sample: &RecordedEvent) {
    let want = pretty(sample);
    let Some((legacy, partition)) = partition_of(sample) else {
        return check_file(path, &want);
    };
    if bless() {
        // Blessing writes the files of new kinds; a kind filed on its
        // legacy stream stays as written.
        if path.exists() {
            return;
        }
        return check_file(path, &want);
    }
    assert_eq!(
        sample.stream,
        partition,
        "{}: on its own stream",
        path.display()
    );
    assert_eq!(
        sample.id,
        partition.event_id(sample.version),
        "{}",
        path.display()
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let file: RecordedEvent = serde_json::from_str(&text).unwrap();
    assert_eq!(
        file.stream,
        legacy,
        "{}: filed on its legacy stream",
        path.display()
    );
    // Written at the schema of its day, which later versions still read.
    assert!(
        (2..=sample.schema).contains(&file.schema),
        "{}: schema {}",
        path.display(),
        file.schema
    );
    let mut as_filed = sample.clone();
    as_filed.id = file.id;
    as_filed.stream = file.stream;
    as_filed.version = file.version;
    as_filed.schema = file.schema;
    let got: serde_json::Value = serde_json::from_str(&text).unwrap();
    let want = serde_json::to_value(&as_filed).unwrap();
    assert!(
        same_but_derived(&got, &want),
        "{} changed: the wire format drifted\n{text}\n{}",
        path.display(),
        pretty(&as_filed)
    );
}

/// Whether two JSON values are equal, counting any two derived ids
/// (version 8 UUIDs) as equal.
fn same_but_derived(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value;
    let derived = |s: &str| {
        uuid::Uuid::parse_str(s).is_ok_and(|u| u.get_version() == Some(uuid::Version::Custom))
    };
    match (a, b) {
        (Value::String(x), Value::String(y)) => x == y || (derived(x) && derived(y)),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same_but_derived(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((kx, vx), (ky, vy))| kx == ky && same_but_derived(vx, vy))
        }
        _ => a == b,
    }
}

#[test]
fn every_event_kind_serializes_exactly_as_its_golden_file() {
    let samples = samples();
    let mut missing = Vec::new();
    for agg in AGGREGATES {
        for kind in variants(agg) {
            match samples.get(&(agg.to_owned(), kind.clone())) {
                Some(e) => check_event_file(dir("events").join(format!("{agg}.{kind}.json")), e),
                None => missing.push(format!("{agg}.{kind}")),
            }
        }
    }
    assert!(
        missing.is_empty(),
        "the tour produces no {missing:?}: extend it"
    );
    assert_eq!(
        samples.len(),
        AGGREGATES.iter().map(|a| variants(a).len()).sum::<usize>()
    );
}

#[test]
fn every_golden_event_still_reads_and_writes_back_the_same() {
    let files: Vec<_> = std::fs::read_dir(dir("events")).unwrap().collect();
    assert_eq!(
        files.len(),
        AGGREGATES.iter().map(|a| variants(a).len()).sum::<usize>(),
        "one file per event kind"
    );
    for f in files {
        let path = f.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let r: RecordedEvent =
            serde_json::from_str(&text).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
        assert_eq!(pretty(&r), text, "{}", path.display());
        // From schema 2: every record says who did it. A kind filed on
        // its legacy desk-wide stream stays as written, at its schema.
        let legacy = matches!(
            r.stream,
            StreamId::Outbox | StreamId::Surveys | StreamId::Recognition | StreamId::Coaching
        );
        if legacy {
            assert!(
                (2..=SCHEMA_VERSION).contains(&r.schema),
                "{}",
                path.display()
            );
        } else {
            assert_eq!(r.schema, SCHEMA_VERSION, "{}", path.display());
        }
        assert!(r.actor.is_some(), "{}: no actor", path.display());
    }
}

#[test]
fn calendars_and_survey_definitions_do_not_drift() {
    let cal = crate::sla_desk::chicago_9_to_5()
        .with_exception(
            chrono::NaiveDate::from_ymd_opt(2026, 12, 24).unwrap(),
            chrono::NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
            fanatical::sla::DayHours::parse(&[("10:00", "14:00")]).unwrap(),
        )
        .unwrap();
    let text = pretty(&cal);
    check_file(dir("calendar.json"), &text);
    let back: fanatical::sla::BusinessCalendar = serde_json::from_str(&text).unwrap();
    assert_eq!(back, cal);

    let survey: fanatical::survey::Survey = serde_json::from_str(
        &std::fs::read_to_string(
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/data/dealership_survey.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let text = pretty(&survey);
    check_file(dir("survey.json"), &text);
    let back: fanatical::survey::Survey = serde_json::from_str(&text).unwrap();
    assert_eq!(back, survey);
}

#[test]
fn records_from_before_schema_versions_read_and_newer_ones_are_refused() {
    // A record as stores kept it before events carried a schema version.
    let text = std::fs::read_to_string(dir("v0/customer_registered.json")).unwrap();
    let old: RecordedEvent = serde_json::from_str(&text).unwrap();
    assert_eq!(old.schema, 0);
    let mut desk = Desk::new(DeskConfig::default());
    desk.apply(std::slice::from_ref(&old)).unwrap();
    assert_eq!(
        desk.customers().iter().next().unwrap().organisation(),
        "Acme Hosting"
    );
    // A record of schema 1, before events carried their actor and the
    // key of their command, reads with neither.
    let text = std::fs::read_to_string(dir("v1/customer_registered.json")).unwrap();
    let v1: RecordedEvent = serde_json::from_str(&text).unwrap();
    assert_eq!(
        (v1.schema, v1.actor.clone(), v1.command.clone()),
        (1, None, None)
    );
    let mut desk = Desk::new(DeskConfig::default());
    desk.apply(std::slice::from_ref(&v1)).unwrap();
    assert_eq!(
        desk.customers().iter().next().unwrap().organisation(),
        "Acme Hosting"
    );
    // A command accepted at schema 2, its fingerprint the hash of the
    // command's debug form: reads, and folds.
    let text = std::fs::read_to_string(dir("v2/command.accepted.json")).unwrap();
    let v2: RecordedEvent = serde_json::from_str(&text).unwrap();
    assert_eq!(v2.schema, 2);
    let mut desk = Desk::new(DeskConfig::default());
    desk.apply(std::slice::from_ref(&v2)).unwrap();
    assert_eq!(desk.position(), v2.position);
    // What this build writes carries the current version and its actor.
    let w = World::new();
    assert!(
        all(&w)
            .iter()
            .all(|r| r.schema == SCHEMA_VERSION && r.actor.is_some())
    );
    // A record from a newer version is refused, not half-read.
    let newer = RecordedEvent {
        schema: SCHEMA_VERSION + 1,
        actor: None,
        command: None,
        ..old
    };
    let mut desk = Desk::new(DeskConfig::default());
    assert_eq!(
        desk.apply(&[newer]),
        Err(StoreError::NewerSchema {
            position: 1,
            schema: SCHEMA_VERSION + 1,
            supported: SCHEMA_VERSION
        }
        .into())
    );
    assert_eq!(desk, Desk::new(DeskConfig::default()));
}

#[test]
fn blessing_refuses_a_changed_file_unless_the_schema_moved() {
    let existing = dir("events").join("agent.renamed.json");
    let text = std::fs::read_to_string(&existing).unwrap();
    // The same text, or a new kind's file, may be written.
    assert_eq!(may_bless(&existing, &text), Ok(()));
    assert_eq!(
        may_bless(&dir("events").join("new.kind.json"), "{}"),
        Ok(())
    );
    // A change at the same schema version is refused, naming the file and
    // why.
    let refused = |path: &std::path::Path| {
        Err(format!(
            "{} would change, but event::SCHEMA_VERSION is still {SCHEMA_VERSION}: a change of \
             the wire format moves the schema version (and freezes the old files); nothing \
             written",
            path.display()
        ))
    };
    assert_eq!(
        may_bless(&existing, &text.replace("Ana", "Anna")),
        refused(&existing)
    );
    assert_eq!(
        may_bless(&dir("calendar.json"), "{}"),
        refused(&dir("calendar.json"))
    );
    assert_eq!(blessed_schema(), Some(u64::from(SCHEMA_VERSION)));
}

/// The test policies as they paused when the golden files were blessed:
/// every target but the outage's periodic update paused while pending (the
/// default before targets took Zendesk's per metric), so the scenario
/// records exactly the events it did.
fn paused_as_when_blessed() -> fanatical::sla::SlaConfig {
    let mut config = crate::sla_desk::policies();
    let policies = config
        .policies
        .policies()
        .iter()
        .cloned()
        .map(|mut p| {
            for t in &mut p.targets {
                if t.metric != fanatical::sla::Metric::PeriodicUpdate {
                    t.pause_on = [Status::Pending].into();
                }
            }
            p
        })
        .collect();
    config.policies = fanatical::sla::SlaPolicies::new(policies).unwrap();
    config
}
