//! A Fanatical day: one day of a support organisation, from a fixed seed,
//! on the in-memory store, through the public API only.
//!
//! `main.rs` runs it, prints the report and writes the escalation graph as
//! DOT; `tests/it/fanatical_day.rs` runs this same code and checks every
//! story, so the example cannot silently rot.
//!
//! Monday 2 November 2026, America/Chicago. By the clock:
//! - 02:00 a VIP retailer and a ten-dollar blog call at once: same
//!   treatment, and neither the agent nor routing sees what they spend;
//! - 08:40 a public post on X answered in three minutes, and praised;
//! - 09:30 a truck hits the power feed of DFW1: an incident with a
//!   30-minute update cadence (one update late), callers linked, everyone
//!   affected kept in the loop, credits with reasons, follow-ups scheduled;
//! - 10:00 a thank-you with an animated GIF, answered with another;
//! - 11:00 the email gateway fails five deliveries; the outbox retries;
//! - 12:00 an agent remembers a customer's family and team (with consent);
//!   a video onboarding session for a new account;
//! - 12:30 a personal post from the official account is held (mistake one);
//! - 13:00 the phone system goes down for ninety minutes: callers move to
//!   social and to chat on their phones, replies follow them;
//! - 15:00 a post on X waits twelve minutes: the 5-minute SLA breaches and
//!   the post is escalated to the social team lead;
//! - 16:00 "Having fun at Sea World" from the official account is held,
//!   and the same mistake twice is flagged for coaching;
//! - 17:00 an NPS wave: a detractor scoring 3 gets a personal call-back
//!   task; a promoter's praise travels up to the CEO, who acknowledges it,
//!   and the committee issues a certificate;
//! - 19:30 a message signalling self-harm goes straight to the safety
//!   responder;
//! - all day, 160 conversations on phone, email, portal and chat; every
//!   SLA breach is escalated through the day's graph, with its reason.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::America::Chicago;
use fanatical::agent::{AgentCommand, Role, TeamCommand};
use fanatical::channel::{Channel, ChannelAddress, ChannelKind, SocialNetwork, Visibility};
use fanatical::coaching::MistakeKind;
use fanatical::customer::{
    AccountStanding, ConsentSource, Currency, CustomerCommand, Interest, Money, Relation, Tier,
};
use fanatical::desk::{Command, Desk, DeskConfig, Escalation, InboundMessage};
use fanatical::escalation::{Condition, EscalationGraph, Facts, Node, Rule, SlaLevel};
use fanatical::event::{Event, StreamId};
use fanatical::guard::{GuardPolicy, OfficialAccount, PostState};
use fanatical::id::{
    AgentId, ComponentId, ContactId, CustomerId, IdGenerator, IncidentId, InvitationId, MessageId,
    PostId, PraiseId, TeamId, TicketId,
};
use fanatical::incident::{
    Audience, Cadence, ComponentCatalog, ComponentState, CreditConfig, CreditPolicy,
    IncidentConfig, IncidentEventKind, IncidentStatus, Messages, ReasonCode,
};
use fanatical::outbox::{DeliveryState, Recipient};
use fanatical::recognition::{Acknowledgement, PraiseSource};
use fanatical::routing::{Router, Routing, RoutingAgent};
use fanatical::sla::{
    BusinessCalendar, Clock, Conditions, DayHours, Metric, Phase, SlaConfig, SlaEventKind,
    SlaPolicies, SlaPolicy, Target,
};
use fanatical::store::{MemoryStore, RecordedEvent, Store};
use fanatical::survey::{Answer, Question, QuestionKind, Response, SurveyConfig, SurveyDraft};
use fanatical::ticket::{Attachment, Author, OpenTicket, Status, Tag, TicketType};
use fanatical::transport::{RecordingTransport, Transport};

/// The seed of the day the README shows.
pub const SEED: u64 = 20_261_102;
/// The NPS wave's name.
pub const WAVE: &str = "2026-11-02 relationship";
/// The official account on X.
pub const OFFICIAL: &str = "@FanaticalHQ";
/// What a customer writes at 19:30.
pub const CRISIS_MESSAGE: &str = "My backups failed again and honestly I want to end my life";

/// Errors end the day with a message.
pub type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

type Step = Box<dyn FnOnce(&mut Day, DateTime<Utc>) -> Result<()>>;

/// A wall-clock time on the day, in Chicago.
pub fn local(h: u32, m: u32) -> DateTime<Utc> {
    Chicago
        .with_ymd_and_hms(2026, 11, 2, h, m, 0)
        .single()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default()
}

fn hhmm(t: DateTime<Utc>) -> String {
    t.with_timezone(&Chicago).format("%H:%M").to_string()
}

/// The people of the organisation and its two desk teams.
#[derive(Debug, Clone, Copy)]
pub struct Cast {
    /// The CEO, top of every management chain.
    pub graham: AgentId,
    /// VP of support; commands the incident; sits on the committee.
    pub rob: AgentId,
    /// Team lead of the front line (and its social desk).
    pub luis: AgentId,
    /// Front line, Chicago nights.
    pub ana: AgentId,
    /// Front line, London, runs social.
    pub kofi: AgentId,
    /// Front line and tier 2, Sydney.
    pub mei: AgentId,
    /// Billing.
    pub bea: AgentId,
    /// Account manager (and owner of survey follow-ups).
    pub alex: AgentId,
    /// The trained safety responder.
    pub dana: AgentId,
    /// The front-line team.
    pub front_line: TeamId,
    /// Tier 2 engineering.
    pub tier2: TeamId,
}

impl Cast {
    fn new(ids: &mut IdGenerator) -> Self {
        Cast {
            graham: ids.next_id(),
            rob: ids.next_id(),
            luis: ids.next_id(),
            ana: ids.next_id(),
            kofi: ids.next_id(),
            mei: ids.next_id(),
            bea: ids.next_id(),
            alex: ids.next_id(),
            dana: ids.next_id(),
            front_line: ids.next_id(),
            tier2: ids.next_id(),
        }
    }
}

/// A customer with one contact, the way the day knows them.
#[derive(Debug, Clone)]
pub struct Person {
    /// The customer.
    pub customer: CustomerId,
    /// Their contact.
    pub contact: ContactId,
    /// The contact's name.
    pub name: String,
    /// Email.
    pub email: ChannelAddress,
    /// Phone (a mobile, so they can also chat from it).
    pub phone: ChannelAddress,
    /// Chat in the mobile app.
    pub chat: ChannelAddress,
    /// X handle, for some.
    pub x: Option<ChannelAddress>,
    /// What they run on.
    pub component: &'static str,
}

impl Person {
    /// Their address on a kind of channel, if they have one.
    pub fn address(&self, kind: ChannelKind) -> Option<&ChannelAddress> {
        match kind {
            ChannelKind::Phone => Some(&self.phone),
            ChannelKind::Chat => Some(&self.chat),
            ChannelKind::Email | ChannelKind::Portal => Some(&self.email),
            ChannelKind::Social => self.x.as_ref(),
            ChannelKind::Video => None,
        }
    }
}

/// The ids of the stories, and what happened to them as the day ran.
#[derive(Debug, Clone)]
pub struct Stories {
    /// The ten-dollar blog's 2 a.m. call.
    pub call_blog: TicketId,
    /// The VIP's 2 a.m. call.
    pub call_vip: TicketId,
    /// The 8:40 post on X, answered in three minutes.
    pub social_ok: TicketId,
    /// Sarah's praise for it.
    pub sarah_praise: PraiseId,
    /// The 15:00 post on X that waits twelve minutes.
    pub social_late: TicketId,
    /// The GIF conversation.
    pub gif: TicketId,
    /// The video onboarding.
    pub onboarding: TicketId,
    /// The DFW1 power loss.
    pub incident: IncidentId,
    /// A call cut off by the phone outage, answered on a fallback.
    pub dropped_call: TicketId,
    /// The 12:30 personal post.
    pub taco_post: PostId,
    /// The phone-outage announcement.
    pub outage_post: PostId,
    /// The Sea World post.
    pub sea_world: PostId,
    /// The self-harm message.
    pub crisis: TicketId,
    /// The NPS promoter's praise.
    pub promoter_praise: PraiseId,
    /// Tickets linked to the incident.
    pub incident_callers: Vec<TicketId>,
    /// What the first caller's agent saw in the incident briefing.
    pub briefing: String,
    /// Contacts who would have called and used another channel instead.
    pub moved_from_phone: BTreeMap<ChannelKind, usize>,
    /// The detractor's invitation.
    pub detractor: Option<InvitationId>,
    /// The promoter's invitation.
    pub promoter: Option<InvitationId>,
    /// Commands the desk refused on purpose during the day, with why.
    pub refusals: Vec<String>,
    /// How the 2 a.m. calls were routed: (ticket, agent, why).
    pub routed: Vec<(TicketId, AgentId, String)>,
}

impl Stories {
    fn new(ids: &mut IdGenerator) -> Self {
        Stories {
            call_blog: ids.next_id(),
            call_vip: ids.next_id(),
            social_ok: ids.next_id(),
            sarah_praise: ids.next_id(),
            social_late: ids.next_id(),
            gif: ids.next_id(),
            onboarding: ids.next_id(),
            incident: ids.next_id(),
            dropped_call: ids.next_id(),
            taco_post: ids.next_id(),
            outage_post: ids.next_id(),
            sea_world: ids.next_id(),
            crisis: ids.next_id(),
            promoter_praise: ids.next_id(),
            incident_callers: Vec::new(),
            briefing: String::new(),
            moved_from_phone: BTreeMap::new(),
            detractor: None,
            promoter: None,
            refusals: Vec::new(),
            routed: Vec::new(),
        }
    }
}

/// An escalation the day carried out when an SLA breached.
#[derive(Debug, Clone)]
pub struct Escalated {
    /// When.
    pub at: DateTime<Utc>,
    /// Which ticket.
    pub ticket: TicketId,
    /// What breached.
    pub trigger: String,
    /// Where it went and why.
    pub escalation: Escalation,
}

/// The day: the desk, its store and transport, and what happened.
pub struct Day {
    /// The desk.
    pub desk: Desk,
    /// Its store.
    pub store: MemoryStore,
    /// The transport every message went through.
    pub transport: RecordingTransport,
    /// The day's escalation graph.
    pub graph: EscalationGraph,
    /// Who is on shift, with what capacity: routing reads this, the
    /// desk's loads and the skills a ticket needs, never the customer.
    pub router: Router,
    /// The organisation.
    pub cast: Cast,
    /// Customers: the VIP, the blog, Sarah, then the crowd.
    pub people: Vec<Person>,
    /// The stories.
    pub stories: Stories,
    /// One line per moment worth telling, in order.
    pub log: Vec<(DateTime<Utc>, String)>,
    /// Every escalation, in order.
    pub escalations: Vec<Escalated>,
    /// How many background conversations were scripted.
    pub background: usize,
    ids: IdGenerator,
    agenda: BTreeMap<(DateTime<Utc>, u64), Step>,
    seq: u64,
}

/// The index of the VIP in [`Day::people`].
pub const VIP: usize = 0;
/// The ten-dollar blog.
pub const BLOG: usize = 1;
/// Sarah, who posts on X.
pub const SARAH: usize = 2;
/// The first of the crowd.
pub const CROWD: usize = 3;

/// Runs the whole day from `seed`.
pub fn run(seed: u64) -> Result<Day> {
    let mut ids = IdGenerator::from_seed(seed);
    let cast = Cast::new(&mut ids);
    let stories = Stories::new(&mut ids);
    let mut day = Day {
        desk: Desk::new(config(&cast)?),
        store: MemoryStore::new(),
        transport: RecordingTransport::new(),
        graph: graph(&cast)?,
        router: Router::new(Vec::new())?,
        cast,
        people: Vec::new(),
        stories,
        log: Vec::new(),
        escalations: Vec::new(),
        background: 0,
        ids,
        agenda: BTreeMap::new(),
        seq: 0,
    };
    day.organise()?;
    day.sign_up_customers()?;
    day.script_stories()?;
    day.script_incident()?;
    day.script_phone_outage()?;
    day.script_posts()?;
    day.script_wave()?;
    day.script_background()?;
    day.play()?;
    Ok(day)
}

/// The desk's configuration: SLA policies, the component catalog and
/// credits, the surveys, and the official account's review rules.
pub fn config(cast: &Cast) -> Result<DeskConfig> {
    let office = BusinessCalendar::weekdays(Chicago, DayHours::parse(&[("09:00", "17:00")])?)
        .with_holidays(NaiveDate::from_ymd_opt(2026, 11, 26));
    let billing = Tag::new("billing").ok();
    // The front line is 24x7x365, so its clocks are `Always`; billing
    // answers in office hours.
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
    ])?;
    let c = ComponentId::new;
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
    let relationship = SurveyDraft::new("relationship")
        .question(
            Question::new(
                "score",
                "How likely are you to recommend us to a friend?",
                QuestionKind::Nps,
            )
            .required(),
        )
        .question(Question::new(
            "why",
            "What is the reason for your score?",
            QuestionKind::Comment,
        ))
        .validate()?;
    let after_outage = SurveyDraft::new("after-the-outage")
        .question(
            Question::new(
                "happy",
                "Are you happy with us after the outage?",
                QuestionKind::scale(),
            )
            .required(),
        )
        .validate()?;
    let posting_hours =
        BusinessCalendar::weekdays(Chicago, DayHours::parse(&[("07:00", "22:00")])?);
    Ok(DeskConfig::default()
        .with_sla(SlaConfig::new(policies).with_support_hours(office))
        .with_incidents(
            IncidentConfig::default()
                .with_components(catalog)
                .with_credits(credits)
                .with_follow_up(Some("after-the-outage"), Duration::days(42)),
        )
        .with_surveys(
            SurveyConfig::default()
                .with_survey(relationship)
                .with_survey(after_outage)
                .with_follow_up_owner(cast.alex),
        )
        .with_guard(GuardPolicy::default_policy().with_account(OfficialAccount {
            network: SocialNetwork::X,
            handle: OFFICIAL.into(),
            hours: Some(posting_hours),
        })))
}

/// The day's escalation graph, bound to the people of the desk: a crisis
/// to the safety responder; a social post that missed its first response
/// to the social team lead; other breaches to tier 2 (billing questions to
/// billing); resolution breached in tier 2 to the account team.
pub fn graph(cast: &Cast) -> Result<EscalationGraph> {
    Ok(EscalationGraph::builder()
        .node(
            Node::desk_team("front_line", "Front line", 0, cast.front_line)
                .entry()
                .owner(),
        )
        .node(Node::person("social_lead", "Social team lead", 1, cast.luis).owner())
        .node(Node::desk_team("tier2", "Tier 2 engineering", 1, cast.tier2).owner())
        .node(Node::role("billing", "Billing", 1, Role::Billing).owner())
        .node(Node::role("account_team", "Account team", 2, Role::AccountManager).owner())
        .node(
            Node::role("safety", "Safety responder", 9, Role::SafetyResponder)
                .entry()
                .owner(),
        )
        .rule(
            Rule::new(
                "crisis",
                "front_line",
                "safety",
                Condition::any().crisis(),
                "a person may be at risk: straight to a trained responder",
            )
            .carrying(["the message", "contact details"]),
        )
        .rule(
            Rule::new(
                "social_breach",
                "front_line",
                "social_lead",
                Condition::any()
                    .on_channels([ChannelKind::Social])
                    .sla(Some(Metric::FirstResponse), SlaLevel::Breached),
                "a post missed its 5-minute first response: the social team lead takes it",
            )
            .carrying(["the post", "the customer's handle"]),
        )
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
                "account_team",
                Condition::any().sla(Some(Metric::Resolution), SlaLevel::Breached),
                "resolution breached in tier 2: the account team owns the customer's experience",
            )
            .carrying(["conversation", "internal notes", "SLA history"]),
        )
        .build()?)
}

impl Day {
    /// Runs one command now.
    fn exec(&mut self, cmd: Command, now: DateTime<Utc>) -> Result<Vec<RecordedEvent>> {
        Ok(self.desk.execute(&mut self.store, cmd, now)?)
    }

    /// Runs a command the desk must refuse, and keeps why.
    fn expect_refusal(&mut self, what: &str, cmd: Command, now: DateTime<Utc>) -> Result<()> {
        match self.desk.execute(&mut self.store, cmd, now) {
            Ok(_) => Err(format!("{what}: the desk accepted it").into()),
            Err(e) => {
                self.stories.refusals.push(format!("{what}: {e}"));
                Ok(())
            }
        }
    }

    fn at(
        &mut self,
        when: DateTime<Utc>,
        step: impl FnOnce(&mut Day, DateTime<Utc>) -> Result<()> + 'static,
    ) {
        self.seq += 1;
        self.agenda.insert((when, self.seq), Box::new(step));
    }

    fn tell(&mut self, when: DateTime<Utc>, line: &str) {
        let line = line.to_owned();
        self.at(when, move |d, now| {
            d.log.push((now, line));
            Ok(())
        });
    }

    fn inbound(&mut self, when: DateTime<Utc>, msg: InboundMessage) {
        self.at(when, move |d, now| {
            d.exec(Command::ReceiveMessage(msg), now)?;
            Ok(())
        });
    }

    /// The ticket's owner answers in public; if nobody owns it yet,
    /// `agent` takes it first.
    fn answer(&mut self, when: DateTime<Utc>, ticket: TicketId, agent: AgentId, body: &str) {
        let body = body.to_owned();
        self.at(when, move |d, now| {
            let Some(t) = d.desk.ticket(ticket) else {
                return Ok(());
            };
            let owner = match t.assignee() {
                Some(owner) => owner,
                None => {
                    d.exec(Command::assign(ticket, agent), now)?;
                    agent
                }
            };
            d.exec(Command::reply(ticket, owner, &body), now)?;
            Ok(())
        });
    }

    /// Routes a new ticket to whoever is on shift with the lowest load,
    /// and assigns it.
    fn route(&mut self, when: DateTime<Utc>, ticket: TicketId) {
        self.at(when, move |d, now| {
            let agent = match d.desk.route_ticket(ticket, &d.router, &[], now)? {
                Routing::Assigned { agent, reason } => {
                    d.stories.routed.push((ticket, agent, reason));
                    agent
                }
                Routing::Wait { agent, at, .. } => {
                    return Err(format!("nobody on shift: {agent} is first at {at}").into());
                }
            };
            d.exec(Command::assign(ticket, agent), now)?;
            Ok(())
        });
    }

    fn solve(&mut self, when: DateTime<Utc>, ticket: TicketId, agent: AgentId) {
        self.at(when, move |d, now| {
            let Some(t) = d.desk.ticket(ticket) else {
                return Ok(());
            };
            if !t.status().is_unsolved() {
                return Ok(());
            }
            if t.assignee().is_none() {
                d.exec(Command::assign(ticket, agent), now)?;
            }
            d.exec(Command::set_status(ticket, Status::Solved), now)?;
            Ok(())
        });
    }

    fn roll(&mut self, n: u64) -> u64 {
        self.ids.next_u64() % n.max(1)
    }

    fn person(&self, i: usize) -> Result<&Person> {
        Ok(self.people.get(i).ok_or("no such person")?)
    }

    fn name_of(&self, agent: AgentId) -> String {
        self.desk
            .agent(agent)
            .map_or_else(|| agent.to_string(), |a| a.name().to_owned())
    }

    // ----- the organisation -------------------------------------------------

    fn organise(&mut self) -> Result<()> {
        let now = local(0, 0);
        let c = self.cast;
        let london = chrono_tz::Europe::London;
        let sydney = chrono_tz::Australia::Sydney;
        for (id, name, tz, roles, manager) in [
            (
                c.graham,
                "Graham (CEO)",
                Chicago,
                vec![Role::Executive],
                None,
            ),
            (
                c.rob,
                "Rob (VP Support)",
                Chicago,
                vec![Role::Executive, Role::Manager],
                Some(c.graham),
            ),
            (
                c.luis,
                "Luis (team lead)",
                Chicago,
                vec![Role::TeamLead],
                Some(c.rob),
            ),
            (
                c.ana,
                "Ana (Chicago, nights)",
                Chicago,
                vec![Role::Agent],
                Some(c.luis),
            ),
            (
                c.kofi,
                "Kofi (London, social)",
                london,
                vec![Role::Agent],
                Some(c.luis),
            ),
            (
                c.mei,
                "Mei (Sydney)",
                sydney,
                vec![Role::Agent],
                Some(c.luis),
            ),
            (
                c.bea,
                "Bea (billing)",
                Chicago,
                vec![Role::Billing],
                Some(c.rob),
            ),
            (
                c.alex,
                "Alex (account manager)",
                Chicago,
                vec![Role::AccountManager],
                Some(c.rob),
            ),
            (
                c.dana,
                "Dana (safety responder)",
                Chicago,
                vec![Role::SafetyResponder],
                Some(c.rob),
            ),
        ] {
            self.exec(
                Command::RegisterAgent {
                    id,
                    name: name.into(),
                    time_zone: tz,
                    roles,
                    skills: vec![],
                },
                now,
            )?;
            if manager.is_some() {
                self.exec(
                    Command::UpdateAgent {
                        agent: id,
                        command: AgentCommand::ReportTo(manager),
                    },
                    now,
                )?;
            }
        }
        for (team, name, members, lead) in [
            (
                c.front_line,
                "Front line",
                vec![c.ana, c.kofi, c.mei, c.luis],
                c.luis,
            ),
            (c.tier2, "Tier 2 engineering", vec![c.mei, c.luis], c.luis),
        ] {
            self.exec(
                Command::CreateTeam {
                    id: team,
                    name: name.into(),
                },
                now,
            )?;
            for m in members {
                self.exec(
                    Command::UpdateTeam {
                        team,
                        command: TeamCommand::AddMember(m),
                    },
                    now,
                )?;
            }
            self.exec(
                Command::UpdateTeam {
                    team,
                    command: TeamCommand::SetLead(lead),
                },
                now,
            )?;
        }
        self.exec(
            Command::NameCommittee {
                members: vec![c.graham, c.rob],
            },
            now,
        )?;
        // Shifts in each agent's own zone (Monday first): Ana covers the
        // Chicago night, Mei the Sydney day, Kofi London office hours.
        let every_day = |from: &str, to: &str| -> Result<[DayHours; 7]> {
            let day = DayHours::parse(&[(from, to)])?;
            Ok(std::array::from_fn(|_| day.clone()))
        };
        let weekdays = |from: &str, to: &str| -> Result<[DayHours; 7]> {
            let day = DayHours::parse(&[(from, to)])?;
            Ok(std::array::from_fn(|i| {
                if i < 5 {
                    day.clone()
                } else {
                    DayHours::closed()
                }
            }))
        };
        let mut on_shift = Vec::new();
        for (agent, week) in [
            (c.ana, every_day("00:00", "08:00")?),
            (c.mei, every_day("08:00", "20:00")?),
            (c.kofi, weekdays("09:00", "17:00")?),
            (c.luis, weekdays("09:00", "17:00")?),
        ] {
            let a = self.desk.agent(agent).ok_or("unknown agent")?;
            on_shift.push(RoutingAgent::for_agent(a, week, 12));
        }
        self.router = Router::new(on_shift)?;
        // Every owner in the graph must have someone at it today.
        let desk = &self.desk;
        self.graph = self
            .graph
            .to_builder()
            .build_staffed(&|k| desk.staff_count(k))?;
        Ok(())
    }

    // ----- customers --------------------------------------------------------

    #[allow(clippy::too_many_arguments)]
    fn sign_up(
        &mut self,
        organisation: &str,
        name: &str,
        spend: i64,
        tier: Tier,
        handle: Option<&str>,
        component: &'static str,
    ) -> Result<usize> {
        let now = local(0, 0);
        let (customer, contact): (CustomerId, ContactId) = (self.ids.next_id(), self.ids.next_id());
        let n = self.people.len();
        let slug: String = name
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_lowercase();
        let person = Person {
            customer,
            contact,
            name: name.to_owned(),
            email: ChannelAddress::email(format!("{slug}@customer{n}.example"))?,
            phone: ChannelAddress::phone(format!("+1 210 555 {n:04}"))?,
            chat: ChannelAddress::chat(format!("{slug}-{n}"))?,
            x: handle
                .map(|h| ChannelAddress::social(SocialNetwork::X, h))
                .transpose()?,
            component,
        };
        let mut addresses = vec![
            person.email.clone(),
            person.phone.clone(),
            person.chat.clone(),
        ];
        addresses.extend(person.x.clone());
        self.exec(
            Command::RegisterCustomer {
                id: customer,
                organisation: organisation.into(),
            },
            now,
        )?;
        for command in [
            CustomerCommand::AddContact {
                contact,
                name: name.into(),
                addresses,
            },
            CustomerCommand::SetAccountStanding {
                standing: AccountStanding {
                    monthly_spend: Money {
                        minor: spend,
                        currency: Currency::new("USD")?,
                    },
                    tier,
                },
            },
            CustomerCommand::RunOn {
                component: ComponentId::new(component)?,
            },
        ] {
            self.exec(Command::UpdateCustomer { customer, command }, now)?;
        }
        self.people.push(person);
        Ok(n)
    }

    fn sign_up_customers(&mut self) -> Result<()> {
        let vip = self.sign_up(
            "Big Retail Co",
            "Jane Park",
            25_000_000,
            Tier::Enterprise,
            None,
            "dfw1/cloud",
        )?;
        let alex = self.cast.alex;
        let customer = self.person(vip)?.customer;
        self.exec(
            Command::UpdateCustomer {
                customer,
                command: CustomerCommand::AssignAccountTeam {
                    agent: alex,
                    role: Role::AccountManager,
                },
            },
            local(0, 0),
        )?;
        self.sign_up(
            "Ten Dollar Blog",
            "Sam Ortiz",
            1_000,
            Tier::Standard,
            None,
            "lon3",
        )?;
        self.sign_up(
            "Sarah's Studio",
            "Sarah Lee",
            9_900,
            Tier::Standard,
            Some("@sarah_builds"),
            "lon3",
        )?;
        let first = [
            "Ava", "Ben", "Chloe", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivan", "Jo",
        ];
        for i in 0..40usize {
            let name = format!("{} {i}", first[i % first.len()]);
            let handle = (i % 4 == 0).then(|| format!("@{}{i}", first[i % first.len()]));
            let spend = 1_000 + self.roll(5_000_000) as i64;
            let component = ["dfw1/servers", "dfw1/cloud", "lon3"][i % 3];
            self.sign_up(
                &format!("Customer {i}"),
                &name,
                spend,
                Tier::Business,
                handle.as_deref(),
                component,
            )?;
        }
        Ok(())
    }

    // ----- stories ----------------------------------------------------------

    fn script_stories(&mut self) -> Result<()> {
        let c = self.cast;
        let s = self.stories.clone();
        let (vip, blog, sarah) = (
            self.person(VIP)?.clone(),
            self.person(BLOG)?.clone(),
            self.person(SARAH)?.clone(),
        );

        // 2 a.m.: the ten-dollar blog and the VIP both call. Same treatment.
        self.tell(
            local(2, 0),
            "two customers call at once: a VIP and a ten-dollar blog",
        );
        self.inbound(
            local(2, 0),
            InboundMessage::new(
                s.call_blog,
                Channel::Phone,
                blog.phone,
                "My blog shows a 502 error",
            ),
        );
        self.inbound(
            local(2, 1),
            InboundMessage::new(
                s.call_vip,
                Channel::Phone,
                vip.phone.clone(),
                "Checkout is slow",
            ),
        );
        self.route(local(2, 0), s.call_blog);
        self.route(local(2, 1), s.call_vip);
        self.answer(
            local(2, 3),
            s.call_blog,
            c.ana,
            "PHP-FPM restarted; your blog is back.",
        );
        self.answer(
            local(2, 4),
            s.call_vip,
            c.mei,
            "Cache node replaced; checkout is fast again.",
        );
        self.solve(local(2, 10), s.call_blog, c.ana);
        self.solve(local(2, 12), s.call_vip, c.mei);

        // 8:40: a public post on X, answered in three minutes, and praised.
        let x_public = Channel::Social {
            network: SocialNetwork::X,
            visibility: Visibility::Public,
        };
        let sarah_x = sarah.x.clone().ok_or("Sarah has no X handle")?;
        self.tell(local(8, 40), "a public post on X: \"my store is down\"");
        self.inbound(
            local(8, 40),
            InboundMessage::new(
                s.social_ok,
                x_public.clone(),
                sarah_x.clone(),
                "@support my store is down and I have a sale today!!",
            ),
        );
        self.answer(
            local(8, 43),
            s.social_ok,
            c.kofi,
            "@sarah_builds we're on it — DM us your account number and we'll call you.",
        );
        self.solve(local(9, 10), s.social_ok, c.kofi);
        let (praise, social_ok, customer) = (s.sarah_praise, s.social_ok, sarah.customer);
        self.at(local(9, 15), move |d, now| {
            d.exec(
                Command::RecordPraise {
                    praise,
                    source: PraiseSource::Social {
                        network: SocialNetwork::X,
                        handle: "@sarah_builds".into(),
                    },
                    text: "Store back before the sale even started. Fanatical Support is real!"
                        .into(),
                    customer: Some(customer),
                    ticket: Some(social_ok),
                },
                now,
            )?;
            d.log.push((
                now,
                "Sarah praises the reply on X; kudos go up Kofi's chain".into(),
            ));
            Ok(())
        });

        // 10:00: a GIF of thanks, and a GIF back.
        self.tell(local(10, 0), "a thank-you with an animated GIF");
        self.inbound(
            local(10, 0),
            InboundMessage::new(
                s.gif,
                Channel::Email,
                blog.email.clone(),
                "You saved my launch. Have a GIF!",
            )
            .with_subject("THANK YOU")
            .with_attachment(Attachment::new(
                "happy-dance.gif",
                "image/gif",
                1_843_200,
            )?),
        );
        let (gif, luis) = (s.gif, c.luis);
        self.at(local(10, 6), move |d, now| {
            d.exec(
                Command::Reply {
                    ticket: gif,
                    agent: luis,
                    body: "Right back at you!".into(),
                    attachments: vec![Attachment::new("high-five.gif", "image/gif", 982_112)?],
                },
                now,
            )?;
            Ok(())
        });

        // 11:00: the email gateway fails the next five deliveries.
        self.at(local(11, 0), |d, now| {
            d.transport.fail_next(5);
            d.log.push((
                now,
                "the email gateway fails five deliveries; the outbox retries".into(),
            ));
            Ok(())
        });

        // 12:00: an agent remembers the VIP's family and team, with consent;
        // a video onboarding session for a new account.
        let (onboarding, mei) = (s.onboarding, c.mei);
        self.at(local(12, 0), move |d, now| {
            for command in [
                CustomerCommand::RecordConsent {
                    contact: vip.contact,
                    source: ConsentSource::Agent(mei),
                },
                CustomerCommand::AddFamilyMember {
                    contact: vip.contact,
                    name: "Lily".into(),
                    relation: Relation::Child,
                },
                CustomerCommand::AddInterest {
                    contact: vip.contact,
                    interest: Interest {
                        topic: "favourite team".into(),
                        detail: "San Antonio Spurs".into(),
                    },
                },
            ] {
                d.exec(
                    Command::UpdateCustomer {
                        customer: vip.customer,
                        command,
                    },
                    now,
                )?;
            }
            d.exec(
                Command::OpenTicket(
                    OpenTicket::new(
                        onboarding,
                        vip.customer,
                        "Onboarding call: new Kubernetes cluster",
                        Channel::Video,
                    )
                    .requested_by(vip.contact)
                    .with_type(TicketType::Task)
                    .with_message(
                        Author::Agent(luis),
                        "Walked Jane's team through the new cluster on video.",
                    ),
                ),
                now,
            )?;
            d.exec(
                Command::note(
                    onboarding,
                    luis,
                    "Their CTO prefers Slack updates over email.",
                ),
                now,
            )?;
            d.log.push((
                now,
                "Jane agrees to be remembered; a video onboarding for her new cluster".into(),
            ));
            Ok(())
        });

        self.solve(local(12, 45), s.onboarding, c.luis);

        // 15:00: a post on X in the rush waits twelve minutes.
        self.tell(local(15, 0), "another post on X, in the afternoon rush");
        self.inbound(
            local(15, 0),
            InboundMessage::new(
                s.social_late,
                x_public,
                sarah_x,
                "@support checkout is throwing 500s again",
            ),
        );
        self.answer(
            local(15, 12),
            s.social_late,
            c.kofi,
            "@sarah_builds sorry for the wait — fixed, and we're watching it.",
        );

        // 19:30: a message signalling self-harm.
        let who = self.person(CROWD + 11)?.clone();
        self.tell(
            local(19, 30),
            "a message signalling self-harm arrives by email",
        );
        self.inbound(
            local(19, 30),
            InboundMessage::new(s.crisis, Channel::Email, who.email, CRISIS_MESSAGE)
                .with_subject("backups"),
        );
        let (crisis, dana) = (s.crisis, c.dana);
        self.at(local(19, 33), move |d, now| {
            d.exec(
                Command::reply(
                    crisis,
                    dana,
                    "I'm Dana, and I'm here with you right now. You can call or text 988 at any \
                     time, day or night. I'll fix the backups with you — may I call you?",
                ),
                now,
            )?;
            Ok(())
        });
        Ok(())
    }

    // ----- the datacenter ---------------------------------------------------

    fn script_incident(&mut self) -> Result<()> {
        let c = self.cast;
        let incident = self.stories.incident;
        let dfw1 = ComponentId::new("dfw1")?;
        self.tell(local(9, 30), "a truck hits the power feed of DFW1");
        let components = BTreeMap::from([(dfw1.clone(), ComponentState::MajorOutage)]);
        self.at(local(9, 35), move |d, now| {
            d.exec(
                Command::DeclareIncident {
                    incident,
                    title: "DFW1 power loss".into(),
                    commander: c.rob,
                    status: IncidentStatus::Investigating,
                    components,
                    cadence: Some(Cadence::every_minutes(30, 5)?),
                    messages: Messages::from([
                        (
                            Audience::Technical,
                            "Utility power to DFW1 is lost; generators did not take the load. \
                             Servers are powering off."
                                .into(),
                        ),
                        (
                            Audience::Business,
                            "Sites hosted in DFW1 are down. We are restoring power; next update \
                             within 30 minutes."
                                .into(),
                        ),
                        (
                            Audience::Public,
                            "We are investigating a power problem in our DFW1 datacenter.".into(),
                        ),
                    ]),
                },
                now,
            )?;
            let n = d.desk.incident(incident).map_or(0, |i| i.affected().len());
            d.log.push((
                now,
                format!("incident declared: DFW1 power loss, {n} customers affected, updates every 30 min"),
            ));
            Ok(())
        });
        // Four affected customers call; the agent sees the briefing.
        let callers: Vec<Person> = self
            .people
            .iter()
            .skip(CROWD)
            .filter(|p| p.component.starts_with("dfw1"))
            .take(4)
            .cloned()
            .collect();
        for (k, p) in callers.into_iter().enumerate() {
            let t: TicketId = self.ids.next_id();
            let when = local(9, 40) + Duration::minutes(4 * k as i64);
            let customer = p.customer;
            self.inbound(
                when,
                InboundMessage::new(
                    t,
                    Channel::Phone,
                    p.phone,
                    "Our servers in DFW1 are unreachable",
                ),
            );
            self.at(when, move |d, now| {
                if let Some(b) = d.desk.incident_briefings(customer, now).first() {
                    if d.stories.briefing.is_empty() {
                        d.stories.briefing = format!(
                            "[{}] {} — {}; next update due {}",
                            b.status,
                            b.title,
                            b.latest
                                .as_ref()
                                .and_then(|u| u.messages.get(&Audience::Business))
                                .map_or("", String::as_str),
                            b.next_update_due.map(hhmm).unwrap_or_default()
                        );
                    }
                }
                Ok(())
            });
            self.answer(
                when + Duration::minutes(1),
                t,
                c.ana,
                "We know: DFW1 lost power and the team is on it. I've linked your ticket to the \
                 incident, so you'll hear the moment it's fixed.",
            );
        }
        self.at(local(9, 58), move |d, now| {
            // The desk offers every new ticket of an affected customer; the
            // agent links the ones about the outage, not the invoice questions.
            let tickets: Vec<TicketId> = d
                .desk
                .unlinked_incident_tickets(incident)
                .into_iter()
                .filter(|t| {
                    d.desk
                        .ticket(*t)
                        .is_some_and(|t| t.subject().contains("unreachable"))
                })
                .collect();
            d.exec(
                Command::LinkToIncident {
                    incident,
                    tickets: tickets.clone(),
                },
                now,
            )?;
            d.log.push((
                now,
                format!(
                    "{} tickets from affected customers linked to the incident",
                    tickets.len()
                ),
            ));
            d.stories.incident_callers = tickets;
            Ok(())
        });
        // Updates: on time, then late (the cadence pages the commander),
        // then the resolution that solves every linked ticket.
        for (h, m, status, state, business, technical) in [
            (
                9,
                55,
                IncidentStatus::Identified,
                ComponentState::MajorOutage,
                "The cause is known: utility power. Generators are being brought online by hand.",
                "ATS 2 failed to transfer; generators started manually, load transfer at 10:20.",
            ),
            (
                10,
                41,
                IncidentStatus::Monitoring,
                ComponentState::PartialOutage,
                "Power is back for most racks; servers are booting.",
                "Generators carry the load; 80% of racks powered, chillers at full capacity.",
            ),
            (
                11,
                5,
                IncidentStatus::Resolved,
                ComponentState::Operational,
                "Every server in DFW1 is back. We are sorry; a credit follows.",
                "All racks on utility power; ATS 2 replaced; post-incident review on Thursday.",
            ),
        ] {
            let dfw1 = dfw1.clone();
            self.at(local(h, m), move |d, now| {
                d.exec(
                    Command::UpdateIncident {
                        incident,
                        by: c.rob,
                        status,
                        components: BTreeMap::from([(dfw1, state)]),
                        messages: Messages::from([
                            (Audience::Business, business.into()),
                            (Audience::Technical, technical.into()),
                        ]),
                        solve_linked: (status == IncidentStatus::Resolved).then(|| {
                            "DFW1 has power again and your servers are back. We're sorry — a \
                             credit is on its way."
                                .into()
                        }),
                    },
                    now,
                )?;
                d.log.push((now, format!("incident update: {status}")));
                Ok(())
            });
        }
        self.at(local(11, 15), move |d, now| {
            d.exec(Command::IssueCredits { incident }, now)?;
            let n = d.desk.incident(incident).map_or(0, |i| i.credits().len());
            d.log
                .push((now, format!("credits issued to {n} customers")));
            Ok(())
        });
        Ok(())
    }

    // ----- the phone system -------------------------------------------------

    fn script_phone_outage(&mut self) -> Result<()> {
        let c = self.cast;
        let s = self.stories.clone();
        // A call at 12:55 is cut off when the phones go down; its answer
        // goes out on the caller's fallback.
        let caller = self
            .people
            .iter()
            .skip(CROWD)
            .find(|p| p.x.is_some() && p.component == "lon3")
            .cloned()
            .ok_or("no caller with an X handle")?;
        self.inbound(
            local(12, 55),
            InboundMessage::new(
                s.dropped_call,
                Channel::Phone,
                caller.phone,
                "Backup restore stuck at 40%",
            ),
        );
        self.at(local(13, 0), |d, now| {
            d.exec(
                Command::MarkChannelDown {
                    channel: ChannelKind::Phone,
                    reason: "carrier outage at the Chicago point of presence".into(),
                },
                now,
            )?;
            let offered: Vec<String> = d
                .desk
                .offered_channels(ChannelKind::Phone)
                .iter()
                .map(ToString::to_string)
                .collect();
            d.log.push((
                now,
                format!(
                    "the phone system goes down; contacts are offered {}",
                    offered.join(", ")
                ),
            ));
            Ok(())
        });
        self.answer(
            local(13, 10),
            s.dropped_call,
            c.ana,
            "Sorry we got cut off — the restore is running again from the last good snapshot.",
        );
        self.at(local(14, 30), |d, now| {
            d.exec(
                Command::MarkChannelUp {
                    channel: ChannelKind::Phone,
                },
                now,
            )?;
            d.log.push((now, "the phone system is back".into()));
            Ok(())
        });
        Ok(())
    }

    // ----- the official account ---------------------------------------------

    fn script_posts(&mut self) -> Result<()> {
        let c = self.cast;
        let s = self.stories.clone();
        let submit = move |post: PostId, text: &'static str| Command::SubmitPost {
            post,
            network: SocialNetwork::X,
            handle: OFFICIAL.into(),
            author: c.kofi,
            text: text.into(),
        };
        let mistake = move || Command::RecordMistake {
            agent: c.kofi,
            kind: MistakeKind::WrongChannel,
            ticket: None,
            note: "personal post submitted from the company account".into(),
            by: c.luis,
        };
        self.at(local(12, 30), move |d, now| {
            d.exec(
                submit(
                    s.taco_post,
                    "Having fun at the taco truck with the whole team!",
                ),
                now,
            )?;
            d.exec(
                Command::RejectPost {
                    post: s.taco_post,
                    by: c.luis,
                    reason: "personal posts go on your own account".into(),
                },
                now + Duration::minutes(5),
            )?;
            d.exec(mistake(), now + Duration::minutes(6))?;
            d.log.push((
                now,
                "a personal post from the official account is held".into(),
            ));
            Ok(())
        });
        self.at(local(13, 2), move |d, now| {
            d.exec(
                submit(
                    s.outage_post,
                    "Our phone lines are down right now. Reach us by DM here, by chat in our \
                     mobile app, or by email: same people, same speed.",
                ),
                now,
            )?;
            Ok(())
        });
        self.at(local(16, 0), move |d, now| {
            d.exec(
                submit(s.sea_world, "Having fun at Sea World with the kids!"),
                now,
            )?;
            d.log.push((
                now,
                "\"Having fun at Sea World\" from the official account is held".into(),
            ));
            d.expect_refusal(
                "Kofi approves his own held post",
                Command::ApprovePost {
                    post: s.sea_world,
                    by: c.kofi,
                },
                now,
            )?;
            d.exec(
                Command::RejectPost {
                    post: s.sea_world,
                    by: c.luis,
                    reason: "personal posts go on your own account".into(),
                },
                now + Duration::minutes(4),
            )?;
            d.exec(mistake(), now + Duration::minutes(5))?;
            Ok(())
        });
        self.at(local(16, 30), move |d, now| {
            d.exec(
                Command::RecognisePeer {
                    from: c.ana,
                    to: c.kofi,
                    note: "ran the social queue alone through the phone outage".into(),
                },
                now,
            )?;
            Ok(())
        });
        Ok(())
    }

    // ----- the NPS wave -----------------------------------------------------

    fn script_wave(&mut self) -> Result<()> {
        let c = self.cast;
        let seed = self.ids.next_u64();
        self.at(local(17, 0), move |d, now| {
            d.exec(
                Command::RunWave {
                    wave: WAVE.into(),
                    survey: "relationship".into(),
                    share_percent: 50,
                    seed,
                    exclude: d.desk.customers_in_active_incidents().into_iter().collect(),
                },
                now,
            )?;
            let invited: Vec<(InvitationId, CustomerId)> = d
                .desk
                .invitations()
                .filter(|i| i.invitation.wave.as_deref() == Some(WAVE))
                .map(|i| (i.invitation.id, i.invitation.customer))
                .collect();
            d.log
                .push((now, format!("NPS wave sent to {} customers", invited.len())));
            // The promoter: someone whose ticket an agent handled today.
            let promoter = invited
                .iter()
                .skip(1)
                .find_map(|(inv, cust)| handled_by(&d.desk, *cust).map(|a| (*inv, *cust, a)));
            for (k, (inv, customer)) in invited.into_iter().enumerate() {
                let when = now + Duration::minutes(20 + 9 * k as i64);
                if k == 0 {
                    d.at(when, move |d, now| d.detractor(inv, now));
                } else if promoter.is_some_and(|p| p.0 == inv) {
                    d.at(when, move |d, now| d.promoter(inv, customer, now));
                } else {
                    let roll = d.roll(100);
                    if roll < 15 {
                        continue; // no answer
                    }
                    let score = match roll {
                        15..25 => d.roll(7) as u8,
                        25..45 => 7 + d.roll(2) as u8,
                        _ => 9 + d.roll(2) as u8,
                    };
                    d.at(when, move |d, now| {
                        d.exec(
                            Command::AnswerSurvey {
                                invitation: inv,
                                response: Response::new().answer("score", Answer::Nps(score)),
                            },
                            now,
                        )?;
                        Ok(())
                    });
                }
            }
            Ok(())
        });
        // The CEO acknowledges praise personally; the committee issues a
        // certificate.
        let (sarah_praise, promoter_praise) =
            (self.stories.sarah_praise, self.stories.promoter_praise);
        self.at(local(21, 0), move |d, now| {
            for p in [promoter_praise, sarah_praise] {
                if matches!(
                    d.desk.praise(p).map(|(_, a)| a),
                    Some(Acknowledgement::Pending { .. })
                ) {
                    d.exec(
                        Command::AcknowledgePraise {
                            praise: p,
                            by: c.graham,
                        },
                        now,
                    )?;
                }
            }
            let agent = d
                .desk
                .praise(promoter_praise)
                .and_then(|(p, _)| p.agent)
                .ok_or("the promoter's praise found no agent")?;
            d.exec(
                Command::IssueCertificate {
                    agent,
                    by: c.rob,
                    title: String::new(),
                },
                now + Duration::minutes(5),
            )?;
            let name = d.name_of(agent);
            d.log.push((
                now,
                format!("Graham acknowledges the praise; a certificate for {name}"),
            ));
            Ok(())
        });
        Ok(())
    }

    fn detractor(&mut self, invitation: InvitationId, now: DateTime<Utc>) -> Result<()> {
        self.exec(
            Command::AnswerSurvey {
                invitation,
                response: Response::new().answer("score", Answer::Nps(3)).answer(
                    "why",
                    Answer::Comment("My email went unanswered for two hours today.".into()),
                ),
            },
            now,
        )?;
        self.stories.detractor = Some(invitation);
        let task = invitation.follow_up_ticket();
        let owner = self
            .desk
            .ticket(task)
            .and_then(|t| t.assignee())
            .ok_or("no call-back task for the detractor")?;
        let name = self.name_of(owner);
        self.log.push((
            now,
            format!("a detractor scores 3: a call-back task for {name}"),
        ));
        // The owner calls back within the hour and closes the loop.
        self.at(now + Duration::minutes(50), move |d, now| {
            d.exec(
                Command::note(
                    task,
                    owner,
                    "Called back. The delay was the 11:00 email gateway failure; walked them \
                     through what we changed. They'll give us another try.",
                ),
                now,
            )?;
            d.exec(Command::set_status(task, Status::Solved), now)?;
            Ok(())
        });
        Ok(())
    }

    fn promoter(
        &mut self,
        invitation: InvitationId,
        customer: CustomerId,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let agent = handled_by(&self.desk, customer).ok_or("the promoter has no agent")?;
        let first = self.name_of(agent);
        let first = first.split(' ').next().unwrap_or("").to_owned();
        let comment = format!("{first} fixed our problem today before we finished explaining it.");
        self.exec(
            Command::AnswerSurvey {
                invitation,
                response: Response::new()
                    .answer("score", Answer::Nps(10))
                    .answer("why", Answer::Comment(comment.clone())),
            },
            now,
        )?;
        self.exec(
            Command::RecordPraise {
                praise: self.stories.promoter_praise,
                source: PraiseSource::Survey { invitation },
                text: comment,
                customer: Some(customer),
                ticket: None,
            },
            now,
        )?;
        self.stories.promoter = Some(invitation);
        self.log
            .push((now, format!("a promoter scores 10 and praises {first}")));
        Ok(())
    }

    // ----- background volume ------------------------------------------------

    fn script_background(&mut self) -> Result<()> {
        let channels = [
            Channel::Phone,
            Channel::Email,
            Channel::Portal,
            Channel::Chat,
            Channel::Email,
            Channel::Phone,
        ];
        let agents = [self.cast.ana, self.cast.kofi, self.cast.mei, self.cast.luis];
        let subjects = [
            "Server unreachable",
            "DNS change",
            "Invoice question",
            "SSL renewal",
            "Backup restore",
            "Slow database",
        ];
        for _ in 0..160 {
            let who = CROWD + self.roll((self.people.len() - CROWD) as u64) as usize;
            let preferred = channels[self.roll(channels.len() as u64) as usize].clone();
            let kind = preferred.kind();
            let opened = local(0, 0) + Duration::minutes(self.roll(24 * 60) as i64);
            let id: TicketId = self.ids.next_id();
            let subject = subjects[self.roll(subjects.len() as u64) as usize];
            self.at(opened, move |d, now| {
                d.contact_us(who, preferred, id, subject, now)
            });
            let agent = agents[self.roll(agents.len() as u64) as usize];
            // Calls are answered live, chats in minutes, written channels later.
            let wait = match kind {
                ChannelKind::Phone => self.roll(3),
                ChannelKind::Chat => 1 + self.roll(5),
                _ => 5 + self.roll(115),
            };
            let answered = opened + Duration::minutes(wait as i64);
            self.answer(
                answered,
                id,
                agent,
                &format!("Re: {subject} — done, and I checked your other servers too."),
            );
            if self.roll(10) < 8 {
                self.solve(answered + Duration::minutes(5), id, agent);
            }
            self.background += 1;
        }
        Ok(())
    }

    /// A customer gets in touch on the channel they prefer, or, when it is
    /// down, on the first channel offered instead that they can use.
    fn contact_us(
        &mut self,
        who: usize,
        preferred: Channel,
        ticket: TicketId,
        subject: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let p = self.person(who)?.clone();
        let channel = if self.desk.is_down(preferred.kind()) {
            let Some(kind) = self
                .desk
                .offered_channels(preferred.kind())
                .into_iter()
                .find(|k| p.address(*k).is_some())
            else {
                return Ok(());
            };
            *self.stories.moved_from_phone.entry(kind).or_default() += 1;
            match kind {
                ChannelKind::Social => Channel::Social {
                    network: SocialNetwork::X,
                    visibility: Visibility::Private,
                },
                ChannelKind::Chat => Channel::Chat,
                _ => Channel::Email,
            }
        } else {
            preferred
        };
        let from = p
            .address(channel.kind())
            .ok_or("no address on the channel")?
            .clone();
        self.exec(
            Command::ReceiveMessage(InboundMessage::new(ticket, channel, from, subject)),
            now,
        )?;
        if subject == "Invoice question" {
            self.exec(Command::tag(ticket, Tag::new("billing")?), now)?;
        }
        Ok(())
    }

    // ----- the run loop -----------------------------------------------------

    /// Plays the agenda in time order, the way a service loop does: before
    /// each moment, every timer due (`poll_timeout`) fires and every due
    /// message is delivered.
    fn play(&mut self) -> Result<()> {
        while let Some(((now, _), step)) = self.agenda.pop_first() {
            self.catch_up(now)?;
            step(self, now)?;
            self.deliver(now)?;
        }
        let end = local(23, 59);
        self.catch_up(end)?;
        self.deliver(end)
    }

    /// Fires every timer due up to `until`, in time order, and reacts to
    /// what fired: SLA breaches are escalated, incident cadence pages
    /// logged.
    fn catch_up(&mut self, until: DateTime<Utc>) -> Result<()> {
        while let Some(due) = self.desk.poll_timeout().filter(|t| *t <= until) {
            let fired = self.desk.handle_timeout(&mut self.store, due)?;
            for r in &fired {
                self.react(r, due)?;
            }
            self.deliver(due)?;
            if self.desk.poll_timeout() == Some(due) {
                break;
            }
        }
        Ok(())
    }

    fn react(&mut self, r: &RecordedEvent, now: DateTime<Utc>) -> Result<()> {
        match (&r.stream, &r.event) {
            (StreamId::Sla(ticket), Event::Sla(e)) => {
                if let SlaEventKind::Breached { key, .. } = &e.kind {
                    self.escalate(*ticket, key.metric, now)?;
                }
            }
            (StreamId::Incident(_), Event::Incident(e)) => match &e.kind {
                IncidentEventKind::UpdateDueSoon { due } => self.log.push((
                    now,
                    format!(
                        "the incident commander is warned: an update is due at {}",
                        hhmm(*due)
                    ),
                )),
                IncidentEventKind::UpdateOverdue { due } => self.log.push((
                    now,
                    format!(
                        "the {} incident update is overdue; the commander is paged",
                        hhmm(*due)
                    ),
                )),
                _ => {}
            },
            _ => {}
        }
        Ok(())
    }

    /// Escalates a ticket whose SLA breached through the day's graph.
    fn escalate(&mut self, ticket: TicketId, metric: Metric, now: DateTime<Utc>) -> Result<()> {
        let Some(t) = self.desk.ticket(ticket) else {
            return Ok(());
        };
        if !t.status().is_unsolved() {
            return Ok(());
        }
        let mut facts = Facts::new(t.priority(), t.updated_at()).on(t.channel().kind());
        if let Some(tag) = t.tags().iter().next() {
            facts = facts.in_category(tag.as_str());
        }
        if self.desk.is_crisis(ticket) {
            facts = facts.in_crisis();
        }
        for m in self
            .desk
            .ticket_sla(ticket)
            .map(|s| s.metrics())
            .unwrap_or_default()
        {
            if m.breached.is_some() {
                facts = facts.with_sla(m.key.metric, SlaLevel::Breached);
            }
        }
        facts = facts.with_sla(metric, SlaLevel::Breached);
        let e = self
            .desk
            .escalation(ticket, &self.graph, "front_line", &facts, now)?;
        if e.path.is_empty() || t.department() == Some(e.department.as_str()) {
            return Ok(());
        }
        let by = t.assignee().unwrap_or(self.cast.luis);
        self.exec(Desk::escalate_command(ticket, by, &e), now)?;
        if ticket == self.stories.social_late {
            self.log.push((
                now,
                format!(
                    "the post on X breached its 5-minute first response: escalated to {}",
                    e.department
                ),
            ));
        }
        self.escalations.push(Escalated {
            at: now,
            ticket,
            trigger: format!("{metric} breached"),
            escalation: e,
        });
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
            self.exec(ack, now)?;
        }
        Ok(())
    }
}

/// The agent who last handled one of the customer's tickets, the way a
/// person reading the record would name them.
fn handled_by(desk: &Desk, customer: CustomerId) -> Option<AgentId> {
    desk.tickets()
        .filter(|t| t.customer() == customer && t.ticket_type() != TicketType::Task)
        .filter_map(|t| t.assignee().map(|a| (t.updated_at(), t.id(), a)))
        .max()
        .map(|(_, _, a)| a)
}

// ----- the report -----------------------------------------------------------

impl Day {
    /// The report a support leader reads at the end of the day.
    pub fn report(&self) -> Result<String> {
        let mut out = String::new();
        let (from, to) = (local(0, 0), local(23, 59) + Duration::minutes(1));
        let metrics = self.desk.metrics(from, to);
        writeln!(
            out,
            "A FANATICAL DAY — Monday 2 November 2026 (America/Chicago)\n{}",
            "=".repeat(72)
        )?;

        writeln!(out, "\nThe day, by the clock")?;
        let mut log = self.log.clone();
        log.sort_by_key(|(at, _)| *at);
        for (at, line) in &log {
            writeln!(out, "  {}  {line}", hhmm(*at))?;
        }

        writeln!(out, "\nVolume and first response by channel")?;
        writeln!(
            out,
            "  {:<8} {:>7} {:>7} {:>9} {:>9} {:>9}",
            "channel", "opened", "solved", "answered", "median", "p90"
        )?;
        let mut volume: BTreeMap<ChannelKind, (usize, usize)> = BTreeMap::new();
        for t in self.desk.tickets() {
            let row = volume.entry(t.channel().kind()).or_default();
            row.0 += 1;
            if !t.status().is_unsolved() {
                row.1 += 1;
            }
        }
        for (kind, (opened, solved)) in &volume {
            let frt = metrics.first_response.get(kind);
            let mins = |d: Duration| format!("{} min", d.num_minutes());
            writeln!(
                out,
                "  {:<8} {opened:>7} {solved:>7} {:>9} {:>9} {:>9}",
                kind.to_string(),
                frt.map_or(0, |p| p.count),
                frt.map_or("—".into(), |p| mins(p.median)),
                frt.map_or("—".into(), |p| mins(p.p90)),
            )?;
        }
        writeln!(
            out,
            "  {} tickets opened today, {} still without a first response",
            metrics.opened, metrics.unanswered
        )?;

        writeln!(
            out,
            "\nSLA attainment by channel and metric (met / breached; still running)"
        )?;
        let mut sla: BTreeMap<(ChannelKind, Metric), (usize, usize, usize)> = BTreeMap::new();
        for record in self.desk.slas() {
            let Some(t) = self.desk.ticket(record.ticket) else {
                continue;
            };
            for m in record.metrics() {
                let row = sla.entry((t.channel().kind(), m.key.metric)).or_default();
                match (&m.phase, m.breached.is_some()) {
                    (_, true) => row.1 += 1,
                    (Phase::Fulfilled { .. }, false) => row.0 += 1,
                    (Phase::Active { .. } | Phase::Paused, false) => row.2 += 1,
                    _ => {}
                }
            }
        }
        for ((channel, metric), (met, breached, running)) in &sla {
            if met + breached + running == 0 {
                continue;
            }
            writeln!(
                out,
                "  {:<8} {:<16} {met:>4} / {breached:<4} {:>7}   ({running} running)",
                channel.to_string(),
                metric.to_string(),
                percent(*met, *breached)
            )?;
        }
        write!(out, "  all channels:")?;
        for (metric, a) in &metrics.sla.by_metric {
            write!(
                out,
                " {metric} {}",
                percent(a.met as usize, a.breached as usize)
            )?;
        }
        writeln!(out)?;

        writeln!(out, "\nEscalations ({} in all)", self.escalations.len())?;
        let mut by_path: BTreeMap<(&str, &[String]), usize> = BTreeMap::new();
        for e in &self.escalations {
            *by_path
                .entry((
                    e.escalation.department.as_str(),
                    e.escalation.path.as_slice(),
                ))
                .or_default() += 1;
        }
        for ((department, path), n) in &by_path {
            writeln!(out, "  {n:>3} × to {department}, because")?;
            for hop in *path {
                writeln!(out, "          {hop}")?;
            }
        }
        if let Some(e) = self
            .escalations
            .iter()
            .find(|e| e.ticket == self.stories.social_late)
        {
            let people: Vec<String> = e
                .escalation
                .people
                .iter()
                .map(|a| self.name_of(*a))
                .collect();
            writeln!(
                out,
                "  the 15:00 post: {} at {}; to {} ({}), carrying {}",
                e.trigger,
                hhmm(e.at),
                e.escalation.department,
                people.join(", "),
                e.escalation.context.join(", ")
            )?;
        }

        self.report_phone_outage(&mut out)?;
        self.report_incident(&mut out)?;
        self.report_wave(&mut out)?;
        self.report_recognition(&mut out)?;
        self.report_guardrails(&mut out)?;
        self.report_crisis(&mut out)?;
        self.report_people(&mut out)?;

        writeln!(out, "\nOutbox")?;
        let delivered = self
            .desk
            .outbox()
            .filter(|e| e.state == DeliveryState::Delivered)
            .count();
        let retried = self.desk.outbox().filter(|e| e.failures > 0).count();
        writeln!(
            out,
            "  {delivered} messages delivered ({retried} after retries), {} still pending; the \
             transport saw {} attempts",
            self.desk.undelivered(),
            self.transport.attempts()
        )?;

        let rebuilt = Desk::rebuild(&self.store, self.desk.config().clone())?;
        let events = self.store.read_all(0, usize::MAX)?.len();
        writeln!(out, "\nThe record")?;
        writeln!(
            out,
            "  {events} events; {} background conversations; a desk rebuilt from the store is {}",
            self.background,
            if rebuilt == self.desk {
                "identical"
            } else {
                "DIFFERENT"
            }
        )?;
        Ok(out)
    }

    fn report_phone_outage(&self, out: &mut String) -> Result<()> {
        writeln!(out, "\nThe phone system")?;
        for o in self
            .desk
            .outages()
            .iter()
            .filter(|o| o.channel == ChannelKind::Phone)
        {
            let fallbacks: Vec<String> = o.fallbacks.iter().map(ToString::to_string).collect();
            writeln!(
                out,
                "  down {}–{} ({}); offered instead: {}",
                hhmm(o.from),
                o.until.map(hhmm).unwrap_or_else(|| "still down".into()),
                o.reason,
                fallbacks.join(", ")
            )?;
            let moved: Vec<String> = self
                .stories
                .moved_from_phone
                .iter()
                .map(|(k, n)| format!("{n} on {k}"))
                .collect();
            writeln!(
                out,
                "  customers who would have called wrote instead: {}",
                moved.join(", ")
            )?;
            let rerouted = rerouted_phone_replies(&self.desk);
            let rerouted: Vec<String> = rerouted
                .iter()
                .map(|(k, n)| format!("{n} by {k}"))
                .collect();
            writeln!(
                out,
                "  replies to calls went out while it was down: {}",
                if rerouted.is_empty() {
                    "none".into()
                } else {
                    rerouted.join(", ")
                }
            )?;
        }
        if let Some((post, state)) = self.desk.post(self.stories.outage_post) {
            writeln!(
                out,
                "  announced on {}: \"{}\" ({})",
                OFFICIAL,
                post.text,
                post_state(state)
            )?;
        }
        Ok(())
    }

    fn report_incident(&self, out: &mut String) -> Result<()> {
        let Some(i) = self.desk.incident(self.stories.incident) else {
            return Ok(());
        };
        writeln!(out, "\nIncident: {}", i.title())?;
        let resolved = i.resolved_at();
        writeln!(
            out,
            "  declared {}, resolved {} ({} min); commander {}",
            hhmm(i.declared_at()),
            resolved.map(hhmm).unwrap_or_else(|| "not yet".into()),
            resolved.map_or(0, |r| (r - i.declared_at()).num_minutes()),
            self.name_of(i.commander())
        )?;
        let messages = incident_messages(&self.desk, &self.store, self.stories.incident)?;
        let delivered = messages
            .iter()
            .filter(|(_, state)| *state == DeliveryState::Delivered)
            .count();
        writeln!(
            out,
            "  {} customers affected; {} updates with text; {} messages to their contacts, {} \
             delivered",
            i.affected().len(),
            i.updates()
                .iter()
                .filter(|u| !u.messages.is_empty())
                .count(),
            messages.len(),
            delivered
        )?;
        let linked = i.linked();
        let solved = linked
            .iter()
            .filter(|t| {
                self.desk
                    .ticket(**t)
                    .is_some_and(|t| !t.status().is_unsolved())
            })
            .count();
        writeln!(
            out,
            "  {} tickets linked, {solved} solved with the resolution",
            linked.len()
        )?;
        if !self.stories.briefing.is_empty() {
            writeln!(
                out,
                "  the first caller's agent saw: {}",
                self.stories.briefing
            )?;
        }
        let mut by_reason: BTreeMap<String, (usize, i64)> = BTreeMap::new();
        for credit in i.credits().values() {
            let row = by_reason
                .entry(credit.reason.as_str().to_owned())
                .or_default();
            row.0 += 1;
            row.1 += credit.amount.minor;
        }
        let reasons = &self.desk.config().incidents.credits.reasons;
        for (reason, (n, minor)) in &by_reason {
            let meaning = ReasonCode::new(reason)
                .ok()
                .and_then(|r| reasons.get(&r).cloned())
                .unwrap_or_default();
            writeln!(
                out,
                "  credits: {n} × {reason} ({meaning}), {}.{:02} USD",
                minor / 100,
                minor % 100
            )?;
        }
        if let Some(at) = i.follow_up_at() {
            writeln!(
                out,
                "  follow-ups scheduled for {} ({} customers)",
                at.with_timezone(&Chicago).format("%A %-d %B %Y"),
                i.affected().len()
            )?;
        }
        writeln!(out, "  timeline (Chicago time):")?;
        let timeline = self.desk.incident_timeline(self.stories.incident)?;
        let (mut credits, mut links) = (0, 0);
        for e in &timeline.entries {
            match &e.event {
                IncidentEventKind::CreditIssued { .. } => credits += 1,
                IncidentEventKind::TicketLinked { .. } => links += 1,
                _ => writeln!(out, "    {}  {}", hhmm(e.at), e.summary)?,
            }
        }
        writeln!(
            out,
            "    (and {links} tickets linked, {credits} credits issued)"
        )?;
        Ok(())
    }

    fn report_wave(&self, out: &mut String) -> Result<()> {
        let nps = self.desk.nps_of_wave(WAVE);
        let invited = self
            .desk
            .invitations()
            .filter(|i| i.invitation.wave.as_deref() == Some(WAVE))
            .count();
        writeln!(out, "\nNPS wave {WAVE}")?;
        writeln!(
            out,
            "  {invited} invited, {} answered: NPS {} ({} promoters, {} passives, {} detractors)",
            nps.responses(),
            nps.score().map_or("—".into(), |s| format!("{s:+.0}")),
            nps.promoters,
            nps.passives,
            nps.detractors
        )?;
        if let Some(inv) = self.stories.detractor {
            let task = self.desk.ticket(inv.follow_up_ticket());
            let name = self
                .desk
                .invitations()
                .find(|i| i.invitation.id == inv)
                .and_then(|i| {
                    self.people
                        .iter()
                        .find(|p| p.customer == i.invitation.customer)
                })
                .map_or("?", |p| p.name.as_str());
            writeln!(
                out,
                "  {name} scored 3: a call-back task for {}, now {}",
                task.and_then(|t| t.assignee())
                    .map_or("nobody".into(), |a| self.name_of(a)),
                task.map_or("missing".into(), |t| t.status().to_string())
            )?;
        }
        if let Some((p, ack)) = self.desk.praise(self.stories.promoter_praise) {
            let chain: Vec<String> = p.chain.iter().map(|a| self.name_of(*a)).collect();
            writeln!(
                out,
                "  the promoter: \"{}\" — for {}, up the chain to {}; {}",
                p.text,
                p.agent.map_or("nobody".into(), |a| self.name_of(a)),
                chain.join(" → "),
                acknowledgement(self, ack)
            )?;
        }
        Ok(())
    }

    fn report_recognition(&self, out: &mut String) -> Result<()> {
        let (from, to) = (local(0, 0), local(23, 59) + Duration::minutes(1));
        writeln!(out, "\nSmiles and kudos")?;
        for (agent, n) in self.desk.smiles(from, to) {
            writeln!(
                out,
                "  {:<26} {n} smile(s), {} kudos in all",
                self.name_of(agent),
                self.desk.kudos(agent)
            )?;
        }
        for (p, ack) in self.desk.praises() {
            writeln!(out, "  \"{}\" — {}", p.text, acknowledgement(self, ack))?;
        }
        for cert in self.desk.certificates() {
            writeln!(
                out,
                "  certificate {}: \"{}\" for {}, from {}",
                cert.serial,
                cert.title,
                self.name_of(cert.agent),
                self.name_of(cert.by)
            )?;
        }
        Ok(())
    }

    fn report_guardrails(&self, out: &mut String) -> Result<()> {
        writeln!(out, "\nGuardrails and coaching")?;
        for (post, state) in self.desk.posts() {
            writeln!(out, "  \"{}\" — {}", post.text, post_state(state))?;
        }
        for r in &self.stories.refusals {
            writeln!(out, "  refused: {r}")?;
        }
        for f in self.desk.coaching_flags() {
            let times: Vec<String> = f.occurrences.iter().map(|t| hhmm(*t)).collect();
            writeln!(
                out,
                "  coaching: {} made the same mistake ({}) twice, at {}; flagged to {}",
                self.name_of(f.agent),
                f.kind,
                times.join(" and "),
                f.lead.map_or("nobody".into(), |l| self.name_of(l))
            )?;
        }
        Ok(())
    }

    fn report_crisis(&self, out: &mut String) -> Result<()> {
        writeln!(out, "\nA person in crisis")?;
        let Some(t) = self.desk.ticket(self.stories.crisis) else {
            return Ok(());
        };
        let first_reply = t
            .conversation()
            .iter()
            .find(|e| matches!(e.author, Author::Agent(_)))
            .map(|e| (e.at - t.opened_at()).num_minutes());
        writeln!(
            out,
            "  flagged: {}; assigned at once to {}; priority {}; answered in {} min",
            self.desk.is_crisis(t.id()),
            t.assignee().map_or("nobody".into(), |a| self.name_of(a)),
            t.priority(),
            first_reply.unwrap_or(-1)
        )?;
        let agent_view = serde_json::to_string(&self.desk.agent_ticket_view(t.id())?)?;
        let (safety_view, _) = self.desk.safety_ticket_view(t.id(), self.cast.dana)?;
        let shown = |yes: bool| if yes { "shows" } else { "withholds" };
        writeln!(
            out,
            "  the agent view {} the message; the safety responder's view {} it",
            shown(agent_view.contains(CRISIS_MESSAGE)),
            shown(
                safety_view
                    .conversation
                    .iter()
                    .any(|e| e.body == CRISIS_MESSAGE)
            )
        )?;
        Ok(())
    }

    fn report_people(&self, out: &mut String) -> Result<()> {
        let s = &self.stories;
        writeln!(out, "\nEqual treatment at 2 a.m.")?;
        for (ticket, agent, why) in &s.routed {
            let label = if *ticket == s.call_vip { "VIP" } else { "blog" };
            writeln!(
                out,
                "  the {label}'s call was routed to {}: {why}",
                self.name_of(*agent)
            )?;
        }
        for (label, t) in [
            ("ten-dollar blog", s.call_blog),
            ("VIP retailer", s.call_vip),
        ] {
            let ticket = self.desk.ticket(t).ok_or("ticket")?;
            let first = ticket
                .conversation()
                .get(1)
                .map(|e| (e.at - ticket.opened_at()).num_minutes());
            let view = serde_json::to_value(self.desk.agent_customer_view(ticket.customer())?)?;
            let keys: Vec<String> = view
                .as_object()
                .map(|o| o.keys().cloned().collect())
                .unwrap_or_default();
            writeln!(
                out,
                "  {label:<16} answered in {} min; the agent sees {keys:?}",
                first.unwrap_or(-1)
            )?;
        }
        let vip = self.person(VIP)?.customer;
        let spend = self
            .desk
            .account_customer_view(vip, self.cast.bea)?
            .standing
            .map(|s| s.monthly_spend.to_string())
            .unwrap_or_default();
        writeln!(
            out,
            "  billing sees the VIP's spend ({spend}); an agent asking is refused:"
        )?;
        writeln!(
            out,
            "    {}",
            self.desk
                .account_customer_view(vip, self.cast.ana)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        )?;

        writeln!(out, "\nA public post on X")?;
        let social = self.desk.ticket(s.social_ok).ok_or("social")?;
        if let (Some(post), Some(reply)) =
            (social.conversation().first(), social.conversation().get(1))
        {
            writeln!(
                out,
                "  \"{}\"\n  answered publicly in {} min: \"{}\"",
                post.body,
                (reply.at - social.opened_at()).num_minutes(),
                reply.body
            )?;
        }

        writeln!(out, "\nA GIF is a first-class citizen")?;
        for e in self.desk.ticket(s.gif).ok_or("gif")?.conversation() {
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
        for c in &self.desk.agent_customer_view(vip)?.contacts {
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

        writeln!(out, "\nA video onboarding")?;
        let jane = self.person(VIP)?.contact;
        let cv = self.desk.customer_ticket_view(s.onboarding, jane)?;
        let av = self.desk.agent_ticket_view(s.onboarding)?;
        writeln!(
            out,
            "  on {}; agents see {} entries, Jane sees {} (internal notes stay internal)",
            self.desk
                .ticket(s.onboarding)
                .map(|t| t.channel().to_string())
                .unwrap_or_default(),
            av.conversation.len(),
            cv.conversation.len()
        )?;
        Ok(())
    }
}

fn percent(met: usize, breached: usize) -> String {
    if met + breached == 0 {
        "—".to_owned()
    } else {
        format!("{:.1}%", 100.0 * met as f64 / (met + breached) as f64)
    }
}

fn post_state(state: &PostState) -> String {
    match state {
        PostState::Published { approved_by: None } => "published".into(),
        PostState::Published {
            approved_by: Some(_),
        } => "published after review".into(),
        PostState::Held { holds } => {
            let rules: Vec<&str> = holds.iter().map(|h| h.rule.as_str()).collect();
            format!("held by {}", rules.join(", "))
        }
        PostState::Rejected { reason, .. } => format!("held, then rejected: {reason}"),
    }
}

fn acknowledgement(day: &Day, ack: &Acknowledgement) -> String {
    match ack {
        Acknowledgement::NotNeeded => "no acknowledgement needed".into(),
        Acknowledgement::Pending { by, .. } => format!("waiting for {}", day.name_of(*by)),
        Acknowledgement::Acknowledged { by, at } => {
            format!("acknowledged by {} at {}", day.name_of(*by), hhmm(*at))
        }
    }
}

/// Replies to calls queued while the phone system was down, by the
/// channel they went out on instead.
pub fn rerouted_phone_replies(desk: &Desk) -> BTreeMap<ChannelKind, usize> {
    let down = |at: DateTime<Utc>| {
        desk.outages().iter().any(|o| {
            o.channel == ChannelKind::Phone && o.from <= at && o.until.is_none_or(|u| at < u)
        })
    };
    let mut out = BTreeMap::new();
    for e in desk.outbox() {
        let Recipient::Contact { .. } = e.message.recipient else {
            continue;
        };
        let call = e
            .message
            .ticket
            .and_then(|t| desk.ticket(t))
            .is_some_and(|t| t.channel().kind() == ChannelKind::Phone);
        if call && down(e.message.queued_at) {
            *out.entry(e.message.channel.kind()).or_default() += 1;
        }
    }
    out
}

/// Every message an incident queued (its ids derive from the incident's
/// events), with its delivery state.
pub fn incident_messages(
    desk: &Desk,
    store: &MemoryStore,
    incident: IncidentId,
) -> Result<Vec<(MessageId, DeliveryState)>> {
    let states: BTreeMap<MessageId, DeliveryState> = desk
        .outbox()
        .map(|e| (e.message.id, e.state.clone()))
        .collect();
    let mut out = Vec::new();
    let ids: BTreeSet<_> = store
        .read_stream(&StreamId::Incident(incident), 0)?
        .into_iter()
        .map(|r| r.id)
        .collect();
    for id in ids {
        for n in 1.. {
            let m = MessageId::derive(id, n);
            match states.get(&m) {
                Some(state) => out.push((m, state.clone())),
                None => break,
            }
        }
    }
    Ok(out)
}
