//! The demo organisation the service starts with (unless `--empty`): a
//! small version of the `fanatical_day` example's cast. People, teams,
//! three customers with a contact each, the desk's configuration (SLA
//! policies, an SLA contract, the escalation graph bound to the people,
//! a trigger that escalates on breach, a CSAT survey sent on solve, two
//! reply templates, three macros) and a few tickets to work on.
//!
//! Ids come from a fixed seed, so the configuration (which names people)
//! is the same on every start, and a restart finds the same desk in its
//! store.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::America::Chicago;
use fanatical::actor::Actor;
use fanatical::agent::{AgentCommand, Role, TeamCommand};
use fanatical::channel::{Channel, ChannelAddress};
use fanatical::customer::CustomerCommand;
use fanatical::desk::{
    Command, CustomerAction, Desk, DeskConfig, InboundMessage, IncidentAction, PeopleAction,
    TicketAction,
};
use fanatical::escalation::{Condition, EscalationGraph, Node, Rule, SlaLevel};
use fanatical::id::{
    AgentId, ComponentId, ContactId, CustomerId, IdGenerator, IncidentId, TeamId, TicketId,
};
use fanatical::incident::{
    Audience, Cadence, ComponentCatalog, ComponentState, IncidentConfig, IncidentStatus, Messages,
};
use fanatical::rules::{
    Change, Condition as When, Macro, MacroSet, RuleAction, Trigger, TriggerSet,
};
use fanatical::sla::{
    Clock, Conditions, Contract, Metric, SlaConfig, SlaPolicies, SlaPolicy, Target,
};
use fanatical::store::Store;
use fanatical::survey::{Question, QuestionKind, SurveyConfig, SurveyDraft};
use fanatical::template::{Locale, ReplyName, TemplateSet};
use fanatical::ticket::{Priority, Status, Tag};

/// The seed of the demo's ids.
pub const SEED: u64 = 20;

/// The name of the CSAT survey sent when a ticket is solved.
pub const CSAT: &str = "csat";

/// The demo's reply template.
pub const APOLOGY: &str = "outage-apology";

/// The demo's reply template asking the customer for details (the
/// "Ask for details" macro sends it).
pub const NEED_DETAILS: &str = "need-details";

/// The macro that asks for details and waits for the customer: a reply
/// from a template, then pending.
pub const MACRO_ASK: &str = "Ask for details";

/// The macro by which an agent takes a ticket: assigned to whoever
/// applies it, and open.
pub const MACRO_TAKE: &str = "Take it";

/// Tier 2's macro (only its members are offered it): urgent, tagged for
/// engineering.
pub const MACRO_TIER2: &str = "Engineering takes it";

/// The people and customers of the demo, by id.
#[derive(Debug, Clone, Copy)]
pub struct Cast {
    /// VP of support (executive, manager): the supervisor.
    pub rob: AgentId,
    /// Team lead of the front line.
    pub luis: AgentId,
    /// Front line.
    pub ana: AgentId,
    /// Front line and tier 2.
    pub mei: AgentId,
    /// Billing.
    pub bea: AgentId,
    /// Safety responder.
    pub dana: AgentId,
    /// A light agent: reads tickets and writes notes, may not reply.
    pub lee: AgentId,
    /// The front-line team.
    pub front_line: TeamId,
    /// Tier 2.
    pub tier2: TeamId,
    /// Big Retail Co (enterprise contract).
    pub big_retail: CustomerId,
    /// Jane Park, Big Retail's contact.
    pub jane: ContactId,
    /// Ten Dollar Blog.
    pub blog: CustomerId,
    /// Sam Ortiz, the blog's contact.
    pub sam: ContactId,
    /// Sarah's Studio.
    pub studio: CustomerId,
    /// Sarah Lee, the studio's contact.
    pub sarah: ContactId,
}

impl Cast {
    /// The cast, from [`SEED`].
    #[must_use]
    pub fn new() -> Self {
        let mut ids = IdGenerator::from_seed(SEED);
        Cast {
            rob: ids.next_id(),
            luis: ids.next_id(),
            ana: ids.next_id(),
            mei: ids.next_id(),
            bea: ids.next_id(),
            dana: ids.next_id(),
            lee: ids.next_id(),
            front_line: ids.next_id(),
            tier2: ids.next_id(),
            big_retail: ids.next_id(),
            jane: ids.next_id(),
            blog: ids.next_id(),
            sam: ids.next_id(),
            studio: ids.next_id(),
            sarah: ids.next_id(),
        }
    }
}

impl Default for Cast {
    fn default() -> Self {
        Cast::new()
    }
}

/// The demo desk's configuration.
///
/// # Errors
/// None in practice: the same values always validate.
pub fn config(cast: &Cast) -> Result<DeskConfig, String> {
    let e = |e: &dyn std::fmt::Display| e.to_string();
    let policies = SlaPolicies::new(vec![
        SlaPolicy::new(
            "enterprise",
            Conditions::any().in_segments(["enterprise".to_owned()]),
            vec![
                Target::new(Metric::FirstResponse, Duration::minutes(30), Clock::Always)
                    .warn_at([50]),
                Target::new(Metric::NextResponse, Duration::hours(1), Clock::Always),
                Target::new(Metric::Resolution, Duration::hours(4), Clock::Always),
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
    .map_err(|x| e(&x))?;
    let csat = SurveyDraft::new(CSAT)
        .question(Question::new("rating", "How did we do?", QuestionKind::scale()).required())
        .question(Question::new(
            "comment",
            "Anything you would like to tell us?",
            QuestionKind::Comment,
        ))
        .validate()
        .map_err(|x| e(&x))?;
    let templates = TemplateSet::default()
        .with_reply(
            ReplyName::new(APOLOGY).map_err(|x| e(&x))?,
            [(
                Locale::english(),
                "Sorry for the trouble, {{ requester }}: ticket {{ ticket }} is our top priority, and we will update you within the hour."
                    .to_owned(),
            )],
        )
        .and_then(|t| {
            t.with_reply(
                ReplyName::new(NEED_DETAILS)?,
                [(
                    Locale::english(),
                    "Hello {{ requester }}, to look into ticket {{ ticket }} we need a little more: the address of the page, the time it happened and a screenshot if you have one."
                        .to_owned(),
                )],
            )
        })
        .map_err(|x| e(&x))?;
    let c = |id: &str| ComponentId::new(id).map_err(|x| e(&x));
    let (dfw1, lon3) = (c("dfw1")?, c("lon3")?);
    let catalog = ComponentCatalog::new()
        .with(dfw1, "DFW1 datacenter, Fort Worth", None)
        .and_then(|k| k.with(lon3, "LON3 datacenter, London", None))
        .map_err(|x| e(&x))?;
    Ok(DeskConfig::default()
        .with_sla(SlaConfig::new(policies))
        .with_incidents(IncidentConfig::default().with_components(catalog))
        .with_surveys(
            SurveyConfig::default()
                .with_survey(csat)
                .csat_on_solve(CSAT),
        )
        .with_escalation(graph(cast)?)
        .with_triggers(triggers()?)
        .with_templates(templates)
        .with_macros(macros(cast)?))
}

/// The demo's macros: one replying from a template and waiting, one
/// assigning the ticket to whoever applies it, one for tier 2 only.
///
/// # Errors
/// None in practice.
pub fn macros(cast: &Cast) -> Result<MacroSet, String> {
    let e = |e: &dyn std::fmt::Display| e.to_string();
    let ask = Macro::new(
        MACRO_ASK,
        [
            RuleAction::ReplyWith {
                template: ReplyName::new(NEED_DETAILS).map_err(|x| e(&x))?,
            },
            RuleAction::SetStatus(Status::Pending),
        ],
    )
    .map_err(|x| e(&x))?
    .describe("Asks the customer for the page, the time and a screenshot, and waits for them.");
    let take = Macro::new(
        MACRO_TAKE,
        [
            RuleAction::AssignToActor,
            RuleAction::SetStatus(Status::Open),
        ],
    )
    .map_err(|x| e(&x))?
    .describe("Assigns the ticket to you and opens it.");
    let tier2 = Macro::new(
        MACRO_TIER2,
        [
            RuleAction::SetPriority(Priority::Urgent),
            RuleAction::AddTag(Tag::new("engineering").map_err(|x| e(&x))?),
            RuleAction::AssignToActor,
        ],
    )
    .map_err(|x| e(&x))?
    .describe("Tier 2 only: urgent, tagged for engineering, assigned to you.")
    .for_teams([cast.tier2]);
    MacroSet::new(vec![ask, take, tier2]).map_err(|x| e(&x))
}

/// The trigger's name: every SLA breach on an unsolved ticket is
/// escalated through the graph, from the front line.
pub const ESCALATE_ON_BREACH: &str = "escalate on breach";

fn triggers() -> Result<TriggerSet, String> {
    let unsolved = [Status::New, Status::Open, Status::Pending, Status::OnHold];
    let trigger = Trigger::new(
        ESCALATE_ON_BREACH,
        [RuleAction::Escalate {
            from: "front_line".into(),
        }],
    )
    .map_err(|e| e.to_string())?
    .when(When::Changed(Change::SlaBreached { metric: None }))
    .when(When::Status(unsolved.into()));
    TriggerSet::new(vec![trigger]).map_err(|e| e.to_string())
}

/// The escalation graph, bound to the demo's people and teams.
///
/// # Errors
/// None in practice.
pub fn graph(cast: &Cast) -> Result<EscalationGraph, String> {
    EscalationGraph::builder()
        .node(
            Node::desk_team("front_line", "Front line", 0, cast.front_line)
                .entry()
                .owner(),
        )
        .node(Node::desk_team("tier2", "Tier 2 engineering", 1, cast.tier2).owner())
        .node(Node::role("billing", "Billing", 1, Role::Billing).owner())
        .node(Node::person("vp", "VP Support", 2, cast.rob).owner())
        .node(
            Node::role("safety", "Safety responder", 9, Role::SafetyResponder)
                .entry()
                .owner(),
        )
        .rule(Rule::new(
            "crisis",
            "front_line",
            "safety",
            Condition::any().crisis(),
            "a person may be at risk: straight to a trained responder",
        ))
        .rule(
            Rule::new(
                "billing_breach",
                "front_line",
                "billing",
                Condition::any()
                    .in_categories(["billing"])
                    .sla(None, SlaLevel::Breached),
                "a billing question ran out of time: billing takes it",
            )
            .carrying(["conversation", "invoice numbers"]),
        )
        .rule(
            Rule::new(
                "breach",
                "front_line",
                "tier2",
                Condition::any().sla(None, SlaLevel::Breached),
                "an SLA was breached: tier 2 takes over",
            )
            .carrying(["conversation", "SLA history"]),
        )
        .rule(
            Rule::new(
                "tier2_stuck",
                "tier2",
                "vp",
                Condition::any().sla(Some(Metric::Resolution), SlaLevel::Breached),
                "resolution breached in tier 2: the VP of support owns it",
            )
            .carrying(["conversation", "internal notes", "SLA history"]),
        )
        .build()
        .map_err(|e| e.to_string())
}

/// Seeds a new desk with the demo organisation and a few tickets, at
/// `now`.
///
/// # Errors
/// The first command the desk refused, as text.
pub fn seed(
    desk: &mut Desk,
    store: &mut dyn Store,
    cast: &Cast,
    now: DateTime<Utc>,
) -> Result<(), String> {
    let hr = Actor::integration("hr");
    let mut run = |command: Command, at: DateTime<Utc>| {
        desk.execute(store, command, at)
            .map(|_| ())
            .map_err(|e| e.to_string())
    };
    let c = cast;
    for (id, name, roles, manager) in [
        (
            c.rob,
            "Rob (VP Support)",
            vec![Role::Executive, Role::Manager],
            None,
        ),
        (
            c.luis,
            "Luis (team lead)",
            vec![Role::TeamLead],
            Some(c.rob),
        ),
        (c.ana, "Ana (front line)", vec![Role::Agent], Some(c.luis)),
        (
            c.mei,
            "Mei (front line, tier 2)",
            vec![Role::Agent],
            Some(c.luis),
        ),
        (c.bea, "Bea (billing)", vec![Role::Billing], Some(c.rob)),
        (
            c.dana,
            "Dana (safety responder)",
            vec![Role::SafetyResponder],
            Some(c.rob),
        ),
        (
            c.lee,
            "Lee (light agent)",
            vec![Role::LightAgent],
            Some(c.luis),
        ),
    ] {
        run(
            Command::new(
                hr.clone(),
                PeopleAction::RegisterAgent {
                    id,
                    name: name.into(),
                    time_zone: Chicago,
                    roles,
                    skills: vec![],
                },
            ),
            now,
        )?;
        if manager.is_some() {
            run(
                Command::new(
                    hr.clone(),
                    PeopleAction::UpdateAgent {
                        agent: id,
                        command: AgentCommand::ReportTo(manager),
                    },
                ),
                now,
            )?;
        }
    }
    for (team, name, members) in [
        (c.front_line, "Front line", vec![c.ana, c.mei, c.luis]),
        (c.tier2, "Tier 2 engineering", vec![c.mei, c.luis]),
    ] {
        run(
            Command::new(
                hr.clone(),
                PeopleAction::CreateTeam {
                    id: team,
                    name: name.into(),
                },
            ),
            now,
        )?;
        for m in members {
            run(
                Command::new(
                    hr.clone(),
                    PeopleAction::UpdateTeam {
                        team,
                        command: TeamCommand::AddMember(m),
                    },
                ),
                now,
            )?;
        }
        run(
            Command::new(
                hr.clone(),
                PeopleAction::UpdateTeam {
                    team,
                    command: TeamCommand::SetLead(c.luis),
                },
            ),
            now,
        )?;
    }
    let crm = Actor::integration("crm");
    let addr =
        |a: Result<ChannelAddress, fanatical::channel::ChannelError>| a.map_err(|e| e.to_string());
    let people = [
        (
            c.big_retail,
            "Big Retail Co",
            c.jane,
            "Jane Park",
            "jane@bigretail.example",
        ),
        (
            c.blog,
            "Ten Dollar Blog",
            c.sam,
            "Sam Ortiz",
            "sam@tendollarblog.example",
        ),
        (
            c.studio,
            "Sarah's Studio",
            c.sarah,
            "Sarah Lee",
            "sarah@studio.example",
        ),
    ];
    for (customer, organisation, contact, name, email) in people {
        run(
            Command::new(
                crm.clone(),
                CustomerAction::Register {
                    id: customer,
                    organisation: organisation.into(),
                },
            ),
            now,
        )?;
        run(
            Command::new(
                crm.clone(),
                CustomerAction::Update {
                    customer,
                    command: CustomerCommand::AddContact {
                        contact,
                        name: name.into(),
                        addresses: vec![addr(ChannelAddress::email(email))?],
                    },
                },
            ),
            now,
        )?;
    }
    // Big Retail is on the enterprise contract: 30-minute first response.
    run(
        Command::new(
            crm.clone(),
            CustomerAction::SetContract {
                customer: c.big_retail,
                contract: Some(Box::new(Contract::in_segment("enterprise"))),
            },
        ),
        now,
    )?;
    // Big Retail runs in DFW1; the others in London.
    for (customer, component) in [(c.big_retail, "dfw1"), (c.blog, "lon3"), (c.studio, "lon3")] {
        run(
            Command::new(
                crm.clone(),
                CustomerAction::Update {
                    customer,
                    command: CustomerCommand::RunOn {
                        component: ComponentId::new(component).map_err(|e| e.to_string())?,
                    },
                },
            ),
            now,
        )?;
    }
    // A few tickets to work on, written in over the last hour.
    let mut ids = IdGenerator::from_seed(SEED.wrapping_add(1));
    let inbound = Actor::integration("inbound");
    let stories = [
        (
            "jane@bigretail.example",
            "Checkout is down",
            "Our checkout page returns 502 since 9:40. Every minute costs us sales.",
            40,
        ),
        (
            "sam@tendollarblog.example",
            "Invoice charged twice",
            "I was charged twice for November, invoice 1182.",
            25,
        ),
        (
            "sarah@studio.example",
            "How do I add a domain?",
            "Where do I point my new domain <b>sarahlee.art</b>?",
            10,
        ),
    ];
    let mut opened: Vec<TicketId> = Vec::new();
    for (from, subject, body, minutes_ago) in stories {
        let ticket: TicketId = ids.next_id();
        let message = InboundMessage::new(
            ticket,
            Channel::Email,
            addr(ChannelAddress::email(from))?,
            body,
        )
        .with_subject(subject);
        run(
            Command::new(inbound.clone(), TicketAction::Receive(message)),
            now - Duration::minutes(minutes_ago),
        )?;
        opened.push(ticket);
    }
    // Ana takes the outage; a note for her colleagues only.
    if let Some(&outage) = opened.first() {
        run(
            Command::new(Actor::Agent(c.ana), TicketAction::assign(outage, c.ana)),
            now,
        )?;
        run(
            Command::note(
                outage,
                c.ana,
                "Load balancer in DFW1 shows the pool down; checking with tier 2.",
            ),
            now,
        )?;
    }
    // DFW1's load balancers are degraded: Rob runs the incident.
    let incident: IncidentId = ids.next_id();
    run(
        Command::new(
            Actor::Agent(c.rob),
            IncidentAction::Declare {
                incident,
                title: "DFW1 load balancers degraded".into(),
                commander: c.rob,
                status: IncidentStatus::Identified,
                components: [(
                    ComponentId::new("dfw1").map_err(|e| e.to_string())?,
                    ComponentState::PartialOutage,
                )]
                .into(),
                cadence: Some(Cadence::every_minutes(30, 5).map_err(|e| e.to_string())?),
                messages: Messages::from([
                    (
                        Audience::Technical,
                        "Two of four load balancers in DFW1 dropped their pools after a firmware push; rolling back.".into(),
                    ),
                    (
                        Audience::Business,
                        "Some sites hosted in DFW1 are slow or unreachable. Next update within 30 minutes.".into(),
                    ),
                    (
                        Audience::Public,
                        "Some sites in our DFW1 datacenter are unreachable; we have found the cause and are fixing it.".into(),
                    ),
                ]),
            },
        ),
        now,
    )?;
    Ok(())
}
