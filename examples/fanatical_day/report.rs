//! The report a support leader reads at the end of the day.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use chrono::{DateTime, Duration, Utc};
use chrono_tz::America::Chicago;
use fanatical::channel::ChannelKind;
use fanatical::desk::Desk;
use fanatical::event::StreamId;
use fanatical::guard::PostState;
use fanatical::id::{IncidentId, MessageId};
use fanatical::incident::{IncidentEventKind, ReasonCode};
use fanatical::outbox::{DeliveryState, Recipient};
use fanatical::recognition::Acknowledgement;
use fanatical::sla::{Metric, Phase};
use fanatical::store::{MemoryStore, Store};
use fanatical::ticket::Author;

use super::cast::{OFFICIAL, VIP};
use super::stories::{CRISIS_MESSAGE, WAVE};
use super::{Day, Result, hhmm, local};

impl Day {
    /// The report a support leader reads at the end of the day.
    pub fn report(&self) -> Result<String> {
        let mut out = String::new();
        let (from, to) = (local(0, 0), local(23, 59) + Duration::minutes(1));
        let metrics = self.desk.tickets().metrics(from, to);
        writeln!(
            out,
            "A FANATICAL DAY — Monday 2 November 2026 (America/Chicago)\n{}",
            "=".repeat(72)
        )?;

        writeln!(out, "\nThe day, by the clock")?;
        let mut log = self.log.clone();
        log.sort_by_key(|(at, _)| *at);
        for (at, line) in &log {
            writeln!(out, "  {}  {line}", hhmm(*at))?;
        }

        writeln!(out, "\nVolume and first response by channel")?;
        writeln!(
            out,
            "  {:<8} {:>7} {:>7} {:>9} {:>9} {:>9}",
            "channel", "opened", "solved", "answered", "median", "p90"
        )?;
        let mut volume: BTreeMap<ChannelKind, (usize, usize)> = BTreeMap::new();
        for t in self.desk.tickets().iter() {
            let row = volume.entry(t.channel().kind()).or_default();
            row.0 += 1;
            if !t.status().is_unsolved() {
                row.1 += 1;
            }
        }
        for (kind, (opened, solved)) in &volume {
            let frt = metrics.first_response.get(kind);
            let mins = |d: Duration| format!("{} min", d.num_minutes());
            writeln!(
                out,
                "  {:<8} {opened:>7} {solved:>7} {:>9} {:>9} {:>9}",
                kind.to_string(),
                frt.map_or(0, |p| p.count),
                frt.map_or("—".into(), |p| mins(p.median)),
                frt.map_or("—".into(), |p| mins(p.p90)),
            )?;
        }
        writeln!(
            out,
            "  {} tickets opened today, {} still without a first response",
            metrics.opened, metrics.unanswered
        )?;

        writeln!(
            out,
            "\nSLA attainment by channel and metric (met / breached; still running)"
        )?;
        let mut sla: BTreeMap<(ChannelKind, Metric), (usize, usize, usize)> = BTreeMap::new();
        for record in self.desk.tickets().slas() {
            let Some(t) = self.desk.tickets().get(record.ticket) else {
                continue;
            };
            for m in record.metrics() {
                let row = sla.entry((t.channel().kind(), m.key.metric)).or_default();
                match (&m.phase, m.breached.is_some()) {
                    (_, true) => row.1 += 1,
                    (Phase::Fulfilled { .. }, false) => row.0 += 1,
                    (Phase::Active { .. } | Phase::Paused, false) => row.2 += 1,
                    _ => {}
                }
            }
        }
        for ((channel, metric), (met, breached, running)) in &sla {
            if met + breached + running == 0 {
                continue;
            }
            writeln!(
                out,
                "  {:<8} {:<22} {met:>4} / {breached:<4} {:>7}   ({running} running)",
                channel.to_string(),
                metric.label(),
                percent(*met, *breached)
            )?;
        }
        write!(out, "  all channels:")?;
        for (metric, a) in &metrics.sla.by_metric {
            write!(
                out,
                " {}: {}",
                metric.label(),
                percent(a.met as usize, a.breached as usize)
            )?;
        }
        writeln!(out)?;

        writeln!(out, "\nEscalations ({} in all)", self.escalations.len())?;
        let mut by_path: BTreeMap<(&str, &[String]), usize> = BTreeMap::new();
        for e in &self.escalations {
            *by_path
                .entry((e.department.as_str(), e.path.as_slice()))
                .or_default() += 1;
        }
        for ((department, path), n) in &by_path {
            writeln!(out, "  {n:>3} × to {department}, because")?;
            for hop in *path {
                writeln!(out, "          {hop}")?;
            }
        }
        if let Some(e) = self
            .escalations
            .iter()
            .find(|e| e.ticket == self.stories.social_late)
        {
            let people: Vec<String> = e.people.iter().map(|a| self.name_of(*a)).collect();
            writeln!(
                out,
                "  the 15:00 post: {} at {}; to {} ({}), carrying {}",
                e.trigger,
                hhmm(e.at),
                e.department,
                people.join(", "),
                e.context.join(", ")
            )?;
        }

        self.report_phone_outage(&mut out)?;
        self.report_incident(&mut out)?;
        self.report_wave(&mut out)?;
        self.report_languages(&mut out)?;
        self.report_recognition(&mut out)?;
        self.report_queue(&mut out)?;
        self.report_guardrails(&mut out)?;
        self.report_crisis(&mut out)?;
        self.report_people(&mut out)?;

        writeln!(out, "\nOutbox")?;
        let delivered = self
            .desk
            .channels()
            .outbox()
            .filter(|e| e.state == DeliveryState::Delivered)
            .count();
        let retried = self
            .desk
            .channels()
            .outbox()
            .filter(|e| e.failures > 0)
            .count();
        writeln!(
            out,
            "  {delivered} messages delivered ({retried} after retries), {} still pending; the \
             transport saw {} attempts",
            self.desk.channels().undelivered(),
            self.transport.attempts()
        )?;

        let rebuilt = Desk::rebuild(&self.store, self.desk.config().clone())?;
        let events = self.store.read_all(0, usize::MAX)?.len();
        writeln!(out, "\nThe record")?;
        writeln!(
            out,
            "  {events} events; {} background conversations; a desk rebuilt from the store is {}",
            self.background,
            if rebuilt == self.desk {
                "identical"
            } else {
                "DIFFERENT"
            }
        )?;
        Ok(out)
    }

    fn report_phone_outage(&self, out: &mut String) -> Result<()> {
        writeln!(out, "\nThe phone system")?;
        for o in self
            .desk
            .channels()
            .outages()
            .iter()
            .filter(|o| o.channel == ChannelKind::Phone)
        {
            let fallbacks: Vec<String> = o.fallbacks.iter().map(ToString::to_string).collect();
            writeln!(
                out,
                "  down {}–{} ({}); offered instead: {}",
                hhmm(o.from),
                o.until.map(hhmm).unwrap_or_else(|| "still down".into()),
                o.reason,
                fallbacks.join(", ")
            )?;
            let moved: Vec<String> = self
                .stories
                .moved_from_phone
                .iter()
                .map(|(k, n)| format!("{n} on {k}"))
                .collect();
            writeln!(
                out,
                "  customers who would have called wrote instead: {}",
                moved.join(", ")
            )?;
            let rerouted = rerouted_phone_replies(&self.desk);
            let rerouted: Vec<String> = rerouted
                .iter()
                .map(|(k, n)| format!("{n} by {k}"))
                .collect();
            writeln!(
                out,
                "  replies to calls went out while it was down: {}",
                if rerouted.is_empty() {
                    "none".into()
                } else {
                    rerouted.join(", ")
                }
            )?;
        }
        if let Some(fanatical::guard::PostRecord { post, state, .. }) =
            self.desk.channels().post(self.stories.outage_post)
        {
            writeln!(
                out,
                "  announced on {}: \"{}\" ({})",
                OFFICIAL,
                post.text,
                post_state(state)
            )?;
        }
        Ok(())
    }

    fn report_incident(&self, out: &mut String) -> Result<()> {
        let Some(i) = self.desk.incidents().get(self.stories.incident) else {
            return Ok(());
        };
        writeln!(out, "\nIncident: {}", i.title())?;
        let resolved = i.resolved_at();
        writeln!(
            out,
            "  declared {}, resolved {} ({} min); commander {}",
            hhmm(i.declared_at()),
            resolved.map(hhmm).unwrap_or_else(|| "not yet".into()),
            resolved.map_or(0, |r| (r - i.declared_at()).num_minutes()),
            self.name_of(i.commander())
        )?;
        let messages = incident_messages(&self.desk, &self.store, self.stories.incident)?;
        let delivered = messages
            .iter()
            .filter(|(_, state)| *state == DeliveryState::Delivered)
            .count();
        writeln!(
            out,
            "  {} customers affected; {} updates with text; {} messages to their contacts, {} \
             delivered",
            i.affected().len(),
            i.updates()
                .iter()
                .filter(|u| !u.messages.is_empty())
                .count(),
            messages.len(),
            delivered
        )?;
        let linked = i.linked();
        let solved = linked
            .iter()
            .filter(|t| {
                self.desk
                    .tickets()
                    .get(**t)
                    .is_some_and(|t| !t.status().is_unsolved())
            })
            .count();
        writeln!(
            out,
            "  {} tickets linked, {solved} solved with the resolution",
            linked.len()
        )?;
        if !self.stories.briefing.is_empty() {
            writeln!(
                out,
                "  the first caller's agent saw: {}",
                self.stories.briefing
            )?;
        }
        let mut by_reason: BTreeMap<String, (usize, i64)> = BTreeMap::new();
        let credits = self
            .desk
            .incidents()
            .credits(self.stories.incident, self.cast.graham)?;
        for credit in &credits {
            let row = by_reason
                .entry(credit.reason.as_str().to_owned())
                .or_default();
            row.0 += 1;
            row.1 += credit.amount.map_or(0, |m| m.minor);
        }
        let reasons = &self.desk.config().incidents.credits.reasons;
        for (reason, (n, minor)) in &by_reason {
            let meaning = ReasonCode::new(reason)
                .ok()
                .and_then(|r| reasons.get(&r).cloned())
                .unwrap_or_default();
            writeln!(
                out,
                "  credits: {n} × {reason} ({meaning}), {}.{:02} USD",
                minor / 100,
                minor % 100
            )?;
        }
        if let Some(at) = i.follow_up_at() {
            writeln!(
                out,
                "  follow-ups scheduled for {} ({} customers)",
                at.with_timezone(&Chicago).format("%A %-d %B %Y"),
                i.affected().len()
            )?;
        }
        writeln!(out, "  timeline (Chicago time):")?;
        // The report is the CEO's: an executive sees the credit amounts.
        let timeline = self
            .desk
            .incidents()
            .timeline(self.stories.incident, self.cast.graham)?;
        let (mut credits, mut links, mut joins) = (0, 0, BTreeMap::new());
        for e in &timeline.entries {
            match &e.event {
                Some(IncidentEventKind::CreditIssued { .. }) => credits += 1,
                Some(IncidentEventKind::TicketLinked { .. }) => links += 1,
                Some(IncidentEventKind::CustomerJoined { component, .. }) => {
                    let row = joins.entry((e.at, component.to_string())).or_insert(0);
                    *row += 1;
                    if *row == 1 {
                        writeln!(
                            out,
                            "    {}  the incident spreads to {component}",
                            hhmm(e.at)
                        )?;
                    }
                }
                _ => writeln!(out, "    {}  {}", hhmm(e.at), e.summary)?,
            }
        }
        let joined: i32 = joins.values().sum();
        writeln!(
            out,
            "    (and {joined} customers joined, {links} tickets linked, {credits} credits issued)"
        )?;
        let unreached = i.unreached();
        if !unreached.is_empty() {
            writeln!(
                out,
                "  {} contacts no written update could reach, {} with a call-out task",
                unreached.len(),
                unreached.iter().filter(|u| u.call_out.is_some()).count()
            )?;
        }
        Ok(())
    }

    /// Each contact is written to in their language: Sam Ortiz (the blog)
    /// reads Spanish, the others English. The first message the desk wrote
    /// by itself to Sam and to one other customer, incident notices aside
    /// (whose text is the incident team's own).
    fn report_languages(&self, out: &mut String) -> Result<()> {
        writeln!(out, "\nIn each customer's language")?;
        let mut shown = 0;
        for p in &self.people {
            if shown == 2 {
                break;
            }
            let first = self.transport.delivered().iter().find(|m| {
                m.automatic
                    && !m.body.starts_with('[')
                    && matches!(m.recipient, Recipient::Contact { contact, .. } if contact == p.contact)
            });
            if let Some(m) = first {
                let line = m.body.lines().next().unwrap_or_default();
                let line = line.split(" (").next().unwrap_or(line);
                writeln!(out, "  to {}: {line}", p.name)?;
                shown += 1;
            }
        }
        Ok(())
    }

    fn report_wave(&self, out: &mut String) -> Result<()> {
        let nps = self.desk.surveys().nps_of_wave(WAVE);
        let invited = self
            .desk
            .surveys()
            .invitations()
            .filter(|i| i.invitation.wave.as_deref() == Some(WAVE))
            .count();
        writeln!(out, "\nNPS wave {WAVE}")?;
        writeln!(
            out,
            "  {invited} invited, {} answered: NPS {} ({} promoters, {} passives, {} detractors)",
            nps.responses(),
            nps.score().map_or("—".into(), |s| format!("{s:+.0}")),
            nps.promoters,
            nps.passives,
            nps.detractors
        )?;
        if let Some(inv) = self.stories.detractor {
            let task = self.desk.tickets().get(inv.follow_up_ticket());
            let name = self
                .desk
                .surveys()
                .invitations()
                .find(|i| i.invitation.id == inv)
                .and_then(|i| {
                    self.people
                        .iter()
                        .find(|p| p.customer == i.invitation.customer)
                })
                .map_or("?", |p| p.name.as_str());
            writeln!(
                out,
                "  {name} scored 3: a call-back task for {}, now {}",
                task.and_then(|t| t.assignee())
                    .map_or("nobody".into(), |a| self.name_of(a)),
                task.map_or("missing".into(), |t| t.status().to_string())
            )?;
        }
        if let Some(fanatical::recognition::PraiseRecord { praise: p, ack, .. }) =
            self.desk.people().praise(self.stories.promoter_praise)
        {
            let chain: Vec<String> = p.chain.iter().map(|a| self.name_of(*a)).collect();
            writeln!(
                out,
                "  the promoter: \"{}\" — for {}, up the chain to {}; {}",
                p.text,
                p.agent.map_or("nobody".into(), |a| self.name_of(a)),
                chain.join(" → "),
                acknowledgement(self, ack)
            )?;
        }
        Ok(())
    }

    fn report_recognition(&self, out: &mut String) -> Result<()> {
        let (from, to) = (local(0, 0), local(23, 59) + Duration::minutes(1));
        writeln!(out, "\nSmiles and kudos")?;
        for (agent, n) in self.desk.people().smiles(from, to) {
            writeln!(
                out,
                "  {:<26} {n} smile(s), {} kudos in all",
                self.name_of(agent),
                self.desk.people().kudos(agent)
            )?;
        }
        for fanatical::recognition::PraiseRecord { praise: p, ack, .. } in
            self.desk.people().praises()
        {
            writeln!(out, "  \"{}\" — {}", p.text, acknowledgement(self, ack))?;
        }
        for cert in self.desk.people().certificates() {
            writeln!(
                out,
                "  certificate {}: \"{}\" for {}, from {}",
                cert.serial,
                cert.title,
                self.name_of(cert.agent),
                self.name_of(cert.by)
            )?;
        }
        Ok(())
    }

    fn report_queue(&self, out: &mut String) -> Result<()> {
        writeln!(out, "\nAna's queue at 14:00, next SLA breach first")?;
        for line in &self.stories.queue {
            writeln!(out, "  {line}")?;
        }
        Ok(())
    }

    fn report_guardrails(&self, out: &mut String) -> Result<()> {
        writeln!(out, "\nGuardrails and coaching")?;
        for fanatical::guard::PostRecord { post, state, .. } in self.desk.channels().posts() {
            writeln!(out, "  \"{}\" — {}", post.text, post_state(state))?;
        }
        for r in &self.stories.refusals {
            writeln!(out, "  refused: {r}")?;
        }
        for f in self.desk.people().coaching_flags() {
            let times: Vec<String> = f.occurrences.iter().map(|t| hhmm(*t)).collect();
            writeln!(
                out,
                "  coaching: {} made the same mistake ({}) twice, at {}; flagged to {}",
                self.name_of(f.agent),
                f.kind,
                times.join(" and "),
                f.lead.map_or("nobody".into(), |l| self.name_of(l))
            )?;
        }
        Ok(())
    }

    fn report_crisis(&self, out: &mut String) -> Result<()> {
        writeln!(out, "\nA person in crisis")?;
        let Some(t) = self.desk.tickets().get(self.stories.crisis) else {
            return Ok(());
        };
        let first_reply = t
            .conversation()
            .iter()
            .find(|e| matches!(e.author, Author::Agent(_)))
            .map(|e| (e.at - t.opened_at()).num_minutes());
        writeln!(
            out,
            "  flagged: {}; assigned at once to {}; priority {}; answered in {} min",
            self.desk.tickets().is_crisis(t.id()),
            t.assignee().map_or("nobody".into(), |a| self.name_of(a)),
            t.priority(),
            first_reply.unwrap_or(-1)
        )?;
        let agent_view = serde_json::to_string(&self.desk.agent_ticket_view(t.id())?)?;
        let safety_view = self.desk.safety_ticket_view(t.id(), self.cast.dana)?.ticket;
        let shown = |yes: bool| if yes { "shows" } else { "withholds" };
        writeln!(
            out,
            "  the agent view {} the message; the safety responder's view {} it",
            shown(agent_view.contains(CRISIS_MESSAGE)),
            shown(
                safety_view
                    .conversation
                    .iter()
                    .any(|e| e.body == CRISIS_MESSAGE)
            )
        )?;
        Ok(())
    }

    fn report_people(&self, out: &mut String) -> Result<()> {
        let s = &self.stories;
        writeln!(out, "\nEqual treatment at 2 a.m.")?;
        for (ticket, agent, why) in &s.routed {
            let label = if *ticket == s.call_vip { "VIP" } else { "blog" };
            writeln!(
                out,
                "  the {label}'s call was routed to {}: {why}",
                self.name_of(*agent)
            )?;
        }
        for (label, t) in [
            ("ten-dollar blog", s.call_blog),
            ("VIP retailer", s.call_vip),
        ] {
            let ticket = self.desk.tickets().get(t).ok_or("ticket")?;
            let first = ticket
                .conversation()
                .get(1)
                .map(|e| (e.at - ticket.opened_at()).num_minutes());
            let view = serde_json::to_value(self.desk.agent_customer_view(ticket.customer())?)?;
            let keys: Vec<String> = view
                .as_object()
                .map(|o| o.keys().cloned().collect())
                .unwrap_or_default();
            writeln!(
                out,
                "  {label:<16} answered in {} min; the agent sees {keys:?}",
                first.unwrap_or(-1)
            )?;
        }
        let vip = self.person(VIP)?.customer;
        let spend = self
            .desk
            .account_customer_view(vip, self.cast.bea)?
            .standing
            .map(|s| s.monthly_spend.to_string())
            .unwrap_or_default();
        writeln!(
            out,
            "  billing sees the VIP's spend ({spend}); an agent asking is refused:"
        )?;
        writeln!(
            out,
            "    {}",
            self.desk
                .account_customer_view(vip, self.cast.ana)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        )?;

        writeln!(out, "\nA public post on X")?;
        let social = self.desk.tickets().get(s.social_ok).ok_or("social")?;
        if let (Some(post), Some(reply)) =
            (social.conversation().first(), social.conversation().get(1))
        {
            writeln!(
                out,
                "  \"{}\"\n  answered publicly in {} min: \"{}\"",
                post.body,
                (reply.at - social.opened_at()).num_minutes(),
                reply.body
            )?;
        }

        writeln!(out, "\nA GIF is a first-class citizen")?;
        for e in self.desk.tickets().get(s.gif).ok_or("gif")?.conversation() {
            for a in &e.attachments {
                writeln!(
                    out,
                    "  {} ({}, {} KiB, plays inline: {})",
                    a.file_name,
                    a.media_type,
                    a.size / 1024,
                    a.media_type.is_animated_image_capable()
                )?;
            }
        }
        // The reply's file went out with it: the transport got its name,
        // type, size and the key to fetch the bytes by.
        let sent = self.transport.delivered().iter();
        for m in sent.filter(|m| m.ticket == Some(s.gif)) {
            for a in &m.attachments {
                let key = a.reference.as_ref().map_or("-", |r| r.as_str());
                writeln!(
                    out,
                    "  sent to {} by {}: {} ({}, {} bytes, blob {key})",
                    m.recipient, m.channel, a.file_name, a.media_type, a.size
                )?;
            }
        }

        writeln!(out, "\nRemembering people (with consent)")?;
        for c in &self.desk.agent_customer_view(vip)?.contacts {
            if let Some(p) = &c.personal {
                let family: Vec<String> = p
                    .family
                    .iter()
                    .map(|f| format!("{} ({})", f.name, f.relation))
                    .collect();
                let interests: Vec<String> = p
                    .interests
                    .iter()
                    .map(|i| format!("{}: {}", i.topic, i.detail))
                    .collect();
                writeln!(
                    out,
                    "  {}: family {}; {}",
                    c.name,
                    family.join(", "),
                    interests.join(", ")
                )?;
            }
        }

        writeln!(out, "\nA video onboarding")?;
        let jane = self.person(VIP)?.contact;
        let cv = self.desk.customer_ticket_view(s.onboarding, jane)?;
        let av = self.desk.agent_ticket_view(s.onboarding)?;
        writeln!(
            out,
            "  on {}; agents see {} entries, Jane sees {} (internal notes stay internal)",
            self.desk
                .tickets()
                .get(s.onboarding)
                .map(|t| t.channel().to_string())
                .unwrap_or_default(),
            av.conversation.len(),
            cv.conversation.len()
        )?;
        Ok(())
    }
}

fn percent(met: usize, breached: usize) -> String {
    if met + breached == 0 {
        "—".to_owned()
    } else {
        format!("{:.1}%", 100.0 * met as f64 / (met + breached) as f64)
    }
}

fn post_state(state: &PostState) -> String {
    match state {
        PostState::Published { approved_by: None } => "published".into(),
        PostState::Published {
            approved_by: Some(_),
        } => "published after review".into(),
        PostState::Held { holds } => {
            let rules: Vec<&str> = holds.iter().map(|h| h.rule.as_str()).collect();
            format!("held by {}", rules.join(", "))
        }
        PostState::Rejected { reason, .. } => format!("held, then rejected: {reason}"),
    }
}

fn acknowledgement(day: &Day, ack: &Acknowledgement) -> String {
    match ack {
        Acknowledgement::NotNeeded => "no acknowledgement needed".into(),
        Acknowledgement::Pending { by, .. } => format!("waiting for {}", day.name_of(*by)),
        Acknowledgement::Acknowledged { by, at } => {
            format!("acknowledged by {} at {}", day.name_of(*by), hhmm(*at))
        }
    }
}

/// Replies to calls queued while the phone system was down, by the
/// channel they went out on instead.
pub fn rerouted_phone_replies(desk: &Desk) -> BTreeMap<ChannelKind, usize> {
    let down = |at: DateTime<Utc>| {
        desk.channels().outages().iter().any(|o| {
            o.channel == ChannelKind::Phone && o.from <= at && o.until.is_none_or(|u| at < u)
        })
    };
    let mut out = BTreeMap::new();
    for e in desk.channels().outbox() {
        let Recipient::Contact { .. } = e.message.recipient else {
            continue;
        };
        let call = e
            .message
            .ticket
            .and_then(|t| desk.tickets().get(t))
            .is_some_and(|t| t.channel().kind() == ChannelKind::Phone);
        if call && down(e.message.queued_at) {
            *out.entry(e.message.channel.kind()).or_default() += 1;
        }
    }
    out
}

/// Every message an incident queued (its ids derive from the incident's
/// events), with its delivery state.
pub fn incident_messages(
    desk: &Desk,
    store: &MemoryStore,
    incident: IncidentId,
) -> Result<Vec<(MessageId, DeliveryState)>> {
    let states: BTreeMap<MessageId, DeliveryState> = desk
        .channels()
        .outbox()
        .map(|e| (e.message.id, e.state.clone()))
        .collect();
    let mut out = Vec::new();
    let ids: BTreeSet<_> = store
        .read_stream(&StreamId::Incident(incident), 0)?
        .into_iter()
        .map(|r| r.id)
        .collect();
    for id in ids {
        for n in 1.. {
            let m = MessageId::derive(id, n);
            match states.get(&m) {
                Some(state) => out.push((m, state.clone())),
                None => break,
            }
        }
    }
    Ok(out)
}
