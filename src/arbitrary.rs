//! Proptest strategies for the model (feature `proptest`).
//!
//! Use them to property-test your own rules and views against random but
//! valid tickets and customers: every strategy here produces values the
//! model accepts, built by running random commands through the real
//! `handle`/`apply` (commands the model refuses are skipped).
//!
//! # Example
//! ```
//! use fanatical::arbitrary::arb_ticket;
//! use fanatical::ticket::EntryVisibility;
//! use fanatical::view::CustomerTicketView;
//! use proptest::prelude::*;
//! use proptest::test_runner::TestRunner;
//!
//! let mut runner = TestRunner::deterministic();
//! runner.run(&arb_ticket(), |ticket| {
//!     let view = CustomerTicketView::from_ticket(&ticket);
//!     let public = ticket.conversation().iter().filter(|e| e.visibility == EntryVisibility::Public).count();
//!     prop_assert_eq!(view.conversation.len(), public);
//!     Ok(())
//! }).unwrap();
//! ```

use chrono::{DateTime, Duration, TimeZone, Utc};
use proptest::prelude::*;
use uuid::Uuid;

use crate::channel::{Channel, SocialNetwork, Visibility};
use crate::customer::{
    AccountStanding, ConsentSource, Currency, Customer, CustomerCommand, Interest, Money, Relation,
    Tier,
};
use crate::id::{AgentId, ContactId, CustomerId, TicketId};
use crate::ticket::{
    Attachment, Author, OpenTicket, Priority, Status, Tag, Ticket, TicketCommand, TicketRules,
    TicketType,
};

fn base_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
}

/// The customer every generated ticket belongs to.
#[must_use]
pub fn sample_customer_id() -> CustomerId {
    CustomerId::from_uuid(Uuid::from_u128(0xC0))
}

/// One of four fixed contacts (index 0 to 3).
#[must_use]
pub fn sample_contact(n: u8) -> ContactId {
    ContactId::from_uuid(Uuid::from_u128(0xC100 + u128::from(n % 4)))
}

/// One of four fixed agents (index 0 to 3).
#[must_use]
pub fn sample_agent(n: u8) -> AgentId {
    AgentId::from_uuid(Uuid::from_u128(0xA100 + u128::from(n % 4)))
}

/// Any channel.
pub fn arb_channel() -> impl Strategy<Value = Channel> {
    prop_oneof![
        Just(Channel::Phone),
        Just(Channel::Portal),
        Just(Channel::Email),
        Just(Channel::Video),
        Just(Channel::Chat),
        (
            prop_oneof![
                Just(SocialNetwork::X),
                Just(SocialNetwork::Facebook),
                Just(SocialNetwork::LinkedIn),
                "[a-z]{3,8}".prop_map(SocialNetwork::Other),
            ],
            prop_oneof![Just(Visibility::Public), Just(Visibility::Private)],
        )
            .prop_map(|(network, visibility)| Channel::Social {
                network,
                visibility
            }),
    ]
}

/// Any status.
pub fn arb_status() -> impl Strategy<Value = Status> {
    proptest::sample::select(Status::ALL.to_vec())
}

/// Any priority.
pub fn arb_priority() -> impl Strategy<Value = Priority> {
    proptest::sample::select(vec![
        Priority::Low,
        Priority::Normal,
        Priority::High,
        Priority::Urgent,
    ])
}

/// A valid attachment (images including animated GIFs, documents, logs)
/// within the default size limit.
pub fn arb_attachment() -> impl Strategy<Value = Attachment> {
    (
        "[a-z]{1,12}",
        proptest::sample::select(vec![
            ("gif", "image/gif"),
            ("png", "image/png"),
            ("pdf", "application/pdf"),
            ("log", "text/plain"),
        ]),
        0u64..10_000_000,
    )
        .prop_filter_map("valid attachment", |(stem, (ext, mt), size)| {
            Attachment::new(&format!("{stem}.{ext}"), mt, size).ok()
        })
}

fn arb_body() -> impl Strategy<Value = String> {
    "[A-Za-z0-9 .,!?]{0,40}"
}

/// A ticket command from the fixed agents and contacts; some are invalid
/// on purpose (blank bodies, illegal transitions) so that refusals are
/// exercised too.
pub fn arb_ticket_command() -> impl Strategy<Value = TicketCommand> {
    let author = prop_oneof![
        any::<u8>().prop_map(|n| Author::Agent(sample_agent(n))),
        any::<u8>().prop_map(|n| Author::Contact(sample_contact(n))),
    ];
    prop_oneof![
        4 => (author, arb_channel(), arb_body(), proptest::collection::vec(arb_attachment(), 0..3))
            .prop_map(|(author, channel, body, attachments)| TicketCommand::Reply {
                author, channel, body, attachments,
            }),
        3 => (any::<u8>(), arb_body(), proptest::collection::vec(arb_attachment(), 0..2))
            .prop_map(|(a, body, attachments)| TicketCommand::Note {
                agent: sample_agent(a), body, attachments,
            }),
        3 => arb_status().prop_map(TicketCommand::SetStatus),
        1 => arb_priority().prop_map(TicketCommand::SetPriority),
        2 => proptest::option::of(any::<u8>().prop_map(sample_agent)).prop_map(TicketCommand::Assign),
        1 => "[a-z]{1,8}".prop_filter_map("tag", |t| Tag::new(&t).ok()).prop_map(TicketCommand::AddTag),
    ]
}

/// A ticket built by opening it and running up to 40 random commands
/// (refused ones skipped), one minute apart.
pub fn arb_ticket() -> impl Strategy<Value = Ticket> {
    (
        any::<u128>(),
        arb_channel(),
        proptest::sample::select(vec![
            TicketType::Question,
            TicketType::Incident,
            TicketType::Problem,
            TicketType::Task,
        ]),
        proptest::collection::vec(arb_ticket_command(), 0..40),
    )
        .prop_filter_map("openable ticket", |(id, channel, kind, commands)| {
            let open = OpenTicket::new(
                TicketId::from_uuid(Uuid::from_u128(id)),
                sample_customer_id(),
                "Generated",
                channel,
            )
            .requested_by(sample_contact(0))
            .with_type(kind)
            .with_message(Author::Contact(sample_contact(0)), "first message");
            let rules = TicketRules::default();
            let mut now = base_time();
            let mut ticket = Ticket::from_events(&Ticket::open(open, &rules, now).ok()?)?;
            for c in commands {
                now += Duration::minutes(1);
                if let Ok(events) = ticket.handle_with(c, &rules, now) {
                    for e in &events {
                        ticket.apply(e);
                    }
                }
            }
            Some(ticket)
        })
}

/// A customer command over the fixed contacts, including personal details
/// with and without consent and spend changes.
pub fn arb_customer_command() -> impl Strategy<Value = CustomerCommand> {
    prop_oneof![
        2 => any::<u8>().prop_map(|c| CustomerCommand::RecordConsent {
            contact: sample_contact(c),
            source: ConsentSource::Contact(sample_contact(c)),
        }),
        1 => any::<u8>().prop_map(|c| CustomerCommand::WithdrawConsent { contact: sample_contact(c) }),
        3 => (any::<u8>(), "[A-Z][a-z]{1,8}", proptest::sample::select(vec![
                Relation::Spouse, Relation::Child, Relation::Parent, Relation::Pet,
            ]))
            .prop_map(|(c, name, relation)| CustomerCommand::AddFamilyMember {
                contact: sample_contact(c), name, relation,
            }),
        2 => (any::<u8>(), "[A-Za-z ]{1,16}").prop_map(|(c, detail)| CustomerCommand::AddInterest {
            contact: sample_contact(c),
            interest: Interest { topic: "favourite team".into(), detail },
        }),
        2 => (0i64..1_000_000_000, proptest::sample::select(vec![Tier::Standard, Tier::Business, Tier::Enterprise]))
            .prop_filter_map("currency", |(minor, tier)| {
                Some(CustomerCommand::SetAccountStanding {
                    standing: AccountStanding {
                        monthly_spend: Money { minor, currency: Currency::new("USD").ok()? },
                        tier,
                    },
                })
            }),
    ]
}

/// A customer with the four fixed contacts (each with an email address),
/// after up to 30 random customer commands.
pub fn arb_customer() -> impl Strategy<Value = Customer> {
    proptest::collection::vec(arb_customer_command(), 0..30).prop_filter_map(
        "registrable customer",
        |commands| {
            let now = base_time();
            let mut c = Customer::from_events(
                &Customer::register(sample_customer_id(), "Generated Co", now).ok()?,
            )?;
            for n in 0..4u8 {
                let add = CustomerCommand::AddContact {
                    contact: sample_contact(n),
                    name: format!("Contact {n}"),
                    addresses: vec![
                        crate::channel::ChannelAddress::email(format!("c{n}@example.com")).ok()?,
                    ],
                };
                for e in c.handle(add, now).ok()? {
                    c.apply(&e);
                }
            }
            for cmd in commands {
                if let Ok(events) = c.handle(cmd, now) {
                    for e in &events {
                        c.apply(e);
                    }
                }
            }
            Some(c)
        },
    )
}

// ----- escalation graphs and organisations ---------------------------------

use crate::escalation::{Condition, EscalationGraph, Facts, Node, Rule, Sentiment, SlaLevel};
use crate::org::Organisation;
use crate::sla::Metric;
use proptest::test_runner::TestCaseError;

/// Categories the generated facts and graphs draw from.
pub const CATEGORIES: [&str; 8] = [
    "billing", "dns", "email", "backup", "network", "pricing", "security", "storage",
];

/// Ticket facts as escalation rules see them, with `last_update` up to 48
/// hours before `now`.
pub fn arb_facts(now: DateTime<Utc>) -> impl Strategy<Value = Facts> {
    (
        proptest::option::of(proptest::sample::select(CATEGORIES.to_vec())),
        arb_priority(),
        proptest::option::of(proptest::sample::select(
            crate::channel::ChannelKind::ALL.to_vec(),
        )),
        proptest::collection::btree_set(
            (
                proptest::sample::select(Metric::ALL.to_vec()),
                prop_oneof![Just(SlaLevel::Warned), Just(SlaLevel::Breached)],
            ),
            0..3,
        ),
        proptest::sample::select(vec![
            Sentiment::Delighted,
            Sentiment::Neutral,
            Sentiment::Frustrated,
            Sentiment::Angry,
        ]),
        any::<bool>(),
        proptest::bool::weighted(0.05),
        1u32..10,
        0i64..48 * 60,
    )
        .prop_map(
            move |(category, priority, channel, sla, sentiment, trend, crisis, contacts, ago)| {
                let mut f = Facts::new(priority, now - Duration::minutes(ago))
                    .feeling(sentiment)
                    .contacts(contacts);
                if let Some(c) = category {
                    f = f.in_category(c);
                }
                if let Some(c) = channel {
                    f = f.on(c);
                }
                for (m, l) in sla {
                    f = f.with_sla(m, l);
                }
                if trend {
                    f = f.trending();
                }
                if crisis {
                    f = f.in_crisis();
                }
                f
            },
        )
}

/// A condition that requires one category (so rules from the same node,
/// drawing distinct categories, never shadow each other), plus random
/// further constraints.
fn arb_rule_condition(category: &'static str) -> impl Strategy<Value = Condition> {
    (
        proptest::option::of(arb_priority()),
        any::<bool>(),
        proptest::option::of(prop_oneof![
            Just(SlaLevel::Warned),
            Just(SlaLevel::Breached)
        ]),
        proptest::option::of(1u32..5),
    )
        .prop_map(move |(p, trend, sla, contacts)| {
            let mut c = Condition::any().in_categories([category]);
            if let Some(p) = p {
                c = c.at_least(p);
            }
            if trend {
                c = c.trend();
            }
            if let Some(l) = sla {
                c = c.sla(None, l);
            }
            if let Some(n) = contacts {
                c = c.contacts_at_least(n);
            }
            c
        })
}

/// A valid escalation graph of 2 to `max_nodes` nodes: node 0 (`n0`) is the
/// entry; every node owns; rules only go from a node to a later one of
/// equal or higher level, and every node has a rule into it, so the graph
/// is acyclic, reachable and never escalates downward. Use it to test
/// code that consumes graphs; use the checkers below on your own graph.
pub fn arb_graph(max_nodes: usize) -> impl Strategy<Value = EscalationGraph> {
    (2..=max_nodes.max(2))
        .prop_flat_map(|n| {
            let parents = proptest::collection::vec(any::<proptest::sample::Index>(), n - 1);
            let extra = proptest::collection::vec(
                (
                    any::<proptest::sample::Index>(),
                    any::<proptest::sample::Index>(),
                ),
                0..n,
            );
            let conditions = proptest::collection::vec(
                proptest::sample::select(CATEGORIES.to_vec()).prop_flat_map(arb_rule_condition),
                n - 1 + n,
            );
            (Just(n), parents, extra, conditions)
        })
        .prop_filter_map(
            "distinct categories per node",
            |(n, parents, extra, conds)| {
                let mut b = EscalationGraph::builder();
                for i in 0..n {
                    let level = u8::try_from(i).unwrap_or(u8::MAX);
                    let mut node =
                        Node::tier(&format!("n{i}"), &format!("Node {i}"), level).owner();
                    if i == 0 {
                        node = node.entry();
                    }
                    b = b.node(node);
                }
                let mut edges: Vec<(usize, usize)> = parents
                    .iter()
                    .enumerate()
                    .map(|(k, p)| (p.index(k + 1), k + 1))
                    .collect();
                for (a, c) in extra {
                    let (x, y) = (a.index(n), c.index(n));
                    if x < y {
                        edges.push((x, y));
                    }
                }
                edges.sort_unstable();
                edges.dedup();
                let mut used: std::collections::BTreeMap<usize, Vec<Condition>> =
                    Default::default();
                for ((from, to), cond) in edges.into_iter().zip(conds) {
                    let seen = used.entry(from).or_default();
                    if seen.iter().any(|c| c.categories == cond.categories) {
                        return None;
                    }
                    seen.push(cond.clone());
                    b = b.rule(Rule::new(
                        &format!("r{from}_{to}"),
                        &format!("n{from}"),
                        &format!("n{to}"),
                        cond,
                        "generated",
                    ));
                }
                b.build().ok()
            },
        )
}

/// A valid organisation of 1 to `max_people` people: person 0 is the CEO,
/// everyone else reports to someone added before them.
pub fn arb_organisation(max_people: usize) -> impl Strategy<Value = Organisation> {
    proptest::collection::vec(any::<proptest::sample::Index>(), 0..max_people.max(1))
        .prop_filter_map("valid organisation", |managers| {
            let person =
                |i: usize| crate::id::AgentId::from_uuid(Uuid::from_u128(0xE000 + i as u128));
            let mut b = Organisation::builder().person(person(0), "CEO");
            for (k, m) in managers.iter().enumerate() {
                let i = k + 1;
                b = b
                    .person(person(i), &format!("Person {i}"))
                    .reports_to(person(i), person(m.index(i)));
            }
            b.build().ok()
        })
}

fn fail(msg: String) -> TestCaseError {
    TestCaseError::fail(msg)
}

/// Checks that resolving `facts` from `start` terminates: it ends (at an
/// owner or stranded) within one hop per node, never visiting a node twice.
///
/// # Errors
/// A test-case failure naming the path.
pub fn check_terminates(
    graph: &EscalationGraph,
    start: &str,
    facts: &Facts,
    now: DateTime<Utc>,
) -> Result<(), TestCaseError> {
    match graph.resolve(start, facts, now) {
        Ok(path) => {
            let mut seen = std::collections::BTreeSet::new();
            seen.insert(path.start().key.as_str());
            for h in path.hops() {
                if !seen.insert(h.to.key.as_str()) {
                    return Err(fail(format!(
                        "node {} visited twice: {:?}",
                        h.to.key,
                        path.explain()
                    )));
                }
            }
            if path.hops().len() > graph.nodes().len() {
                return Err(fail(format!(
                    "{} hops on {} nodes",
                    path.hops().len(),
                    graph.nodes().len()
                )));
            }
            Ok(())
        }
        Err(crate::escalation::EscalationError::Stranded { .. }) => Ok(()),
        Err(e) => Err(fail(e.to_string())),
    }
}

/// Checks that resolving `facts` from `start` ends at an owner.
///
/// # Example: validate your own rules in your own tests
/// ```
/// use chrono::{TimeZone, Utc};
/// use fanatical::arbitrary::{arb_facts, check_no_downward_escalation, check_reaches_owner};
/// use fanatical::escalation::*;
/// use fanatical::ticket::Priority;
/// use proptest::test_runner::{Config, TestRunner};
///
/// let graph = EscalationGraph::builder()
///     .node(Node::team("desk", "Service desk", 0).entry().owner())
///     .node(Node::team("experts", "Experts", 1))
///     .node(Node::team("oncall", "On call", 2).owner())
///     .rule(Rule::new("hard", "desk", "experts", Condition::any().at_least(Priority::High), "hard problems"))
///     .rule(Rule::new("page", "experts", "oncall", Condition::any().at_least(Priority::Urgent), "page on call"))
///     .build()?;
/// let now = Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap();
/// // (A runner counts its cases across runs: use a fresh one per property.)
/// let runner = || TestRunner::new(Config::with_cases(500));
/// // No hop ever goes down a level...
/// runner().run(&arb_facts(now), |f| check_no_downward_escalation(&graph, "desk", &f, now))?;
/// // ...but a high (not urgent) ticket is stranded with the experts, who
/// // cannot own it: proptest finds it.
/// let stranded = runner().run(&arb_facts(now), |f| check_reaches_owner(&graph, "desk", &f, now));
/// assert!(stranded.is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// A test-case failure naming where it was stranded and the path.
pub fn check_reaches_owner(
    graph: &EscalationGraph,
    start: &str,
    facts: &Facts,
    now: DateTime<Utc>,
) -> Result<(), TestCaseError> {
    graph
        .resolve(start, facts, now)
        .map(|_| ())
        .map_err(|e| fail(format!("{e} (facts: {facts:?})")))
}

/// Checks that no hop goes to a node of a lower level.
///
/// # Errors
/// A test-case failure naming the hop and its rule.
pub fn check_no_downward_escalation(
    graph: &EscalationGraph,
    start: &str,
    facts: &Facts,
    now: DateTime<Utc>,
) -> Result<(), TestCaseError> {
    let Ok(path) = graph.resolve(start, facts, now) else {
        return Ok(());
    };
    for h in path.hops() {
        if h.to.level < h.from.level {
            return Err(fail(format!(
                "rule {} escalates down from {} (level {}) to {} (level {})",
                h.rule.id, h.from.key, h.from.level, h.to.key, h.to.level
            )));
        }
    }
    Ok(())
}

/// Checks that resolution is deterministic: the same facts give the same
/// path, on the graph and on a graph rebuilt from its builder.
///
/// # Errors
/// A test-case failure showing both paths.
pub fn check_deterministic(
    graph: &EscalationGraph,
    start: &str,
    facts: &Facts,
    now: DateTime<Utc>,
) -> Result<(), TestCaseError> {
    let explain = |g: &EscalationGraph| g.resolve(start, facts, now).map(|p| p.explain());
    let first = explain(graph);
    let again = explain(graph);
    let rebuilt = graph
        .to_builder()
        .build()
        .map_err(|e| fail(e.to_string()))?;
    let third = explain(&rebuilt);
    if first != again || first != third {
        return Err(fail(format!("{first:?} / {again:?} / {third:?}")));
    }
    Ok(())
}
