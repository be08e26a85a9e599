//! The official account: posts held for review, the same mistake twice,
//! and a peer's recognition.

use chrono::Duration;
use fanatical::actor::Actor;
use fanatical::channel::SocialNetwork;
use fanatical::coaching::CoachingAction;
use fanatical::coaching::MistakeKind;
use fanatical::desk::Command;
use fanatical::desk::RecognitionAction;
use fanatical::guard::PostAction;
use fanatical::id::PostId;

use super::super::cast::OFFICIAL;
use super::super::{Day, Result, local};

impl Day {
    pub(crate) fn script_posts(&mut self) -> Result<()> {
        let c = self.cast;
        let s = self.stories.clone();
        let submit = move |post: PostId, text: &'static str| {
            Command::new(
                Actor::Agent(c.kofi),
                PostAction::Submit {
                    post,
                    network: SocialNetwork::X,
                    handle: OFFICIAL.into(),
                    text: text.into(),
                },
            )
        };
        let mistake = move || {
            Command::new(
                Actor::Agent(c.luis),
                CoachingAction::RecordMistake {
                    agent: c.kofi,
                    kind: MistakeKind::WrongChannel,
                    ticket: None,
                    note: "personal post submitted from the company account".into(),
                },
            )
        };
        self.at(local(12, 30), move |d, now| {
            d.exec(
                submit(
                    s.taco_post,
                    "Having fun at the taco truck with the whole team!",
                ),
                now,
            )?;
            d.exec(
                Command::new(
                    Actor::Agent(c.luis),
                    PostAction::Reject {
                        post: s.taco_post,
                        reason: "personal posts go on your own account".into(),
                    },
                ),
                now + Duration::minutes(5),
            )?;
            d.exec(mistake(), now + Duration::minutes(6))?;
            d.log.push((
                now,
                "a personal post from the official account is held".into(),
            ));
            Ok(())
        });
        self.at(local(13, 2), move |d, now| {
            d.exec(
                submit(
                    s.outage_post,
                    "Our phone lines are down right now. Reach us by DM here, by chat in our \
                     mobile app, or by email: same people, same speed.",
                ),
                now,
            )?;
            Ok(())
        });
        self.at(local(16, 0), move |d, now| {
            d.exec(
                submit(s.sea_world, "Having fun at Sea World with the kids!"),
                now,
            )?;
            d.log.push((
                now,
                "\"Having fun at Sea World\" from the official account is held".into(),
            ));
            d.expect_refusal(
                "Kofi approves his own held post",
                Command::new(
                    Actor::Agent(c.kofi),
                    PostAction::Approve { post: s.sea_world },
                ),
                now,
            )?;
            d.exec(
                Command::new(
                    Actor::Agent(c.luis),
                    PostAction::Reject {
                        post: s.sea_world,
                        reason: "personal posts go on your own account".into(),
                    },
                ),
                now + Duration::minutes(4),
            )?;
            d.exec(mistake(), now + Duration::minutes(5))?;
            Ok(())
        });
        self.at(local(16, 30), move |d, now| {
            d.exec(
                Command::new(
                    Actor::Agent(c.ana),
                    RecognitionAction::RecognisePeer {
                        to: c.kofi,
                        note: "ran the social queue alone through the phone outage".into(),
                    },
                ),
                now,
            )?;
            Ok(())
        });
        Ok(())
    }
}
