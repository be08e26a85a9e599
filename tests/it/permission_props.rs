//! The permission property: under any permission table that validates, no
//! command by an actor lacking a permission it needs ever changes
//! anything, every such command is refused naming that permission, and a
//! command whose actor holds every permission is never refused for one.
//! The table, the roles, the tickets' teams and assignees and the commands
//! are all drawn.

use fanatical::actor::Actor;
use fanatical::agent::{AgentCommand, Role, RoleName, TeamCommand};
use fanatical::customer::{AccountStanding, Currency, CustomerCommand, Money, Tier};
use fanatical::desk::permission_checks::check_command;
use fanatical::desk::{
    Command, CustomerAction, DeskConfig, IncidentAction, PeopleAction, TicketAction,
};
use fanatical::error::Error;
use fanatical::id::{AgentId, IncidentId, TeamId, TicketId};
use fanatical::permission::strategies::{arb_permission_table, arb_role};
use fanatical::permission::{
    Permission, PermissionError, PermissionTable, Scope, Subject, TicketFacts,
};
use fanatical::ticket::{Priority, Status, TicketCommand};
use proptest::prelude::*;

use crate::support::World;

/// The setup and inbound integrations' own role: it may do everything, so drawing a
/// table never stops the world from being built. The property is about
/// everyone else.
fn root() -> Role {
    Role::Custom(RoleName::new("setup root").unwrap())
}

fn with_root(mut table: PermissionTable) -> PermissionTable {
    for p in Permission::ALL {
        table = table.grant(root(), p, Scope::All);
    }
    table
        .with_integration("setup", [root()])
        .with_integration("inbound", [root()])
}

/// One command from a palette that reaches every area the table guards.
#[derive(Debug, Clone)]
enum Op {
    Reply(usize),
    Note(usize),
    Status(usize),
    Priority(usize),
    Assign(usize, usize),
    Merge(usize, usize),
    Split(usize),
    LogTime(usize),
    Standing,
    Register,
    GrantRole(usize, Role),
    Team(usize),
    Incident,
    Refund(usize),
    Erase,
    MergeCustomers,
    Table,
    ChannelDown,
}

fn arb_op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0..3usize).prop_map(Op::Reply),
        (0..3usize).prop_map(Op::Note),
        (0..3usize).prop_map(Op::Status),
        (0..3usize).prop_map(Op::Priority),
        (0..3usize, 0..4usize).prop_map(|(t, a)| Op::Assign(t, a)),
        (0..3usize, 0..3usize).prop_map(|(a, b)| Op::Merge(a, b)),
        (0..3usize).prop_map(Op::Split),
        (0..3usize).prop_map(Op::LogTime),
        Just(Op::Standing),
        Just(Op::Register),
        (0..4usize, arb_role()).prop_map(|(a, r)| Op::GrantRole(a, r)),
        (0..4usize).prop_map(Op::Team),
        Just(Op::Incident),
        (0..3usize).prop_map(Op::Refund),
        Just(Op::Erase),
        Just(Op::MergeCustomers),
        Just(Op::Table),
        Just(Op::ChannelDown),
    ]
}

/// Who acts: one of four agents, Jane (Acme), Tom (Tiny), or the `crm`
/// integration (holding the table's default integration roles).
#[derive(Debug, Clone, Copy)]
enum Who {
    Agent(usize),
    Jane,
    Tom,
    Crm,
}

fn arb_who() -> impl Strategy<Value = Who> {
    prop_oneof![
        4 => (0..4usize).prop_map(Who::Agent),
        1 => Just(Who::Jane),
        1 => Just(Who::Tom),
        1 => Just(Who::Crm),
    ]
}

struct Desk {
    w: World,
    agents: Vec<AgentId>,
    tickets: Vec<TicketId>,
}

fn build(table: PermissionTable, roles: Vec<Vec<Role>>, teams: Vec<Option<usize>>) -> Desk {
    let mut w = World::with_config(DeskConfig::default().with_permissions(with_root(table)));
    let setup = || Actor::integration("setup");
    let team = w.team;
    let mut agents = Vec::new();
    for (i, roles) in roles.into_iter().enumerate() {
        let id: AgentId = w.ids.next_id();
        w.run(Command::new(
            setup(),
            PeopleAction::RegisterAgent {
                id,
                name: format!("agent {i}"),
                time_zone: chrono_tz::UTC,
                roles,
                skills: vec![],
            },
        ))
        .unwrap();
        if i % 2 == 0 {
            w.run(Command::new(
                setup(),
                PeopleAction::UpdateTeam {
                    team,
                    command: TeamCommand::AddMember(id),
                },
            ))
            .unwrap();
        }
        agents.push(id);
    }
    let mut tickets = Vec::new();
    for (i, assignee) in teams.into_iter().enumerate() {
        let t = w.jane_emails(&format!("question {i}"));
        if i % 2 == 0 {
            w.run(Command::new(
                setup(),
                TicketAction::Update {
                    ticket: t,
                    command: TicketCommand::SetTeam(Some(team)),
                },
            ))
            .unwrap();
        }
        if let Some(a) = assignee {
            w.run(Command::new(
                setup(),
                TicketAction::assign(t, agents[a % agents.len()]),
            ))
            .unwrap();
        }
        // One entry more, so a split has something to take and to leave.
        w.run(Command::new(
            setup(),
            TicketAction::Update {
                ticket: t,
                command: TicketCommand::Note {
                    agent: agents[0],
                    body: "seen".into(),
                    attachments: vec![],
                },
            },
        ))
        .ok();
        tickets.push(t);
    }
    Desk { w, agents, tickets }
}

fn command(d: &mut Desk, who: Who, op: &Op) -> Command {
    let w = &mut d.w;
    let agent = |i: usize| d.agents[i % d.agents.len()];
    let ticket = |i: usize| d.tickets[i % d.tickets.len()];
    let actor = match who {
        Who::Agent(i) => Actor::Agent(agent(i)),
        Who::Jane => Actor::Contact(w.jane),
        Who::Tom => Actor::Contact(w.tom),
        Who::Crm => Actor::integration("crm"),
    };
    let me = actor.agent().unwrap_or(d.agents[0]);
    let action: fanatical::desk::Action = match op.clone() {
        Op::Reply(t) => {
            return match who {
                Who::Jane | Who::Tom => Command::reply_on(
                    ticket(t),
                    match actor {
                        Actor::Contact(c) => fanatical::ticket::Author::Contact(c),
                        _ => unreachable!(),
                    },
                    fanatical::channel::Channel::Email,
                    "thanks",
                    vec![],
                ),
                _ => Command::new(
                    actor,
                    TicketAction::Reply {
                        ticket: ticket(t),
                        body: "On it.".into(),
                        attachments: vec![],
                    },
                ),
            };
        }
        Op::Note(t) => TicketAction::Update {
            ticket: ticket(t),
            command: TicketCommand::Note {
                agent: me,
                body: "internal".into(),
                attachments: vec![],
            },
        }
        .into(),
        Op::Status(t) => TicketAction::set_status(ticket(t), Status::Pending).into(),
        Op::Priority(t) => TicketAction::Update {
            ticket: ticket(t),
            command: TicketCommand::SetPriority(Priority::Urgent),
        }
        .into(),
        Op::Assign(t, a) => TicketAction::assign(ticket(t), agent(a)).into(),
        Op::Merge(a, b) => TicketAction::Merge {
            source: ticket(a),
            target: ticket(b),
        }
        .into(),
        Op::Split(t) => TicketAction::Split {
            ticket: ticket(t),
            new_ticket: w.ids.next_id(),
            entries: vec![1],
        }
        .into(),
        Op::LogTime(t) => TicketAction::Update {
            ticket: ticket(t),
            command: TicketCommand::LogTime {
                agent: me,
                duration: chrono::Duration::minutes(5),
                note: None,
            },
        }
        .into(),
        Op::Standing => CustomerAction::Update {
            customer: w.acme,
            command: CustomerCommand::SetAccountStanding {
                standing: AccountStanding {
                    monthly_spend: Money {
                        minor: 5_000,
                        currency: Currency::new("USD").unwrap(),
                    },
                    tier: Tier::Business,
                },
            },
        }
        .into(),
        Op::Register => CustomerAction::Register {
            id: w.ids.next_id(),
            organisation: "Initech".into(),
        }
        .into(),
        Op::GrantRole(a, role) => PeopleAction::UpdateAgent {
            agent: agent(a),
            command: AgentCommand::GrantRole(role),
        }
        .into(),
        Op::Team(a) => PeopleAction::UpdateTeam {
            team: w.team,
            command: TeamCommand::AddMember(agent(a)),
        }
        .into(),
        Op::Incident => IncidentAction::LinkTickets {
            incident: IncidentId::from_uuid(uuid::Uuid::from_u128(1)),
            tickets: vec![ticket(0)],
        }
        .into(),
        Op::Refund(t) => fanatical::refund::RefundAction::Request {
            id: w.ids.next_id(),
            ticket: ticket(t),
            kind: fanatical::refund::RefundKind::GoodwillCredit,
            amount: Money {
                minor: 1_000,
                currency: Currency::new("USD").unwrap(),
            },
            reason: fanatical::incident::ReasonCode::new("goodwill").unwrap(),
            note: "sorry".into(),
        }
        .into(),
        Op::Erase => CustomerAction::EraseContact {
            customer: w.tiny,
            contact: w.tom,
            scope: fanatical::customer::ErasureScope::Profile,
        }
        .into(),
        Op::MergeCustomers => CustomerAction::MergeCustomers {
            source: w.tiny,
            target: w.acme,
        }
        .into(),
        Op::Table => PeopleAction::SetPermissions {
            table: Box::new(with_root(PermissionTable::defaults())),
        }
        .into(),
        Op::ChannelDown => fanatical::channel::ChannelAction::MarkDown {
            channel: fanatical::channel::ChannelKind::Chat,
            reason: "carrier outage".into(),
        }
        .into(),
    };
    Command::new(actor, action)
}

/// Whether `actor` holds `permission` (on `ticket`), worked out from the
/// table and the public `Scope::admits` alone, not from the desk's own
/// check: the oracle the desk's refusals are held to.
fn oracle_holds(d: &Desk, actor: &Actor, permission: Permission, ticket: Option<TicketId>) -> bool {
    let desk = &d.w.desk;
    let table = desk.permissions();
    let roles: std::collections::BTreeSet<Role> = match actor {
        Actor::Agent(a) => match desk.people().agent(*a) {
            Some(agent) if agent.is_active() => agent.roles().clone(),
            _ => return false,
        },
        _ => Default::default(),
    };
    let Some(scope) = table.scope_for_actor(actor, &roles, permission) else {
        return false;
    };
    if !permission.is_scoped() || scope == Scope::All {
        return true;
    }
    let Some(t) = ticket.and_then(|t| desk.tickets().get(t)) else {
        return false;
    };
    let facts = TicketFacts::new(t.customer(), t.requester(), t.assignee(), t.team());
    let teams: std::collections::BTreeSet<TeamId> = desk
        .people()
        .team(d.w.team)
        .filter(|team| actor.agent().is_some_and(|a| team.members().contains(&a)))
        .map(|team| team.id())
        .into_iter()
        .collect();
    let subject = match actor {
        Actor::Agent(a) => Subject::Agent {
            id: *a,
            teams: &teams,
        },
        // A contact acts for the customer it belongs to now: after a
        // customer merge, Tom is Acme's.
        Actor::Contact(c) => Subject::Contact {
            id: *c,
            customer: desk.customers().contact(*c).map_or(
                if *c == d.w.jane { d.w.acme } else { d.w.tiny },
                |(cu, _)| cu.id(),
            ),
        },
        _ => Subject::Integration,
    };
    scope.admits(&subject, &facts)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(crate::cases(24)))]

    #[test]
    fn no_command_by_an_actor_lacking_a_permission_changes_anything(
        table in arb_permission_table(),
        roles in proptest::collection::vec(proptest::collection::vec(arb_role(), 0..3), 4),
        assignees in proptest::collection::vec(proptest::option::of(0..4usize), 3),
        steps in proptest::collection::vec((arb_who(), arb_op()), 1..12),
    ) {
        let mut d = build(table, roles, assignees);
        for (who, op) in &steps {
            let cmd = command(&mut d, *who, op);
            let now = d.w.now;
            if let Err(e) = check_command(&d.w.desk, &cmd, now) {
                prop_assert!(false, "{:?} by {:?}: {}", op, who, e);
            }
            let missing = d.w.desk.missing_permission(&cmd);
            let expected = d.w.desk.required_permissions(&cmd).into_iter()
                .find(|(p, t)| !oracle_holds(&d, &cmd.actor, *p, *t));
            let erased_tom = matches!(who, Who::Tom) && d.w.desk.customers().get(d.w.tiny)
                .and_then(|c| c.contact(d.w.tom)).is_some_and(|c| c.erased().is_some());
            if !erased_tom {
                prop_assert_eq!(
                    missing.as_ref().map(|e| match e { PermissionError::Denied { permission, .. } => *permission, _ => Permission::ViewTickets }),
                    expected.map(|(p, _)| p),
                    "{:?} by {:?}: the desk's check disagrees with the table", op, who
                );
            }
            let (desk, store) = (d.w.desk.clone(), d.w.store.clone());
            let result = d.w.run(cmd);
            match (&missing, &result) {
                (Some(_), Ok(_)) => prop_assert!(false, "{:?} by {:?} lacked {:?} yet ran", op, who, missing),
                (Some(PermissionError::Denied { permission, .. }), Err(Error::Permission(PermissionError::Denied { permission: got, .. }))) => {
                    prop_assert_eq!(permission, got);
                }
                (None, Err(Error::Permission(PermissionError::Denied { .. }))) => {
                    prop_assert!(false, "{:?} by {:?} held every permission yet: {:?}", op, who, result);
                }
                // Refused for who the actor is, or by the model: checked
                // below to change nothing.
                _ => {}
            }
            if result.is_err() {
                prop_assert!(d.w.desk == desk, "a refused {:?} by {:?} changed the desk", op, who);
                prop_assert!(d.w.store == store, "a refused {:?} by {:?} wrote to the store", op, who);
            }
            d.w.tick(1);
        }
    }
}

/// The property is not vacuous: under the defaults a plain agent is
/// refused the administrative acts of the palette and allowed the ticket
/// work.
#[test]
fn the_property_sees_both_refusals_and_work() {
    let table = PermissionTable::defaults();
    let mut d = build(table, vec![vec![Role::Agent]; 4], vec![None, Some(0), None]);
    let mut denied = 0;
    let mut allowed = 0;
    for op in [
        Op::Standing,
        Op::Erase,
        Op::MergeCustomers,
        Op::Table,
        Op::ChannelDown,
        Op::GrantRole(1, Role::Admin),
    ] {
        let cmd = command(&mut d, Who::Agent(0), &op);
        assert!(d.w.desk.missing_permission(&cmd).is_some(), "{op:?}");
        assert!(matches!(d.w.run(cmd), Err(Error::Permission(_))), "{op:?}");
        denied += 1;
    }
    for op in [Op::Reply(0), Op::Note(1), Op::Priority(2), Op::LogTime(0)] {
        let cmd = command(&mut d, Who::Agent(0), &op);
        assert!(d.w.desk.missing_permission(&cmd).is_none(), "{op:?}");
        d.w.run(cmd).unwrap();
        allowed += 1;
    }
    assert_eq!((denied, allowed), (6, 4));
    // A contact of another organisation is refused Acme's ticket.
    let cmd = command(&mut d, Who::Tom, &Op::Reply(0));
    assert!(d.w.desk.missing_permission(&cmd).is_some());
}
