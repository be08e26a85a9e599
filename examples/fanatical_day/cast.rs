//! Who is in the day: the organisation (people, teams, shifts, the
//! committee), the customers and their contacts, and the desk's
//! configuration and escalation graph bound to them.

use chrono::{Duration, NaiveDate};
use chrono_tz::America::Chicago;
use fanatical::actor::Actor;
use fanatical::agent::{AgentCommand, Role, RoleName, TeamCommand};
use fanatical::channel::{ChannelAddress, ChannelKind, SocialNetwork};
use fanatical::customer::{AccountStanding, Currency, CustomerCommand, Money, Tier};
use fanatical::desk::{Command, DeskConfig};
use fanatical::desk::{CustomerAction, PeopleAction, RecognitionAction};
use fanatical::escalation::{Condition, EscalationGraph, Node, Rule, SlaLevel};
use fanatical::guard::{GuardPolicy, OfficialAccount};
use fanatical::id::{AgentId, ComponentId, ContactId, CustomerId, IdGenerator, TeamId};
use fanatical::incident::{
    ComponentCatalog, CreditConfig, CreditPolicy, IncidentConfig, ReasonCode,
};
use fanatical::permission::{Permission, PermissionTable, Scope};
use fanatical::routing::{Router, RoutingAgent};
use fanatical::rules::{Change, Condition as When, RuleAction, Trigger, TriggerSet};
use fanatical::sla::{
    BusinessCalendar, Clock, Conditions, DayHours, Metric, SlaConfig, SlaPolicies, SlaPolicy,
    Target,
};
use fanatical::survey::{Question, QuestionKind, SurveyConfig, SurveyDraft};
use fanatical::template::Locale;
use fanatical::ticket::{Status, Tag};

use super::{Day, Result, local};

/// The official account on X.
pub const OFFICIAL: &str = "@FanaticalHQ";

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
    pub(crate) fn new(ids: &mut IdGenerator) -> Self {
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

/// The index of the VIP in [`Day::people`].
pub const VIP: usize = 0;
/// The ten-dollar blog.
pub const BLOG: usize = 1;
/// Sarah, who posts on X.
pub const SARAH: usize = 2;
/// The first of the crowd.
pub const CROWD: usize = 3;

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
                .with_follow_up(Some("after-the-outage"), Duration::days(42))?,
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
        }))
        .with_permissions(permissions()?)
        .with_escalation(graph(cast)?)
        .with_triggers(triggers()?))
}

/// The trigger that escalates a ticket whose SLA breaches, through the
/// day's graph: its name, the actor of what it changes.
pub const ESCALATE_ON_BREACH: &str = "escalate on breach";

/// The desk's triggers: every SLA breach on an unsolved ticket is
/// escalated through the day's graph (from the front line), in the same
/// decision as the breach. Nothing in the day's loop escalates by hand.
fn triggers() -> Result<TriggerSet> {
    let unsolved = [Status::New, Status::Open, Status::Pending, Status::OnHold];
    Ok(TriggerSet::new(vec![
        Trigger::new(
            ESCALATE_ON_BREACH,
            [RuleAction::Escalate {
                from: "front_line".into(),
            }],
        )?
        .when(When::Changed(Change::SlaBreached { metric: None }))
        .when(When::Status(unsolved.into())),
    ])?)
}

/// The social media team's own role: its people review one another's held
/// posts (by default only leads and executives approve them).
pub fn social_role() -> Result<Role> {
    Ok(Role::Custom(RoleName::new("social media")?))
}

/// Who may do what: the defaults, and the social media role.
fn permissions() -> Result<PermissionTable> {
    Ok(PermissionTable::defaults().grant(social_role()?, Permission::ApprovePosts, Scope::All))
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
    // ----- the organisation -------------------------------------------------

    pub(crate) fn organise(&mut self) -> Result<()> {
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
                vec![Role::Agent, social_role()?],
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
                Command::new(
                    Actor::integration("hr"),
                    PeopleAction::RegisterAgent {
                        id,
                        name: name.into(),
                        time_zone: tz,
                        roles,
                        skills: vec![],
                    },
                ),
                now,
            )?;
            if manager.is_some() {
                self.exec(
                    Command::new(
                        Actor::integration("hr"),
                        PeopleAction::UpdateAgent {
                            agent: id,
                            command: AgentCommand::ReportTo(manager),
                        },
                    ),
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
                Command::new(
                    Actor::integration("hr"),
                    PeopleAction::CreateTeam {
                        id: team,
                        name: name.into(),
                    },
                ),
                now,
            )?;
            for m in members {
                self.exec(
                    Command::new(
                        Actor::integration("hr"),
                        PeopleAction::UpdateTeam {
                            team,
                            command: TeamCommand::AddMember(m),
                        },
                    ),
                    now,
                )?;
            }
            self.exec(
                Command::new(
                    Actor::integration("hr"),
                    PeopleAction::UpdateTeam {
                        team,
                        command: TeamCommand::SetLead(lead),
                    },
                ),
                now,
            )?;
        }
        self.exec(
            Command::new(
                Actor::integration("hr"),
                RecognitionAction::NameCommittee {
                    members: vec![c.graham, c.rob],
                },
            ),
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
        // Luis's hours are on his record, and so is his morning: "the
        // mornings are mine" until ten. Routing and every page read them.
        let weekdays_in_chicago = |from: &str, to: &str| -> Result<BusinessCalendar> {
            Ok(BusinessCalendar::weekly(Chicago, weekdays(from, to)?))
        };
        for command in [
            AgentCommand::SetWorkingHours(Some(weekdays_in_chicago("09:00", "17:00")?)),
            AgentCommand::SetProtectedTime(Some(weekdays_in_chicago("09:00", "10:00")?)),
        ] {
            self.exec(
                Command::new(
                    Actor::integration("hr"),
                    PeopleAction::UpdateAgent {
                        agent: c.luis,
                        command,
                    },
                ),
                now,
            )?;
        }
        let mut on_shift = Vec::new();
        for (agent, week) in [
            (c.ana, every_day("00:00", "08:00")?),
            (c.mei, every_day("08:00", "20:00")?),
            (c.kofi, weekdays("09:00", "17:00")?),
        ] {
            let a = self.desk.people().agent(agent).ok_or("unknown agent")?;
            on_shift.push(RoutingAgent::for_agent(a, week, 12));
        }
        let luis = self.desk.people().agent(c.luis).ok_or("unknown agent")?;
        on_shift.push(RoutingAgent::from_agent(luis, 12));
        self.router = Router::new(on_shift)?;
        // Every owner in the graph must have someone at it today.
        let desk = &self.desk;
        self.graph = self
            .graph
            .to_builder()
            .build_staffed(&|k| desk.people().staff_count(k))?;
        Ok(())
    }

    // ----- customers --------------------------------------------------------

    fn sign_up(&mut self, s: SignUp<'_>) -> Result<usize> {
        let SignUp {
            organisation,
            name,
            spend,
            tier,
            handle,
            component,
        } = s;
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
            Command::new(
                Actor::integration("onboarding"),
                CustomerAction::Register {
                    id: customer,
                    organisation: organisation.into(),
                },
            ),
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
            self.exec(
                Command::new(
                    Actor::integration("onboarding"),
                    CustomerAction::Update { customer, command },
                ),
                now,
            )?;
        }
        self.people.push(person);
        Ok(n)
    }

    pub(crate) fn sign_up_customers(&mut self) -> Result<()> {
        let vip = self.sign_up(SignUp {
            organisation: "Big Retail Co",
            name: "Jane Park",
            spend: 25_000_000,
            tier: Tier::Enterprise,
            handle: None,
            component: "dfw1/cloud",
        })?;
        let alex = self.cast.alex;
        let customer = self.person(vip)?.customer;

        self.exec(
            Command::new(
                Actor::integration("onboarding"),
                CustomerAction::Update {
                    customer,
                    command: CustomerCommand::AssignAccountTeam {
                        agent: alex,
                        role: Role::AccountManager,
                    },
                },
            ),
            local(0, 0),
        )?;
        // Spend is for account management, billing and executives: an
        // agent who tries to change it is refused, and told who may.
        let mei = self.cast.mei;
        self.expect_refusal(
            "Mei changes Big Retail's spend",
            Command::new(
                Actor::Agent(mei),
                CustomerAction::Update {
                    customer,
                    command: CustomerCommand::SetAccountStanding {
                        standing: AccountStanding {
                            monthly_spend: Money {
                                minor: 1,
                                currency: Currency::new("USD")?,
                            },
                            tier: Tier::Standard,
                        },
                    },
                },
            ),
            local(0, 0),
        )?;
        let blog = self.sign_up(SignUp {
            organisation: "Ten Dollar Blog",
            name: "Sam Ortiz",
            spend: 1_000,
            tier: Tier::Standard,
            handle: None,
            component: "lon3",
        })?;
        // Sam reads Spanish: everything the desk writes to him is in it
        // (the built-in Spanish texts).
        let sam = self.person(blog)?;
        let (customer, contact) = (sam.customer, sam.contact);
        self.exec(
            Command::new(
                Actor::integration("onboarding"),
                CustomerAction::set_locale(customer, contact, Locale::spanish()),
            ),
            local(0, 0),
        )?;
        self.sign_up(SignUp {
            organisation: "Sarah's Studio",
            name: "Sarah Lee",
            spend: 9_900,
            tier: Tier::Standard,
            handle: Some("@sarah_builds"),
            component: "lon3",
        })?;
        let first = [
            "Ava", "Ben", "Chloe", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivan", "Jo",
        ];
        for i in 0..40usize {
            let name = format!("{} {i}", first[i % first.len()]);
            let handle = (i % 4 == 0).then(|| format!("@{}{i}", first[i % first.len()]));
            let spend = 1_000 + self.roll(5_000_000) as i64;
            let component = ["dfw1/servers", "dfw1/cloud", "lon3"][i % 3];
            self.sign_up(SignUp {
                organisation: &format!("Customer {i}"),
                name: &name,
                spend,
                tier: Tier::Business,
                handle: handle.as_deref(),
                component,
            })?;
        }
        Ok(())
    }
}

/// Who signs up in the cast: an organisation and its one contact.
struct SignUp<'a> {
    organisation: &'a str,
    name: &'a str,
    spend: i64,
    tier: Tier,
    handle: Option<&'a str>,
    component: &'static str,
}
