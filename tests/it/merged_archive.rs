//! Archived tickets of a merged customer (review of issues 18/19, item 3):
//! a ticket archived before its customer was merged keeps a record naming
//! the source; every read of it follows the merge to the surviving
//! customer, as the desk moved the tickets it held: the raw read, the
//! agent's, the contact's and the safety responder's views, the
//! subject-access export and the customer's archive.

use chrono::Duration;
use fanatical::actor::Actor;
use fanatical::customer::ErasureScope;
use fanatical::desk::TicketAction;
use fanatical::desk::{ArchivePolicy, Command, CustomerAction, CustomerArchive, DeskConfig};
use fanatical::id::{ContactId, TicketId};
use fanatical::ticket::{Status, TicketCommand};

use crate::support::World;

fn config() -> DeskConfig {
    DeskConfig::default().with_archive(ArchivePolicy::after_closed(Duration::days(7)).unwrap())
}

/// Jane's ticket, with Joe (another contact of Acme) copied, answered,
/// solved and closed by Ana, then archived; then Acme is merged into
/// Tiny. Returns the ticket and Joe.
fn archived_then_merged(w: &mut World, body: &str) -> (TicketId, ContactId) {
    let joe = crate::crisis_paths::joe(w);
    let ana = w.ana;
    let t = w.jane_emails(body);
    let agent = |w: &mut World, action: TicketAction| {
        w.run(Command::new(Actor::Agent(ana), action)).unwrap();
    };
    agent(w, TicketAction::assign(t, ana));
    agent(
        w,
        TicketAction::Update {
            ticket: t,
            command: TicketCommand::AddCc { contact: joe },
        },
    );
    w.run(Command::reply(t, ana, "Renewed it")).unwrap();
    agent(w, TicketAction::set_status(t, Status::Solved));
    w.deliver_all();
    agent(w, TicketAction::set_status(t, Status::Closed));
    archive_closed(w);
    assert!(w.desk.tickets().get(t).is_none(), "archived");
    merge_acme_into_tiny(w);
    (t, joe)
}

fn archive_closed(w: &mut World) {
    w.tick(8 * 24 * 60);
    let now = w.now;
    w.desk.handle_timeout(&mut w.store, now).unwrap();
}

fn merge_acme_into_tiny(w: &mut World) {
    let (acme, tiny) = (w.acme, w.tiny);
    w.run(Command::new(
        Actor::integration("crm"),
        CustomerAction::MergeCustomers {
            source: acme,
            target: tiny,
        },
    ))
    .unwrap();
    assert_eq!(w.desk.customers().live_id(acme), tiny);
}

#[test]
fn the_raw_read_of_an_archived_ticket_names_the_surviving_customer() {
    let mut w = World::with_config(config());
    let (t, joe) = archived_then_merged(&mut w, "Our certificate expired");
    let back = w.desk.tickets().archived(&w.store, t).unwrap().unwrap();
    assert_eq!(back.ticket.customer(), w.tiny);
    assert_eq!(back.ticket.requester(), Some(w.jane));
    assert!(back.ticket.ccs().contains(&joe));
    // Nothing else about it moved: it is the ticket as it was closed.
    assert_eq!(back.ticket.status(), Status::Closed);
    assert_eq!(back.ticket.conversation().len(), 2);
}

#[test]
fn an_agent_reads_an_archived_ticket_of_a_merged_customer_with_its_ccs() {
    let mut w = World::with_config(config());
    let (t, joe) = archived_then_merged(&mut w, "Our certificate expired");
    let view = w.desk.archived_agent_view(&w.store, t).unwrap();
    assert_eq!(view.conversation.len(), 2);
    // Joe moved to Tiny with Acme's other contacts: still shown copied.
    assert!(view.ccs.contains(&joe), "ccs: {:?}", view.ccs);
}

#[test]
fn a_moved_contact_reads_their_archived_ticket_after_the_merge() {
    let mut w = World::with_config(config());
    let (t, joe) = archived_then_merged(&mut w, "Our certificate expired");
    let jane = w.jane;
    let theirs = w.desk.archived_customer_view(&w.store, t, jane).unwrap();
    assert_eq!(theirs.conversation.len(), 2);
    assert!(theirs.ccs.contains(&joe));
    // A contact of the surviving customer who is neither requester nor
    // copied is checked as for a ticket in memory: Tom, Tiny's own, may
    // or may not see the organisation's tickets, but the answer is the
    // same as for a ticket Tiny always had.
    let tom = w.tom;
    let toms_view = w.desk.archived_customer_view(&w.store, t, tom);
    let live_t = w.jane_emails("Another one");
    let live = w.desk.customer_ticket_view(live_t, tom);
    assert_eq!(toms_view.is_ok(), live.is_ok(), "{toms_view:?} vs {live:?}");
}

#[test]
fn a_responder_reads_an_archived_crisis_ticket_of_a_merged_customer_whole() {
    const MESSAGE: &str = "The restore failed again and I want to end my life";
    let mut w = World::with_config(config());
    let sam = crate::crisis_paths::responder(&mut w, "Sam");
    let joe = crate::crisis_paths::joe(&mut w);
    let t = w.jane_emails(MESSAGE);
    let by_sam = |w: &mut World, action: TicketAction| {
        w.run(Command::new(Actor::Agent(sam), action)).unwrap();
    };
    by_sam(
        &mut w,
        TicketAction::Update {
            ticket: t,
            command: TicketCommand::AddCc { contact: joe },
        },
    );
    for status in [Status::Solved, Status::Closed] {
        by_sam(&mut w, TicketAction::set_status(t, status));
    }
    archive_closed(&mut w);
    assert!(w.desk.tickets().get(t).is_none(), "archived");
    merge_acme_into_tiny(&mut w);
    let view = w
        .desk
        .archived_safety_ticket_view(&w.store, t, sam)
        .unwrap();
    assert!(view.ticket.conversation[0].body.contains("end my life"));
    assert!(view.record.is_some());
    assert!(view.ticket.ccs.contains(&joe), "ccs: {:?}", view.ticket.ccs);
}

#[test]
fn the_export_of_a_moved_contact_holds_their_archived_ticket_with_its_ccs() {
    let mut w = World::with_config(config());
    let (t, joe) = archived_then_merged(&mut w, "Our certificate expired");
    let export = w
        .desk
        .customers()
        .export_with_archive(&w.store, w.jane)
        .unwrap();
    assert_eq!(export.customer, w.tiny);
    let theirs: Vec<_> = export.tickets.iter().filter(|v| v.id == t).collect();
    assert_eq!(theirs.len(), 1, "{:?}", export.tickets);
    assert!(theirs[0].ccs.contains(&joe), "ccs: {:?}", theirs[0].ccs);
}

#[test]
fn the_surviving_customers_archive_reads_the_sources_tickets_as_its_own() {
    let mut w = World::with_config(config());
    let (t, _) = archived_then_merged(&mut w, "Our certificate expired");
    let (tiny, jane) = (w.tiny, w.jane);
    // The archive an erasure through Tiny reads: Acme's ticket is in it,
    // as Tiny's.
    let erase = Command::new(
        Actor::integration("privacy"),
        CustomerAction::EraseContact {
            customer: tiny,
            contact: jane,
            scope: ErasureScope::ProfileAndMessages,
        },
    );
    let need = w.desk.archive_needed(&erase).unwrap();
    assert_eq!(need.customer, tiny);
    let archive = CustomerArchive::read(&w.store, &need).unwrap();
    assert!(archive.contains(t));
    assert_eq!(archive.ticket(t).map(|x| x.customer()), Some(tiny));
    assert!(archive.tickets().all(|x| x.customer() == tiny));
    // A ticket of Tiny's own archived after the merge reads the same.
    let later = w.jane_emails("Expired again");
    let ana = w.ana;
    for action in [
        TicketAction::assign(later, ana),
        TicketAction::set_status(later, Status::Solved),
        TicketAction::set_status(later, Status::Closed),
    ] {
        w.run(Command::new(Actor::Agent(ana), action)).unwrap();
    }
    archive_closed(&mut w);
    let need = w.desk.archive_needed(&erase).unwrap();
    let archive = CustomerArchive::read(&w.store, &need).unwrap();
    assert!(archive.contains(t) && archive.contains(later));
    assert!(archive.tickets().all(|x| x.customer() == tiny));
    // The desk's own raw read agrees with the archive's.
    let raw = w.desk.tickets().archived(&w.store, t).unwrap().unwrap();
    assert_eq!(archive.ticket(t), Some(&raw.ticket));
}
