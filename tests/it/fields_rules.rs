//! Custom fields in rules (issue 18, item 3): SLA policy conditions,
//! escalation rules, routing skills and trend keys on field values, and
//! the golden tour of the field events.

use chrono::Duration;
use fanatical::actor::Actor;
use fanatical::agent::{Role, Skill};
use fanatical::channel::Channel;
use fanatical::customer::CustomerCommand;
use fanatical::desk::{
    Command, CustomerAction, DeskConfig, InboundMessage, PeopleAction, TicketAction,
};
use fanatical::escalation::{Condition, EscalationGraph, Facts, Node, Rule};
use fanatical::field::{FieldCondition, FieldTerm, FieldValue};
use fanatical::routing::{FieldSkills, Router, Routing, RoutingAgent};
use fanatical::sla::{Clock, Conditions, Metric, SlaConfig, SlaPolicies, SlaPolicy, Target};
use fanatical::store::{RecordedEvent, Store};
use fanatical::ticket::{Priority, TicketCommand};
use fanatical::trend::{TrendConfig, TrendKey};

use crate::fields::{key, set, world, world_with};
use crate::support::World;

fn enterprise() -> FieldCondition {
    FieldCondition::any_of(key("plan"), [FieldTerm::option("enterprise")])
}

#[test]
fn sla_policies_match_on_fields_at_opening_and_after_a_change() {
    let sla = SlaConfig::new(
        SlaPolicies::new(vec![
            SlaPolicy::new(
                "enterprise",
                Conditions::any().with_fields([enterprise()]),
                vec![Target::new(
                    Metric::FirstResponse,
                    Duration::minutes(15),
                    Clock::Always,
                )],
            ),
            SlaPolicy::new(
                "standard",
                Conditions::any(),
                vec![Target::new(
                    Metric::FirstResponse,
                    Duration::hours(8),
                    Clock::Always,
                )],
            ),
        ])
        .unwrap(),
    );
    let mut w = world_with(DeskConfig::default().with_sla(sla));
    let policy = |w: &World, t| w.desk.tickets().sla(t).unwrap().policy.clone();
    let t = w.ids.next_id();
    let msg = InboundMessage::new(t, Channel::Email, w.jane_email.clone(), "Down")
        .with_field(key("plan"), FieldValue::choice("enterprise"));
    w.run(Command::new(
        Actor::integration("inbound"),
        TicketAction::Receive(msg),
    ))
    .unwrap();
    assert_eq!(policy(&w, t).as_deref(), Some("enterprise"));
    let target = |w: &World, t| {
        w.desk
            .tickets()
            .sla(t)
            .unwrap()
            .live(Metric::FirstResponse)
            .map(|m| m.spec.target)
    };
    assert_eq!(target(&w, t), Some(Duration::minutes(15)));

    let u = w.jane_emails("Also down");
    assert_eq!(policy(&w, u).as_deref(), Some("standard"));
    assert_eq!(target(&w, u), Some(Duration::hours(8)));
    w.run(set(&w, u, "plan", FieldValue::choice("enterprise")))
        .unwrap();
    assert_eq!(policy(&w, u).as_deref(), Some("enterprise"));
    assert_eq!(
        target(&w, u),
        Some(Duration::minutes(15)),
        "the running metric is retargeted"
    );
    let clear = Command::new(
        Actor::Agent(w.ana),
        TicketAction::Update {
            ticket: u,
            command: TicketCommand::ClearField { key: key("plan") },
        },
    );
    w.run(clear).unwrap();
    assert_eq!(policy(&w, u).as_deref(), Some("standard"));
}

#[test]
fn escalation_rules_read_the_tickets_fields() {
    let mut w = world();
    let graph = EscalationGraph::builder()
        .node(Node::team("front", "Front line", 0).entry())
        .node(Node::team("am", "Account management", 1).owner())
        .node(Node::team("t2", "Tier 2", 1).owner())
        .rule(Rule::new(
            "enterprise",
            "front",
            "am",
            Condition::any().with_fields([enterprise()]),
            "enterprise plan",
        ))
        .rule(Rule::new(
            "rest",
            "front",
            "t2",
            Condition::any(),
            "everyone else",
        ))
        .build()
        .unwrap();
    let t = w.jane_emails("Slow");
    let facts = Facts::new(Priority::Normal, w.now);
    let owner = |w: &World| {
        w.desk
            .tickets()
            .escalation(t, &graph, "front", &facts, w.now)
            .unwrap()
            .owner
    };
    assert_eq!(owner(&w), "t2");
    w.run(set(&w, t, "plan", FieldValue::choice("enterprise")))
        .unwrap();
    assert_eq!(owner(&w), "am");
    assert!(
        Condition::any()
            .with_fields([enterprise()])
            .describe()
            .contains("plan in enterprise")
    );
}

#[test]
fn routing_takes_skills_from_field_values() {
    let mut w = world();
    let (kate, otto) = (w.ids.next_id(), w.ids.next_id());
    for (id, name, skill) in [(kate, "Kate", "k8s"), (otto, "Otto", "exchange")] {
        w.run(Command::new(
            Actor::integration("setup"),
            PeopleAction::RegisterAgent {
                id,
                name: name.into(),
                time_zone: fanatical::chrono_tz::UTC,
                roles: vec![Role::Agent],
                skills: vec![Skill::new(skill).unwrap()],
            },
        ))
        .unwrap();
    }
    let always = fanatical::sla::DayHours::parse(&[("00:00", "23:59")]).unwrap();
    let week: [_; 7] = std::array::from_fn(|_| always.clone());
    let router = Router::new(
        [kate, otto]
            .map(|a| RoutingAgent::for_agent(w.desk.people().agent(a).unwrap(), week.clone(), 5))
            .to_vec(),
    )
    .unwrap();
    let skills = FieldSkills::new()
        .map(
            key("regions"),
            FieldTerm::option("eu"),
            Skill::new("k8s").unwrap(),
        )
        .map(
            key("regions"),
            FieldTerm::option("us"),
            Skill::new("exchange").unwrap(),
        );
    let t = w.jane_emails("Cluster down");
    w.run(set(&w, t, "regions", FieldValue::choices(["us"])))
        .unwrap();
    let routed = w
        .desk
        .tickets()
        .route_by_fields(t, &router, &skills, &[], w.now)
        .unwrap();
    assert!(
        matches!(routed, Routing::Assigned { agent, .. } if agent == otto),
        "{routed:?}"
    );
    w.run(set(&w, t, "regions", FieldValue::choices(["eu"])))
        .unwrap();
    let routed = w
        .desk
        .tickets()
        .route_by_fields(t, &router, &skills, &[], w.now)
        .unwrap();
    assert!(
        matches!(routed, Routing::Assigned { agent, .. } if agent == kate),
        "{routed:?}"
    );
    // Both regions: nobody has both skills.
    w.run(set(&w, t, "regions", FieldValue::choices(["eu", "us"])))
        .unwrap();
    assert!(
        w.desk
            .tickets()
            .route_by_fields(t, &router, &skills, &[], w.now)
            .is_err()
    );
}

#[test]
fn trends_group_by_field_values() {
    let config = DeskConfig::default().with_trends(TrendConfig::default().by_fields([key("plan")]));
    let mut w = world_with(config);
    for n in 0..6 {
        let t = w.ids.next_id();
        let plan = if n < 5 { "enterprise" } else { "basic" };
        let msg = InboundMessage::new(t, Channel::Email, w.jane_email.clone(), "Checkout fails")
            .with_field(key("plan"), FieldValue::choice(plan))
            .with_field(key("order"), FieldValue::text("ORD-000001"));
        w.run(Command::new(
            Actor::integration("inbound"),
            TicketAction::Receive(msg),
        ))
        .unwrap();
        w.tick(1);
    }
    let trends = w.desk.incidents().trends(w.now);
    let by_field: Vec<_> = trends
        .iter()
        .filter(|t| matches!(t.key, TrendKey::Field { .. }))
        .map(|t| (t.key.value(), t.count))
        .collect();
    // Five enterprise tickets trend; one basic does not, and `order` is
    // not a field trends count by.
    assert_eq!(by_field, [("plan:enterprise".to_owned(), 5)]);
}

/// Custom fields for the golden files: defined, relabelled, options
/// changed, retired; a form set; values set and cleared on a ticket, a
/// customer and a contact.
pub(crate) fn golden_tour() -> Vec<RecordedEvent> {
    use fanatical::field::{FieldDefinition, FieldObject, FieldType};
    use fanatical::form::{FieldAction, Form};
    use fanatical::ticket::TicketType;
    let mut w = World::new();
    let (acme, jane, ana) = (w.acme, w.jane, w.ana);
    let admin = Actor::integration("admin");
    for action in [
        FieldAction::Define {
            definition: FieldDefinition::new(
                key("plan"),
                "Plan",
                FieldObject::Ticket,
                FieldType::dropdown(["basic", "pro"]),
            ),
        },
        FieldAction::Define {
            definition: FieldDefinition::new(
                key("seats"),
                "Seats",
                FieldObject::Customer,
                FieldType::Number,
            ),
        },
        FieldAction::Define {
            definition: FieldDefinition::new(
                key("vip"),
                "VIP",
                FieldObject::Contact,
                FieldType::Checkbox,
            ),
        },
        FieldAction::Relabel {
            key: key("plan"),
            label: "Plan tier".into(),
        },
        FieldAction::SetOptions {
            key: key("plan"),
            options: vec!["pro".into(), "enterprise".into()],
        },
        FieldAction::SetForm {
            ticket_type: TicketType::Incident,
            form: Some(Form::new([key("plan")]).requiring([key("plan")])),
        },
    ] {
        w.run(Command::new(admin.clone(), action)).unwrap();
    }
    let ticket = w.jane_emails("Which plan am I on?");
    for command in [
        TicketCommand::SetField {
            key: key("plan"),
            value: FieldValue::choice("pro"),
        },
        TicketCommand::ClearField { key: key("plan") },
    ] {
        w.run(Command::new(
            Actor::Agent(ana),
            TicketAction::Update { ticket, command },
        ))
        .unwrap();
    }
    for command in [
        CustomerCommand::SetField {
            key: key("seats"),
            value: FieldValue::Number(40),
        },
        CustomerCommand::ClearField { key: key("seats") },
        CustomerCommand::SetContactField {
            contact: jane,
            key: key("vip"),
            value: FieldValue::Checkbox(true),
        },
        CustomerCommand::ClearContactField {
            contact: jane,
            key: key("vip"),
        },
    ] {
        w.run(Command::new(
            Actor::integration("crm"),
            CustomerAction::Update {
                customer: acme,
                command,
            },
        ))
        .unwrap();
    }
    w.run(Command::new(
        admin,
        FieldAction::Retire { key: key("seats") },
    ))
    .unwrap();
    w.store.read_all(0, usize::MAX).unwrap()
}
