//! Channels that fail: fallbacks offered, replies rerouted, outages recorded.

use fanatical::channel::{Channel, ChannelKind, SocialNetwork, Visibility};
use fanatical::desk::{Command, Desk, DeskConfig};
use fanatical::outbox::Recipient;

use crate::support::World;

#[test]
fn when_email_is_down_replies_go_out_on_a_fallback_and_the_outage_is_recorded() {
    let mut w = World::new();
    let t = w.jane_emails("help");
    let ana = w.ana;
    w.run(Command::MarkChannelDown {
        channel: ChannelKind::Email,
        reason: "mail relay lost its disks".into(),
    })
    .unwrap();
    assert!(w.desk.is_down(ChannelKind::Email));
    assert_eq!(
        w.desk.offered_channels(ChannelKind::Email),
        vec![ChannelKind::Chat, ChannelKind::Social]
    );
    assert_eq!(
        w.desk.offered_channels(ChannelKind::Chat),
        vec![ChannelKind::Chat]
    );
    // Marking it down again records nothing new.
    assert!(
        w.run(Command::MarkChannelDown {
            channel: ChannelKind::Email,
            reason: "again".into()
        })
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
    assert!(matches!(&msg.recipient, Recipient::Contact { address, .. } if *address == w.jane_x));
    w.run(Command::MarkDelivered { message: msg.id }).unwrap();
    w.tick(90);
    w.run(Command::MarkChannelUp {
        channel: ChannelKind::Email,
    })
    .unwrap();
    w.run(Command::reply(t, ana, "And a follow-up by email."))
        .unwrap();
    let next = w.desk.poll_outbound(w.now).unwrap();
    assert_eq!(next.channel, Channel::Email);
    let outages = w.desk.outages();
    assert_eq!(outages.len(), 1);
    assert_eq!(outages[0].reason, "mail relay lost its disks");
    assert_eq!(outages[0].until, Some(w.now));
    assert_eq!(
        Desk::rebuild(&w.store, DeskConfig::default()).unwrap(),
        w.desk
    );
}

#[test]
fn the_phone_system_going_down_offers_social_chat_and_email() {
    let mut w = World::new();
    w.run(Command::MarkChannelDown {
        channel: ChannelKind::Phone,
        reason: "carrier outage".into(),
    })
    .unwrap();
    assert_eq!(
        w.desk.offered_channels(ChannelKind::Phone),
        vec![ChannelKind::Social, ChannelKind::Chat, ChannelKind::Email]
    );
    // With social down too, it is not offered.
    w.run(Command::MarkChannelDown {
        channel: ChannelKind::Social,
        reason: "API limits".into(),
    })
    .unwrap();
    assert_eq!(
        w.desk.offered_channels(ChannelKind::Phone),
        vec![ChannelKind::Chat, ChannelKind::Email]
    );
}
