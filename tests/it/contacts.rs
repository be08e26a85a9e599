//! Contacts as they arrive (issue 18, item 6): the unknown-sender policy
//! (refuse, or register the sender and open their ticket in one
//! decision) and merging two contacts of a customer.

use fanatical::actor::Actor;
use fanatical::channel::{Channel, ChannelAddress, ChannelKind};
use fanatical::customer::{CustomerCommand, CustomerError, ErasureScope};
use fanatical::desk::{
    Command, CustomerAction, Desk, DeskConfig, DeskError, InboundMessage, TicketAction,
    UnknownSender, UnknownSenders,
};
use fanatical::event::StreamId;
use fanatical::id::{CustomerId, TicketId};
use fanatical::store::Store;

use crate::support::World;

/// The desk restored from its snapshot and rebuilt from its store are the
/// desk itself.
fn survives(w: &World) {
    let config = w.desk.config().clone();
    let restored = Desk::restore(config.clone(), w.desk.snapshot()).unwrap();
    assert_eq!(restored, w.desk, "snapshot and restore lost something");
    assert_eq!(
        Desk::rebuild(&w.store, config).unwrap(),
        w.desk,
        "a rebuild differs"
    );
}

fn creating(on: &[ChannelKind]) -> DeskConfig {
    let mut config = DeskConfig::default();
    let mut senders = UnknownSenders::default();
    for kind in on {
        senders.per_channel.insert(*kind, UnknownSender::Create);
    }
    config.unknown_senders = senders;
    config
}

fn receive(
    w: &mut World,
    channel: Channel,
    from: &ChannelAddress,
    body: &str,
) -> (TicketId, Command) {
    let id: TicketId = w.ids.next_id();
    let msg = InboundMessage::new(id, channel, from.clone(), body);
    (
        id,
        Command::new(Actor::integration("inbound"), TicketAction::Receive(msg)),
    )
}

#[test]
fn unknown_senders_are_refused_by_default() {
    let mut w = World::new();
    assert!(w.desk.config().unknown_senders.is_default());
    let from = ChannelAddress::email("stranger@elsewhere.example").unwrap();
    let (_, cmd) = receive(&mut w, Channel::Email, &from, "Hello?");
    w.refused(cmd, DeskError::UnknownSender(from));
    // Configured for chat only: email is still refused.
    let mut w = World::with_config(creating(&[ChannelKind::Chat]));
    let from = ChannelAddress::email("stranger@elsewhere.example").unwrap();
    let (_, cmd) = receive(&mut w, Channel::Email, &from, "Hello?");
    w.refused(cmd, DeskError::UnknownSender(from));
}

#[test]
fn an_unknown_sender_becomes_a_customer_and_contact_with_their_ticket_in_one_decision() {
    let mut w = World::with_config(creating(&[ChannelKind::Email]));
    let customers_before = w.desk.customers().len();
    let from = ChannelAddress::email("Sam@Newco.example").unwrap();
    let (ticket, cmd) = receive(&mut w, Channel::Email, &from, "Our site is slow");
    let recorded = w.run(cmd).unwrap();
    let t = w.desk.tickets().get(ticket).unwrap();
    let customer = w.desk.customers().get(t.customer()).unwrap();
    assert_eq!(w.desk.customers().len(), customers_before + 1);
    assert_eq!(customer.organisation(), "newco.example");
    let contact = t.requester().unwrap();
    assert_eq!(
        customer.contact(contact).unwrap().addresses(),
        std::slice::from_ref(&from)
    );
    // One append: the customer's stream and the ticket's, together.
    let streams: std::collections::BTreeSet<StreamId> = recorded.iter().map(|r| r.stream).collect();
    assert!(streams.contains(&StreamId::Customer(customer.id())));
    assert!(streams.contains(&StreamId::Ticket(ticket)));
    let positions: Vec<u64> = recorded.iter().map(|r| r.position).collect();
    assert!(positions.windows(2).all(|p| p[1] == p[0] + 1));
    // The ids are derived from the ticket's opening event.
    let opening = StreamId::Ticket(ticket).event_id(1);
    assert_eq!(customer.id(), fanatical::desk::new_customer_id(opening));
    assert_eq!(contact, fanatical::desk::new_contact_id(opening));
    // The same sender's next message finds the contact now.
    let (second, cmd) = receive(&mut w, Channel::Email, &from, "Still slow");
    w.run(cmd).unwrap();
    assert_eq!(
        w.desk.tickets().get(second).unwrap().requester(),
        Some(contact)
    );
    assert_eq!(w.desk.customers().len(), customers_before + 1);
    survives(&w);
}

#[test]
fn a_sender_on_another_channel_names_no_organisation_after_their_address() {
    let mut w = World::with_config(creating(&[ChannelKind::Chat]));
    let from = ChannelAddress::chat("sam-newco").unwrap();
    let (ticket, cmd) = receive(&mut w, Channel::Chat, &from, "hi");
    w.run(cmd).unwrap();
    let t = w.desk.tickets().get(ticket).unwrap();
    let org = w
        .desk
        .customers()
        .get(t.customer())
        .unwrap()
        .organisation()
        .to_owned();
    assert_eq!(org, "New customer (chat)");
    assert!(!org.contains("sam-newco"));
}

#[test]
fn a_mapped_domain_adds_the_sender_to_its_customer() {
    let mut config = creating(&[ChannelKind::Email]);
    let w0 = World::with_config(config.clone());
    config
        .unknown_senders
        .domains
        .insert("ACME.example".into(), w0.acme);
    let mut w = World::with_config(config);
    let before = w.desk.customers().len();
    let from = ChannelAddress::email("newhire@acme.example").unwrap();
    let (ticket, cmd) = receive(&mut w, Channel::Email, &from, "Hello");
    w.run(cmd).unwrap();
    let t = w.desk.tickets().get(ticket).unwrap();
    assert_eq!(t.customer(), w.acme);
    assert_eq!(w.desk.customers().len(), before);
    let acme = w.desk.customers().get(w.acme).unwrap();
    assert_eq!(
        acme.contact(t.requester().unwrap()).unwrap().addresses(),
        [from]
    );
    survives(&w);
}

#[test]
fn a_domain_mapped_to_an_unknown_customer_is_refused() {
    let mut config = creating(&[ChannelKind::Email]);
    let ghost = CustomerId::from_uuid(uuid::Uuid::from_u128(0xdead));
    config
        .unknown_senders
        .domains
        .insert("ghost.example".into(), ghost);
    let mut w = World::with_config(config);
    let from = ChannelAddress::email("a@ghost.example").unwrap();
    let (_, cmd) = receive(&mut w, Channel::Email, &from, "Hello");
    w.refused(cmd, DeskError::UnknownCustomer(ghost));
}

#[test]
fn an_unknown_sender_replying_or_off_channel_is_refused() {
    let mut w = World::with_config(creating(&[ChannelKind::Email, ChannelKind::Phone]));
    let t = w.jane_emails("Help");
    let from = ChannelAddress::email("stranger@elsewhere.example").unwrap();
    let id: TicketId = w.ids.next_id();
    let msg = InboundMessage::new(id, Channel::Email, from.clone(), "me too").in_reply_to(t);
    w.refused(
        Command::new(Actor::integration("inbound"), TicketAction::Receive(msg)),
        DeskError::UnknownSender(from.clone()),
    );
    let (_, cmd) = receive(&mut w, Channel::Phone, &from, "by phone");
    w.refused(
        cmd,
        DeskError::AddressNotOnChannel {
            address: from,
            channel: Channel::Phone,
        },
    );
}

#[test]
fn callers_may_not_take_the_ids_the_desk_derives_for_senders() {
    let mut w = World::new();
    let derived = fanatical::desk::new_customer_id(StreamId::Ticket(w.ids.next_id()).event_id(1));
    w.refused(
        Command::new(
            Actor::integration("setup"),
            CustomerAction::Register {
                id: derived,
                organisation: "Squatter".into(),
            },
        ),
        DeskError::ReservedId {
            kind: "customer",
            id: derived.as_uuid(),
        },
    );
}

#[test]
fn an_arrived_contact_is_erasable_like_any() {
    let mut w = World::with_config(creating(&[ChannelKind::Email]));
    let from = ChannelAddress::email("sam@newco.example").unwrap();
    let (ticket, cmd) = receive(&mut w, Channel::Email, &from, "my secret words");
    w.run(cmd).unwrap();
    let t = w.desk.tickets().get(ticket).unwrap();
    let (customer, contact) = (t.customer(), t.requester().unwrap());
    w.run(Command::new(
        Actor::integration("privacy"),
        CustomerAction::EraseContact {
            customer,
            contact,
            scope: ErasureScope::ProfileAndMessages,
        },
    ))
    .unwrap();
    let record = format!("{:?}", w.store.read_all(0, usize::MAX).unwrap());
    assert!(
        !record.contains("sam@newco.example"),
        "the address stayed in the store"
    );
    assert!(
        !record.contains("my secret words"),
        "the text stayed in the store"
    );
    // The organisation is named by the domain, not the person.
    assert_eq!(
        w.desk.customers().get(customer).unwrap().organisation(),
        "newco.example"
    );
    assert!(matches!(
        w.run(Command::new(
            Actor::integration("setup"),
            CustomerAction::Update {
                customer,
                command: CustomerCommand::RecordConsent {
                    contact,
                    source: fanatical::customer::ConsentSource::Contact(contact),
                },
            },
        )),
        Err(e) if e == CustomerError::ContactErased { customer, contact }.into()
    ));
    survives(&w);
}
