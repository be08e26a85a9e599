//! The desk and official posts: reviewed before they go out.

use chrono::{DateTime, Utc};

use super::decision::salt;
use super::{Desk, Drafts, PostAction, outbox};
use crate::channel::{Channel, Visibility};
use crate::error::Error;
use crate::event::{Event, StreamId};
use crate::guard::{GuardError, OfficialPost, PostEvent, PostEventKind, PostState};
use crate::id::{AgentId, PostId};
use crate::outbox::{OutboundMessage, OutboxEventKind, Recipient};

impl Desk {
    /// See [`ChannelsView::post`].
    pub(crate) fn post(&self, id: PostId) -> Option<&crate::guard::PostRecord> {
        self.state.posts.get(id)
    }

    /// See [`ChannelsView::posts`].
    pub(crate) fn posts(&self) -> impl Iterator<Item = &crate::guard::PostRecord> {
        self.state.posts.iter()
    }

    fn publish(&self, d: &mut Drafts, post: &OfficialPost, now: DateTime<Utc>) {
        let stream = StreamId::Posts;
        let message = OutboundMessage {
            id: d.message_id(self, &stream, 0, salt::MESSAGE),
            channel: Channel::Social {
                network: post.network.clone(),
                visibility: Visibility::Public,
            },
            recipient: Recipient::Public {
                network: post.network.clone(),
                handle: post.handle.clone(),
            },
            body: post.text.clone(),
            ticket: None,
            queued_at: now,
        };
        d.push(
            StreamId::Outbox,
            [outbox(now, OutboxEventKind::Queued { message })],
        );
    }

    pub(super) fn decide_post(
        &self,
        d: &mut Drafts,
        action: PostAction,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        match action {
            PostAction::Submit {
                post,
                network,
                handle,
                text,
            } => {
                let author = Self::acting_agent(d)?;
                self.decide_submit_post(
                    d,
                    OfficialPost {
                        id: post,
                        network,
                        handle,
                        author,
                        text: text.trim().to_owned(),
                        at: now,
                    },
                )
            }
            PostAction::Approve { post } => {
                let by = Self::acting_agent(d)?;
                self.decide_review(d, post, by, None, now)
            }
            PostAction::Reject { post, reason } => {
                let by = Self::acting_agent(d)?;
                self.decide_review(d, post, by, Some(reason), now)
            }
        }
    }

    fn decide_submit_post(&self, d: &mut Drafts, post: OfficialPost) -> Result<(), Error> {
        if self.state.posts.get(post.id).is_some() {
            return Err(GuardError::DuplicatePost(post.id).into());
        }
        if post.text.trim().is_empty() {
            return Err(GuardError::EmptyPost.into());
        }
        self.active_agent(post.author)?;
        let policy = &self.config.guard;
        let account = policy.account(&post.network, &post.handle).ok_or_else(|| {
            GuardError::UnknownAccount {
                network: post.network.clone(),
                handle: post.handle.clone(),
            }
        })?;
        let holds = policy.review_for(Some(account), &post.text, post.at);
        let now = post.at;
        let publish = holds.is_empty();
        d.push(
            StreamId::Posts,
            [Event::Post(PostEvent {
                at: now,
                kind: PostEventKind::Submitted {
                    post: post.clone(),
                    holds,
                },
            })],
        );
        if publish {
            self.publish(d, &post, now);
        }
        Ok(())
    }

    fn decide_review(
        &self,
        d: &mut Drafts,
        id: PostId,
        by: AgentId,
        reject: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        self.active_agent(by)?;
        let crate::guard::PostRecord { post, state } = self
            .state
            .posts
            .get(id)
            .ok_or(GuardError::UnknownPost(id))?;
        let PostState::Held { holds } = state else {
            return Err(GuardError::NotHeld(id).into());
        };
        match reject {
            Some(reason) => {
                d.push(
                    StreamId::Posts,
                    [Event::Post(PostEvent {
                        at: now,
                        kind: PostEventKind::Rejected {
                            post: id,
                            by,
                            reason,
                        },
                    })],
                );
            }
            None => {
                if by == post.author
                    && let Some(h) = holds.iter().find(|h| h.second_approval)
                {
                    return Err(GuardError::SecondPersonRequired {
                        post: id,
                        rule: h.rule.clone(),
                    }
                    .into());
                }
                d.push(
                    StreamId::Posts,
                    [Event::Post(PostEvent {
                        at: now,
                        kind: PostEventKind::Approved { post: id, by },
                    })],
                );
                self.publish(d, post, now);
            }
        }
        Ok(())
    }
}
