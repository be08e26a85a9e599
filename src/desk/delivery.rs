//! Delivery: handing out outbound messages under a lease, and their
//! acknowledgements.

#![allow(clippy::wildcard_imports)]

use super::*;
use std::collections::BTreeSet;

use crate::outbox::OutboxAction;
use crate::store::{DeliveryLeases, Lease, LeaseHolder, LeaseOutcome};

/// An outbound message handed out with its lease held in the store
/// ([`Desk::poll_outbound_leased`]).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct LeasedMessage {
    /// The message to deliver.
    pub message: OutboundMessage,
    /// Its lease: finish it once the delivery is recorded, release it
    /// after a failure.
    pub lease: Lease,
}

impl Desk {
    /// The next outbound message to deliver, if any is due at `now`. It is
    /// leased to the caller for [`DeskConfig::delivery_lease`]; acknowledge
    /// it with [`crate::outbox::OutboxAction::MarkDelivered`] or [`crate::outbox::OutboxAction::MarkFailed`].
    ///
    /// ```
    /// # use chrono::{Duration, TimeZone, Utc};
    /// # use fanatical::prelude::*;
    /// # let fanatical::desk::fixture::Fixture { mut desk, mut store, mut ids, now, acme, jane, ana, ticket, email } =
    /// #     fanatical::desk::fixture::fixture()?;
    /// desk.execute(&mut store, Command::reply(ticket, ana, "Fixed."), now)?;
    /// let mut transport = RecordingTransport::new();
    /// while let Some(msg) = desk.poll_outbound(now) {
    ///     transport.deliver(&msg)?;
    ///     desk.execute(&mut store, Command::new(Actor::integration("transport"), OutboxAction::MarkDelivered { message: msg.id }), now)?;
    /// }
    /// assert_eq!(transport.delivered().len(), 1);
    /// assert_eq!(desk.channels().undelivered(), 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn poll_outbound(&mut self, now: DateTime<Utc>) -> Option<OutboundMessage> {
        let id = self.next_ready(now)?;
        let message = self.state.outbox.get(id)?.message.clone();
        let until = crate::time::plus(now, self.config.delivery_lease);
        self.timers
            .set(Timer::Lease(id), Some((until, TimerKind::LeaseExpiry)));
        Some(message)
    }

    /// The next outbound message to deliver, if any is due at `now`, with
    /// its lease taken in the store for `holder`: for desks that share a
    /// store, so that none delivers a message another holds the lease of.
    /// A message whose lease another holder has is skipped until that
    /// lease ends; one whose delivery another holder finished is skipped
    /// (this desk learns of the delivery when it catches up).
    ///
    /// Deliver it, record the outcome, then finish the lease
    /// ([`DeliveryLeases::finish_lease`]) on success or release it
    /// ([`DeliveryLeases::release_lease`]) on a failure to be retried.
    ///
    /// # Errors
    /// The lease store's errors: the message is held back here until its
    /// local lease ([`DeskConfig::delivery_lease`]) ends, as if handed out.
    ///
    /// ```
    /// use fanatical::store::{DeliveryLeases, LeaseHolder, SharedStore};
    /// # use fanatical::prelude::*;
    /// # let fanatical::desk::fixture::Fixture { mut desk, store, now, ticket, ana, .. } =
    /// #     fanatical::desk::fixture::fixture()?;
    /// let shared = SharedStore::new(store);
    /// let (mut a, mut b) = (shared.clone(), shared.clone());
    /// let mut other = Desk::rebuild(&b, desk.config().clone())?;
    /// desk.execute(&mut a, Command::reply(ticket, ana, "Fixed."), now)?;
    /// other.catch_up(&b)?;
    /// let (one, two) = (LeaseHolder::new("desk-1")?, LeaseHolder::new("desk-2")?);
    ///
    /// let leased = desk.poll_outbound_leased(&mut a, &one, now)?.expect("the reply");
    /// // The other desk has the same reply queued, but desk-1 holds its lease.
    /// assert!(other.poll_outbound_leased(&mut b, &two, now)?.is_none());
    /// let mut transport = RecordingTransport::new();
    /// transport.deliver(&leased.message)?;
    /// desk.execute(&mut a, Command::new(Actor::integration("transport"),
    ///     OutboxAction::MarkDelivered { message: leased.message.id }), now)?;
    /// assert!(a.finish_lease(&leased.lease)?);
    /// assert_eq!(transport.delivered().len(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn poll_outbound_leased<L: DeliveryLeases + ?Sized>(
        &mut self,
        leases: &mut L,
        holder: &LeaseHolder,
        now: DateTime<Utc>,
    ) -> Result<Option<LeasedMessage>, Error> {
        let local = crate::time::plus(now, self.config.delivery_lease);
        // Each turn takes one message off the ready queue and sets its
        // timer; one asked about already (a timer that could not move past
        // `now` at the end of time) ends the loop.
        let mut asked = BTreeSet::new();
        while let Some(id) = self.next_ready(now) {
            if !asked.insert(id) {
                break;
            }
            let Some(message) = self.state.outbox.get(id).map(|e| e.message.clone()) else {
                continue;
            };
            // Held back here whatever the store says, until it is due again.
            self.timers
                .set(Timer::Lease(id), Some((local, TimerKind::LeaseExpiry)));
            match leases.take_lease(id, holder, now, local)? {
                LeaseOutcome::Taken(lease) => return Ok(Some(LeasedMessage { message, lease })),
                // Asked again when the other holder's lease ends.
                LeaseOutcome::Held { until, .. } => {
                    self.timers
                        .set(Timer::Lease(id), Some((until, TimerKind::LeaseExpiry)));
                }
                // Delivered by another desk: asked again only if this
                // desk has still not caught up a lease from now.
                LeaseOutcome::Finished => {}
            }
        }
        Ok(None)
    }

    /// Moves the delivery timers due at `now` to the ready queue and takes
    /// the first ready message off it.
    fn next_ready(&mut self, now: DateTime<Utc>) -> Option<MessageId> {
        // Retries, leases and deferred pages that have come round join
        // the queue (again).
        for timer in self.timers.due_delivery(now) {
            self.timers.set(timer, None);
            if let Timer::Retry(id) | Timer::Lease(id) | Timer::Deferred(id) = timer
                && let Some(entry) = self.state.outbox.get(id)
                && matches!(
                    entry.state,
                    DeliveryState::Ready | DeliveryState::Backoff { .. }
                )
            {
                self.ready.insert(entry.queued_position, id);
            }
        }
        let (_, id) = self.ready.pop_first()?;
        Some(id)
    }

    pub(super) fn decide_outbox(
        &self,
        d: &mut Drafts,
        action: OutboxAction,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        let events = self
            .state
            .outbox
            .handle(action, &self.config.retry, now)
            .map_err(|e| match e {
                crate::outbox::OutboxError::UnknownMessage(id) => {
                    Error::from(DeskError::UnknownMessage(id))
                }
                crate::outbox::OutboxError::Blank(blank) => Error::from(blank),
            })?;
        d.push_outbox(events.into_iter().map(Event::Outbox));
        Ok(())
    }
}

pub(super) fn outbox(at: DateTime<Utc>, kind: OutboxEventKind) -> Event {
    Event::Outbox(OutboxEvent { at, kind })
}
