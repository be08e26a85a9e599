//! Paths around the permission check that a review found open, each now
//! closed: reads beside the portal's, views beside `ticket_view_as`,
//! actions that reach tickets through another area, names no actor can
//! have, and writing as someone else.

use fanatical::actor::Actor;
use fanatical::agent::{Role, RoleName};
use fanatical::desk::{Command, DeskConfig, IncidentAction, PeopleAction};
use fanatical::id::{AgentId, ContactId, TicketId};
use fanatical::permission::{Permission, PermissionTable, Scope};
use fanatical::recognition::{PraiseSource, RecognitionAction};

use crate::support::World;

fn register(w: &mut World, name: &str, roles: Vec<Role>) -> AgentId {
    let id = w.ids.next_id();
    w.run(Command::new(
        Actor::integration("setup"),
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

fn custom(name: &str) -> Role {
    Role::Custom(RoleName::new(name).unwrap())
}

/// A second contact of Acme.
fn add_joe(w: &mut World) -> ContactId {
    crate::crisis_paths::joe(w)
}

/// Contacts reach only what they requested: the portal's list and the
/// archived view refuse Joe Jane's ticket, as the single view does.
#[test]
fn the_portal_list_and_the_archived_view_pass_the_same_check() {
    let table = PermissionTable::defaults()
        .grant_contacts(Permission::ViewTickets, Scope::Requested)
        .grant_contacts(Permission::ReplyPublicly, Scope::Requested);
    let mut w = World::with_config(DeskConfig::default().with_permissions(table));
    let joe = add_joe(&mut w);
    let t = w.jane_emails("Private: our payroll export failed");
    assert!(w.desk.customer_ticket_view(t, joe).is_err());
    let listed = w.desk.tickets().seen_by(joe).unwrap();
    assert!(listed.iter().all(|v| v.id != t), "{listed:?}");
    assert!(
        w.desk
            .tickets()
            .seen_by(w.jane)
            .unwrap()
            .iter()
            .any(|v| v.id == t)
    );
    let archived = w.desk.archived_customer_view(&w.store, t, joe);
    assert!(
        matches!(archived, Err(fanatical::Error::Permission(_))),
        "{archived:?}"
    );
    assert!(w.desk.archived_customer_view(&w.store, t, w.jane).is_ok());
}

/// A role holding only view_crisis_details reads no ticket outside its
/// view scope.
#[test]
fn the_safety_view_needs_the_ticket_in_scope_too() {
    let auditor = custom("auditor");
    let table = PermissionTable::defaults().grant(
        auditor.clone(),
        Permission::ViewCrisisDetails,
        Scope::All,
    );
    let mut w = World::with_config(DeskConfig::default().with_permissions(table));
    let aud = register(&mut w, "Aud", vec![auditor]);
    let t = w.jane_emails("Our root password is hunter2");
    assert!(w.desk.ticket_view_as(t, aud).is_err());
    assert_eq!(
        w.desk.safety_ticket_view(t, aud).unwrap_err(),
        crate::support::denied(&w.desk, Actor::Agent(aud), Permission::ViewTickets, Some(t))
    );
    assert!(
        w.desk
            .archived_safety_ticket_view(&w.store, t, aud)
            .is_err()
    );
}

/// A role with no ticket permission reads no ticket's refunds.
#[test]
fn refunds_are_read_only_on_tickets_the_viewer_may_see() {
    let nobody = custom("nobody");
    let table =
        PermissionTable::defaults().grant(nobody.clone(), Permission::RecordPraise, Scope::All);
    let mut cfg = DeskConfig::default().with_permissions(table);
    cfg.incidents.credits = fanatical::incident::CreditConfig::default()
        .with_reason("goodwill", "x")
        .unwrap();
    let mut w = World::with_config(cfg);
    let n = register(&mut w, "N", vec![nobody]);
    let t = w.jane_emails("hi");
    let ana = w.ana;
    let id = w.ids.next_id();
    w.run(Command::new(
        Actor::Agent(ana),
        fanatical::refund::RefundAction::Request {
            id,
            ticket: t,
            kind: fanatical::refund::RefundKind::GoodwillCredit,
            amount: fanatical::customer::Money {
                minor: 100,
                currency: fanatical::customer::Currency::new("USD").unwrap(),
            },
            reason: fanatical::incident::ReasonCode::new("goodwill").unwrap(),
            note: "Jane threatened to leave".into(),
        },
    ))
    .unwrap();
    assert!(w.desk.refunds().of_ticket(t, n).unwrap().is_empty());
    assert_eq!(w.desk.refunds().of_ticket(t, ana).unwrap().len(), 1);
}

/// Praise naming a ticket is about what the actor may see: Tom (Tiny) may
/// not name Acme's; Joe (Acme) may, and his crisis words open a ticket in
/// his own name, not the requester's.
#[test]
fn praise_is_written_by_whoever_sends_it_on_what_they_may_see() {
    let mut w = World::new();
    let (tom, jane) = (w.tom, w.jane);
    let joe = add_joe(&mut w);
    let t = w.jane_emails("Our site is slow");
    let praise = |w: &mut World, who| {
        let praise = w.ids.next_id();
        Command::new(
            Actor::Contact(who),
            RecognitionAction::RecordPraise {
                praise,
                source: PraiseSource::TicketReply,
                text: "Everything failed and I want to end my life".into(),
                customer: None,
                ticket: Some(t),
            },
        )
    };
    let cmd = praise(&mut w, tom);
    let err = crate::support::denied(
        &w.desk,
        Actor::Contact(tom),
        Permission::ViewTickets,
        Some(t),
    );
    w.refused(cmd, err);
    let before: Vec<TicketId> = w.desk.tickets().iter().map(|x| x.id()).collect();
    let cmd = praise(&mut w, joe);
    w.run(cmd).unwrap();
    let opened = w
        .desk
        .tickets()
        .iter()
        .find(|x| !before.contains(&x.id()))
        .unwrap();
    assert_eq!(opened.requester(), Some(joe));
    assert!(matches!(
        opened.conversation()[0].author,
        fanatical::ticket::Author::Contact(c) if c == joe
    ));
    assert_ne!(opened.requester(), Some(jane));
}

/// Linking a ticket to an incident lets the incident solve it and write
/// on it: it needs edit_tickets on that ticket.
#[test]
fn linking_a_ticket_to_an_incident_needs_to_edit_it() {
    let ic = custom("incident lead");
    let mut cfg = crate::incidents::config();
    cfg.permissions =
        PermissionTable::defaults().grant(ic.clone(), Permission::ManageIncidents, Scope::All);
    let mut o = crate::incidents::outage_world(cfg);
    let lead = register(&mut o.w, "Lead", vec![ic]);
    let id = o.w.ids.next_id();
    crate::incidents::declare(&mut o, id);
    let t = o.w.jane_emails("unrelated billing question");
    let err = crate::support::denied(
        &o.w.desk,
        Actor::Agent(lead),
        Permission::EditTickets,
        Some(t),
    );
    o.w.refused(
        Command::new(
            Actor::Agent(lead),
            IncidentAction::LinkTickets {
                incident: id,
                tickets: vec![t],
            },
        ),
        err,
    );
}

/// An integration named by what no actor can be is refused in a table,
/// so it cannot stand in for the last administrator.
#[test]
fn a_table_naming_an_impossible_integration_is_refused() {
    let table = PermissionTable::defaults()
        .with_integration_default([Role::Billing])
        .with_integration("break glass", [Role::Admin]);
    assert_eq!(
        table.validate(),
        Err(fanatical::permission::PermissionError::InvalidIntegration(
            "break glass".into()
        ))
    );
    assert!(!table.integrations_administer());
}

/// A contact writes as themselves: not as an agent, a colleague or the
/// desk.
#[test]
fn a_contact_opens_tickets_in_their_own_words_only() {
    let mut w = World::new();
    let (jane, acme, ana) = (w.jane, w.acme, w.ana);
    let joe = add_joe(&mut w);
    for author in [
        fanatical::ticket::Author::Agent(ana),
        fanatical::ticket::Author::Contact(joe),
        fanatical::ticket::Author::System,
    ] {
        let id: TicketId = w.ids.next_id();
        let open = fanatical::ticket::OpenTicket::new(
            id,
            acme,
            "Refund",
            fanatical::channel::Channel::Portal,
        )
        .requested_by(joe)
        .with_message(author, "Approved: full refund, as agreed.");
        let r = w.run(Command::new(
            Actor::Contact(jane),
            fanatical::desk::TicketAction::Open(open),
        ));
        assert!(
            matches!(
                r,
                Err(fanatical::Error::Desk(
                    fanatical::desk::DeskError::ActorMismatch { .. }
                ))
            ),
            "{author:?}: {r:?}"
        );
    }
    // Her own words, for herself, are fine.
    let id: TicketId = w.ids.next_id();
    let open =
        fanatical::ticket::OpenTicket::new(id, acme, "Help", fanatical::channel::Channel::Portal)
            .requested_by(jane)
            .with_message(fanatical::ticket::Author::Contact(jane), "Our site is down");
    w.run(Command::new(
        Actor::Contact(jane),
        fanatical::desk::TicketAction::Open(open),
    ))
    .unwrap();
}
