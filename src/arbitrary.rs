//! Proptest strategies for the model (feature `proptest`).
//!
//! Use them to property-test your own rules and views against random but
//! valid tickets, customers, escalation graphs and organisations: those
//! strategies produce values the model accepts, drawn wide (commands it
//! refuses, graphs with cycles, people reporting to themselves) and kept
//! only when the real `handle`/`apply` or `build()` accepts them, so a
//! property holds because the model validates, not because the generator
//! could not draw anything else. `arb_ticket_command`,
//! [`arb_graph_builder`] and [`arb_organisation_builder`] hand out the
//! raw input, right or wrong.
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
/// within the default size limit: drawn from names and media types as
/// mail clients send them, blank names and malformed types among them,
/// keeping those [`Attachment::new`] accepts (about 80%; the unit test
/// below measures it). Most are stored under a blob key; some, as
/// recorded before keys existed, are not.
pub fn arb_attachment() -> impl Strategy<Value = Attachment> {
    let key = proptest::option::weighted(0.8, "blobs/[0-9a-f]{8}");
    (raw_attachment(), key).prop_filter_map(
        "valid attachment",
        |((name, media_type, size), key)| {
            let a = Attachment::new(&name, &media_type, size).ok()?;
            Some(match key.map(|k| crate::ticket::AttachmentRef::new(&k)) {
                Some(Ok(k)) => a.stored_at(k),
                _ => a,
            })
        },
    )
}

/// A file name, media type and size, right or wrong.
fn raw_attachment() -> impl Strategy<Value = (String, String, u64)> {
    (
        prop_oneof![
            8 => ("[a-z]{1,12}", proptest::sample::select(vec!["gif", "png", "pdf", "log"]))
                .prop_map(|(stem, ext)| format!("{stem}.{ext}")),
            1 => "[ \t]{0,3}",
            1 => " {1,2}[A-Za-z0-9_-]{1,8}\\.[A-Z]{3} {0,2}",
        ],
        prop_oneof![
            8 => proptest::sample::select(vec![
                "image/gif",
                "image/png",
                "application/pdf",
                "text/plain",
                "IMAGE/GIF",
                "text/plain; charset=utf-8",
            ])
            .prop_map(str::to_owned),
            1 => proptest::sample::select(vec!["", "image", "image/", "/gif", "text plain", "a/b/c"])
                .prop_map(str::to_owned),
        ],
        0u64..10_000_000,
    )
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
        1 => any::<u8>().prop_map(|n| TicketCommand::AddCc { contact: sample_contact(n) }),
        1 => any::<u8>().prop_map(|n| TicketCommand::AddFollower { agent: sample_agent(n) }),
        // Any duration chrono holds, most of them out of range.
        1 => (any::<u8>(), -i64::MAX..=i64::MAX, proptest::option::of(arb_body()))
            .prop_map(|(a, ms, note)| TicketCommand::LogTime {
                agent: sample_agent(a), duration: Duration::milliseconds(ms), note,
            }),
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

use crate::escalation::{
    Condition, EscalationGraph, EscalationGraphBuilder, Facts, Node, Rule, Sentiment, SlaLevel,
};
use crate::org::{Organisation, OrganisationBuilder};
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

/// A rule condition as a user might write one: usually one category,
/// sometimes two or none (any category), plus random further constraints.
/// Two rules from one node may cover each other, which validation
/// refuses as shadowing.
fn arb_condition() -> impl Strategy<Value = Condition> {
    (
        prop_oneof![
            10 => proptest::sample::select(CATEGORIES.to_vec()).prop_map(|c| vec![c]),
            2 => proptest::sample::subsequence(CATEGORIES.to_vec(), 2),
            1 => Just(Vec::new()),
        ],
        proptest::option::of(arb_priority()),
        any::<bool>(),
        proptest::option::of(prop_oneof![
            Just(SlaLevel::Warned),
            Just(SlaLevel::Breached)
        ]),
        proptest::option::of(1u32..5),
    )
        .prop_map(|(categories, p, trend, sla, contacts)| {
            let mut c = Condition::any();
            if !categories.is_empty() {
                c = c.in_categories(categories);
            }
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

/// How a generated extra rule picks its ends.
#[derive(Debug, Clone, Copy)]
enum Wiring {
    /// From a node placed earlier to one placed later (never a loop).
    Forward,
    /// Between any two nodes, either way, or from a node to itself.
    Anywhere,
    /// To a node that does not exist.
    Dangling,
}

/// An escalation graph as a user might write one, right or wrong: up to
/// `max_nodes` tier nodes keyed `n0`, `n1`, ... (rarely none), each at a
/// level from 0 to 3, an owner or not, an entry or not; rules between any
/// two nodes in any direction, self-loops, parallel rules, rules naming a
/// node that does not exist, rules whose condition covers a later one's,
/// now and then a repeated node key or rule id. Most nodes hang off one
/// placed before them in a hidden random order, so a good share is valid:
/// over 2,000 draws of `arb_graph_builder(12)` about 38% build (the
/// escalation properties measure it and hold it between 25% and 75%).
///
/// Use it to test code that takes graphs people configure (an editor, an
/// import); [`arb_graph`] keeps the ones [`EscalationGraphBuilder::build`]
/// accepts.
pub fn arb_graph_builder(max_nodes: usize) -> impl Strategy<Value = EscalationGraphBuilder> {
    use proptest::sample::Index;
    let max = max_nodes.max(1);
    prop_oneof![1 => Just(0usize), 40 => 1..=max]
        .prop_flat_map(|n| {
            let order = Just((0..n).collect::<Vec<usize>>()).prop_shuffle();
            let nodes = proptest::collection::vec(
                (
                    0u8..4,
                    proptest::bool::weighted(0.85),
                    proptest::bool::weighted(0.1),
                    proptest::bool::weighted(0.01),
                ),
                n,
            );
            let parents = proptest::collection::vec(
                (
                    proptest::option::weighted(0.96, any::<Index>()),
                    arb_condition(),
                    any::<u8>(),
                ),
                n,
            );
            let extra = proptest::collection::vec(
                (
                    prop_oneof![
                        18 => Just(Wiring::Forward),
                        1 => Just(Wiring::Anywhere),
                        1 => Just(Wiring::Dangling),
                    ],
                    any::<Index>(),
                    any::<Index>(),
                    arb_condition(),
                    any::<u8>(),
                ),
                0..=n,
            );
            (
                order,
                nodes,
                parents,
                extra,
                proptest::bool::weighted(0.97),
                proptest::bool::weighted(0.02),
            )
        })
        .prop_map(
            |(order, nodes, parents, extra, first_is_entry, repeat_an_id)| {
                let n = order.len();
                let key = |i: usize| format!("n{i}");
                let placed = |p: usize| order.get(p).copied().unwrap_or(0);
                let mut b = EscalationGraph::builder();
                for (i, (level, owner, entry, repeat_key)) in nodes.into_iter().enumerate() {
                    let k = if repeat_key && i > 0 {
                        key(i - 1)
                    } else {
                        key(i)
                    };
                    let mut node = Node::tier(&k, &format!("Node {i}"), level);
                    if owner {
                        node = node.owner();
                    }
                    if entry || (first_is_entry && order.first() == Some(&i)) {
                        node = node.entry();
                    }
                    b = b.node(node);
                }
                // (rank, from, to, condition): rules are added in rank order.
                let mut rules: Vec<(u8, usize, String, Condition)> = Vec::new();
                for (p, (parent, cond, rank)) in parents.into_iter().enumerate().skip(1) {
                    if let Some(ix) = parent {
                        rules.push((rank, placed(ix.index(p)), key(placed(p)), cond));
                    }
                }
                for (wiring, x, y, cond, rank) in extra {
                    let (x, y) = (x.index(n), y.index(n));
                    let (from, to) = match wiring {
                        Wiring::Forward if x == y => continue,
                        Wiring::Forward => (placed(x.min(y)), key(placed(x.max(y)))),
                        Wiring::Anywhere => (placed(x), key(placed(y))),
                        Wiring::Dangling => (placed(x), format!("x{y}")),
                    };
                    rules.push((rank, from, to, cond));
                }
                rules.sort_by_key(|r| r.0);
                let last = rules.len().saturating_sub(1);
                for (k, (_, from, to, cond)) in rules.into_iter().enumerate() {
                    let id = if repeat_an_id && k == last && k > 0 {
                        "r0".to_owned()
                    } else {
                        format!("r{k}")
                    };
                    b = b.rule(Rule::new(&id, &key(from), &to, cond, "generated"));
                }
                b
            },
        )
}

/// A valid escalation graph of 1 to `max_nodes` nodes: a graph from
/// [`arb_graph_builder`] that [`EscalationGraphBuilder::build`] accepts.
/// Validation, not the generator, makes it acyclic, reachable from an
/// entry, with a route to an owner from every node and no shadowed rule;
/// nothing else is promised. Nodes that are not owners can strand a
/// ticket, a rule can lead down a level, and the entry may be any node,
/// so start from every entry (or every node) and use the checkers below.
///
/// Earlier versions made every node an owner, `n0` the entry and every
/// rule lead to a later node of equal or higher level, so a property
/// could hold on them by construction; on these it can fail.
pub fn arb_graph(max_nodes: usize) -> impl Strategy<Value = EscalationGraph> {
    arb_graph_builder(max_nodes).prop_filter_map("graphs that build() accepts", |b| b.build().ok())
}

/// Who a generated person reports to.
#[derive(Debug, Clone, Copy)]
enum Line {
    /// Someone placed before them (nobody, for the first).
    Earlier(proptest::sample::Index),
    /// Anyone in the organisation, possibly themselves or someone below.
    Anyone(proptest::sample::Index),
    /// Themselves.
    Themselves,
    /// Someone not in the organisation.
    Stranger(u8),
    /// Nobody: a second top.
    Nobody,
}

/// Who leads a generated team.
#[derive(Debug, Clone, Copy)]
enum Lead {
    None,
    Member(proptest::sample::Index),
    Anyone(proptest::sample::Index),
}

/// A person of a generated organisation: `AgentId` `0xE000 + i`.
fn org_person(i: usize) -> AgentId {
    AgentId::from_uuid(Uuid::from_u128(0xE000 + i as u128))
}

/// An organisation as a user might write it, right or wrong: up to
/// `max_people` people (`AgentId`s `0xE000 + i`; rarely none), most
/// reporting to someone placed before them in a hidden random order, but
/// now and then to themselves, to someone below them (a cycle), to
/// someone not in it, or to nobody (a second top); and up to two teams
/// whose members or lead may be strangers and whose lead may not be a
/// member. Over 2,000 draws of `arb_organisation_builder(40)` about 70%
/// build (the escalation properties measure it).
pub fn arb_organisation_builder(max_people: usize) -> impl Strategy<Value = OrganisationBuilder> {
    use proptest::sample::Index;
    let max = max_people.max(1);
    prop_oneof![1 => Just(0usize), 40 => 1..=max]
        .prop_flat_map(|n| {
            let order = Just((0..n).collect::<Vec<usize>>()).prop_shuffle();
            let lines = proptest::collection::vec(
                prop_oneof![
                    250 => any::<Index>().prop_map(Line::Earlier),
                    1 => any::<Index>().prop_map(Line::Anyone),
                    1 => Just(Line::Themselves),
                    1 => any::<u8>().prop_map(Line::Stranger),
                    1 => Just(Line::Nobody),
                ],
                n,
            );
            let teams = proptest::collection::vec(
                (
                    proptest::collection::vec(
                        proptest::option::weighted(0.98, any::<Index>()),
                        1..5,
                    ),
                    prop_oneof![
                        3 => Just(Lead::None),
                        20 => any::<Index>().prop_map(Lead::Member),
                        1 => any::<Index>().prop_map(Lead::Anyone),
                    ],
                ),
                if n == 0 { 0..1 } else { 0..3 },
            );
            (order, lines, teams)
        })
        .prop_map(|(order, lines, teams)| {
            let n = order.len();
            let placed = |p: usize| org_person(order.get(p).copied().unwrap_or(0));
            let mut b = Organisation::builder();
            for i in 0..n {
                b = b.person(org_person(i), &format!("Person {i}"));
            }
            for (p, line) in lines.into_iter().enumerate() {
                let me = placed(p);
                b = match line {
                    Line::Earlier(_) if p == 0 => b,
                    Line::Earlier(ix) => b.reports_to(me, placed(ix.index(p))),
                    Line::Anyone(ix) => b.reports_to(me, placed(ix.index(n))),
                    Line::Themselves => b.reports_to(me, me),
                    Line::Stranger(s) => b.reports_to(
                        me,
                        AgentId::from_uuid(Uuid::from_u128(0xEF00 + u128::from(s))),
                    ),
                    Line::Nobody => b,
                };
            }
            let stranger = AgentId::from_uuid(Uuid::from_u128(0xEFFF_0000));
            for (t, (members, lead)) in teams.into_iter().enumerate() {
                let members: Vec<AgentId> = members
                    .into_iter()
                    .map(|m| m.map_or(stranger, |ix| placed(ix.index(n))))
                    .collect();
                let lead = match lead {
                    Lead::None => None,
                    Lead::Member(ix) => Some(*ix.get(&members)),
                    Lead::Anyone(ix) => Some(placed(ix.index(n))),
                };
                b = b.team(
                    crate::id::TeamId::from_uuid(Uuid::from_u128(0x7E00 + t as u128)),
                    &format!("Team {t}"),
                    lead,
                    members,
                );
            }
            b
        })
}

/// A valid organisation of 1 to `max_people` people (`AgentId`s
/// `0xE000 + i` for `i` below [`Organisation::len`]): one from
/// [`arb_organisation_builder`] that [`OrganisationBuilder::build`]
/// accepts. Validation, not the generator, gives it one top, no cycle and
/// teams of its own people; the top may be anyone.
pub fn arb_organisation(max_people: usize) -> impl Strategy<Value = Organisation> {
    arb_organisation_builder(max_people)
        .prop_filter_map("organisations that build() accepts", |b| b.build().ok())
}

fn fail(msg: String) -> TestCaseError {
    TestCaseError::fail(msg)
}

/// Checks that resolving `facts` from `start` terminates: it ends (at an
/// owner or stranded) within one hop per node, never visiting a node twice.
///
/// **A guarantee of [`EscalationGraphBuilder::build`], re-checked**: a
/// graph that built has no cycle, so on it this fails only for a `start`
/// the graph does not have. It is kept as a guard on the library's own
/// promise; the checkers that find faults in *your* rules are
/// [`check_reaches_owner`] and [`check_no_downward_escalation`].
///
/// # Errors
/// A test-case failure naming the path; or the resolution error (an
/// unknown start node).
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
/// **A guarantee of the library, re-checked**: resolution keeps no state
/// and a valid graph always rebuilds, so no graph a user can build makes
/// this fail. It is kept as a guard on the library's own promise; the
/// checkers that find faults in *your* rules are [`check_reaches_owner`]
/// and [`check_no_downward_escalation`].
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ticket::TicketError;
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    /// The attachment generator draws names and types `Attachment::new`
    /// refuses, for both reasons, and keeps enough that it accepts.
    #[test]
    fn attachment_inputs_include_what_validation_refuses() {
        let mut runner = TestRunner::deterministic();
        let (mut ok, mut blank, mut bad_type) = (0, 0, 0);
        for _ in 0..1_000 {
            let (name, media_type, size) = raw_attachment()
                .new_tree(&mut runner)
                .map(|t| t.current())
                .unwrap_or_default();
            match Attachment::new(&name, &media_type, size) {
                Ok(a) => {
                    assert_eq!(a.file_name, name.trim());
                    ok += 1;
                }
                Err(TicketError::EmptyAttachmentName) => blank += 1,
                Err(TicketError::InvalidMediaType(v)) => {
                    assert_eq!(v, media_type);
                    bad_type += 1;
                }
                Err(e) => panic!("unexpected refusal: {e}"),
            }
        }
        assert!(
            blank > 0 && bad_type > 0,
            "{blank} blank, {bad_type} bad types"
        );
        assert!((600..=950).contains(&ok), "{ok} of 1,000 accepted");
    }
}
