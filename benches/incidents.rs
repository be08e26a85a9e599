//! Incidents, trends and metrics at scale: a datacenter with thousands of
//! customers goes dark; trend detection and period metrics over a month
//! of tickets. Fixed seeds and simulated time. Workloads and figures are
//! in the README's performance section.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};
use std::hint::black_box;

mod common;

use chrono::{DateTime, Duration, TimeZone, Utc};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use fanatical::actor::Actor;
use fanatical::agent::Role;
use fanatical::channel::{Channel, ChannelKind};
use fanatical::customer::CustomerCommand;
use fanatical::desk::{Action, Command, Desk, DeskConfig};
use fanatical::desk::{
    CustomerAction, IncidentAction, PeopleAction, RecognitionAction, SurveyAction, TicketAction,
};
use fanatical::escalation::default_graph;
use fanatical::event::Event;
use fanatical::id::{
    AgentId, ComponentId, ContactId, CustomerId, IdGenerator, IncidentId, InvitationId, TeamId,
    TicketId,
};
use fanatical::incident::{
    Audience, Cadence, ComponentCatalog, ComponentState, IncidentConfig, IncidentStatus, Messages,
};
use fanatical::recognition::PraiseSource;
use fanatical::sla::{Clock, Conditions, Metric, SlaConfig, SlaPolicies, SlaPolicy, Target};
use fanatical::store::MemoryStore;
use fanatical::survey::{
    Answer, Csat, Question, QuestionKind, Rating, Response, SurveyConfig, SurveyDraft, SurveyEvent,
    SurveyEventKind,
};
use fanatical::ticket::{Author, OpenTicket, Status, Tag, TicketCommand};

fn c(id: &str) -> ComponentId {
    ComponentId::new(id).unwrap()
}

fn config() -> DeskConfig {
    let catalog = ComponentCatalog::new()
        .with(c("dfw1"), "DFW1", None)
        .unwrap()
        .with(c("dfw1/servers"), "Servers", Some(c("dfw1")))
        .unwrap()
        .with(c("ord1"), "ORD1", None)
        .unwrap();
    DeskConfig::default().with_incidents(IncidentConfig::default().with_components(catalog))
}

struct Fixture {
    store: MemoryStore,
    desk: Desk,
    now: DateTime<Utc>,
    boss: AgentId,
    ids: IdGenerator,
}

/// `customers` customers with one contact each; half run on DFW1
/// servers, half in ORD1.
fn fixture(customers: usize) -> Fixture {
    fixture_with(customers, config())
}

/// The same on a desk configured with `config`.
fn fixture_with(customers: usize, config: DeskConfig) -> Fixture {
    let mut ids = IdGenerator::from_seed(11);
    let mut store = MemoryStore::new();
    let mut desk = Desk::new(config);
    let now = Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap();
    let boss: AgentId = ids.next_id();
    desk.execute(
        &mut store,
        Command::new(
            Actor::integration("setup"),
            PeopleAction::RegisterAgent {
                id: boss,
                name: "Commander".into(),
                time_zone: chrono_tz::America::Chicago,
                roles: vec![Role::Manager],
                skills: vec![],
            },
        ),
        now,
    )
    .unwrap();
    common::register_customers(&mut desk, &mut store, &mut ids, customers, now);
    let all: Vec<CustomerId> = desk.customers().iter().map(|c| c.id()).collect();
    for (i, id) in all.into_iter().enumerate() {
        let component = if i % 2 == 0 { "dfw1/servers" } else { "ord1" };
        desk.execute(
            &mut store,
            Command::new(
                Actor::integration("setup"),
                CustomerAction::Update {
                    customer: id,
                    command: CustomerCommand::RunOn {
                        component: c(component),
                    },
                },
            ),
            now,
        )
        .unwrap();
    }
    Fixture {
        store,
        desk,
        now,
        boss,
        ids,
    }
}

fn declare(f: &mut Fixture) -> Command {
    let id: IncidentId = f.ids.next_id();
    Command::new(
        Actor::Agent(f.boss),
        IncidentAction::Declare {
            incident: id,
            title: "DFW1 power loss".into(),
            commander: f.boss,
            status: IncidentStatus::Investigating,
            components: BTreeMap::from([(c("dfw1"), ComponentState::MajorOutage)]),
            cadence: Some(Cadence::every_minutes(30, 5).unwrap()),
            messages: Messages::from([
                (Audience::Technical, "Utility feed lost.".to_owned()),
                (Audience::Business, "Sites in DFW1 are down.".to_owned()),
            ]),
        },
    )
}

fn incidents(c: &mut Criterion) {
    let mut g = c.benchmark_group("incident");
    g.sample_size(20);
    for customers in [1_000usize, 10_000] {
        let mut f = fixture(customers);
        let cmd = declare(&mut f);
        g.bench_with_input(
            BenchmarkId::new("decide_declare", customers),
            &cmd,
            |b, cmd| b.iter(|| black_box(f.desk.decide(cmd.clone(), f.now).unwrap())),
        );
        // Declared once, then an update decided against it.
        f.desk.execute(&mut f.store, cmd.clone(), f.now).unwrap();
        let Action::Incident(IncidentAction::Declare { incident, .. }) = cmd.action else {
            unreachable!()
        };
        let update = Command::new(
            Actor::Agent(f.boss),
            IncidentAction::Update {
                incident,
                status: IncidentStatus::Identified,
                components: BTreeMap::new(),
                messages: Messages::from([(Audience::Business, "Generators coming.".to_owned())]),
                spokesperson: None,
                solve_linked: None,
            },
        );
        let now = f.now + Duration::minutes(20);
        g.bench_with_input(
            BenchmarkId::new("decide_update", customers),
            &update,
            |b, cmd| b.iter(|| black_box(f.desk.decide(cmd.clone(), now).unwrap())),
        );
        g.bench_function(BenchmarkId::new("briefing", customers), |b| {
            let customer = f.desk.customers().iter().next().unwrap().id();
            b.iter(|| black_box(f.desk.incidents().briefings(customer, now)))
        });
    }
    g.finish();
}

/// The month's desk: the incident configuration, plus the SLA policy
/// every ticket gets (first response in 1 hour, next response in 2,
/// resolution in 8, round the clock) and a CSAT survey sent on solve (a
/// rating and a recommendation score, so answers count towards NPS), with
/// a 7-day quiet period so a customer is asked about one ticket a week.
fn month_config() -> DeskConfig {
    let policies = SlaPolicies::new(vec![SlaPolicy::new(
        "standard",
        Conditions::any(),
        vec![
            Target::new(Metric::FirstResponse, Duration::hours(1), Clock::Always),
            Target::new(Metric::NextResponse, Duration::hours(2), Clock::Always),
            Target::new(Metric::Resolution, Duration::hours(8), Clock::Always),
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
    surveys.quiet_period = Duration::days(7);
    config()
        .with_sla(SlaConfig::new(policies))
        .with_surveys(surveys)
}

/// One step of a ticket's life in the month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Step {
    /// The customer writes in (the ticket opens), it is routed to a team
    /// and assigned.
    Open,
    /// The agent's first public reply.
    FirstReply,
    /// The customer writes back.
    CustomerReply,
    /// The agent answers again.
    NextReply,
    /// The agent solves it (a CSAT invitation goes out, quiet period
    /// allowing).
    Solve,
    /// The customer answers the CSAT survey.
    Answer(InvitationId),
    /// The customer praises the agent.
    Praise,
}

/// 30 days of tickets, `per_day` a day, from 2,000 customers, tagged
/// from ten tags, each worked the way a desk works: opened with the
/// customer's first message by email, given one of 4 teams and assigned
/// to one of 20 agents; a first reply (20 minutes, or 75 for every 6th
/// ticket, which breaches the 1-hour target), a customer follow-up 30
/// minutes later, a next reply (40 minutes, or 150 for every 7th,
/// breaching 2 hours), solved 30 minutes later (or 6 hours later for
/// every 11th, which breaches the 8-hour resolution target when a reply
/// was late too). Two in three CSAT invitations are answered 2 hours
/// after the solve (ratings excellent, excellent, good, average in turn;
/// recommendation scores 6 to 10); one ticket in ten brings praise an
/// hour after the solve, for every agent. Timers fire as time passes
/// (the breaches are theirs); steps due after the month's end are left
/// undone.
///
/// Measured: 30,000 first responses (median 20 minutes); first response
/// met 25,000 times and breached 5,000, next response 25,714 and 4,285,
/// resolution 29,205 and 775; 8,000 CSAT invitations, 5,333 answered
/// (75% satisfied for each agent; NPS 2,133 promoters, 2,133 passives,
/// 1,067 detractors); 2,999 praises in the month.
fn month(per_day: usize) -> Fixture {
    let mut f = fixture_with(2_000, month_config());
    let customers: Vec<(CustomerId, ContactId)> = f
        .desk
        .customers()
        .iter()
        .map(|c| (c.id(), c.contacts().next().unwrap().id()))
        .collect();
    let tags: Vec<Tag> = (0..10)
        .map(|i| Tag::new(&format!("tag{i}")).unwrap())
        .collect();
    let setup = Actor::integration("setup");
    let teams: Vec<TeamId> = (0..4).map(|_| f.ids.next_id()).collect();
    for (i, team) in teams.iter().enumerate() {
        let create = PeopleAction::CreateTeam {
            id: *team,
            name: format!("Team {i}"),
        };
        f.desk
            .execute(&mut f.store, Command::new(setup.clone(), create), f.now)
            .unwrap();
    }
    let agents: Vec<AgentId> = (0..20).map(|_| f.ids.next_id()).collect();
    for (i, agent) in agents.iter().enumerate() {
        let register = PeopleAction::RegisterAgent {
            id: *agent,
            name: format!("Agent {i}"),
            time_zone: chrono_tz::America::Chicago,
            roles: vec![Role::Agent],
            skills: vec![],
        };
        f.desk
            .execute(&mut f.store, Command::new(setup.clone(), register), f.now)
            .unwrap();
    }
    let start = f.now;
    let end = start + Duration::days(30);
    let step = Duration::seconds(86_400 / i64::try_from(per_day).unwrap());
    let total = 30 * per_day;
    let ticket_ids: Vec<TicketId> = (0..total).map(|_| f.ids.next_id()).collect();
    let mut due: BinaryHeap<Reverse<(DateTime<Utc>, usize, Step)>> = (0..total)
        .map(|n| Reverse((start + step * i32::try_from(n).unwrap(), n, Step::Open)))
        .collect();
    while let Some(Reverse((at, n, what))) = due.pop() {
        if at >= end {
            break;
        }
        while let Some(timer) = f.desk.poll_timeout().filter(|t| *t <= at) {
            f.desk.handle_timeout(&mut f.store, timer).unwrap();
        }
        let ticket = ticket_ids[n];
        let (customer, contact) = customers[(n * 7919) % customers.len()];
        let agent = agents[n % agents.len()];
        let run =
            |f: &mut Fixture, command: Command| f.desk.execute(&mut f.store, command, at).unwrap();
        let next = match what {
            Step::Open => {
                let open = OpenTicket::new(
                    ticket,
                    customer,
                    &format!("Problem {}", n % 97),
                    Channel::Email,
                )
                .requested_by(contact)
                .with_message(Author::Contact(contact), "Our site is down")
                .with_tag(tags[n % tags.len()].clone());
                run(
                    &mut f,
                    Command::new(setup.clone(), TicketAction::Open(open)),
                );
                let team = TicketCommand::SetTeam(Some(teams[n % teams.len()]));
                run(
                    &mut f,
                    Command::new(
                        setup.clone(),
                        TicketAction::Update {
                            ticket,
                            command: team,
                        },
                    ),
                );
                run(
                    &mut f,
                    Command::new(setup.clone(), TicketAction::assign(ticket, agent)),
                );
                let late = n.is_multiple_of(6);
                vec![(
                    Duration::minutes(if late { 75 } else { 20 }),
                    Step::FirstReply,
                )]
            }
            Step::FirstReply => {
                run(&mut f, Command::reply(ticket, agent, "Looking at it now."));
                vec![(Duration::minutes(30), Step::CustomerReply)]
            }
            Step::CustomerReply => {
                let follow_up = Command::reply_on(
                    ticket,
                    Author::Contact(contact),
                    Channel::Email,
                    "Still down.",
                    vec![],
                );
                run(&mut f, follow_up);
                let late = n.is_multiple_of(7);
                vec![(
                    Duration::minutes(if late { 150 } else { 40 }),
                    Step::NextReply,
                )]
            }
            Step::NextReply => {
                run(&mut f, Command::reply(ticket, agent, "Fixed: a full disk."));
                let late = n.is_multiple_of(11);
                vec![(Duration::minutes(if late { 360 } else { 30 }), Step::Solve)]
            }
            Step::Solve => {
                let solved = run(
                    &mut f,
                    Command::new(
                        setup.clone(),
                        TicketAction::set_status(ticket, Status::Solved),
                    ),
                );
                let invited = solved.iter().find_map(|r| match &r.event {
                    Event::Survey(SurveyEvent {
                        kind: SurveyEventKind::Invited { invitation },
                        ..
                    }) => Some(invitation.id),
                    _ => None,
                });
                let mut next = Vec::new();
                if let Some(invitation) = invited.filter(|_| !n.is_multiple_of(3)) {
                    next.push((Duration::hours(2), Step::Answer(invitation)));
                }
                if (n / agents.len()).is_multiple_of(10) {
                    next.push((Duration::hours(1), Step::Praise));
                }
                next
            }
            Step::Answer(invitation) => {
                // Varied per agent too (an agent takes every 20th ticket).
                let k = n / agents.len();
                let rating = [
                    Rating::Excellent,
                    Rating::Excellent,
                    Rating::Good,
                    Rating::Average,
                ][k % 4];
                let score = u8::try_from(6 + k % 5).unwrap();
                let response = Response::new()
                    .answer("rating", Answer::Scale(rating))
                    .answer("recommend", Answer::Nps(score));
                run(
                    &mut f,
                    Command::new(
                        Actor::integration("survey"),
                        SurveyAction::Answer {
                            invitation,
                            response,
                        },
                    ),
                );
                vec![]
            }
            Step::Praise => {
                let praise = RecognitionAction::RecordPraise {
                    praise: f.ids.next_id(),
                    source: PraiseSource::TicketReply,
                    text: "Thank you, back up in no time!".into(),
                    customer: Some(customer),
                    ticket: Some(ticket),
                };
                run(&mut f, Command::new(setup.clone(), praise));
                vec![]
            }
        };
        for (after, step) in next {
            due.push(Reverse((at + after, n, step)));
        }
    }
    while let Some(timer) = f.desk.poll_timeout().filter(|t| *t < end) {
        f.desk.handle_timeout(&mut f.store, timer).unwrap();
    }
    f.now = end;
    f
}

/// Fails the bench (instead of timing empty work) unless every part of
/// the month's metrics has something in it: first responses, SLA
/// outcomes met and breached for each metric, team and agent, answered
/// CSAT (rated per agent) and NPS, praise, repeats and a queue.
fn assert_metrics_do_real_work(f: &Fixture, per_day: usize) {
    let m = f.desk.tickets().metrics(f.now - Duration::days(30), f.now);
    assert_eq!(m.opened as usize, 30 * per_day);
    let email = &m.first_response[&ChannelKind::Email];
    assert!(
        email.count > 25 * per_day && email.median >= Duration::minutes(20),
        "{email:?}"
    );
    for metric in [
        Metric::FirstResponse,
        Metric::NextResponse,
        Metric::Resolution,
    ] {
        let a = m.sla.by_metric[&metric];
        assert!(a.met > 0 && a.breached > 0, "{metric:?}: {a:?}");
    }
    assert_eq!(m.sla.by_team.len(), 4, "{:?}", m.sla.by_team);
    assert_eq!(m.sla.by_agent.len(), 20, "{:?}", m.sla.by_agent);
    let nps = m.nps;
    assert!(
        nps.promoters > 0 && nps.passives > 0 && nps.detractors > 0,
        "{nps:?}"
    );
    assert!(
        m.smiles > 0 && m.repeat_contacts > 0 && m.peak_queue.is_some(),
        "{m:?}"
    );
    let smiles = f.desk.people().smiles(m.from, m.to);
    assert_eq!(smiles.len(), 20, "{smiles:?}");
    let csat = f.desk.surveys().csat_by_agent();
    let rated = |c: &Csat| c.rated > 0 && c.satisfied > 0 && c.satisfied < c.rated;
    assert!(csat.len() == 20 && csat.values().all(rated), "{csat:?}");
}

fn trends_and_metrics(c: &mut Criterion) {
    let mut g = c.benchmark_group("signals");
    g.sample_size(10);
    let per_day = 1_000;
    let f = month(per_day);
    let graph = default_graph().unwrap();
    g.bench_function(BenchmarkId::new("trends_8_days", per_day * 8), |b| {
        b.iter(|| black_box(f.desk.incidents().trends(f.now)))
    });
    g.bench_function(
        BenchmarkId::new("decide_trend_escalations", per_day * 8),
        |b| {
            b.iter(|| {
                black_box(
                    f.desk
                        .incidents()
                        .decide_trend_escalations(&graph, "front_line", f.now)
                        .unwrap(),
                )
            })
        },
    );
    assert_metrics_do_real_work(&f, per_day);
    let from = f.now - Duration::days(30);
    g.bench_function(BenchmarkId::new("metrics_30_days", per_day * 30), |b| {
        b.iter(|| black_box(f.desk.tickets().metrics(from, f.now)))
    });
    g.finish();
}

criterion_group!(benches, incidents, trends_and_metrics);
criterion_main!(benches);
