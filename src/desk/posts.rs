//! The desk and official posts: reviewed before they go out, and public
//! replies on tickets from company accounts with them (held replies are
//! released onto their ticket when approved).

use chrono::{DateTime, Utc};

use super::decision::salt;
use super::ticketing::Review;
use super::{Desk, Drafts, outbox};
use crate::channel::{Channel, Visibility};
use crate::error::Error;
use crate::event::{Event, StreamId};
use crate::guard::PostAction;
use crate::guard::{OfficialPost, PostEventKind};
use crate::id::PostId;
use crate::outbox::{OutboundMessage, OutboxEventKind, Recipient};
use crate::ticket::{Author, TicketCommand};

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
            deliver_after: None,
            attachments: Vec::new(),
            automatic: false,
        };
        d.push_outbox([outbox(now, OutboxEventKind::Queued { message })]);
    }

    pub(super) fn decide_post(
        &self,
        d: &mut Drafts,
        action: PostAction,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        let by = Self::acting_agent(d)?;
        self.active_agent(by)?;
        let events = self
            .state
            .posts
            .handle(action, by, &self.config.guard, now)
            .map_err(|e| match e {
                // Blank text is refused alike in every area.
                crate::guard::GuardError::Blank(blank) => Error::from(blank),
                e => Error::from(e),
            })?;
        for e in events {
            let out = match &e.kind {
                PostEventKind::Submitted { post, holds } if holds.is_empty() => Some(post.clone()),
                PostEventKind::Approved { post, .. } => {
                    self.state.posts.get(*post).map(|r| r.post.clone())
                }
                PostEventKind::Submitted { .. } | PostEventKind::Rejected { .. } => None,
            };
            d.push(StreamId::Posts, [Event::Post(e)]);
            match out {
                // An approved public reply joins its ticket and goes to
                // the customer as the reply it was, by its author.
                Some(OfficialPost {
                    reply: Some(reply),
                    network,
                    author,
                    text,
                    ..
                }) => {
                    let command = TicketCommand::Reply {
                        author: Author::Agent(author),
                        channel: Channel::Social {
                            network,
                            visibility: Visibility::Public,
                        },
                        body: text,
                        attachments: reply.attachments,
                    };
                    self.decide_ticket_reviewed(d, reply.ticket, command, Review::Approved, now)?;
                }
                Some(post) => self.publish(d, &post, now),
                None => {}
            }
        }
        Ok(())
    }
}
