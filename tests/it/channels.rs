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
