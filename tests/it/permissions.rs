//! Who may do what: the default roles, custom roles and scopes, the table
//! recorded as an event, and the administrator who cannot be locked out.

use fanatical::actor::Actor;
use fanatical::agent::{AgentCommand, Role, RoleName, TeamCommand};
use fanatical::channel::Channel;
use fanatical::customer::{AccountStanding, Currency, CustomerCommand, Money, Tier};
use fanatical::desk::{Command, CustomerAction, Desk, PeopleAction, TicketAction};
use fanatical::error::ErrorKind;
use fanatical::event::StreamId;
use fanatical::id::{AgentId, TeamId, TicketId};
use fanatical::permission::{Permission, PermissionError, PermissionTable, Scope};
use fanatical::store::Store;
use fanatical::ticket::{OpenTicket, TicketCommand};

use crate::support::{World, denied};

fn register(w: &mut World, name: &str, roles: Vec<Role>) -> AgentId {
    register_as(w, Actor::integration("setup"), name, roles)
}

fn set_table(table: PermissionTable) -> PeopleAction {
    PeopleAction::SetPermissions {
        table: Box::new(table),
    }
}

fn standing(agent: AgentId, w: &World) -> Command {
    Command::new(
        Actor::Agent(agent),
        CustomerAction::Update {
            customer: w.acme,
            command: CustomerCommand::SetAccountStanding {
                standing: AccountStanding {
                    monthly_spend: Money {
                        minor: 100_000,
                        currency: Currency::new("USD").unwrap(),
                    },
                    tier: Tier::Business,
                },
            },
        },
    )
}

fn tier2() -> Role {
    Role::Custom(RoleName::new("tier 2").unwrap())
}

#[test]
fn a_refusal_names_the_actor_the_permission_and_the_roles_that_grant_it() {
    let mut w = World::new();
    let ana = w.ana;
    let cmd = standing(ana, &w);
    let err = w.run(cmd.clone()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Refused);
    let text = err.to_string();
    assert_eq!(
        text,
        format!(
            "agent {ana} may not manage_accounts: granted by account manager, billing, executive"
        )
    );
    // The same refusal, field by field, and nothing written.
    let expected = denied(&w.desk, Actor::Agent(ana), Permission::ManageAccounts, None);
    w.refused(cmd, expected);
    // Billing may.
    let bill = w.bill;
    w.run(standing(bill, &w)).unwrap();
}

#[test]
fn a_light_agent_notes_but_never_writes_to_the_customer() {
    let mut w = World::new();
    let lin = register(&mut w, "Lin", vec![Role::LightAgent]);
    let t = w.jane_emails("Our site is slow");
    w.run(Command::note(t, lin, "Seen this on the load balancer."))
        .unwrap();
    let reply = Command::reply(t, lin, "Hello from engineering");
    let err = denied(
        &w.desk,
        Actor::Agent(lin),
        Permission::ReplyPublicly,
        Some(t),
    );
    w.refused(reply, err);
    let err = denied(&w.desk, Actor::Agent(lin), Permission::EditTickets, Some(t));
    w.refused(
        Command::new(
            Actor::Agent(lin),
            TicketAction::set_status(t, fanatical::ticket::Status::Solved),
        ),
        err,
    );
}

#[test]
fn a_custom_role_scoped_to_its_teams_works_those_tickets_only() {
    let table = PermissionTable::defaults()
        .grant(tier2(), Permission::ViewTickets, Scope::Teams)
        .grant(tier2(), Permission::ReplyPublicly, Scope::Teams)
        .grant(tier2(), Permission::AddInternalNotes, Scope::Assigned);
    let mut w = World::with_config(fanatical::desk::DeskConfig::default().with_permissions(table));
    let tess = register(&mut w, "Tess", vec![tier2()]);
    let (ana, team) = (w.ana, w.team);
    w.run(Command::new(
        Actor::integration("setup"),
        PeopleAction::UpdateTeam {
            team,
            command: TeamCommand::AddMember(tess),
        },
    ))
    .unwrap();
    let other_team: TeamId = w.ids.next_id();
    w.run(Command::new(
        Actor::integration("setup"),
        PeopleAction::CreateTeam {
            id: other_team,
            name: "Billing desk".into(),
        },
    ))
    .unwrap();
    let set_team = |t: TicketId, team: TeamId| {
        Command::new(
            Actor::Agent(ana),
            TicketAction::Update {
                ticket: t,
                command: TicketCommand::SetTeam(Some(team)),
            },
        )
    };
    let ours = w.jane_emails("Backups failed");
    let theirs = w.jane_emails("Invoice is wrong");
    let fresh = w.jane_emails("New question");
    w.run(set_team(ours, team)).unwrap();
    w.run(set_team(theirs, other_team)).unwrap();
    // Her team's ticket: yes. One with no team yet is for agents who reach
    // every ticket (Zendesk's group scope), until it is given a team.
    w.run(Command::reply(ours, tess, "Restoring now.")).unwrap();
    let err = denied(
        &w.desk,
        Actor::Agent(tess),
        Permission::ReplyPublicly,
        Some(fresh),
    );
    w.refused(Command::reply(fresh, tess, "Looking."), err);
    // Another team's: no, and the refusal names the ticket.
    let err = denied(
        &w.desk,
        Actor::Agent(tess),
        Permission::ReplyPublicly,
        Some(theirs),
    );
    w.refused(Command::reply(theirs, tess, "Me too"), err);
    // Notes only on tickets assigned to her.
    let err = denied(
        &w.desk,
        Actor::Agent(tess),
        Permission::AddInternalNotes,
        Some(ours),
    );
    w.refused(Command::note(ours, tess, "checking"), err);
    w.run(Command::new(
        Actor::Agent(ana),
        TicketAction::assign(ours, tess),
    ))
    .unwrap();
    w.run(Command::note(ours, tess, "checking")).unwrap();
    // The reads use the same check.
    assert!(
        w.desk
            .may(&Actor::Agent(tess), Permission::ViewTickets, Some(ours))
    );
    assert!(
        !w.desk
            .may(&Actor::Agent(tess), Permission::ViewTickets, Some(theirs))
    );
    assert!(w.desk.ticket_view_as(ours, tess).is_ok());
    // Her queues show exactly the tickets she may view: the same predicate.
    let restriction = w.desk.queue_restriction(&Actor::Agent(tess)).unwrap();
    let everything = fanatical::queue::Queue::new(fanatical::queue::Sort::ascending(
        fanatical::queue::SortBy::Created,
    ));
    let now = w.now;
    let page = w
        .desk
        .queues()
        .page(&everything, Some(tess), &restriction, None, 50, now)
        .unwrap();
    let listed: Vec<TicketId> = page.rows.iter().map(|r| r.id).collect();
    let viewable: Vec<TicketId> = [ours, theirs, fresh]
        .into_iter()
        .filter(|t| {
            w.desk
                .may(&Actor::Agent(tess), Permission::ViewTickets, Some(*t))
        })
        .collect();
    assert_eq!(listed, viewable);
    assert_eq!(listed, vec![ours]);
    // Ana reaches every ticket; a contact has no queue (the portal lists
    // her tickets).
    assert_eq!(
        w.desk.queue_restriction(&Actor::Agent(ana)).unwrap(),
        fanatical::queue::Restriction::All
    );
    assert!(matches!(
        w.desk.queue_restriction(&Actor::Contact(w.jane)),
        Err(fanatical::Error::Desk(
            fanatical::desk::DeskError::NeedsAgent { .. }
        ))
    ));
    assert_eq!(
        w.desk.ticket_view_as(theirs, tess).unwrap_err(),
        denied(
            &w.desk,
            Actor::Agent(tess),
            Permission::ViewTickets,
            Some(theirs)
        )
    );
}

#[test]
fn contacts_reach_their_organisations_tickets_and_integrations_their_roles() {
    let table = PermissionTable::defaults()
        .with_integration("mail", [Role::LightAgent])
        .grant(Role::LightAgent, Permission::ReceiveMessages, Scope::All);
    let mut w = World::with_config(fanatical::desk::DeskConfig::default().with_permissions(table));
    let (acme, tiny, jane, tom) = (w.acme, w.tiny, w.jane, w.tom);
    // The mail gateway takes messages in, and nothing else.
    let t = w.jane_emails("Help");
    let id: TicketId = w.ids.next_id();
    let err = denied(
        &w.desk,
        Actor::integration("mail"),
        Permission::ManageCustomers,
        None,
    );
    let spam = w.ids.next_id();
    w.refused(
        Command::new(
            Actor::integration("mail"),
            CustomerAction::Register {
                id: spam,
                organisation: "Spam Inc".into(),
            },
        ),
        err,
    );
    // Jane opens a ticket for her own organisation, not for Tiny.
    w.run(Command::new(
        Actor::Contact(jane),
        TicketAction::Open(
            OpenTicket::new(id, acme, "Portal question", Channel::Portal).requested_by(jane),
        ),
    ))
    .unwrap();
    let other: TicketId = w.ids.next_id();
    let err = denied(&w.desk, Actor::Contact(jane), Permission::OpenTickets, None);
    w.refused(
        Command::new(
            Actor::Contact(jane),
            TicketAction::Open(OpenTicket::new(other, tiny, "Not mine", Channel::Portal)),
        ),
        err,
    );
    // Tom, of Tiny, may not answer on Acme's ticket.
    let err = denied(
        &w.desk,
        Actor::Contact(tom),
        Permission::ReplyPublicly,
        Some(t),
    );
    w.refused(
        Command::reply_on(
            t,
            fanatical::ticket::Author::Contact(tom),
            Channel::Email,
            "me too",
            vec![],
        ),
        err,
    );
    // A contact may never see spend, whatever she asks.
    assert!(
        !w.desk
            .may(&Actor::Contact(jane), Permission::ViewSpend, None)
    );
}

#[test]
fn the_table_is_recorded_survives_a_rebuild_and_a_snapshot_and_needs_its_permission() {
    let mut w = World::new();
    let ana = w.ana;
    let table =
        PermissionTable::defaults().grant(Role::Agent, Permission::ManageAccounts, Scope::All);
    // An agent may not change who may do what.
    let err = denied(
        &w.desk,
        Actor::Agent(ana),
        Permission::ManagePermissions,
        None,
    );
    w.refused(
        Command::new(Actor::Agent(ana), set_table(table.clone())),
        err,
    );
    let snapshot = w.desk.snapshot();
    let recorded = w
        .run(Command::new(
            Actor::integration("setup"),
            set_table(table.clone()),
        ))
        .unwrap();
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0].stream, StreamId::Permissions);
    assert_eq!(recorded[0].actor, Some(Actor::integration("setup")));
    assert_eq!(w.desk.permissions(), &table);
    // Now Ana may set spend.
    w.run(standing(ana, &w)).unwrap();
    // Setting the table in force writes nothing.
    let again = w
        .run(Command::new(
            Actor::integration("setup"),
            set_table(table.clone()),
        ))
        .unwrap();
    assert!(again.is_empty());
    // A rebuild and a snapshot caught up hold the same table.
    let config = fanatical::desk::DeskConfig::default();
    let rebuilt = Desk::rebuild(&w.store, config.clone()).unwrap();
    assert_eq!(rebuilt.permissions(), &table);
    assert_eq!(rebuilt, w.desk);
    let mut restored = Desk::restore(config.clone(), w.desk.snapshot()).unwrap();
    restored.catch_up(&w.store).unwrap();
    assert_eq!(restored.permissions(), &table);
    let mut older = Desk::restore(config, snapshot).unwrap();
    older.catch_up(&w.store).unwrap();
    assert_eq!(older, w.desk);
}

#[test]
fn nobody_can_lock_the_desk_out_of_its_permissions() {
    // Root is made admin; then integrations stop administering (by
    // default they hold the admin role).
    let table = PermissionTable::defaults().with_integration_default([Role::Billing]);
    let mut w2 = World::new();
    let root = register(&mut w2, "Root", vec![Role::Admin]);
    w2.run(Command::new(
        Actor::integration("setup"),
        set_table(table.clone()),
    ))
    .unwrap();
    // Root is the only one who administers: revoking her admin role,
    // deactivating her, or a table nobody she holds administers, is
    // refused with nothing written.
    w2.refused(
        Command::new(
            Actor::Agent(root),
            PeopleAction::UpdateAgent {
                agent: root,
                command: AgentCommand::RevokeRole(Role::Admin),
            },
        ),
        PermissionError::NoAdministrator,
    );
    w2.refused(
        Command::new(
            Actor::Agent(root),
            PeopleAction::UpdateAgent {
                agent: root,
                command: AgentCommand::Deactivate,
            },
        ),
        PermissionError::NoAdministrator,
    );
    let no_admin_role = table
        .clone()
        .revoke(&Role::Admin, Permission::ManagePermissions)
        .grant(Role::Executive, Permission::ManagePermissions, Scope::All)
        .grant(Role::Executive, Permission::ManagePeople, Scope::All);
    w2.refused(
        Command::new(Actor::Agent(root), set_table(no_admin_role.clone())),
        PermissionError::NoAdministrator,
    );
    // With a second administrator she may step down.
    let second = register_by(&mut w2, root, "Second", vec![Role::Executive]);
    w2.run(Command::new(Actor::Agent(root), set_table(no_admin_role)))
        .unwrap();
    w2.run(Command::new(
        Actor::Agent(second),
        PeopleAction::UpdateAgent {
            agent: root,
            command: AgentCommand::Deactivate,
        },
    ))
    .unwrap();
    // A table no role administers is refused outright.
    let nobody = PermissionTable::defaults().revoke(&Role::Admin, Permission::ManagePermissions);
    w2.refused(
        Command::new(Actor::Agent(second), set_table(nobody)),
        PermissionError::NoAdministrator,
    );
    // And scopes of the wrong kind of actor are named.
    let wrong =
        PermissionTable::defaults().grant(Role::Agent, Permission::ViewTickets, Scope::Requested);
    w2.refused(
        Command::new(Actor::Agent(second), set_table(wrong)),
        PermissionError::AgentScope {
            role: Role::Agent,
            permission: Permission::ViewTickets,
            scope: Scope::Requested,
        },
    );
}

fn register_by(w: &mut World, by: AgentId, name: &str, roles: Vec<Role>) -> AgentId {
    register_as(w, Actor::Agent(by), name, roles)
}

fn register_as(w: &mut World, by: Actor, name: &str, roles: Vec<Role>) -> AgentId {
    let id = w.ids.next_id();
    w.run(Command::new(
        by,
        PeopleAction::RegisterAgent {
            id,
            name: name.into(),
            time_zone: chrono_tz::UTC,
            roles,
            skills: vec![],
        },
    ))
    .unwrap();
    id
}

#[test]
fn granting_roles_is_administering_permissions_and_everyone_keeps_their_own_hours() {
    let mut w = World::new();
    let mo = register(&mut w, "Mo", vec![Role::Manager]);
    // A manager adds people, without roles...
    let newbie = register_by(&mut w, mo, "Newbie", vec![]);
    // ...but may not hand out roles, not even to themselves.
    for cmd in [
        PeopleAction::UpdateAgent {
            agent: newbie,
            command: AgentCommand::GrantRole(Role::Agent),
        },
        PeopleAction::UpdateAgent {
            agent: mo,
            command: AgentCommand::GrantRole(Role::Admin),
        },
    ] {
        let err = denied(
            &w.desk,
            Actor::Agent(mo),
            Permission::ManagePermissions,
            None,
        );
        w.refused(Command::new(Actor::Agent(mo), cmd), err);
    }
    let id: AgentId = w.ids.next_id();
    let err = denied(
        &w.desk,
        Actor::Agent(mo),
        Permission::ManagePermissions,
        None,
    );
    w.refused(
        Command::new(
            Actor::Agent(mo),
            PeopleAction::RegisterAgent {
                id,
                name: "Sneaky".into(),
                time_zone: chrono_tz::UTC,
                roles: vec![Role::Admin],
                skills: vec![],
            },
        ),
        err,
    );
    // An agent with no role at all sets her own time zone, not another's.
    w.run(Command::new(
        Actor::Agent(newbie),
        PeopleAction::UpdateAgent {
            agent: newbie,
            command: AgentCommand::SetTimeZone(chrono_tz::Europe::London),
        },
    ))
    .unwrap();
    let ana = w.ana;
    let err = denied(
        &w.desk,
        Actor::Agent(newbie),
        Permission::ManagePeople,
        None,
    );
    w.refused(
        Command::new(
            Actor::Agent(newbie),
            PeopleAction::UpdateAgent {
                agent: ana,
                command: AgentCommand::SetTimeZone(chrono_tz::Europe::London),
            },
        ),
        err,
    );
    // And with no role she works no ticket.
    let t = w.jane_emails("Hello?");
    let err = denied(
        &w.desk,
        Actor::Agent(newbie),
        Permission::ReplyPublicly,
        Some(t),
    );
    w.refused(Command::reply(t, newbie, "Hi"), err);
}

#[test]
fn required_permissions_say_what_a_screen_may_offer() {
    let w = World::new();
    let (ana, t) = (w.ana, TicketId::from_uuid(uuid::Uuid::from_u128(7)));
    assert_eq!(
        w.desk.required_permissions(&Command::reply(t, ana, "x")),
        vec![(Permission::ReplyPublicly, Some(t))]
    );
    let merge = Command::new(
        Actor::Agent(ana),
        TicketAction::Merge {
            source: t,
            target: TicketId::from_uuid(uuid::Uuid::from_u128(8)),
        },
    );
    assert_eq!(w.desk.required_permissions(&merge).len(), 2);
    assert!(w.desk.missing_permission(&standing(ana, &w)).is_some());
    assert!(
        w.desk
            .missing_permission(&Command::reply(t, ana, "x"))
            .is_none()
    );
    let _ = w.store.read_all(0, 1).unwrap();
}
