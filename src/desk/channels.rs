//! The desk and channels that fail: outages, fallbacks, and replies that
//! still reach the customer.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::{Desk, DeskError, Drafts};
use crate::channel::ChannelAction;
use crate::channel::{Channel, ChannelAddress, ChannelKind, Outage, Visibility};
use crate::customer::{Contact, ContactRole, Customer};
use crate::event::{Event, StreamId};
use crate::id::ContactId;
use crate::ticket::Ticket;

/// The default fallbacks: the phone system down sends people to social, a
/// mobile number (chat/SMS) and email.
#[must_use]
pub fn default_fallbacks() -> BTreeMap<ChannelKind, Vec<ChannelKind>> {
    use ChannelKind::*;
    BTreeMap::from([
        (Phone, vec![Social, Chat, Email]),
        (Email, vec![Chat, Social]),
        (Portal, vec![Email, Chat]),
        (Chat, vec![Email, Social]),
        (Social, vec![Email, Chat]),
        (Video, vec![Phone, Chat]),
    ])
}

/// The channel a message to `address` goes out on (social replies to a
/// handle go as private messages).
/// Who a public reply on a ticket is for: its requester, else the
/// customer's primary contact.
pub(super) fn reply_contact<'c>(t: &Ticket, customer: &'c Customer) -> Option<&'c Contact> {
    t.requester().and_then(|r| customer.contact(r)).or_else(|| {
        customer
            .contacts()
            .find(|c| c.roles().contains(&ContactRole::Primary))
    })
}

/// Who a customer-level message goes to: the primary contact, else the
/// first contact.
pub(super) fn reply_contact_of(customer: &Customer) -> Option<ContactId> {
    customer
        .contacts()
        .find(|c| c.roles().contains(&ContactRole::Primary))
        .or_else(|| customer.contacts().next())
        .map(|c| c.id())
}

pub(super) fn channel_for(address: &ChannelAddress) -> Channel {
    match address {
        ChannelAddress::Phone(_) => Channel::Phone,
        ChannelAddress::Email(_) => Channel::Email,
        ChannelAddress::Social { network, .. } => Channel::Social {
            network: network.clone(),
            visibility: Visibility::Private,
        },
        ChannelAddress::Chat(_) => Channel::Chat,
        ChannelAddress::Video(_) => Channel::Video,
    }
}

impl Desk {
    /// See [`ChannelsView::is_down`].
    pub(crate) fn is_down(&self, channel: ChannelKind) -> bool {
        self.state.channels.is_down(channel)
    }

    /// See [`ChannelsView::offered`].
    pub(crate) fn offered_channels(&self, channel: ChannelKind) -> Vec<ChannelKind> {
        if !self.is_down(channel) {
            return vec![channel];
        }
        self.config
            .fallbacks
            .get(&channel)
            .map(|f| f.iter().copied().filter(|c| !self.is_down(*c)).collect())
            .unwrap_or_default()
    }

    /// See [`ChannelsView::outages`].
    pub(crate) fn outages(&self) -> &[Outage] {
        self.state.channels.outages()
    }

    /// Where a public reply on `channel` goes: the requester (else the
    /// primary contact) at their first deliverable address on that
    /// channel, or, when the channel is down or every address they have on
    /// it is undeliverable (bounced), on the first working fallback they
    /// can be reached on; with none, a bounced address is still used (the
    /// reply is never refused for it).
    pub(super) fn route_reply(
        &self,
        t: &Ticket,
        customer: &Customer,
        channel: &Channel,
    ) -> Result<(Channel, ContactId, ChannelAddress), DeskError> {
        // A crisis ticket's replies are for the person who wrote, never
        // another contact of the organisation.
        let contact = if self.is_crisis(t.id()) {
            t.requester().and_then(|r| customer.contact(r))
        } else {
            reply_contact(t, customer)
        };
        let c = contact.ok_or_else(|| DeskError::Unreachable {
            ticket: t.id(),
            channel: channel.clone(),
        })?;
        self.route_to(t, c, channel)
    }

    /// Where a public reply on `channel` reaches contact `c`, as
    /// [`Desk::route_reply`] says.
    pub(super) fn route_to(
        &self,
        t: &Ticket,
        c: &Contact,
        channel: &Channel,
    ) -> Result<(Channel, ContactId, ChannelAddress), DeskError> {
        let target = super::delivery_channel(channel);
        let unreachable = || DeskError::Unreachable {
            ticket: t.id(),
            channel: channel.clone(),
        };
        // With every address on the channel bounced and no fallback, the
        // reply still goes to the first of them (as before it bounced):
        // an agent's answer is never refused because a mailbox was full.
        let mut bounced = None;
        let fallbacks = if self.is_down(target.kind()) {
            self.offered_channels(target.kind())
        } else {
            let mut on_target = c.addresses().iter().filter(|a| a.reaches(&target));
            let Some(first) = on_target.next() else {
                return Err(unreachable());
            };
            if let Some(a) = std::iter::once(first)
                .chain(on_target)
                .find(|a| c.is_deliverable(a))
            {
                return Ok((target.clone(), c.id(), a.clone()));
            }
            // Every address on the channel bounced: the contact's next
            // channel, as when the channel is down.
            bounced = Some(first);
            self.config
                .fallbacks
                .get(&target.kind())
                .map(|f| f.iter().copied().filter(|k| !self.is_down(*k)).collect())
                .unwrap_or_default()
        };
        fallbacks
            .into_iter()
            .find_map(|kind| {
                c.addresses()
                    .iter()
                    .find(|a| a.kind() == kind && c.is_deliverable(a))
            })
            .map(|a| (channel_for(a), c.id(), a.clone()))
            .or_else(|| bounced.map(|a| (target.clone(), c.id(), a.clone())))
            .ok_or_else(unreachable)
    }

    pub(super) fn decide_channel_action(
        &self,
        d: &mut Drafts,
        action: ChannelAction,
        now: DateTime<Utc>,
    ) -> Result<(), crate::error::BlankText> {
        let events = self
            .state
            .channels
            .handle(action, &self.config.fallbacks, now)?;
        d.push(StreamId::Channels, events.into_iter().map(Event::Channel));
        Ok(())
    }
}
