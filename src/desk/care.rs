//! The desk and proactive care: what an agent sees on opening a ticket,
//! repeat contacts, and period metrics.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};

use super::Desk;
use crate::channel::ChannelKind;
use crate::error::Error;
use crate::id::{IncidentId, TicketId};
use crate::metrics::{
    CareBriefing, ConversationStarter, Metrics, OpenIssue, Percentiles, QueuePeak, SlaAttainment,
};
use crate::sla::Phase;
use crate::ticket::{Author, EntryVisibility, Ticket};

impl Desk {
    /// See [`CustomersView::care_briefing`].
    pub(crate) fn care_briefing(
        &self,
        ticket: TicketId,
        now: DateTime<Utc>,
    ) -> Result<CareBriefing, Error> {
        let t = self.ticket_or_err(ticket)?;
        let mut other_open: Vec<OpenIssue> = self
            .tickets_of(t.customer())
            .filter(|o| o.id() != ticket && o.status().is_unsolved())
            .map(|o| OpenIssue {
                ticket: o.id(),
                subject: self.visible_subject(o),
                status: o.status(),
                opened_at: o.opened_at(),
            })
            .collect();
        other_open.sort_by_key(|o| (o.opened_at, o.ticket));
        let conversation_starter = t
            .requester()
            .filter(|_| !self.is_crisis(ticket))
            .and_then(|r| self.customer(t.customer())?.contact(r))
            .and_then(|c| {
                let profile = c.profile().filter(|p| !p.is_empty())?;
                Some(ConversationStarter {
                    contact: c.id(),
                    name: c.name().to_owned(),
                    family: profile.family.clone(),
                    interests: profile.interests.clone(),
                })
            });
        Ok(CareBriefing {
            ticket,
            other_open,
            incidents: self.incident_briefings(t.customer(), now),
            repeat_of: self.repeat_of(ticket),
            conversation_starter,
        })
    }

    /// Crisis tickets keep their subject to the safety role.
    fn visible_subject(&self, t: &Ticket) -> String {
        if self.is_crisis(t.id()) {
            crate::crisis::RESTRICTED.to_owned()
        } else {
            t.subject().to_owned()
        }
    }

    /// See [`TicketsView::repeat_of`].
    pub(crate) fn repeat_of(&self, ticket: TicketId) -> Vec<TicketId> {
        let Some(t) = self.ticket(ticket) else {
            return Vec::new();
        };
        let incidents = self.ticket_incidents();
        let mut earlier: Vec<&Ticket> = self.tickets_of(t.customer()).collect();
        earlier.sort_by_key(|o| (o.opened_at(), o.id()));
        self.repeats(t, &earlier, &incidents)
    }

    /// The tickets among `earlier` (one customer's, sorted by opening)
    /// that `t` repeats. Looks only at the repeat window, by binary search.
    fn repeats(
        &self,
        t: &Ticket,
        earlier: &[&Ticket],
        incidents: &BTreeMap<TicketId, BTreeSet<IncidentId>>,
    ) -> Vec<TicketId> {
        let since = crate::time::minus(t.opened_at(), self.config.care.repeat_within);
        let start = earlier.partition_point(|o| o.opened_at() < since);
        earlier
            .get(start..)
            .unwrap_or_default()
            .iter()
            .take_while(|o| (o.opened_at(), o.id()) < (t.opened_at(), t.id()))
            .filter(|o| o.customer() == t.customer() && same_problem(t, o, incidents))
            .map(|o| o.id())
            .collect()
    }

    fn ticket_incidents(&self) -> BTreeMap<TicketId, BTreeSet<IncidentId>> {
        let mut out: BTreeMap<TicketId, BTreeSet<IncidentId>> = BTreeMap::new();
        for i in self.state.incidents.iter() {
            for t in i.linked() {
                out.entry(*t).or_default().insert(i.id());
            }
        }
        out
    }

    /// See [`TicketsView::metrics`].
    pub(crate) fn metrics(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Metrics {
        let in_period = |at: DateTime<Utc>| at >= from && at < to;
        let mut opened = 0u32;
        let mut unanswered = 0u32;
        let mut repeats = 0u32;
        let mut frt: BTreeMap<_, Vec<chrono::Duration>> = BTreeMap::new();
        let incidents = self.ticket_incidents();
        // Each customer's tickets from one repeat window before the period.
        let since = crate::time::minus(from, self.config.care.repeat_within);
        let mut by_customer: BTreeMap<_, Vec<&Ticket>> = BTreeMap::new();
        for t in self.tickets_opened(since, to) {
            by_customer.entry(t.customer()).or_default().push(t);
        }
        for list in by_customer.values_mut() {
            list.sort_by_key(|o| (o.opened_at(), o.id()));
        }
        for t in self.tickets_opened(from, to) {
            opened += 1;
            let earlier = by_customer
                .get(&t.customer())
                .map_or(&[][..], Vec::as_slice);
            if !self.repeats(t, earlier, &incidents).is_empty() {
                repeats += 1;
            }
            match first_response(t) {
                Some(d) => frt.entry(t.channel().kind()).or_default().push(d),
                None => unanswered += 1,
            }
        }
        let mut sla = SlaAttainment::default();
        for s in self.state.slas.iter() {
            let t = self.ticket(s.ticket);
            for m in s.metrics() {
                let outcome = match (&m.phase, m.breached) {
                    (_, Some(deadline)) => Some((deadline, false)),
                    (Phase::Fulfilled { at, .. }, None) => Some((*at, true)),
                    _ => None,
                };
                let Some((_, met)) = outcome.filter(|(at, _)| in_period(*at)) else {
                    continue;
                };
                sla.by_metric.entry(m.key.metric).or_default().add(met);
                if let Some(team) = t.and_then(Ticket::team) {
                    sla.by_team.entry(team).or_default().add(met);
                }
                if let Some(agent) = t.and_then(Ticket::assignee) {
                    sla.by_agent.entry(agent).or_default().add(met);
                }
            }
        }
        let daily_queue = self.daily_queue(from, to, None);
        let peak = |q: &BTreeMap<NaiveDate, u32>| {
            q.iter()
                .max_by_key(|(day, n)| (**n, std::cmp::Reverse(**day)))
                .map(|(d, n)| QueuePeak {
                    day: *d,
                    tickets: *n,
                })
        };
        let peak_queue = peak(&daily_queue).map(|p| (p.day, p.tickets));
        let channels: BTreeSet<ChannelKind> = self.state.tickets.queue_log().channels();
        let daily_queue_by_channel: BTreeMap<ChannelKind, BTreeMap<NaiveDate, u32>> = channels
            .into_iter()
            .map(|c| (c, self.daily_queue(from, to, Some(c))))
            .collect();
        let peak_queue_by_channel = daily_queue_by_channel
            .iter()
            .filter_map(|(c, q)| peak(q).map(|p| (*c, p)))
            .collect();
        let nps = self.nps_where(|i| i.answered.as_ref().is_some_and(|(at, _)| in_period(*at)));
        Metrics {
            from,
            to,
            opened,
            first_response: frt
                .into_iter()
                .filter_map(|(k, v)| Percentiles::of(v).map(|p| (k, p)))
                .collect(),
            unanswered,
            sla,
            daily_queue,
            peak_queue,
            daily_queue_by_channel,
            peak_queue_by_channel,
            repeat_contacts: repeats,
            nps,
            smiles: self.smiles(from, to).values().sum(),
            archived: if from < to {
                let last = crate::time::minus(to, chrono::Duration::nanoseconds(1));
                self.state
                    .tickets
                    .archived_between(from.date_naive(), last.date_naive())
            } else {
                0
            },
        }
    }

    /// The most unsolved tickets (on `channel`, or all) at any moment of
    /// each day in `[from, to)`, days in the desk's time zone.
    fn daily_queue(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        channel: Option<ChannelKind>,
    ) -> BTreeMap<NaiveDate, u32> {
        self.state
            .tickets
            .queue_log()
            .daily_peaks(self.config.time_zone, from, to, channel)
    }
}

/// Wall-clock time from the customer's first message to the first public
/// agent reply after it.
fn first_response(t: &Ticket) -> Option<chrono::Duration> {
    let entries = t.conversation();
    let start = entries
        .iter()
        .find(|e| matches!(e.author, Author::Contact(_)))
        .map_or(t.opened_at(), |e| e.at);
    entries
        .iter()
        .find(|e| {
            matches!(e.author, Author::Agent(_))
                && e.visibility == EntryVisibility::Public
                && e.at >= start
                && e.origin.is_none()
        })
        .map(|e| e.at - start)
}

fn same_problem(
    a: &Ticket,
    b: &Ticket,
    incidents: &BTreeMap<TicketId, BTreeSet<IncidentId>>,
) -> bool {
    if a.tags().intersection(b.tags()).next().is_some() {
        return true;
    }
    if let (Some(x), Some(y)) = (incidents.get(&a.id()), incidents.get(&b.id()))
        && x.intersection(y).next().is_some()
    {
        return true;
    }
    let linked = |x: &Ticket, y: TicketId| {
        let l = x.links();
        l.problem == Some(y)
            || l.incidents.contains(&y)
            || l.duplicate_of == Some(y)
            || l.duplicates.contains(&y)
            || l.merged_into == Some(y)
            || l.merged_from.contains(&y)
    };
    if linked(a, b.id()) || linked(b, a.id()) {
        return true;
    }
    let (x, y) = (normal_subject(a.subject()), normal_subject(b.subject()));
    !x.is_empty() && x != "(no subject)" && x == y
}

/// Lowercase words without leading "re:", "fw:", "fwd:".
fn normal_subject(s: &str) -> String {
    let mut words: Vec<String> = s.split_whitespace().map(str::to_lowercase).collect();
    while words
        .first()
        .is_some_and(|w| matches!(w.as_str(), "re:" | "fw:" | "fwd:" | "aw:"))
    {
        words.remove(0);
    }
    words.join(" ")
}

#[cfg(test)]
mod tests {
    use super::normal_subject;

    #[test]
    fn subjects_compare_without_reply_prefixes() {
        assert_eq!(normal_subject("RE: Fwd:  Site   DOWN"), "site down");
        assert_eq!(normal_subject("re:"), "");
    }
}
