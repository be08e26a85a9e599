//! Background volume: conversations all day on phone, email, portal and
//! chat, moving to another channel when theirs is down.

use chrono::{DateTime, Duration, Utc};
use fanatical::actor::Actor;
use fanatical::channel::{Channel, ChannelKind, SocialNetwork, Visibility};
use fanatical::desk::TicketAction;
use fanatical::desk::{Command, InboundMessage};
use fanatical::id::TicketId;
use fanatical::ticket::Tag;

use super::super::cast::CROWD;
use super::super::{Day, Result, local};

impl Day {
    pub(crate) fn script_background(&mut self) -> Result<()> {
        let channels = [
            Channel::Phone,
            Channel::Email,
            Channel::Portal,
            Channel::Chat,
            Channel::Email,
            Channel::Phone,
        ];
        let agents = [self.cast.ana, self.cast.kofi, self.cast.mei, self.cast.luis];
        // At 14:00 Ana opens her queue: the open tickets her permissions
        // reach, the next SLA breach first.
        let ana = self.cast.ana;
        self.at(local(14, 0), move |d, now| {
            use fanatical::queue::{Filter, Queue, Sort, SortBy};
            use fanatical::ticket::Status;
            let queue = Queue::new(Sort::ascending(SortBy::NextDeadline))
                .with(Filter::Status([Status::New, Status::Open].into()));
            // The checked forms: the tickets Ana's view_tickets reaches,
            // "me" being her.
            let queues = d.desk.queues();
            let page = queues.page_as(&queue, &Actor::Agent(ana), None, 5, now)?;
            let total = queues.count_as(&queue, &Actor::Agent(ana), now)?;
            d.stories.queue.push(format!(
                "{total} open tickets; the first {}:",
                page.rows.len()
            ));
            for row in &page.rows {
                let due = match &row.next_deadline {
                    Some(n) => format!(
                        "{} due {}{}",
                        n.metric,
                        n.at.with_timezone(&chrono_tz::America::Chicago)
                            .format("%H:%M"),
                        if row.breached {
                            " (a breach already)"
                        } else {
                            ""
                        }
                    ),
                    None => "no SLA running".to_owned(),
                };
                d.stories
                    .queue
                    .push(format!("{:<20} {:<7} {due}", row.subject, row.channel));
                d.stories
                    .queue_deadlines
                    .push(row.next_deadline.as_ref().map(|n| n.at));
            }
            Ok(())
        });
        let subjects = [
            "Server unreachable",
            "DNS change",
            "Invoice question",
            "SSL renewal",
            "Backup restore",
            "Slow database",
        ];
        for _ in 0..160 {
            let who = CROWD + self.roll((self.people.len() - CROWD) as u64) as usize;
            let preferred = channels[self.roll(channels.len() as u64) as usize].clone();
            let kind = preferred.kind();
            let opened = local(0, 0) + Duration::minutes(self.roll(24 * 60) as i64);
            let id: TicketId = self.ids.next_id();
            let subject = subjects[self.roll(subjects.len() as u64) as usize];
            self.at(opened, move |d, now| {
                d.contact_us(who, preferred, id, subject, now)
            });
            let agent = agents[self.roll(agents.len() as u64) as usize];
            // Calls are answered live, chats in minutes, written channels later.
            let wait = match kind {
                ChannelKind::Phone => self.roll(3),
                ChannelKind::Chat => 1 + self.roll(5),
                _ => 5 + self.roll(115),
            };
            let answered = opened + Duration::minutes(wait as i64);
            self.answer(
                answered,
                id,
                agent,
                &format!("Re: {subject} — done, and I checked your other servers too."),
            );
            if self.roll(10) < 8 {
                self.solve(answered + Duration::minutes(5), id, agent);
            }
            self.background += 1;
        }
        Ok(())
    }

    /// A customer gets in touch on the channel they prefer, or, when it is
    /// down, on the first channel offered instead that they can use.
    fn contact_us(
        &mut self,
        who: usize,
        preferred: Channel,
        ticket: TicketId,
        subject: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let p = self.person(who)?.clone();
        let channel = if self.desk.channels().is_down(preferred.kind()) {
            let Some(kind) = self
                .desk
                .channels()
                .offered(preferred.kind())
                .into_iter()
                .find(|k| p.address(*k).is_some())
            else {
                return Ok(());
            };
            *self.stories.moved_from_phone.entry(kind).or_default() += 1;
            match kind {
                ChannelKind::Social => Channel::Social {
                    network: SocialNetwork::X,
                    visibility: Visibility::Private,
                },
                ChannelKind::Chat => Channel::Chat,
                _ => Channel::Email,
            }
        } else {
            preferred
        };
        let from = p
            .address(channel.kind())
            .ok_or("no address on the channel")?
            .clone();
        self.exec(
            Command::new(
                Actor::integration("inbound"),
                TicketAction::Receive(InboundMessage::new(ticket, channel, from, subject)),
            ),
            now,
        )?;
        if subject == "Invoice question" {
            self.exec(
                Command::new(
                    Actor::integration("triage"),
                    TicketAction::tag(ticket, Tag::new("billing")?),
                ),
                now,
            )?;
        }
        Ok(())
    }
}
