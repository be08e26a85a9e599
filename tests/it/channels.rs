//! Channels that fail: fallbacks offered, replies rerouted, outages recorded.

use fanatical::actor::Actor;
use fanatical::channel::ChannelAction;
use fanatical::channel::{Channel, ChannelKind, SocialNetwork, Visibility};
use fanatical::desk::{Command, Desk, DeskConfig};
use fanatical::desk::{CustomerAction, TicketAction};
use fanatical::outbox::OutboxAction;
use fanatical::outbox::Recipient;

use crate::support::World;

#[test]
fn when_email_is_down_replies_go_out_on_a_fallback_and_the_outage_is_recorded() {
    let mut w = World::new();
    let t = w.jane_emails("help");
    let ana = w.ana;
    let down_at = w.now;
    w.run(Command::new(
        Actor::integration("setup"),
        ChannelAction::MarkDown {
            channel: ChannelKind::Email,
            reason: "mail relay lost its disks".into(),
        },
    ))
    .unwrap();
    assert!(w.desk.channels().is_down(ChannelKind::Email));
    assert_eq!(
        w.desk.channels().offered(ChannelKind::Email),
        vec![ChannelKind::Chat, ChannelKind::Social]
    );
    assert_eq!(
        w.desk.channels().offered(ChannelKind::Chat),
        vec![ChannelKind::Chat]
    );
    // Marking it down again records nothing new.
    assert!(
        w.run(Command::new(
            Actor::integration("setup"),
            ChannelAction::MarkDown {
                channel: ChannelKind::Email,
                reason: "again".into()
            }
        ))
        .unwrap()
        .is_empty()
    );
    w.run(Command::reply(t, ana, "Fixed, and sorry for the wait."))
        .unwrap();
    let msg = w.desk.poll_outbound(w.now).unwrap();
    // Jane has no chat address, so her X handle (privately) is next.
    assert_eq!(
        msg.channel,
        Channel::Social {
            network: SocialNetwork::X,
            visibility: Visibility::Private
        }
    );
    assert_eq!(
        msg.recipient,
        Recipient::Contact {
            contact: w.jane,
            address: w.jane_x.clone()
        }
    );
    assert_eq!(
        (msg.body.as_str(), msg.ticket),
        ("Fixed, and sorry for the wait.", Some(t))
    );
    w.run(Command::new(
        Actor::integration("transport"),
        OutboxAction::MarkDelivered { message: msg.id },
    ))
    .unwrap();
    w.tick(90);
    w.run(Command::new(
        Actor::integration("setup"),
        ChannelAction::MarkUp {
            channel: ChannelKind::Email,
        },
    ))
    .unwrap();
    w.run(Command::reply(t, ana, "And a follow-up by email."))
        .unwrap();
    let next = w.desk.poll_outbound(w.now).unwrap();
    assert_eq!(next.channel, Channel::Email);
    assert_eq!(
        next.recipient,
        Recipient::Contact {
            contact: w.jane,
            address: w.jane_email.clone()
        }
    );
    assert_eq!(next.body, "And a follow-up by email.");
    let outages = w.desk.channels().outages();
    assert_eq!(outages.len(), 1);
    assert_eq!(outages[0].channel, ChannelKind::Email);
    assert_eq!(outages[0].reason, "mail relay lost its disks");
    assert_eq!(
        outages[0].fallbacks,
        vec![ChannelKind::Chat, ChannelKind::Social]
    );
    assert_eq!(outages[0].from, down_at);
    assert_eq!(outages[0].until, Some(w.now));
    assert_eq!(
        Desk::rebuild(&w.store, DeskConfig::default()).unwrap(),
        w.desk
    );
}

#[test]
fn the_phone_system_going_down_offers_social_chat_and_email() {
    let mut w = World::new();
    w.run(Command::new(
        Actor::integration("setup"),
        ChannelAction::MarkDown {
            channel: ChannelKind::Phone,
            reason: "carrier outage".into(),
        },
    ))
    .unwrap();
    assert_eq!(
        w.desk.channels().offered(ChannelKind::Phone),
        vec![ChannelKind::Social, ChannelKind::Chat, ChannelKind::Email]
    );
    // With social down too, it is not offered.
    w.run(Command::new(
        Actor::integration("setup"),
        ChannelAction::MarkDown {
            channel: ChannelKind::Social,
            reason: "API limits".into(),
        },
    ))
    .unwrap();
    assert_eq!(
        w.desk.channels().offered(ChannelKind::Phone),
        vec![ChannelKind::Chat, ChannelKind::Email]
    );
}

#[test]
fn a_reply_to_a_call_while_the_phones_are_down_goes_out_on_a_fallback() {
    let mut w = World::new();
    let ana = w.ana;
    let t: fanatical::id::TicketId = w.ids.next_id();
    let phone = w.jane_phone.clone();
    w.run(Command::new(
        Actor::integration("inbound"),
        TicketAction::Receive(fanatical::desk::InboundMessage::new(
            t,
            Channel::Phone,
            phone,
            "Backup restore stuck at 40%",
        )),
    ))
    .unwrap();
    // While the phones work, a reply on the call is spoken, not delivered.
    w.run(Command::reply(t, ana, "Looking now.")).unwrap();
    assert_eq!(w.desk.poll_outbound(w.now), None);
    // The call drops when the phone system goes down: the next reply can
    // only reach Jane on a fallback (she has no chat, so X, privately).
    w.run(Command::new(
        Actor::integration("setup"),
        ChannelAction::MarkDown {
            channel: ChannelKind::Phone,
            reason: "carrier outage".into(),
        },
    ))
    .unwrap();
    w.tick(10);
    w.run(Command::reply(
        t,
        ana,
        "Sorry we got cut off: the restore runs again.",
    ))
    .unwrap();
    let msg = w.desk.poll_outbound(w.now).expect("the reply is queued");
    assert_eq!(
        msg.channel,
        Channel::Social {
            network: SocialNetwork::X,
            visibility: Visibility::Private
        }
    );
    assert_eq!(
        msg.recipient,
        Recipient::Contact {
            contact: w.jane,
            address: w.jane_x.clone()
        }
    );
    assert_eq!(msg.ticket, Some(t));
    assert_eq!(msg.body, "Sorry we got cut off: the restore runs again.");
    // A customer with nothing but a phone cannot be reached: the reply is
    // refused with a reason instead of vanishing.
    let tiny = w.tiny;
    let only_phone: fanatical::id::ContactId = w.ids.next_id();
    let number = fanatical::channel::ChannelAddress::phone("+1 210 555 0199").unwrap();
    w.run(Command::new(
        Actor::integration("setup"),
        CustomerAction::Update {
            customer: tiny,
            command: fanatical::customer::CustomerCommand::AddContact {
                contact: only_phone,
                name: "Pat".into(),
                addresses: vec![number.clone()],
            },
        },
    ))
    .unwrap();
    let call: fanatical::id::TicketId = w.ids.next_id();
    w.run(Command::new(
        Actor::integration("inbound"),
        TicketAction::Receive(fanatical::desk::InboundMessage::new(
            call,
            Channel::Phone,
            number,
            "Site down",
        )),
    ))
    .unwrap();
    w.refused(
        Command::reply(call, ana, "On it."),
        fanatical::desk::DeskError::Unreachable {
            ticket: call,
            channel: Channel::Phone,
        },
    );
    assert_eq!(
        Desk::rebuild(&w.store, DeskConfig::default()).unwrap(),
        w.desk
    );
}

/// Identity as people type it (issue 16, item 7): a phone number reaches
/// its contact however the caller id writes it.
mod phone_numbers {
    use fanatical::actor::Actor;
    use fanatical::channel::{Channel, ChannelAddress, ChannelError, PhoneProblem, PhoneRegion};
    use fanatical::customer::CustomerCommand;
    use fanatical::desk::{
        Command, CustomerAction, DeskConfig, DeskError, InboundMessage, TicketAction,
    };
    use fanatical::id::TicketId;

    use crate::support::World;

    fn call(w: &mut World, caller_id: &str) -> TicketId {
        let id: TicketId = w.ids.next_id();
        let from = ChannelAddress::phone(caller_id).unwrap();
        w.run(Command::new(
            Actor::integration("pbx"),
            TicketAction::Receive(InboundMessage::new(
                id,
                Channel::Phone,
                from,
                "My site is down",
            )),
        ))
        .unwrap();
        id
    }

    /// One number held in two spellings: removing one keeps the contact
    /// findable by the other.
    #[test]
    fn removing_one_spelling_of_a_number_keeps_the_other() {
        use fanatical::customer::CustomerCommand;
        use fanatical::desk::CustomerAction;
        let mut w = World::new();
        let (acme, jane) = (w.acme, w.jane);
        let other = ChannelAddress::phone("(210) 555-0100").unwrap();
        let update = |w: &mut World, command| {
            w.run(Command::new(
                Actor::integration("crm"),
                CustomerAction::Update {
                    customer: acme,
                    command,
                },
            ))
            .unwrap();
        };
        update(
            &mut w,
            CustomerCommand::AddAddress {
                contact: jane,
                address: other.clone(),
            },
        );
        update(
            &mut w,
            CustomerCommand::RemoveAddress {
                contact: jane,
                address: other,
            },
        );
        let found = w
            .desk
            .customers()
            .find_contact(&w.jane_phone)
            .map(|c| c.contact);
        assert_eq!(found, Some(jane));
        let t = call(&mut w, "+12105550100");
        assert_eq!(w.desk.tickets().get(t).unwrap().requester(), Some(jane));
    }

    #[test]
    fn a_caller_id_in_any_common_format_finds_the_contact() {
        // Jane's number was recorded as "+1 210 555 0100".
        let mut w = World::new();
        for caller_id in [
            "(210) 555-0100",
            "210.555.0100",
            "210-555-0100",
            "+1 210 555 0100",
            "+12105550100",
            "001 210 555 0100",
            "011 1 210 555 0100",
            "1 (210) 555-0100",
        ] {
            let t = call(&mut w, caller_id);
            let ticket = w.desk.tickets().get(t).unwrap();
            assert_eq!(ticket.requester(), Some(w.jane), "{caller_id}");
            assert_eq!(ticket.customer(), w.acme, "{caller_id}");
        }
        let jane = w.desk.customers().find_contact(&w.jane_phone).unwrap();
        assert_eq!(jane.contact, w.jane);
        // Another number is nobody's, whatever its format.
        let stranger = ChannelAddress::phone("(210) 555-0199").unwrap();
        let id: TicketId = w.ids.next_id();
        w.refused(
            Command::new(
                Actor::integration("pbx"),
                TicketAction::Receive(InboundMessage::new(
                    id,
                    Channel::Phone,
                    stranger.clone(),
                    "hello?",
                )),
            ),
            DeskError::UnknownSender(stranger),
        );
    }

    #[test]
    fn the_same_number_typed_differently_cannot_belong_to_two_people() {
        let mut w = World::new();
        let (tiny, tom, acme, jane) = (w.tiny, w.tom, w.acme, w.jane);
        let hers = ChannelAddress::phone("210.555.0100").unwrap();
        w.refused(
            Command::new(
                Actor::integration("crm"),
                CustomerAction::Update {
                    customer: tiny,
                    command: CustomerCommand::AddAddress {
                        contact: tom,
                        address: hers.clone(),
                    },
                },
            ),
            DeskError::AddressInUse {
                address: hers,
                customer: acme,
                contact: jane,
            },
        );
    }

    #[test]
    fn the_default_region_is_configured_on_the_desk() {
        // A desk in London reads national numbers as British ones.
        let mut config = DeskConfig::default();
        config.phone_region = PhoneRegion::new(44, "0").unwrap();
        let mut w = World::with_config(config);
        let (acme, jane) = (w.acme, w.jane);
        let london = ChannelAddress::phone("+44 20 7946 0958").unwrap();
        w.run(Command::new(
            Actor::integration("crm"),
            CustomerAction::Update {
                customer: acme,
                command: CustomerCommand::AddAddress {
                    contact: jane,
                    address: london,
                },
            },
        ))
        .unwrap();
        for caller_id in ["020 7946 0958", "0044 20 7946 0958", "(020) 7946-0958"] {
            let t = call(&mut w, caller_id);
            assert_eq!(
                w.desk.tickets().get(t).unwrap().requester(),
                Some(jane),
                "{caller_id}"
            );
        }
        // Her American number, written internationally, still finds her.
        let t = call(&mut w, "+1 (210) 555-0100");
        assert_eq!(w.desk.tickets().get(t).unwrap().requester(), Some(jane));
        // The configuration reads back, and an old one without a region
        // reads as North America.
        let json = serde_json::to_value(w.desk.config()).unwrap();
        assert_eq!(
            json["phone_region"],
            serde_json::json!({"calling_code": 44, "trunk_prefix": "0"})
        );
        let mut old = json;
        old.as_object_mut().unwrap().remove("phone_region");
        let read: DeskConfig = serde_json::from_value(old).unwrap();
        assert_eq!(read.phone_region, PhoneRegion::nanp());
        let bad = serde_json::json!({"calling_code": 0, "trunk_prefix": "0"});
        let err = serde_json::from_value::<PhoneRegion>(bad).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("invalid phone region: calling code 0"),
            "{err}"
        );
    }

    #[test]
    fn a_number_that_cannot_be_placed_says_why() {
        let us = PhoneRegion::nanp();
        let unplaceable = |number: &str, region: &PhoneRegion, problem| {
            assert_eq!(
                ChannelAddress::phone_in(number, region),
                Err(ChannelError::UnplaceablePhone {
                    number: number.into(),
                    region: region.clone(),
                    problem,
                }),
                "{number}"
            );
        };
        // Seven digits: no area code.
        unplaceable("555-0100", &us, PhoneProblem::NotNanp);
        // Area codes and exchanges start 2 to 9.
        unplaceable("(110) 555-0100", &us, PhoneProblem::NotNanp);
        unplaceable("210 155 0100", &us, PhoneProblem::NotNanp);
        unplaceable("+1 210 555 01000", &us, PhoneProblem::NotNanp);
        unplaceable("+44 20", &us, PhoneProblem::TooShort);
        unplaceable("12", &us, PhoneProblem::TooShort);
        unplaceable("+44 20 7946 0958 1234", &us, PhoneProblem::TooLong);
        assert_eq!(
            ChannelAddress::phone_in("210 555 0100 ext 5", &us),
            Err(ChannelError::InvalidPhone("210 555 0100 ext 5".into()))
        );
        assert_eq!(
            PhoneRegion::new(44, "0x"),
            Err(ChannelError::InvalidPhoneRegion {
                calling_code: 44,
                trunk_prefix: "0x".into()
            })
        );
        // Short codes stay as dialled; without a trunk prefix (Italy) the
        // leading 0 is part of the number.
        assert_eq!(
            ChannelAddress::phone_in("112", &us),
            ChannelAddress::phone("112")
        );
        let italy = PhoneRegion::new(39, "").unwrap();
        assert_eq!(
            ChannelAddress::phone_in("06 6988 2222", &italy),
            ChannelAddress::phone("+390669882222")
        );
        assert_eq!(
            ChannelAddress::phone_in("001 210 555 0100", &italy),
            ChannelAddress::phone("+12105550100")
        );
    }
}

#[test]
fn a_bounced_email_address_sends_replies_to_the_contacts_next_channel_until_it_works_again() {
    use fanatical::customer::{CustomerCommand, CustomerError};
    let mut w = World::new();
    let t = w.jane_emails("help");
    let (ana, acme, jane) = (w.ana, w.acme, w.jane);
    let mark = |address: fanatical::channel::ChannelAddress, reason: &str| {
        Command::new(
            Actor::integration("email"),
            CustomerAction::Update {
                customer: acme,
                command: CustomerCommand::MarkUndeliverable {
                    contact: jane,
                    address,
                    reason: reason.into(),
                },
            },
        )
    };
    // A bounce needs a reason, and an address of hers.
    w.refused(
        mark(w.jane_email.clone(), "  "),
        CustomerError::Empty {
            what: "an undeliverable reason",
        },
    );
    let stranger = fanatical::channel::ChannelAddress::email("x@elsewhere.example").unwrap();
    w.refused(
        mark(stranger.clone(), "5.1.1"),
        CustomerError::UnknownAddress {
            contact: jane,
            address: stranger,
        },
    );
    w.run(mark(w.jane_email.clone(), "5.1.1 user unknown"))
        .unwrap();
    let jane_now = w.desk.customers().get(acme).unwrap().contact(jane).unwrap();
    assert!(!jane_now.is_deliverable(&w.jane_email));
    assert!(jane_now.is_deliverable(&w.jane_x));
    // Marking it again records nothing.
    assert!(
        w.run(mark(w.jane_email.clone(), "again"))
            .unwrap()
            .is_empty()
    );
    // Email works for everyone else; Jane's reply goes to her next
    // channel that takes writing: chat she has not, so her X handle.
    w.run(Command::reply(t, ana, "Fixed, and sorry for the wait."))
        .unwrap();
    let msg = w.desk.poll_outbound(w.now).unwrap();
    assert_eq!(
        (msg.channel.clone(), msg.recipient.clone()),
        (
            Channel::Social {
                network: SocialNetwork::X,
                visibility: Visibility::Private
            },
            Recipient::Contact {
                contact: jane,
                address: w.jane_x.clone()
            }
        )
    );
    w.run(Command::new(
        Actor::integration("transport"),
        OutboxAction::MarkDelivered { message: msg.id },
    ))
    .unwrap();
    // Mail from the address still finds her: the ticket continues.
    assert_eq!(
        w.desk
            .customers()
            .find_contact(&w.jane_email)
            .map(|c| c.contact),
        Some(jane)
    );
    // She fixed her mailbox: email again.
    w.run(Command::new(
        Actor::integration("crm"),
        CustomerAction::Update {
            customer: acme,
            command: CustomerCommand::MarkDeliverable {
                contact: jane,
                address: w.jane_email.clone(),
            },
        },
    ))
    .unwrap();
    w.run(Command::reply(t, ana, "And a follow-up by email."))
        .unwrap();
    let next = w.desk.poll_outbound(w.now).unwrap();
    assert_eq!(
        (next.channel, next.recipient),
        (
            Channel::Email,
            Recipient::Contact {
                contact: jane,
                address: w.jane_email.clone()
            }
        )
    );
    assert_eq!(
        Desk::rebuild(&w.store, DeskConfig::default()).unwrap(),
        w.desk
    );
}

/// With every address on the reply's channel bounced and no fallback that
/// works, the agent's reply is still recorded, and goes to the bounced
/// address (as before it bounced): a full mailbox never refuses an answer.
#[test]
fn a_reply_with_every_way_to_the_contact_bounced_still_goes_to_the_bounced_address() {
    use fanatical::customer::CustomerCommand;
    let mut w = World::new();
    let t = w.jane_emails("help");
    let (ana, acme, jane) = (w.ana, w.acme, w.jane);
    for address in [w.jane_email.clone(), w.jane_x.clone()] {
        w.run(Command::new(
            Actor::integration("email"),
            CustomerAction::Update {
                customer: acme,
                command: CustomerCommand::MarkUndeliverable {
                    contact: jane,
                    address,
                    reason: "5.2.2 mailbox full".into(),
                },
            },
        ))
        .unwrap();
    }
    w.run(Command::reply(t, ana, "Fixed.")).unwrap();
    let msg = w.desk.poll_outbound(w.now).unwrap();
    assert_eq!(
        (msg.channel, msg.recipient),
        (
            Channel::Email,
            Recipient::Contact {
                contact: jane,
                address: w.jane_email.clone()
            }
        )
    );
    assert_eq!(
        w.desk
            .tickets()
            .get(t)
            .unwrap()
            .conversation()
            .last()
            .unwrap()
            .body,
        "Fixed."
    );
}

/// A phone number marked undeliverable (or deliverable again) in another
/// spelling than the contact's (dashes, parentheses, without the country
/// code) is the contact's number, read in the desk's region as the
/// address index reads it; a number they do not hold in any spelling is
/// refused.
#[test]
fn a_phone_marked_in_another_spelling_is_the_contacts_number() {
    use fanatical::channel::ChannelAddress;
    use fanatical::customer::{CustomerCommand, CustomerError};
    let mut w = World::new();
    let (acme, jane) = (w.acme, w.jane);
    let mark = |address: &str, deliverable: bool| {
        let address = ChannelAddress::phone(address).unwrap();
        let command = if deliverable {
            CustomerCommand::MarkDeliverable {
                contact: jane,
                address,
            }
        } else {
            CustomerCommand::MarkUndeliverable {
                contact: jane,
                address,
                reason: "number disconnected".into(),
            }
        };
        Command::new(
            Actor::integration("sms"),
            CustomerAction::Update {
                customer: acme,
                command,
            },
        )
    };
    let deliverable = |w: &World| {
        w.desk
            .customers()
            .get(acme)
            .unwrap()
            .contact(jane)
            .unwrap()
            .is_deliverable(&w.jane_phone)
    };
    // She holds "+1 210 555 0100".
    assert!(!w.run(mark("210-555-0100", false)).unwrap().is_empty());
    assert!(!deliverable(&w));
    // Marked again in a third spelling: already so, nothing recorded.
    assert!(w.run(mark("1 (210) 555.0100", false)).unwrap().is_empty());
    assert!(!w.run(mark("(210) 555 0100", true)).unwrap().is_empty());
    assert!(deliverable(&w));
    let other = ChannelAddress::phone("210-555-0199").unwrap();
    w.refused(
        mark("210-555-0199", false),
        CustomerError::UnknownAddress {
            contact: jane,
            address: other,
        },
    );
    assert_eq!(
        Desk::rebuild(&w.store, DeskConfig::default()).unwrap(),
        w.desk
    );
}
