//! Contacts as they arrive (issue 18, item 6): the unknown-sender policy
//! (refuse, or register the sender and open their ticket in one
//! decision) and merging two contacts of a customer.

use fanatical::actor::Actor;
use fanatical::channel::{Channel, ChannelAddress, ChannelKind};
use fanatical::customer::{ConsentSource, CustomerCommand, CustomerError, ErasureScope, Interest};
use fanatical::desk::{
    Action, Command, CustomerAction, Desk, DeskConfig, DeskError, InboundMessage, TicketAction,
    UnknownSender, UnknownSenders,
};
use fanatical::event::{Event, StreamId};
use fanatical::id::{ContactId, CustomerId, TicketId};
use fanatical::store::Store;
use fanatical::ticket::{TicketCommand, TicketEventKind};

use proptest::prelude::*;

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

/// Acme's second record of Jane: "Jay Alias" at her home address, with a
/// ticket of her own, consent and an interest.
struct Twin {
    w: World,
    twin: ContactId,
    home: ChannelAddress,
    twin_ticket: TicketId,
    jane_ticket: TicketId,
}

fn setup(w: &mut World, customer: CustomerId, command: CustomerCommand) {
    w.run(Command::new(
        Actor::integration("setup"),
        CustomerAction::Update { customer, command },
    ))
    .unwrap();
}

fn twin() -> Twin {
    let mut w = World::new();
    let twin: ContactId = w.ids.next_id();
    let home = ChannelAddress::email("jay@home.example").unwrap();
    let acme = w.acme;
    setup(
        &mut w,
        acme,
        CustomerCommand::AddContact {
            contact: twin,
            name: "Jay Alias".into(),
            addresses: vec![home.clone()],
        },
    );
    setup(
        &mut w,
        acme,
        CustomerCommand::RecordConsent {
            contact: twin,
            source: ConsentSource::Contact(twin),
        },
    );
    setup(
        &mut w,
        acme,
        CustomerCommand::AddInterest {
            contact: twin,
            interest: Interest {
                topic: "sailing".into(),
                detail: "keelboats".into(),
            },
        },
    );
    let (twin_ticket, cmd) = receive(&mut w, Channel::Email, &home, "twin's private words");
    w.run(cmd).unwrap();
    let jane_ticket = w.jane_emails("Site down");
    // The twin is copied on Jane's ticket.
    w.run(Command::new(
        Actor::Agent(w.ana),
        TicketAction::Update {
            ticket: jane_ticket,
            command: TicketCommand::AddCc { contact: twin },
        },
    ))
    .unwrap();
    Twin {
        w,
        twin,
        home,
        twin_ticket,
        jane_ticket,
    }
}

fn merge(customer: CustomerId, source: ContactId, target: ContactId) -> Command {
    Command::new(
        Actor::integration("crm"),
        CustomerAction::MergeContacts {
            customer,
            source,
            target,
        },
    )
}

#[test]
fn merging_contacts_moves_addresses_profile_and_tickets_and_leaves_a_tombstone() {
    let Twin {
        mut w,
        twin,
        home,
        twin_ticket,
        jane_ticket,
    } = twin();
    let (acme, jane) = (w.acme, w.jane);
    let recorded = w.run(merge(acme, twin, jane)).unwrap();
    // Recorded with its actor, in one append.
    assert!(
        recorded
            .iter()
            .all(|r| r.actor == Some(Actor::integration("crm")))
    );
    assert!(recorded.iter().any(|r| matches!(
        &r.event,
        Event::Ticket(e) if e.kind == TicketEventKind::RequesterChanged { from: twin, to: jane }
    )));
    let c = w.desk.customers().get(acme).unwrap();
    assert_eq!(c.contact(twin).unwrap().merged_into(), Some(jane));
    assert!(c.contact(twin).unwrap().addresses().is_empty());
    assert!(c.contact(jane).unwrap().addresses().contains(&home));
    let profile = c.contact(jane).unwrap().profile().expect("consent moved");
    assert_eq!(profile.interests[0].topic, "sailing");
    assert_eq!(c.live_id(twin), jane);
    assert_eq!(c.merged_into(jane), vec![twin]);
    assert_eq!(
        w.desk.customers().find_contact(&home).map(|r| r.contact),
        Some(jane)
    );
    let tickets = w.desk.tickets();
    assert_eq!(tickets.get(twin_ticket).unwrap().requester(), Some(jane));
    // Jane requests her own ticket: the twin's copy is gone, not hers.
    assert!(tickets.get(jane_ticket).unwrap().ccs().is_empty());
    // The twin's next mail is Jane's.
    let (next, cmd) = receive(&mut w, Channel::Email, &home, "again");
    w.run(cmd).unwrap();
    assert_eq!(w.desk.tickets().get(next).unwrap().requester(), Some(jane));
    survives(&w);
}

#[test]
fn commands_naming_a_merged_contact_are_refused_naming_where_it_went() {
    let Twin { mut w, twin, .. } = twin();
    let (acme, jane) = (w.acme, w.jane);
    w.run(merge(acme, twin, jane)).unwrap();
    let merged = CustomerError::ContactMerged {
        customer: acme,
        contact: twin,
        into: jane,
    };
    w.refused(
        Command::new(
            Actor::integration("crm"),
            CustomerAction::Update {
                customer: acme,
                command: CustomerCommand::DesignateContact {
                    contact: twin,
                    role: fanatical::customer::ContactRole::Billing,
                },
            },
        ),
        merged.clone(),
    );
    w.refused(merge(acme, twin, jane), merged.clone());
    w.refused(
        Command::new(
            Actor::integration("privacy"),
            CustomerAction::EraseContact {
                customer: acme,
                contact: twin,
                scope: ErasureScope::Profile,
            },
        ),
        merged.clone(),
    );
    let t = w.jane_emails("more");
    w.refused(
        Command::new(
            Actor::Agent(w.ana),
            TicketAction::Update {
                ticket: t,
                command: TicketCommand::AddCc { contact: twin },
            },
        ),
        merged,
    );
}

#[test]
fn bad_merges_are_refused_and_write_nothing() {
    let Twin { mut w, twin, .. } = twin();
    let (acme, jane, tom, tiny) = (w.acme, w.jane, w.tom, w.tiny);
    w.refused(
        merge(acme, jane, jane),
        CustomerError::MergeIntoItself {
            customer: acme,
            contact: jane,
        },
    );
    // Tom is Tiny's: not a contact of Acme.
    w.refused(
        merge(acme, tom, jane),
        CustomerError::UnknownContact {
            customer: acme,
            contact: tom,
        },
    );
    w.refused(
        merge(acme, jane, tom),
        CustomerError::UnknownContact {
            customer: acme,
            contact: tom,
        },
    );
    let ghost = CustomerId::from_uuid(uuid::Uuid::from_u128(0xbeef));
    w.refused(merge(ghost, twin, jane), DeskError::UnknownCustomer(ghost));
    let _ = tiny;
    // An erased contact is merged neither way.
    w.run(Command::new(
        Actor::integration("privacy"),
        CustomerAction::EraseContact {
            customer: acme,
            contact: twin,
            scope: ErasureScope::Profile,
        },
    ))
    .unwrap();
    let erased = CustomerError::ContactErased {
        customer: acme,
        contact: twin,
    };
    w.refused(merge(acme, twin, jane), erased.clone());
    w.refused(merge(acme, jane, twin), erased);
}

#[test]
fn erasing_the_contact_a_record_was_merged_into_erases_both() {
    let Twin { mut w, twin, .. } = twin();
    let (acme, jane) = (w.acme, w.jane);
    w.run(merge(acme, twin, jane)).unwrap();
    w.run(Command::new(
        Actor::integration("privacy"),
        CustomerAction::EraseContact {
            customer: acme,
            contact: jane,
            scope: ErasureScope::ProfileAndMessages,
        },
    ))
    .unwrap();
    let record = format!("{:?}", w.store.read_all(0, usize::MAX).unwrap());
    for gone in [
        "jay@home.example",
        "Jay Alias",
        "twin's private words",
        "keelboats",
    ] {
        assert!(!record.contains(gone), "{gone} stayed in the store");
    }
    let c = w.desk.customers().get(acme).unwrap();
    assert!(c.contact(twin).unwrap().erased().is_some());
    assert_eq!(
        c.contact(twin).unwrap().name(),
        c.contact(jane).unwrap().name()
    );
    survives(&w);
}

/// The golden tour's part: a merge of two contacts (the customer's
/// `contact_merged` and the ticket's `requester_changed`).
pub(crate) fn golden_tour() -> Vec<fanatical::store::RecordedEvent> {
    let Twin { mut w, twin, .. } = twin();
    let (acme, jane) = (w.acme, w.jane);
    w.run(merge(acme, twin, jane)).unwrap();
    let mut all = w.store.read_all(0, usize::MAX).unwrap();
    // Held, attached; held, discarded.
    let (mut w, id, _) = held();
    let (acme, jane) = (w.acme, w.jane);
    w.run(resolve(TicketAction::AttachTriaged {
        message: id,
        customer: acme,
        contact: jane,
    }))
    .unwrap();
    let from = ChannelAddress::email("other@elsewhere.example").unwrap();
    let (other, cmd) = receive(&mut w, Channel::Email, &from, "spam");
    w.run(cmd).unwrap();
    w.run(resolve(TicketAction::DiscardTriaged { message: other }))
        .unwrap();
    all.extend(w.store.read_all(0, usize::MAX).unwrap());
    all
}

/// Four more records at Acme, each with a ticket and copied on the next
/// one's: room for chains of merges, copies and requesters to move.
fn crowd() -> (World, Vec<ContactId>) {
    let mut w = World::new();
    let acme = w.acme;
    let mut people = vec![w.jane];
    for i in 0..4 {
        let contact: ContactId = w.ids.next_id();
        let address = ChannelAddress::email(format!("p{i}@acme.example")).unwrap();
        setup(
            &mut w,
            acme,
            CustomerCommand::AddContact {
                contact,
                name: format!("P{i}"),
                addresses: vec![address.clone()],
            },
        );
        let (t, cmd) = receive(&mut w, Channel::Email, &address, "hello");
        w.run(cmd).unwrap();
        let prev = *people.last().unwrap();
        w.run(Command::new(
            Actor::Agent(w.ana),
            TicketAction::Update {
                ticket: t,
                command: TicketCommand::AddCc { contact: prev },
            },
        ))
        .unwrap();
        people.push(contact);
    }
    (w, people)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(crate::cases(48)))]

    /// After any sequence of merges (refused ones too): every ticket's
    /// requester and CCs are live, unmerged contacts, never a requester
    /// copied on their own ticket; every address finds a live contact; a
    /// refused merge wrote nothing; the store rebuilds the desk and its
    /// snapshot restores it.
    #[test]
    fn merges_leave_tickets_with_live_contacts(
        steps in proptest::collection::vec((0usize..5, 0usize..5), 1..8)
    ) {
        let (mut w, people) = crowd();
        let acme = w.acme;
        for (s, t) in steps {
            let before = w.store.read_all(0, usize::MAX).unwrap().len();
            let desk = w.desk.clone();
            if w.run(merge(acme, people[s], people[t])).is_err() {
                prop_assert_eq!(w.store.read_all(0, usize::MAX).unwrap().len(), before);
                prop_assert_eq!(&w.desk, &desk);
            }
        }
        let c = w.desk.customers().get(acme).unwrap();
        let live = |id: ContactId| c.contact(id).is_some_and(|x| x.merged_into().is_none());
        for t in w.desk.tickets().iter() {
            let r = t.requester().unwrap();
            prop_assert!(live(r), "ticket {} requested by merged {}", t.id(), r);
            for cc in t.ccs() {
                prop_assert!(live(*cc) && *cc != r, "ticket {} copies {}", t.id(), cc);
            }
        }
        for p in &people {
            prop_assert!(live(c.live_id(*p)));
            for a in c.contact(c.live_id(*p)).unwrap().addresses() {
                prop_assert_eq!(
                    w.desk.customers().find_contact(a).map(|r| r.contact),
                    Some(c.live_id(*p))
                );
            }
        }
        survives(&w);
    }
}

fn triaging() -> DeskConfig {
    let mut config = DeskConfig::default();
    config.unknown_senders.default = UnknownSender::Triage;
    config
}

/// A stranger's message held for triage: the world, the held id, the
/// sender.
fn held() -> (World, TicketId, ChannelAddress) {
    let mut w = World::with_config(triaging());
    let from = ChannelAddress::email("stranger@elsewhere.example").unwrap();
    let (id, cmd) = receive(&mut w, Channel::Email, &from, "stranger's secret words");
    let recorded = w.run(cmd).unwrap();
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0].stream, StreamId::Triage(id));
    (w, id, from)
}

fn resolve(action: TicketAction) -> Command {
    Command::new(Actor::integration("crm"), action)
}

#[test]
fn a_triaged_message_is_listed_with_its_sender_and_opens_no_ticket() {
    let (w, id, from) = held();
    let listed = w.desk.tickets().triage();
    assert_eq!(listed.len(), 1);
    assert_eq!((listed[0].id, &listed[0].from), (id, &from));
    assert_eq!(listed[0].body, "stranger's secret words");
    assert!(w.desk.tickets().get(id).is_none());
    survives(&w);
}

#[test]
fn attaching_a_triaged_message_opens_the_contacts_ticket_and_gives_them_the_address() {
    let (mut w, id, from) = held();
    let (acme, jane) = (w.acme, w.jane);
    w.run(resolve(TicketAction::AttachTriaged {
        message: id,
        customer: acme,
        contact: jane,
    }))
    .unwrap();
    assert!(w.desk.tickets().triage().is_empty());
    let t = w.desk.tickets().get(id).unwrap();
    assert_eq!((t.customer(), t.requester()), (acme, Some(jane)));
    assert_eq!(t.conversation()[0].body, "stranger's secret words");
    assert_eq!(
        w.desk.customers().find_contact(&from).map(|r| r.contact),
        Some(jane)
    );
    // Resolved once.
    w.refused(
        resolve(TicketAction::DiscardTriaged { message: id }),
        DeskError::UnknownTriage(id),
    );
    survives(&w);
    // Erasing Jane erases the held copy of her words and address too.
    w.run(Command::new(
        Actor::integration("privacy"),
        CustomerAction::EraseContact {
            customer: acme,
            contact: jane,
            scope: ErasureScope::ProfileAndMessages,
        },
    ))
    .unwrap();
    let record = format!("{:?}", w.store.read_all(0, usize::MAX).unwrap());
    assert!(!record.contains("stranger@elsewhere.example"));
    assert!(!record.contains("stranger's secret words"));
    survives(&w);
}

#[test]
fn creating_from_a_triaged_message_registers_its_sender() {
    let (mut w, id, from) = held();
    let before = w.desk.customers().len();
    w.run(resolve(TicketAction::CreateFromTriaged { message: id }))
        .unwrap();
    let t = w.desk.tickets().get(id).unwrap();
    assert_eq!(w.desk.customers().len(), before + 1);
    let opening = StreamId::Ticket(id).event_id(1);
    assert_eq!(t.customer(), fanatical::desk::new_customer_id(opening));
    assert_eq!(
        t.requester(),
        Some(fanatical::desk::new_contact_id(opening))
    );
    assert_eq!(
        w.desk.customers().find_contact(&from).map(|r| r.contact),
        t.requester()
    );
    assert!(w.desk.tickets().triage().is_empty());
    survives(&w);
}

#[test]
fn discarding_a_triaged_message_erases_its_sender_and_text() {
    let (mut w, id, _) = held();
    w.run(resolve(TicketAction::DiscardTriaged { message: id }))
        .unwrap();
    assert!(w.desk.tickets().triage().is_empty());
    let record = format!("{:?}", w.store.read_all(0, usize::MAX).unwrap());
    assert!(
        !record.contains("stranger@elsewhere.example"),
        "sender kept"
    );
    assert!(!record.contains("stranger's secret words"), "text kept");
    // The id stays spent: no ticket takes it.
    assert!(w.desk.tickets().get(id).is_none());
    survives(&w);
}

#[test]
fn bad_triage_resolutions_are_refused_and_write_nothing() {
    let (mut w, id, from) = held();
    let (acme, jane, tom, tiny) = (w.acme, w.jane, w.tom, w.tiny);
    let nothing: TicketId = w.ids.next_id();
    for action in [
        TicketAction::DiscardTriaged { message: nothing },
        TicketAction::CreateFromTriaged { message: nothing },
        TicketAction::AttachTriaged {
            message: nothing,
            customer: acme,
            contact: jane,
        },
    ] {
        w.refused(resolve(action), DeskError::UnknownTriage(nothing));
    }
    let ghost = CustomerId::from_uuid(uuid::Uuid::from_u128(0xfeed));
    w.refused(
        resolve(TicketAction::AttachTriaged {
            message: id,
            customer: ghost,
            contact: jane,
        }),
        DeskError::UnknownCustomer(ghost),
    );
    w.refused(
        resolve(TicketAction::AttachTriaged {
            message: id,
            customer: acme,
            contact: tom,
        }),
        CustomerError::UnknownContact {
            customer: acme,
            contact: tom,
        },
    );
    // Someone gave the address to Tom meanwhile.
    setup(
        &mut w,
        tiny,
        CustomerCommand::AddAddress {
            contact: tom,
            address: from.clone(),
        },
    );
    w.refused(
        resolve(TicketAction::AttachTriaged {
            message: id,
            customer: acme,
            contact: jane,
        }),
        DeskError::AddressInUse {
            address: from.clone(),
            customer: tiny,
            contact: tom,
        },
    );
    w.refused(
        resolve(TicketAction::CreateFromTriaged { message: id }),
        DeskError::AddressInUse {
            address: from,
            customer: tiny,
            contact: tom,
        },
    );
    // A reply from a stranger is not held.
    let t = w.jane_emails("Help");
    let stranger = ChannelAddress::email("other@elsewhere.example").unwrap();
    let next: TicketId = w.ids.next_id();
    let msg = InboundMessage::new(next, Channel::Email, stranger.clone(), "me too").in_reply_to(t);
    w.refused(
        Command::new(Actor::integration("inbound"), TicketAction::Receive(msg)),
        DeskError::UnknownSender(stranger),
    );
}

#[test]
fn resolving_triage_and_merging_need_customer_management() {
    let (mut w, id, _) = held();
    let (acme, jane) = (w.acme, w.jane);
    let name = fanatical::permission::Permission::ManageCustomers.name();
    // A contact holds no customer management.
    for action in [
        Action::from(TicketAction::DiscardTriaged { message: id }),
        Action::from(TicketAction::CreateFromTriaged { message: id }),
        Action::from(CustomerAction::MergeContacts {
            customer: acme,
            source: jane,
            target: jane,
        }),
    ] {
        let before = w.store.clone();
        let err = w
            .run(Command::new(Actor::Contact(jane), action))
            .unwrap_err();
        assert!(err.to_string().contains(name), "{err}");
        assert_eq!(w.store, before);
    }
    assert_eq!(w.desk.tickets().triage().len(), 1);
}

#[test]
fn an_archived_ticket_of_a_merged_contact_stays_theirs_and_is_erased_with_the_target() {
    use chrono::Duration;
    use fanatical::desk::ArchivePolicy;
    use fanatical::ticket::Status;
    let config =
        DeskConfig::default().with_archive(ArchivePolicy::after_closed(Duration::days(7)).unwrap());
    let mut w = World::with_config(config);
    let (acme, jane, ana) = (w.acme, w.jane, w.ana);
    let twin: ContactId = w.ids.next_id();
    let home = ChannelAddress::email("jay@home.example").unwrap();
    setup(
        &mut w,
        acme,
        CustomerCommand::AddContact {
            contact: twin,
            name: "Jay Alias".into(),
            addresses: vec![home.clone()],
        },
    );
    let (t, cmd) = receive(&mut w, Channel::Email, &home, "archived private words");
    w.run(cmd).unwrap();
    let agent = |a: TicketAction| Command::new(Actor::Agent(ana), a);
    w.run(agent(TicketAction::assign(t, ana))).unwrap();
    w.run(Command::reply(t, ana, "Done.")).unwrap();
    w.run(agent(TicketAction::set_status(t, Status::Solved)))
        .unwrap();
    w.deliver_all();
    w.run(agent(TicketAction::set_status(t, Status::Closed)))
        .unwrap();
    w.tick(8 * 24 * 60);
    let now = w.now;
    w.desk.handle_timeout(&mut w.store, now).unwrap();
    assert!(w.desk.tickets().get(t).is_none(), "not archived");
    w.run(merge(acme, twin, jane)).unwrap();
    // The archived ticket keeps its requester; the tombstone leads on.
    let archived = w.desk.tickets().archived(&w.store, t).unwrap().unwrap();
    let requester = archived.ticket.requester().unwrap();
    assert_eq!(requester, twin);
    assert_eq!(
        w.desk.customers().get(acme).unwrap().live_id(requester),
        jane
    );
    survives(&w);
    w.run(Command::new(
        Actor::integration("privacy"),
        CustomerAction::EraseContact {
            customer: acme,
            contact: jane,
            scope: ErasureScope::ProfileAndMessages,
        },
    ))
    .unwrap();
    let record = format!("{:?}", w.store.read_all(0, usize::MAX).unwrap());
    assert!(
        !record.contains("archived private words"),
        "archived text kept"
    );
    assert!(!record.contains("jay@home.example"), "address kept");
    survives(&w);
}

/// Erasing a contact erases the held copy of a triaged message that became
/// their ticket, also once that ticket is archived (the review found the
/// archived one kept: the triage streams were listed before the archive
/// was read).
#[test]
fn erasure_takes_the_triage_copy_of_an_archived_ticket() {
    use fanatical::desk::{ArchivePolicy, UnknownSender};
    use fanatical::ticket::Status;
    for archive in [false, true] {
        let mut config = DeskConfig::default()
            .with_archive(ArchivePolicy::after_closed(chrono::Duration::days(7)).unwrap());
        config.unknown_senders.default = UnknownSender::Triage;
        let mut w = World::with_config(config);
        let from = ChannelAddress::email("stranger@elsewhere.example").unwrap();
        let id: TicketId = w.ids.next_id();
        let msg = InboundMessage::new(id, Channel::Email, from, "zebra secret words");
        w.run(Command::new(
            Actor::integration("inbound"),
            TicketAction::Receive(msg),
        ))
        .unwrap();
        let (acme, jane, ana) = (w.acme, w.jane, w.ana);
        w.run(Command::new(
            Actor::integration("crm"),
            TicketAction::AttachTriaged {
                message: id,
                customer: acme,
                contact: jane,
            },
        ))
        .unwrap();
        w.run(Command::new(
            Actor::Agent(ana),
            TicketAction::assign(id, ana),
        ))
        .unwrap();
        w.run(Command::reply(id, ana, "done")).unwrap();
        for status in [Status::Solved, Status::Closed] {
            w.run(Command::new(
                Actor::Agent(ana),
                TicketAction::set_status(id, status),
            ))
            .unwrap();
            w.deliver_all();
        }
        if archive {
            w.now += chrono::Duration::days(8);
            let now = w.now;
            w.desk.handle_timeout(&mut w.store, now).unwrap();
            assert!(w.desk.tickets().get(id).is_none(), "archived");
        }
        let record = |w: &World| format!("{:?}", w.store.read_all(0, usize::MAX).unwrap());
        assert!(record(&w).contains("zebra secret"));
        w.run(Command::new(
            Actor::integration("privacy"),
            CustomerAction::EraseContact {
                customer: acme,
                contact: jane,
                scope: ErasureScope::ProfileAndMessages,
            },
        ))
        .unwrap();
        let after = record(&w);
        assert!(!after.contains("zebra secret"), "archive {archive}");
        assert!(!after.contains("stranger@elsewhere"), "archive {archive}");
    }
}
