//! Delivery: handing out outbound messages under a lease, and their
//! acknowledgements.

#![allow(clippy::wildcard_imports)]

use super::*;

impl Desk {
    /// The next outbound message to deliver, if any is due at `now`. It is
    /// leased to the caller for [`DeskConfig::delivery_lease`]; acknowledge
    /// it with [`OutboxAction::MarkDelivered`] or [`OutboxAction::MarkFailed`].
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
        // Retries and leases that have come round join the queue again.
        for timer in self.timers.due_delivery(now) {
            self.timers.set(timer, None);
            if let Timer::Retry(id) | Timer::Lease(id) = timer
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
        let (message, failure) = match action {
            OutboxAction::MarkDelivered { message } => (message, None),
            OutboxAction::MarkFailed { message, reason } => (message, Some(reason)),
        };
        let entry = self.outbox_or_err(message)?;
        if !matches!(
            entry.state,
            DeliveryState::Ready | DeliveryState::Backoff { .. }
        ) {
            return Ok(());
        }
        let kind = match failure {
            None => OutboxEventKind::Delivered { id: message },
            Some(reason) => {
                let attempt = entry.failures.saturating_add(1);
                if attempt >= self.config.retry.max_attempts {
                    OutboxEventKind::Abandoned {
                        id: message,
                        attempts: attempt,
                        reason,
                    }
                } else {
                    OutboxEventKind::Failed {
                        id: message,
                        attempt,
                        reason,
                        retry_at: crate::time::plus(now, self.config.retry.delay_after(attempt)),
                    }
                }
            }
        };
        d.push(StreamId::Outbox, [outbox(now, kind)]);
        Ok(())
    }
}

pub(super) fn outbox(at: DateTime<Utc>, kind: OutboxEventKind) -> Event {
    Event::Outbox(OutboxEvent { at, kind })
}
