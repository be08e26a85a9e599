//! The customers' stories, by the clock: the 2 a.m. calls, the posts on
//! X (one answered in three minutes, one that waits twelve), the GIF, the
//! email gateway failing, remembering Jane and her video onboarding, and
//! the message signalling self-harm.

use fanatical::actor::Actor;
use fanatical::channel::{Channel, SocialNetwork, Visibility};
use fanatical::customer::{ConsentSource, CustomerCommand, Interest, Relation};
use fanatical::desk::{Command, InboundMessage};
use fanatical::desk::{CustomerAction, RecognitionAction, TicketAction};
use fanatical::outbox::Recipient;
use fanatical::recognition::PraiseSource;
use fanatical::ticket::{Attachment, AttachmentRef, Author, OpenTicket, TicketType};

use super::super::cast::{BLOG, CROWD, SARAH, VIP};
use super::super::{Day, Result, hhmm, local};
use super::CRISIS_MESSAGE;

impl Day {
    pub(crate) fn script_stories(&mut self) -> Result<()> {
        let c = self.cast;
        let s = self.stories.clone();
        let (vip, blog, sarah) = (
            self.person(VIP)?.clone(),
            self.person(BLOG)?.clone(),
            self.person(SARAH)?.clone(),
        );

        // 2 a.m.: the ten-dollar blog and the VIP both call. Same treatment.
        self.tell(
            local(2, 0),
            "two customers call at once: a VIP and a ten-dollar blog",
        );
        self.inbound(
            local(2, 0),
            InboundMessage::new(
                s.call_blog,
                Channel::Phone,
                blog.phone,
                "My blog shows a 502 error",
            ),
        );
        self.inbound(
            local(2, 1),
            InboundMessage::new(
                s.call_vip,
                Channel::Phone,
                vip.phone.clone(),
                "Checkout is slow",
            ),
        );
        self.route(local(2, 0), s.call_blog);
        self.route(local(2, 1), s.call_vip);
        self.answer(
            local(2, 3),
            s.call_blog,
            c.ana,
            "PHP-FPM restarted; your blog is back.",
        );
        self.answer(
            local(2, 4),
            s.call_vip,
            c.mei,
            "Cache node replaced; checkout is fast again.",
        );
        self.solve(local(2, 10), s.call_blog, c.ana);
        self.solve(local(2, 12), s.call_vip, c.mei);

        // 8:40: a public post on X, answered in three minutes, and praised.
        let x_public = Channel::Social {
            network: SocialNetwork::X,
            visibility: Visibility::Public,
        };
        let sarah_x = sarah.x.clone().ok_or("Sarah has no X handle")?;
        self.tell(local(8, 40), "a public post on X: \"my store is down\"");
        self.inbound(
            local(8, 40),
            InboundMessage::new(
                s.social_ok,
                x_public.clone(),
                sarah_x.clone(),
                "@support my store is down and I have a sale today!!",
            ),
        );
        self.answer(
            local(8, 43),
            s.social_ok,
            c.kofi,
            "@sarah_builds we're on it — DM us your account number and we'll call you.",
        );
        self.solve(local(9, 10), s.social_ok, c.kofi);
        let (praise, social_ok, customer) = (s.sarah_praise, s.social_ok, sarah.customer);
        self.at(local(9, 15), move |d, now| {
            d.exec(
                Command::new(
                    Actor::integration("social-listening"),
                    RecognitionAction::RecordPraise {
                        praise,
                        source: PraiseSource::Social {
                            network: SocialNetwork::X,
                            handle: "@sarah_builds".into(),
                        },
                        text: "Store back before the sale even started. Fanatical Support is real!"
                            .into(),
                        customer: Some(customer),
                        ticket: Some(social_ok),
                    },
                ),
                now,
            )?;
            d.log.push((
                now,
                "Sarah praises the reply on X; kudos go up Kofi's chain".into(),
            ));
            // Luis's morning is his: his kudos page waits for it to end.
            let luis = d.cast.luis;
            let waits = d.desk.channels().outbox().find_map(|m| {
                let to_luis = m.message.recipient == Recipient::Agent { agent: luis };
                let kudos = to_luis && m.message.body.starts_with("Kudos for Kofi");
                m.message.deliver_after.filter(|_| kudos)
            });
            if let Some(at) = waits {
                d.log.push((
                    now,
                    format!(
                        "Luis's mornings are his until 10:00: his kudos page waits until {}",
                        hhmm(at)
                    ),
                ));
            }
            Ok(())
        });

        // 10:00: a GIF of thanks, and a GIF back.
        self.tell(local(10, 0), "a thank-you with an animated GIF");
        self.inbound(
            local(10, 0),
            InboundMessage::new(
                s.gif,
                Channel::Email,
                blog.email.clone(),
                "You saved my launch. Have a GIF!",
            )
            .with_subject("THANK YOU")
            .with_attachment(
                // The mail gateway stored the file in the blob store first.
                Attachment::new("happy-dance.gif", "image/gif", 1_843_200)?
                    .stored_at(AttachmentRef::new("blobs/9b1d6c0e")?),
            ),
        );
        let (gif, luis) = (s.gif, c.luis);
        self.at(local(10, 6), move |d, now| {
            d.exec(
                Command::new(
                    Actor::Agent(luis),
                    TicketAction::Reply {
                        ticket: gif,
                        body: "Right back at you!".into(),
                        // Luis uploaded it before replying.
                        attachments: vec![
                            Attachment::new("high-five.gif", "image/gif", 982_112)?
                                .stored_at(AttachmentRef::new("blobs/0b7e1c4a")?),
                        ],
                    },
                ),
                now,
            )?;
            Ok(())
        });

        // 11:00: the email gateway fails the next five deliveries.
        self.at(local(11, 0), |d, now| {
            d.transport.fail_next(5);
            d.log.push((
                now,
                "the email gateway fails five deliveries; the outbox retries".into(),
            ));
            Ok(())
        });

        // 12:00: an agent remembers the VIP's family and team, with consent;
        // a video onboarding session for a new account.
        let (onboarding, mei) = (s.onboarding, c.mei);
        self.at(local(12, 0), move |d, now| {
            for command in [
                CustomerCommand::RecordConsent {
                    contact: vip.contact,
                    source: ConsentSource::Agent(mei),
                },
                CustomerCommand::AddFamilyMember {
                    contact: vip.contact,
                    name: "Lily".into(),
                    relation: Relation::Child,
                },
                CustomerCommand::AddInterest {
                    contact: vip.contact,
                    interest: Interest {
                        topic: "favourite team".into(),
                        detail: "San Antonio Spurs".into(),
                    },
                },
            ] {
                d.exec(
                    Command::new(
                        Actor::integration("onboarding"),
                        CustomerAction::Update {
                            customer: vip.customer,
                            command,
                        },
                    ),
                    now,
                )?;
            }
            d.exec(
                Command::new(
                    Actor::integration("portal"),
                    TicketAction::Open(
                        OpenTicket::new(
                            onboarding,
                            vip.customer,
                            "Onboarding call: new Kubernetes cluster",
                            Channel::Video,
                        )
                        .requested_by(vip.contact)
                        .with_type(TicketType::Task)
                        .with_message(
                            Author::Agent(luis),
                            "Walked Jane's team through the new cluster on video.",
                        ),
                    ),
                ),
                now,
            )?;
            d.exec(
                Command::note(
                    onboarding,
                    luis,
                    "Their CTO prefers Slack updates over email.",
                ),
                now,
            )?;
            d.log.push((
                now,
                "Jane agrees to be remembered; a video onboarding for her new cluster".into(),
            ));
            Ok(())
        });

        self.solve(local(12, 45), s.onboarding, c.luis);

        // 15:00: a post on X in the rush waits twelve minutes.
        self.tell(local(15, 0), "another post on X, in the afternoon rush");
        self.inbound(
            local(15, 0),
            InboundMessage::new(
                s.social_late,
                x_public,
                sarah_x,
                "@support checkout is throwing 500s again",
            ),
        );
        self.answer(
            local(15, 12),
            s.social_late,
            c.kofi,
            "@sarah_builds sorry for the wait — fixed, and we're watching it.",
        );

        // 19:30: a message signalling self-harm.
        let who = self.person(CROWD + 11)?.clone();
        self.tell(
            local(19, 30),
            "a message signalling self-harm arrives by email",
        );
        self.inbound(
            local(19, 30),
            InboundMessage::new(s.crisis, Channel::Email, who.email, CRISIS_MESSAGE)
                .with_subject("backups"),
        );
        let (crisis, dana) = (s.crisis, c.dana);
        self.at(local(19, 33), move |d, now| {
            d.exec(
                Command::reply(
                    crisis,
                    dana,
                    "I'm Dana, and I'm here with you right now. You can call or text 988 at any \
                     time, day or night. I'll fix the backups with you — may I call you?",
                ),
                now,
            )?;
            Ok(())
        });
        Ok(())
    }
}
