//! Delivery: handing out outbound messages under a lease, and their
//! acknowledgements.

#![allow(clippy::wildcard_imports)]

use super::*;
use crate::outbox::OutboxAction;

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
        let message = self.state.outbox.get(id)?.message.clone();
        let until = crate::time::plus(now, self.config.delivery_lease);
        self.timers
            .set(Timer::Lease(id), Some((until, TimerKind::LeaseExpiry)));
        Some(message)
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
        d.push(StreamId::Outbox, events.into_iter().map(Event::Outbox));
        Ok(())
    }
}

pub(super) fn outbox(at: DateTime<Utc>, kind: OutboxEventKind) -> Event {
    Event::Outbox(OutboxEvent { at, kind })
}
