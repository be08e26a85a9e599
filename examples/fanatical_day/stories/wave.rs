//! The NPS wave: a detractor's call-back, a promoter's praise up to the
//! CEO, and a certificate.

use chrono::{DateTime, Duration, Utc};
use fanatical::actor::Actor;
use fanatical::desk::{Command, Desk};
use fanatical::desk::{RecognitionAction, SurveyAction, TicketAction};
use fanatical::id::{AgentId, CustomerId, InvitationId};
use fanatical::recognition::{Acknowledgement, PraiseSource};
use fanatical::survey::{Answer, Response};
use fanatical::ticket::{Status, TicketType};

use super::super::{Day, Result, local};
use super::WAVE;

impl Day {
    pub(crate) fn script_wave(&mut self) -> Result<()> {
        let c = self.cast;
        let seed = self.ids.next_u64();
        self.at(local(17, 0), move |d, now| {
            d.exec(
                Command::new(
                    Actor::integration("survey-scheduler"),
                    SurveyAction::RunWave {
                        wave: WAVE.into(),
                        survey: "relationship".into(),
                        share_percent: 50,
                        seed,
                        exclude: d
                            .desk
                            .incidents()
                            .affected_customers()
                            .into_iter()
                            .collect(),
                    },
                ),
                now,
            )?;
            let invited: Vec<(InvitationId, CustomerId)> = d
                .desk
                .surveys()
                .invitations()
                .filter(|i| i.invitation.wave.as_deref() == Some(WAVE))
                .map(|i| (i.invitation.id, i.invitation.customer))
                .collect();
            d.log
                .push((now, format!("NPS wave sent to {} customers", invited.len())));
            // The promoter: someone whose ticket an agent handled today.
            let promoter = invited
                .iter()
                .skip(1)
                .find_map(|(inv, cust)| handled_by(&d.desk, *cust).map(|a| (*inv, *cust, a)));
            for (k, (inv, customer)) in invited.into_iter().enumerate() {
                let when = now + Duration::minutes(20 + 9 * k as i64);
                if k == 0 {
                    d.at(when, move |d, now| d.detractor(inv, now));
                } else if promoter.is_some_and(|p| p.0 == inv) {
                    d.at(when, move |d, now| d.promoter(inv, customer, now));
                } else {
                    let roll = d.roll(100);
                    if roll < 15 {
                        continue; // no answer
                    }
                    let score = match roll {
                        15..25 => d.roll(7) as u8,
                        25..45 => 7 + d.roll(2) as u8,
                        _ => 9 + d.roll(2) as u8,
                    };
                    d.at(when, move |d, now| {
                        d.exec(
                            Command::new(
                                Actor::integration("survey"),
                                SurveyAction::Answer {
                                    invitation: inv,
                                    response: Response::new().answer("score", Answer::Nps(score)),
                                },
                            ),
                            now,
                        )?;
                        Ok(())
                    });
                }
            }
            Ok(())
        });
        // The CEO acknowledges praise personally; the committee issues a
        // certificate.
        let (sarah_praise, promoter_praise) =
            (self.stories.sarah_praise, self.stories.promoter_praise);
        self.at(local(21, 0), move |d, now| {
            for p in [promoter_praise, sarah_praise] {
                if matches!(
                    d.desk.people().praise(p).map(|r| &r.ack),
                    Some(Acknowledgement::Pending { .. })
                ) {
                    d.exec(
                        Command::new(
                            Actor::Agent(c.graham),
                            RecognitionAction::Acknowledge { praise: p },
                        ),
                        now,
                    )?;
                }
            }
            let agent = d
                .desk
                .people()
                .praise(promoter_praise)
                .and_then(|r| r.praise.agent)
                .ok_or("the promoter's praise found no agent")?;
            d.exec(
                Command::new(
                    Actor::Agent(c.rob),
                    RecognitionAction::IssueCertificate {
                        agent,
                        title: String::new(),
                    },
                ),
                now + Duration::minutes(5),
            )?;
            let name = d.name_of(agent);
            d.log.push((
                now,
                format!("Graham acknowledges the praise; a certificate for {name}"),
            ));
            Ok(())
        });
        Ok(())
    }

    fn detractor(&mut self, invitation: InvitationId, now: DateTime<Utc>) -> Result<()> {
        self.exec(
            Command::new(
                Actor::integration("survey"),
                SurveyAction::Answer {
                    invitation,
                    response: Response::new().answer("score", Answer::Nps(3)).answer(
                        "why",
                        Answer::Comment("My email went unanswered for two hours today.".into()),
                    ),
                },
            ),
            now,
        )?;
        self.stories.detractor = Some(invitation);
        let task = invitation.follow_up_ticket();
        let owner = self
            .desk
            .tickets()
            .get(task)
            .and_then(|t| t.assignee())
            .ok_or("no call-back task for the detractor")?;
        let name = self.name_of(owner);
        self.log.push((
            now,
            format!("a detractor scores 3: a call-back task for {name}"),
        ));
        // The owner calls back within the hour and closes the loop.
        self.at(now + Duration::minutes(50), move |d, now| {
            d.exec(
                Command::note(
                    task,
                    owner,
                    "Called back. The delay was the 11:00 email gateway failure; walked them \
                     through what we changed. They'll give us another try.",
                ),
                now,
            )?;
            d.exec(
                Command::new(
                    Actor::integration("automation"),
                    TicketAction::set_status(task, Status::Solved),
                ),
                now,
            )?;
            Ok(())
        });
        Ok(())
    }

    fn promoter(
        &mut self,
        invitation: InvitationId,
        customer: CustomerId,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let agent = handled_by(&self.desk, customer).ok_or("the promoter has no agent")?;
        let first = self.name_of(agent);
        let first = first.split(' ').next().unwrap_or("").to_owned();
        let comment = format!("{first} fixed our problem today before we finished explaining it.");
        self.exec(
            Command::new(
                Actor::integration("survey"),
                SurveyAction::Answer {
                    invitation,
                    response: Response::new()
                        .answer("score", Answer::Nps(10))
                        .answer("why", Answer::Comment(comment.clone())),
                },
            ),
            now,
        )?;
        self.exec(
            Command::new(
                Actor::integration("social-listening"),
                RecognitionAction::RecordPraise {
                    praise: self.stories.promoter_praise,
                    source: PraiseSource::Survey { invitation },
                    text: comment,
                    customer: Some(customer),
                    ticket: None,
                },
            ),
            now,
        )?;
        self.stories.promoter = Some(invitation);
        self.log
            .push((now, format!("a promoter scores 10 and praises {first}")));
        Ok(())
    }
}

/// The agent who last handled one of the customer's tickets, the way a
/// person reading the record would name them.
fn handled_by(desk: &Desk, customer: CustomerId) -> Option<AgentId> {
    desk.tickets()
        .iter()
        .filter(|t| t.customer() == customer && t.ticket_type() != TicketType::Task)
        .filter_map(|t| t.assignee().map(|a| (t.updated_at(), t.id(), a)))
        .max()
        .map(|(_, _, a)| a)
}
