//! Macros (issue 19, item 4): named bundles of actions with a templated
//! reply, applied by an agent in one command with the permissions each
//! action needs, and previewable before they are applied.

use fanatical::actor::{Actor, Cause};
use fanatical::channel::{Channel, SocialNetwork, Visibility};
use fanatical::desk::{
    Command, CustomerAction, DeskConfig, DeskError, InboundMessage, TicketAction,
};
use fanatical::event::{Event, StreamId};
use fanatical::id::TicketId;
use fanatical::outbox::Recipient;
use fanatical::permission::{Permission, PermissionTable};
use fanatical::rules::{
    Change, Condition, Macro, MacroProblem, MacroSet, RuleAction, RulesAction, RulesError, Trigger,
    TriggerSet,
};
use fanatical::store::{RecordedEvent, Store};
use fanatical::template::{Locale, ReplyName, TemplateSet};
use fanatical::ticket::{Author, Priority, Status, Tag, TicketEventKind};

use crate::support::{World, denied};

fn tag(t: &str) -> Tag {
    Tag::new(t).unwrap()
}

fn reset_steps() -> ReplyName {
    ReplyName::new("reset-steps").unwrap()
}

/// The password-reset macro: a templated reply, a tag, pending, and
/// assigned to whoever applies it.
fn password_reset() -> Macro {
    Macro::new(
        "Password reset",
        [
            RuleAction::ReplyWith {
                template: reset_steps(),
            },
            RuleAction::AddTag(tag("password")),
            RuleAction::SetStatus(Status::Pending),
            RuleAction::AssignToActor,
        ],
    )
    .unwrap()
    .describe("Sends the reset steps and waits for the customer.")
}

fn templates() -> TemplateSet {
    TemplateSet::default()
        .with_reply(
            reset_steps(),
            [
                (
                    Locale::english(),
                    "Hi {{ requester }}, {{ agent }} here: reset it from the login page."
                        .to_owned(),
                ),
                (
                    Locale::spanish(),
                    "Hola {{ requester }}, soy {{ agent }}: restablézcala desde la página de acceso."
                        .to_owned(),
                ),
            ],
        )
        .unwrap()
}

fn config(macros: Vec<Macro>) -> DeskConfig {
    DeskConfig::default()
        .with_templates(templates())
        .with_macros(MacroSet::new(macros).unwrap())
}

fn world(macros: Vec<Macro>) -> World {
    World::with_config(config(macros))
}

fn apply(ticket: TicketId, name: &str) -> TicketAction {
    TicketAction::ApplyMacro {
        ticket,
        name: name.to_owned(),
    }
}

fn ticket_events(recorded: &[RecordedEvent], ticket: TicketId) -> Vec<(Actor, TicketEventKind)> {
    recorded
        .iter()
        .filter(|r| r.stream == StreamId::Ticket(ticket))
        .filter_map(|r| match (&r.event, &r.actor) {
            (Event::Ticket(e), Some(a)) => Some((a.clone(), e.kind.clone())),
            _ => None,
        })
        .collect()
}

#[test]
fn a_macro_is_the_agents_own_update_with_a_reply_in_the_requesters_language() {
    let mut w = world(vec![password_reset()]);
    let (acme, jane, ana) = (w.acme, w.jane, w.ana);
    w.run(Command::new(
        Actor::integration("crm"),
        CustomerAction::set_locale(acme, jane, Locale::spanish()),
    ))
    .unwrap();
    let t = w.jane_emails("I cannot log in");
    w.deliver_all();
    let recorded = w
        .run(Command::new(Actor::Agent(ana), apply(t, "Password reset")))
        .unwrap();
    let events = ticket_events(&recorded, t);
    // First the macro, by name; then its changes, each the agent's.
    assert_eq!(
        events.first().map(|(_, k)| k),
        Some(&TicketEventKind::MacroApplied {
            name: "Password reset".into()
        })
    );
    assert!(events.iter().all(|(a, _)| *a == Actor::Agent(ana)));
    assert!(events.len() >= 5, "{events:?}");
    let ticket = w.desk.tickets().get(t).unwrap();
    assert_eq!(ticket.status(), Status::Pending);
    assert!(ticket.tags().contains(&tag("password")));
    assert_eq!(ticket.assignee(), Some(ana));
    let reply = ticket.conversation().last().unwrap();
    assert_eq!(reply.author, Author::Agent(ana));
    let sent = w.desk.poll_outbound(w.now).expect("the reply goes out");
    assert_eq!(
        sent.body,
        "Hola Jane Doe, soy Ana: restablézcala desde la página de acceso."
    );
    assert!(matches!(sent.recipient, Recipient::Contact { contact, .. } if contact == jane));
}

#[test]
fn a_preview_shows_what_applying_does_and_changes_nothing() {
    let mut w = world(vec![password_reset()]);
    let ana = w.ana;
    let t = w.jane_emails("I cannot log in");
    w.deliver_all();
    let (desk_before, store_before) = (w.desk.clone(), w.store.clone());
    let preview = w
        .desk
        .preview_macro(ana, t, "Password reset", w.now)
        .unwrap();
    assert_eq!(w.desk, desk_before);
    assert_eq!(w.store, store_before);
    assert_eq!(preview.ticket.status, Status::Pending);
    assert!(!preview.held_for_review);

    let recorded = w
        .run(Command::new(Actor::Agent(ana), apply(t, "Password reset")))
        .unwrap();
    let changes: Vec<TicketEventKind> = ticket_events(&recorded, t)
        .into_iter()
        .map(|(_, k)| k)
        .collect();
    assert_eq!(preview.changes, changes);
    assert_eq!(preview.ticket, w.desk.agent_ticket_view(t).unwrap());
    let queued: Vec<String> = w
        .desk
        .channels()
        .outbox()
        .map(|m| m.message.body.clone())
        .collect();
    let previewed: Vec<String> = preview.messages.iter().map(|m| m.body.clone()).collect();
    assert_eq!(previewed, queued);
}

#[test]
fn each_action_needs_the_permission_the_same_change_by_hand_needs() {
    // Agents here may not reply publicly.
    let table = PermissionTable::defaults()
        .revoke(&fanatical::agent::Role::Agent, Permission::ReplyPublicly);
    let mut w = World::with_config(config(vec![password_reset()]).with_permissions(table));
    let ana = w.ana;
    let t = w.jane_emails("I cannot log in");
    let cmd = Command::new(Actor::Agent(ana), apply(t, "Password reset"));
    assert_eq!(
        w.desk.required_permissions(&cmd),
        vec![
            (Permission::ViewTickets, Some(t)),
            (Permission::ReplyPublicly, Some(t)),
            (Permission::EditTickets, Some(t)),
            (Permission::AssignTickets, Some(t)),
        ]
    );
    let err = denied(
        &w.desk,
        Actor::Agent(ana),
        Permission::ReplyPublicly,
        Some(t),
    );
    assert_eq!(
        w.desk.missing_permission(&cmd).map(fanatical::Error::from),
        Some(err.clone())
    );
    assert_eq!(
        w.desk.preview_macro(ana, t, "Password reset", w.now),
        Err(err.clone())
    );
    w.refused(cmd, err);
}

#[test]
fn an_action_the_ticket_refuses_refuses_the_whole_macro() {
    // Tom is Tiny Blog's contact: he cannot be copied on Acme's ticket.
    let tom = World::new().tom;
    let copy_tom = Macro::new(
        "Loop in Tom",
        [RuleAction::AddTag(tag("looped")), RuleAction::AddCc(tom)],
    )
    .unwrap();
    let mut w = world(vec![copy_tom]);
    let ana = w.ana;
    let t = w.jane_emails("Help");
    let err = w
        .desk
        .preview_macro(ana, t, "Loop in Tom", w.now)
        .unwrap_err();
    w.refused(
        Command::new(Actor::Agent(ana), apply(t, "Loop in Tom")),
        err,
    );
    assert!(
        !w.desk
            .tickets()
            .get(t)
            .unwrap()
            .tags()
            .contains(&tag("looped"))
    );
}

#[test]
fn unknown_inactive_and_other_teams_macros_are_refused() {
    // Every world's ids come from one seed: this is the team of `w`.
    let team = World::new().team;
    let billing_only = Macro::new("Refund", [RuleAction::SetPriority(Priority::High)])
        .unwrap()
        .for_teams([team]);
    let old = Macro::new("Old", [RuleAction::AddTag(tag("old"))])
        .unwrap()
        .inactive();
    let mut w = world(vec![password_reset(), billing_only, old]);
    let (ana, jane) = (w.ana, w.jane);
    let t = w.jane_emails("Help");
    let names: Vec<&str> = w
        .desk
        .macros_for(ana)
        .iter()
        .map(|m| m.name.as_str())
        .collect();
    assert_eq!(names, ["Password reset"]);
    w.refused(
        Command::new(Actor::Agent(ana), apply(t, "Nope")),
        DeskError::UnknownMacro("Nope".into()),
    );
    for name in ["Refund", "Old"] {
        w.refused(
            Command::new(Actor::Agent(ana), apply(t, name)),
            DeskError::MacroNotOffered {
                name: name.into(),
                agent: ana,
            },
        );
    }
    // Only agents apply macros.
    assert!(
        w.run(Command::new(
            Actor::Contact(jane),
            apply(t, "Password reset")
        ))
        .is_err()
    );
    // A member of the team is offered its macro, and may apply it.
    w.run(Command::new(
        Actor::integration("setup"),
        fanatical::desk::PeopleAction::UpdateTeam {
            team,
            command: fanatical::agent::TeamCommand::AddMember(ana),
        },
    ))
    .unwrap();
    assert_eq!(w.desk.macros_for(ana).len(), 2);
    w.run(Command::new(Actor::Agent(ana), apply(t, "Refund")))
        .unwrap();
    assert_eq!(w.desk.tickets().get(t).unwrap().priority(), Priority::High);
}

#[test]
fn a_macro_that_would_change_nothing_writes_nothing() {
    let tag_it = Macro::new("Tag it", [RuleAction::AddTag(tag("seen"))]).unwrap();
    let mut w = world(vec![tag_it]);
    let ana = w.ana;
    let t = w.jane_emails("Help");
    assert!(
        !w.run(Command::new(Actor::Agent(ana), apply(t, "Tag it")))
            .unwrap()
            .is_empty()
    );
    let before = w.store.len();
    let again = w
        .run(Command::new(Actor::Agent(ana), apply(t, "Tag it")))
        .unwrap();
    assert!(again.is_empty());
    assert_eq!(w.store.len(), before);
    assert!(
        w.desk
            .preview_macro(ana, t, "Tag it", w.now)
            .unwrap()
            .changes
            .is_empty()
    );
}

fn outage_world() -> World {
    let urgent_on_outage = Trigger::new(
        "outage is urgent",
        [RuleAction::SetPriority(Priority::Urgent)],
    )
    .unwrap()
    .when(Condition::Changed(Change::TagAdded(tag("outage"))));
    let outage = Macro::new("Outage", [RuleAction::AddTag(tag("outage"))]).unwrap();
    World::with_config(
        config(vec![outage]).with_triggers(TriggerSet::new(vec![urgent_on_outage]).unwrap()),
    )
}

#[test]
fn the_desks_triggers_run_on_what_a_macro_changed() {
    let mut w = outage_world();
    let ana = w.ana;
    let t = w.jane_emails("Everything is down");
    // The preview shows the macro alone: triggers run when it is applied.
    let preview = w.desk.preview_macro(ana, t, "Outage", w.now).unwrap();
    assert_eq!(preview.ticket.priority, Priority::Normal);
    let recorded = w
        .run(Command::new(Actor::Agent(ana), apply(t, "Outage")))
        .unwrap();
    let events = ticket_events(&recorded, t);
    assert!(events.iter().any(|(a, k)| {
        *a == Actor::System(Cause::Rule("outage is urgent".into()))
            && matches!(
                k,
                TicketEventKind::PriorityChanged {
                    to: Priority::Urgent,
                    ..
                }
            )
    }));
    assert_eq!(
        w.desk.tickets().get(t).unwrap().priority(),
        Priority::Urgent
    );
}

#[test]
fn a_macro_reply_on_a_public_post_passes_the_guard_like_one_by_hand() {
    let promise = Macro::new(
        "Promise a fix",
        [
            RuleAction::Reply {
                body: "We guarantee it will be fixed today.".into(),
            },
            RuleAction::AddTag(tag("promised")),
        ],
    )
    .unwrap();
    let mut w = world(vec![promise]);
    let ana = w.ana;
    let t: TicketId = w.ids.next_id();
    let post = InboundMessage::new(
        t,
        Channel::Social {
            network: SocialNetwork::X,
            visibility: Visibility::Public,
        },
        w.jane_x.clone(),
        "@acme your site is down again",
    );
    w.run(Command::new(
        Actor::integration("social"),
        TicketAction::Receive(post),
    ))
    .unwrap();
    w.deliver_all();
    let entries = w.desk.tickets().get(t).unwrap().conversation().len();
    let preview = w
        .desk
        .preview_macro(ana, t, "Promise a fix", w.now)
        .unwrap();
    assert!(preview.held_for_review);
    assert!(preview.messages.is_empty());
    let recorded = w
        .run(Command::new(Actor::Agent(ana), apply(t, "Promise a fix")))
        .unwrap();
    // The reply is held as a post for a second person; the rest is made.
    assert!(recorded.iter().any(|r| r.stream == StreamId::Posts));
    let ticket = w.desk.tickets().get(t).unwrap();
    assert_eq!(ticket.conversation().len(), entries);
    assert!(ticket.tags().contains(&tag("promised")));
    assert!(w.desk.poll_outbound(w.now).is_none());
}

#[test]
fn macros_are_replaced_by_an_administrator_checked_and_recorded() {
    let mut w = world(Vec::new());
    let ana = w.ana;
    let set = MacroSet::new(vec![password_reset()]).unwrap();
    // Ana is an agent: rules are an administrator's.
    w.refused(
        Command::new(
            Actor::Agent(ana),
            RulesAction::SetMacros {
                macros: set.clone(),
            },
        ),
        denied(&w.desk, Actor::Agent(ana), Permission::ManageRules, None),
    );
    // A macro for a team the desk does not have, or a reply it lacks.
    let ghost_team: fanatical::id::TeamId = w.ids.next_id();
    let ghost = Macro::new("Ghost", [RuleAction::AddTag(tag("x"))])
        .unwrap()
        .for_teams([ghost_team]);
    w.refused(
        Command::new(
            Actor::integration("setup"),
            RulesAction::SetMacros {
                macros: MacroSet::new(vec![ghost]).unwrap(),
            },
        ),
        DeskError::InvalidMacro {
            name: "Ghost".into(),
            reason: format!("no team {ghost_team}"),
        },
    );
    let silent = Macro::new(
        "Silent",
        [RuleAction::ReplyWith {
            template: ReplyName::new("missing").unwrap(),
        }],
    )
    .unwrap();
    w.refused(
        Command::new(
            Actor::integration("setup"),
            RulesAction::SetMacros {
                macros: MacroSet::new(vec![silent]).unwrap(),
            },
        ),
        DeskError::InvalidMacro {
            name: "Silent".into(),
            reason: "no reply template missing".into(),
        },
    );
    let recorded = w
        .run(Command::new(
            Actor::integration("setup"),
            RulesAction::SetMacros {
                macros: set.clone(),
            },
        ))
        .unwrap();
    assert!(recorded.iter().all(|r| r.stream == StreamId::Rules));
    assert_eq!(w.desk.config().macros, set);
    // A desk rebuilt from the record has them.
    let mut rebuilt = fanatical::desk::Desk::new(config(Vec::new()));
    rebuilt
        .apply(&w.store.read_all(0, usize::MAX).unwrap())
        .unwrap();
    assert_eq!(rebuilt.config().macros, w.desk.config().macros);
    // Setting the same set again records nothing.
    assert!(
        w.run(Command::new(
            Actor::integration("setup"),
            RulesAction::SetMacros { macros: set },
        ))
        .unwrap()
        .is_empty()
    );
    // A set with problems cannot even be built, and says why.
    let twice = MacroSet::new(vec![password_reset(), password_reset()]).unwrap_err();
    assert!(matches!(
        twice.problems(),
        [MacroProblem::DuplicateName { .. }]
    ));
    assert!(
        RulesError::from(twice)
            .to_string()
            .contains("two macros are named Password reset")
    );
}

/// A tour with macros set and applied, for the golden files.
pub(crate) fn golden_tour() -> Vec<RecordedEvent> {
    let mut w = world(Vec::new());
    let ana = w.ana;
    w.run(Command::new(
        Actor::integration("setup"),
        RulesAction::SetMacros {
            macros: MacroSet::new(vec![password_reset()]).unwrap(),
        },
    ))
    .unwrap();
    let t = w.jane_emails("I cannot log in");
    w.run(Command::new(Actor::Agent(ana), apply(t, "Password reset")))
        .unwrap();
    w.store.read_all(0, usize::MAX).unwrap()
}
