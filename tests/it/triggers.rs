//! Triggers (issue 19, item 1): rules as data, run in the same decision as
//! the command (or timer) that changed the ticket, in a stated order,
//! each at most once, with the trigger as the actor of what it changes;
//! loops refused when the set is built; escalation on an SLA breach is a
//! trigger (item 3).

use chrono::Duration;
use fanatical::actor::{Actor, Cause};
use fanatical::agent::AgentCommand;
use fanatical::channel::{Channel, ChannelKind};
use fanatical::desk::{Command, Desk, DeskConfig, InboundMessage, PeopleAction, TicketAction};
use fanatical::error::ErrorKind;
use fanatical::escalation::{Condition as Route, EscalationGraph, Node, Rule, SlaLevel};
use fanatical::event::{Event, StreamId};
use fanatical::id::TicketId;
use fanatical::outbox::Recipient;
use fanatical::permission::{Permission, PermissionError};
use fanatical::rules::{
    Change, Condition, PageTo, RuleAction, RulesAction, Trigger, TriggerProblem, TriggerSet,
};
use fanatical::sla::{Clock, Conditions, Metric, Phase, SlaConfig, SlaPolicies, SlaPolicy, Target};
use fanatical::store::{RecordedEvent, Store};
use fanatical::ticket::{Author, Priority, Status, Tag, TicketEventKind};

use crate::support::World;

fn tag(t: &str) -> Tag {
    Tag::new(t).unwrap()
}

fn by(name: &str) -> Actor {
    Actor::System(Cause::Rule(name.to_owned()))
}

fn set(triggers: Vec<Trigger>) -> TriggerSet {
    TriggerSet::new(triggers).unwrap()
}

/// A desk with these triggers, and a first response due in 30 minutes,
/// around the clock.
fn world(triggers: Vec<Trigger>) -> World {
    let half_hour = Target::new(Metric::FirstResponse, Duration::minutes(30), Clock::Always);
    let policies = SlaPolicies::new(vec![SlaPolicy::new(
        "all",
        Conditions::any(),
        vec![half_hour],
    )])
    .unwrap();
    World::with_config(
        DeskConfig::default()
            .with_sla(SlaConfig::new(policies))
            .with_triggers(set(triggers)),
    )
}

fn ticket_events(
    recorded: &[RecordedEvent],
    ticket: TicketId,
) -> Vec<(Option<Actor>, TicketEventKind)> {
    recorded
        .iter()
        .filter(|r| r.stream == StreamId::Ticket(ticket))
        .filter_map(|r| match &r.event {
            Event::Ticket(e) => Some((r.actor.clone(), e.kind.clone())),
            _ => None,
        })
        .collect()
}

fn jane_writes(w: &mut World, body: &str) -> (TicketId, Vec<RecordedEvent>) {
    let id = w.ids.next_id();
    let msg = InboundMessage::new(id, Channel::Email, w.jane_email.clone(), body);
    let recorded = w
        .run(Command::new(
            Actor::integration("inbound"),
            TicketAction::Receive(msg),
        ))
        .unwrap();
    (id, recorded)
}

#[test]
fn a_trigger_acts_in_the_same_decision_and_is_the_actor_of_its_changes() {
    let email_first = Trigger::new(
        "email first",
        [
            RuleAction::SetPriority(Priority::High),
            RuleAction::AddTag(tag("email")),
        ],
    )
    .unwrap()
    .when(Condition::Changed(Change::Created))
    .when(Condition::Channel([ChannelKind::Email].into()));
    let mut w = world(vec![email_first]);
    let (t, recorded) = jane_writes(&mut w, "Our site is down");
    let events = ticket_events(&recorded, t);
    assert!(matches!(
        events[0],
        (Some(Actor::Integration(_)), TicketEventKind::Opened { .. })
    ));
    let ruled: Vec<_> = events
        .iter()
        .filter(|(a, _)| *a == Some(by("email first")))
        .collect();
    assert!(ruled.iter().any(|(_, k)| matches!(
        k,
        TicketEventKind::PriorityChanged {
            to: Priority::High,
            ..
        }
    )));
    assert!(
        ruled
            .iter()
            .any(|(_, k)| matches!(k, TicketEventKind::Tagged { tag } if tag.as_str() == "email"))
    );
    let ticket = w.desk.tickets().get(t).unwrap();
    assert_eq!(ticket.priority(), Priority::High);
    // Each trigger at most once per decision; a later change to the ticket
    // is not a creation, so it does not fire again.
    let count = |w: &World| {
        w.store
            .read_stream(&StreamId::Ticket(t), 0)
            .unwrap()
            .iter()
            .filter(|r| r.actor == Some(by("email first")))
            .count()
    };
    let before = count(&w);
    w.run(Command::reply(t, w.ana, "Looking now")).unwrap();
    assert_eq!(count(&w), before);
}

#[test]
fn a_trigger_sees_what_the_triggers_run_before_it_changed() {
    // "hot" reads the priority "vip" sets: it runs after it, whatever
    // their positions.
    let hot = Trigger::new("hot", [RuleAction::AddTag(tag("hot"))])
        .unwrap()
        .when(Condition::PriorityAtLeast(Priority::Urgent));
    let vip = Trigger::new("vip", [RuleAction::SetPriority(Priority::Urgent)])
        .unwrap()
        .when(Condition::Changed(Change::Created));
    let mut w = world(vec![hot, vip]);
    let (t, _) = jane_writes(&mut w, "Down again");
    let ticket = w.desk.tickets().get(t).unwrap();
    assert_eq!(ticket.priority(), Priority::Urgent);
    assert!(ticket.tags().contains(&tag("hot")), "hot ran after vip");
}

#[test]
fn a_trigger_whose_action_is_refused_keeps_nothing_and_says_why() {
    let mut w = world(vec![]);
    let ana = w.ana;
    let to_ana = Trigger::new(
        "to ana",
        [
            RuleAction::AddTag(tag("routed")),
            RuleAction::Assign(Some(ana)),
        ],
    )
    .unwrap()
    .when(Condition::Changed(Change::Created));
    w.run(Command::new(
        Actor::integration("setup"),
        RulesAction::SetTriggers {
            triggers: set(vec![to_ana]),
        },
    ))
    .unwrap();
    w.run(Command::new(
        Actor::integration("hr"),
        PeopleAction::UpdateAgent {
            agent: ana,
            command: AgentCommand::Deactivate,
        },
    ))
    .unwrap();
    let (t, recorded) = jane_writes(&mut w, "Help");
    let ticket = w.desk.tickets().get(t).unwrap();
    assert!(
        !ticket.tags().contains(&tag("routed")),
        "the tag went with the refused assignment"
    );
    assert_eq!(ticket.assignee(), None);
    let failed: Vec<_> = ticket_events(&recorded, t)
        .into_iter()
        .filter_map(|(a, k)| match k {
            TicketEventKind::RuleFailed { rule, reason } => Some((a, rule, reason)),
            _ => None,
        })
        .collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].0, Some(by("to ana")));
    assert_eq!(failed[0].1, "to ana");
    assert!(failed[0].2.contains(&ana.to_string()), "{}", failed[0].2);
}

#[test]
fn a_trigger_reply_reaches_the_requester_and_is_not_a_first_response() {
    let ack = Trigger::new(
        "acknowledge",
        [RuleAction::Reply {
            body: "We have your message and are on it.".into(),
        }],
    )
    .unwrap()
    .when(Condition::Changed(Change::Created));
    let mut w = world(vec![ack]);
    let (t, _) = jane_writes(&mut w, "Where is my invoice?");
    let ticket = w.desk.tickets().get(t).unwrap();
    let reply = ticket.conversation().last().unwrap();
    assert_eq!(reply.author, Author::System);
    let msg = w.desk.poll_outbound(w.now).expect("the reply goes out");
    assert_eq!(msg.body, "We have your message and are on it.");
    assert!(matches!(msg.recipient, Recipient::Contact { contact, .. } if contact == w.jane));
    // The first response clock still runs: an automatic reply is not one.
    let sla = w.desk.tickets().sla(t).unwrap();
    assert!(matches!(sla.metrics()[0].phase, Phase::Active { .. }));
}

#[test]
fn escalation_on_an_sla_breach_is_a_trigger() {
    let mut w = world(vec![]);
    let bill = w.bill;
    let graph = EscalationGraph::builder()
        .node(Node::team("front_line", "Front line", 0).entry().owner())
        .node(Node::person("tier2", "Tier 2", 1, bill).owner())
        .rule(Rule::new(
            "breach",
            "front_line",
            "tier2",
            Route::any().sla(None, SlaLevel::Breached),
            "a breached SLA goes to tier 2",
        ))
        .build()
        .unwrap();
    let config = w.desk.config().clone().with_escalation(graph);
    let breached = Trigger::new(
        "breach",
        [
            RuleAction::SetPriority(Priority::High),
            RuleAction::Escalate {
                from: "front_line".into(),
            },
        ],
    )
    .unwrap()
    .when(Condition::Changed(Change::SlaBreached { metric: None }));
    w.desk = Desk::rebuild(&w.store, config.with_triggers(set(vec![breached]))).unwrap();
    let (t, _) = jane_writes(&mut w, "Nobody answers");
    w.deliver_all();
    w.tick(31);
    let due = w.desk.poll_timeout().unwrap();
    assert!(due <= w.now);
    let recorded = w.desk.handle_timeout(&mut w.store, w.now).unwrap();
    let events = ticket_events(&recorded, t);
    assert!(events.iter().any(|(a, k)| *a == Some(by("breach"))
        && matches!(k, TicketEventKind::HandedOff { to, by: None, .. } if to == "Tier 2")));
    let ticket = w.desk.tickets().get(t).unwrap();
    assert_eq!(ticket.department(), Some("Tier 2"));
    assert_eq!(ticket.priority(), Priority::High);
    let page = w.desk.poll_outbound(w.now).expect("Bill is paged");
    assert!(matches!(page.recipient, Recipient::Agent { agent } if agent == bill));
    assert!(
        page.body.contains("a breached SLA goes to tier 2"),
        "{}",
        page.body
    );
}

#[test]
fn closed_and_crisis_tickets_are_left_alone() {
    let on_reply = Trigger::new("tag replies", [RuleAction::AddTag(tag("replied"))])
        .unwrap()
        .when(Condition::Changed(Change::PublicReply { by: None }));
    let mut w = world(vec![on_reply]);
    let t = w.closed_ticket("Thanks", "Done");
    let ticket = w.desk.tickets().get(t).unwrap();
    assert_eq!(ticket.status(), Status::Closed);
    // The reply before closing was tagged; closing fired nothing.
    assert!(ticket.tags().contains(&tag("replied")));
    let (c, _) = jane_writes(&mut w, "I can't go on, I want to end it all");
    assert!(w.desk.tickets().is_crisis(c));
    let crisis = w.desk.tickets().get(c).unwrap();
    assert!(!crisis.tags().contains(&tag("replied")));
    let n = w.store.read_stream(&StreamId::Ticket(c), 0).unwrap();
    assert!(n.iter().all(|r| r.actor != Some(by("tag replies"))));
}

#[test]
fn setting_triggers_needs_manage_rules_and_is_recorded() {
    let mut w = world(vec![]);
    let t = Trigger::new(
        "urgent page",
        [RuleAction::Page {
            to: PageTo::TeamLead,
            body: "urgent".into(),
        }],
    )
    .unwrap()
    .when(Condition::PriorityAtLeast(Priority::Urgent));
    let action = RulesAction::SetTriggers {
        triggers: set(vec![t]),
    };
    let configured = w.desk.config().clone();
    let ana = w.ana;
    let denied = w
        .desk
        .decide(Command::new(Actor::Agent(ana), action.clone()), w.now)
        .unwrap_err();
    assert_eq!(denied.kind(), ErrorKind::Refused);
    assert!(
        matches!(
            &denied,
            fanatical::Error::Permission(PermissionError::Denied {
                permission: Permission::ManageRules,
                ..
            })
        ),
        "{denied}"
    );
    w.refused(Command::new(Actor::Agent(ana), action.clone()), denied);
    let recorded = w
        .run(Command::new(Actor::integration("setup"), action))
        .unwrap();
    assert!(recorded.iter().any(|r| r.stream == StreamId::Rules));
    assert_eq!(w.desk.config().triggers.len(), 1);
    // The record says it: a desk rebuilt on the default configuration, and
    // one restored from a snapshot, have the triggers.
    let rebuilt = Desk::rebuild(&w.store, configured.clone()).unwrap();
    assert_eq!(rebuilt.config().triggers, w.desk.config().triggers);
    let restored = Desk::restore(configured, w.desk.snapshot()).unwrap();
    assert_eq!(restored.config().triggers, w.desk.config().triggers);
    assert_eq!(restored, w.desk);
}

#[test]
fn triggers_naming_what_the_desk_lacks_are_refused() {
    let mut w = world(vec![]);
    let ghost_team = w.ids.next_id();
    let when = Condition::Changed(Change::Created);
    let bad = [
        Trigger::new("ghost team", [RuleAction::SetTeam(Some(ghost_team))])
            .unwrap()
            .when(when.clone()),
        Trigger::new(
            "no graph",
            [RuleAction::Escalate {
                from: "front_line".into(),
            }],
        )
        .unwrap()
        .when(when.clone()),
        Trigger::new(
            "no field",
            [RuleAction::ClearField(
                fanatical::field::FieldKey::new("plan").unwrap(),
            )],
        )
        .unwrap()
        .when(when.clone()),
        Trigger::new("blank reply", [RuleAction::Reply { body: "  ".into() }])
            .unwrap()
            .when(when),
    ];
    for t in bad {
        let name = t.name().to_string();
        let cmd = Command::new(
            Actor::integration("setup"),
            RulesAction::SetTriggers {
                triggers: set(vec![t]),
            },
        );
        let err = w.desk.decide(cmd.clone(), w.now).unwrap_err();
        assert!(err.to_string().contains(&name), "{err}");
        w.refused(cmd, err);
    }
}

#[test]
fn a_loop_and_a_conflict_are_refused_naming_the_triggers() {
    let up = Trigger::new("up", [RuleAction::SetPriority(Priority::Urgent)])
        .unwrap()
        .when(Condition::HasTag(tag("vip")));
    let mark = Trigger::new("mark", [RuleAction::AddTag(tag("hot"))])
        .unwrap()
        .when(Condition::PriorityAtLeast(Priority::Urgent));
    let cool = Trigger::new("cool", [RuleAction::RemoveTag(tag("vip"))])
        .unwrap()
        .when(Condition::HasTag(tag("hot")));
    let err = TriggerSet::new(vec![up.clone(), mark.clone(), cool]).unwrap_err();
    let looped = err.problems().iter().find_map(|p| match p {
        TriggerProblem::Loop { triggers, .. } => Some(triggers.clone()),
        _ => None,
    });
    let names: Vec<String> = looped.unwrap().iter().map(ToString::to_string).collect();
    assert_eq!(names, ["up", "mark", "cool"]);
    assert!(
        err.to_string()
            .contains("\"cool\" changes tag vip, which \"up\" reads"),
        "{err}"
    );
    // Two triggers setting the priority differently fight, unless they
    // cannot both fire.
    let down = Trigger::new("down", [RuleAction::SetPriority(Priority::Low)])
        .unwrap()
        .when(Condition::Channel([ChannelKind::Email].into()));
    let err = TriggerSet::new(vec![up.clone(), down.clone()]).unwrap_err();
    assert!(
        matches!(err.problems()[0], TriggerProblem::Conflict { .. }),
        "{err}"
    );
    let down = down.when(Condition::Not(Box::new(Condition::HasTag(tag("vip")))));
    assert!(TriggerSet::new(vec![up, down, mark]).is_ok());
}

/// The events of a tour that sets triggers and has one refused: for the
/// golden files.
pub(crate) fn golden_tour() -> Vec<RecordedEvent> {
    let mut w = world(vec![]);
    let ana = w.ana;
    let to_ana = Trigger::new("to ana", [RuleAction::Assign(Some(ana))])
        .unwrap()
        .when(Condition::Changed(Change::Created));
    w.run(Command::new(
        Actor::integration("setup"),
        RulesAction::SetTriggers {
            triggers: set(vec![to_ana]),
        },
    ))
    .unwrap();
    w.run(Command::new(
        Actor::integration("hr"),
        PeopleAction::UpdateAgent {
            agent: ana,
            command: AgentCommand::Deactivate,
        },
    ))
    .unwrap();
    jane_writes(&mut w, "Help");
    w.store.read_all(0, usize::MAX).unwrap()
}

#[test]
fn a_trigger_replies_with_a_template_in_the_requesters_language() {
    use fanatical::desk::CustomerAction;
    use fanatical::template::{Locale, ReplyName, TemplateSet};
    let ack = ReplyName::new("ack").unwrap();
    let templates = TemplateSet::default()
        .with_reply(
            ack.clone(),
            [
                (
                    Locale::english(),
                    "Thanks {{ requester }}, we have \"{{ subject }}\".".to_owned(),
                ),
                (
                    Locale::spanish(),
                    "Gracias {{ requester }}, tenemos «{{ subject }}».".to_owned(),
                ),
            ],
        )
        .unwrap();
    let trigger = Trigger::new("ack", [RuleAction::ReplyWith { template: ack }])
        .unwrap()
        .when(Condition::Changed(Change::Created));
    let mut w = World::with_config(
        DeskConfig::default()
            .with_templates(templates)
            .with_triggers(set(vec![trigger])),
    );
    let (acme, jane) = (w.acme, w.jane);
    w.run(Command::new(
        Actor::integration("crm"),
        CustomerAction::set_locale(acme, jane, Locale::spanish()),
    ))
    .unwrap();
    let id = w.ids.next_id();
    let msg = InboundMessage::new(id, Channel::Email, w.jane_email.clone(), "Mi factura")
        .with_subject("Factura {{ 7 * 7 }}");
    w.run(Command::new(
        Actor::integration("inbound"),
        TicketAction::Receive(msg),
    ))
    .unwrap();
    let reply = w.desk.poll_outbound(w.now).expect("the reply goes out");
    // Spanish, and the customer's own words are data, not a template.
    assert_eq!(
        reply.body,
        "Gracias Jane Doe, tenemos «Factura {{ 7 * 7 }}»."
    );
    // A trigger naming a reply the desk lacks is refused.
    let ghost = Trigger::new(
        "ghost",
        [RuleAction::ReplyWith {
            template: ReplyName::new("ghost").unwrap(),
        }],
    )
    .unwrap()
    .when(Condition::Changed(Change::Created));
    let cmd = Command::new(
        Actor::integration("setup"),
        RulesAction::SetTriggers {
            triggers: set(vec![ghost]),
        },
    );
    let err = w.desk.decide(cmd.clone(), w.now).unwrap_err();
    assert!(err.to_string().contains("no reply template ghost"), "{err}");
    w.refused(cmd, err);
}
