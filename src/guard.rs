//! Guardrails for official accounts: posts from the company's social
//! handles pass a review policy before they become outbound messages.
//!
//! A [`GuardPolicy`] names the official accounts and the rules a post must
//! pass: phrases that must not go out unreviewed, posting outside the
//! account's hours, personal content from a corporate handle. A post that
//! trips a rule is held with the rule that held it; where a rule demands
//! it, only a second person may approve it.
//!
//! A public reply on a ticket from a company account (an agent answering
//! on a public social channel, an @-reply on X) is an official post too:
//! the desk reviews it against the same policy, holds it with the rules
//! that fired ([`OfficialPost::reply`] says which ticket it answers), and
//! only adds it to the ticket and sends it once approved (by a second
//! person where a rule demands it); a rejected reply never goes out.
//!
//! [`GuardPolicy::default()`] is the safe policy, with its rules on. A
//! policy with no rules must be asked for by name,
//! [`GuardPolicy::without_rules`]; a configuration that leaves out `rules`
//! gets the default rules too (write `"rules": []` to turn them off).
//!
//! Matching is case-insensitive on words: a phrase matches where its words
//! appear in order in the post (punctuation ignored), so "Sea World"
//! matches "having fun at sea-world!".
//!
//! # Example
//! ```
//! use chrono::{TimeZone, Utc};
//! use fanatical::guard::GuardPolicy;
//!
//! let policy = GuardPolicy::default();
//! let now = Utc.with_ymd_and_hms(2026, 11, 2, 15, 0, 0).unwrap();
//! let holds = policy.review("Having fun at Sea World with the team!", now);
//! assert_eq!(holds[0].rule, "personal_content");
//! assert!(policy.review("Our status page has the latest on the DFW outage.", now).is_empty());
//! // No review at all must be asked for by name.
//! assert!(GuardPolicy::without_rules().review("Having fun at Sea World!", now).is_empty());
//! ```

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::channel::SocialNetwork;
use crate::id::{AgentId, PostId, TicketId};
use crate::sla::BusinessCalendar;
use crate::text::{contains_phrase, words};
use crate::ticket::Attachment;

/// Why a guardrail command was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum GuardError {
    /// The handle is not an official account.
    #[error("{network}:{handle} is not an official account")]
    UnknownAccount {
        /// The network.
        network: SocialNetwork,
        /// The handle.
        handle: String,
    },
    /// A post with no text.
    #[error("an official post must say something")]
    EmptyPost,
    /// No such post.
    #[error("unknown post {0}")]
    UnknownPost(PostId),
    /// The id is taken.
    #[error("post {0} already exists")]
    DuplicatePost(PostId),
    /// The post is not waiting for review (published or rejected).
    #[error("post {0} is not held for review")]
    NotHeld(PostId),
    /// A rule that held the post needs someone other than its author.
    #[error("post {post} was held by rule {rule:?}, which needs a second person's approval")]
    SecondPersonRequired {
        /// The post.
        post: PostId,
        /// The rule.
        rule: String,
    },
    /// A held post rejected without saying why.
    #[error(transparent)]
    Blank(#[from] crate::text::BlankText),
    /// A public reply on a ticket that a rule holds, on a path where no
    /// person can review it first (the final message of an incident):
    /// the ticket is left for a person to answer.
    #[error(
        "the public reply on ticket {ticket} was held by rule {rule:?}: a person must review it"
    )]
    ReplyHeld {
        /// The ticket.
        ticket: TicketId,
        /// The first rule that held it.
        rule: String,
    },
}

/// A company handle whose posts are reviewed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficialAccount {
    /// The network.
    pub network: SocialNetwork,
    /// The handle, e.g. `@Rackspace`.
    pub handle: String,
    /// When the account posts without review (none: any time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<BusinessCalendar>,
}

/// What a rule looks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "check", content = "value", rename_all = "snake_case")]
pub enum Check {
    /// Any of these phrases.
    Phrases(Vec<String>),
    /// Posting outside the account's hours.
    OffHours,
    /// Personal content: any of these markers ("having fun", "my
    /// weekend", ...), which do not belong on a corporate handle.
    PersonalContent(Vec<String>),
}

/// One review rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuardRule {
    /// Its id.
    pub id: String,
    /// Why it holds a post, for the reviewer.
    pub reason: String,
    /// What it looks for.
    pub check: Check,
    /// Whether only someone other than the author may approve.
    #[serde(default)]
    pub second_approval: bool,
}

/// Why a post was held.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hold {
    /// The rule.
    pub rule: String,
    /// Its reason.
    pub reason: String,
    /// What matched.
    pub matched: String,
    /// Whether a second person must approve.
    pub second_approval: bool,
}

/// The official accounts and their review rules.
///
/// [`GuardPolicy::default()`] has the default rules on (see
/// [`GuardPolicy::default_rules`]); reading a policy whose `rules` are
/// left out gives them too. No review at all is
/// [`GuardPolicy::without_rules`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuardPolicy {
    /// The accounts.
    #[serde(default)]
    pub accounts: Vec<OfficialAccount>,
    /// The rules, all checked (the default rules when left out).
    #[serde(default = "GuardPolicy::default_rules")]
    pub rules: Vec<GuardRule>,
}

impl Default for GuardPolicy {
    /// The safe policy: the default rules, no official accounts yet.
    fn default() -> Self {
        GuardPolicy {
            accounts: Vec::new(),
            rules: Self::default_rules(),
        }
    }
}

impl GuardPolicy {
    /// The safe starting policy, the same as [`GuardPolicy::default()`]:
    /// personal content from a corporate handle needs a second person;
    /// promises nobody should make in public are held; posts outside an
    /// account's hours are reviewed.
    #[must_use]
    pub fn default_policy() -> Self {
        Self::default()
    }

    /// A policy that holds nothing: no rules, no accounts. Everything an
    /// official account says goes out unreviewed, so it has to be asked
    /// for by this name.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use fanatical::guard::GuardPolicy;
    /// let now = Utc.with_ymd_and_hms(2026, 11, 2, 15, 0, 0).unwrap();
    /// assert!(!GuardPolicy::default().review("We guarantee it", now).is_empty());
    /// assert!(GuardPolicy::without_rules().review("We guarantee it", now).is_empty());
    /// ```
    #[must_use]
    pub fn without_rules() -> Self {
        GuardPolicy {
            accounts: Vec::new(),
            rules: Vec::new(),
        }
    }

    /// The default rules: personal content (second person), public
    /// promises and blame (second person), and posting outside an
    /// account's hours.
    #[must_use]
    pub fn default_rules() -> Vec<GuardRule> {
        let list = |xs: &[&str]| xs.iter().map(|s| (*s).to_owned()).collect();
        vec![
            GuardRule {
                id: "personal_content".into(),
                reason: "personal content does not belong on the company account".into(),
                check: Check::PersonalContent(list(&[
                    "having fun",
                    "sea world",
                    "my weekend",
                    "my vacation",
                    "on vacation",
                    "selfie",
                    "party time",
                    "hangover",
                ])),
                second_approval: true,
            },
            GuardRule {
                id: "public_promises".into(),
                reason: "guarantees and blame are not made in public posts".into(),
                check: Check::Phrases(list(&[
                    "guarantee",
                    "100% uptime",
                    "never happen again",
                    "their fault",
                ])),
                second_approval: true,
            },
            GuardRule {
                id: "off_hours".into(),
                reason: "posts outside the account's hours are reviewed first".into(),
                check: Check::OffHours,
                second_approval: false,
            },
        ]
    }

    /// With an official account.
    #[must_use]
    pub fn with_account(mut self, account: OfficialAccount) -> Self {
        self.accounts.push(account);
        self
    }

    /// The official account on a network a public reply goes out from:
    /// the first the policy names on it.
    #[must_use]
    pub fn account_on(&self, network: &SocialNetwork) -> Option<&OfficialAccount> {
        self.accounts.iter().find(|a| &a.network == network)
    }

    /// The official account for a handle.
    #[must_use]
    pub fn account(&self, network: &SocialNetwork, handle: &str) -> Option<&OfficialAccount> {
        self.accounts
            .iter()
            .find(|a| &a.network == network && a.handle.eq_ignore_ascii_case(handle))
    }

    /// The holds a post gets (empty: it may go out), for an account with
    /// no hours of its own.
    #[must_use]
    pub fn review(&self, text: &str, now: DateTime<Utc>) -> Vec<Hold> {
        self.review_for(None, text, now)
    }

    /// The holds a post from `account` gets at `now`.
    #[must_use]
    pub fn review_for(
        &self,
        account: Option<&OfficialAccount>,
        text: &str,
        now: DateTime<Utc>,
    ) -> Vec<Hold> {
        let w = words(text);
        let mut holds = Vec::new();
        for r in &self.rules {
            let matched = match &r.check {
                Check::Phrases(list) | Check::PersonalContent(list) => {
                    list.iter().find(|p| contains_phrase(&w, p)).cloned()
                }
                Check::OffHours => account
                    .and_then(|a| a.hours.as_ref())
                    .filter(|h| !h.is_open(now))
                    .map(|_| format!("posted at {now}, outside the account's hours")),
            };
            if let Some(matched) = matched {
                holds.push(Hold {
                    rule: r.id.clone(),
                    reason: r.reason.clone(),
                    matched,
                    second_approval: r.second_approval,
                });
            }
        }
        holds
    }
}

/// A post from an official account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficialPost {
    /// Its id.
    pub id: PostId,
    /// The network.
    pub network: SocialNetwork,
    /// The account's handle.
    pub handle: String,
    /// Who wrote it.
    pub author: AgentId,
    /// The text.
    pub text: String,
    /// When it was submitted.
    pub at: DateTime<Utc>,
    /// For a public reply on a ticket: which ticket it answers (it is
    /// added to the ticket and sent to the customer once approved). None
    /// for a post of the account's own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply: Option<PublicReply>,
}

/// What makes an official post a public reply on a ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PublicReply {
    /// The ticket it answers.
    pub ticket: TicketId,
    /// The reply's files.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
}

/// A public reply on a ticket from a company account, to review before it
/// goes out ([`Posts::review_reply`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyDraft {
    /// The id its post gets if a rule holds it.
    pub post: PostId,
    /// The ticket it answers.
    pub ticket: TicketId,
    /// The network it goes out on, publicly.
    pub network: SocialNetwork,
    /// Who wrote it.
    pub author: AgentId,
    /// The text.
    pub text: String,
    /// Its files.
    pub attachments: Vec<Attachment>,
}

/// Where a post is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum PostState {
    /// Held for review by these rules.
    Held {
        /// The holds.
        holds: Vec<Hold>,
    },
    /// Gone out (approved by someone, or passing every rule).
    Published {
        /// Who approved it after a hold (none when nothing held it).
        approved_by: Option<AgentId>,
    },
    /// Stopped.
    Rejected {
        /// By whom.
        by: AgentId,
        /// Why.
        reason: String,
    },
}

/// Something that happened to an official post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostEvent {
    /// When.
    pub at: DateTime<Utc>,
    /// What.
    pub kind: PostEventKind,
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum PostEventKind {
    /// Submitted; held when `holds` is not empty, published otherwise.
    Submitted {
        /// The post.
        post: OfficialPost,
        /// The holds.
        holds: Vec<Hold>,
    },
    /// Approved after a hold and published.
    Approved {
        /// Which.
        post: PostId,
        /// By whom.
        by: AgentId,
    },
    /// Rejected.
    Rejected {
        /// Which.
        post: PostId,
        /// By whom.
        by: AgentId,
        /// Why.
        reason: String,
    },
}

/// What the official-posts area can be asked; the acting agent is the
/// author or reviewer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
#[non_exhaustive]
pub enum PostAction {
    /// Submit a post from an official account: it goes out if it passes
    /// every review rule, and is held with the rules that held it if not.
    Submit {
        /// The caller-chosen id.
        post: PostId,
        /// The network.
        network: SocialNetwork,
        /// The official handle.
        handle: String,
        /// The text.
        text: String,
    },
    /// Approve a held post (a second person where a rule demands it).
    Approve {
        /// Which.
        post: PostId,
    },
    /// Reject a held post.
    Reject {
        /// Which.
        post: PostId,
        /// Why.
        reason: String,
    },
}

/// An official post and where it is in its review.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct PostRecord {
    /// The post.
    pub post: OfficialPost,
    /// Where it is.
    pub state: PostState,
}

/// The official-posts aggregate: every post submitted from an official
/// account and where it is in its review. A pure fold of [`PostEvent`]s.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Posts {
    posts: std::collections::BTreeMap<PostId, PostRecord>,
}

impl Posts {
    /// One post and where it is.
    #[must_use]
    pub fn get(&self, id: PostId) -> Option<&PostRecord> {
        self.posts.get(&id)
    }

    /// Every post, by id.
    pub fn iter(&self) -> impl Iterator<Item = &PostRecord> {
        self.posts.values()
    }

    /// Decides a post by `by` (its author, or its reviewer): a submission
    /// reviewed against `policy` (held with the rules that held it, or
    /// published), an approval (by a second person where a rule demands
    /// it) or a rejection of a held post. Whether `by` may act is the
    /// caller's to check.
    ///
    /// # Errors
    /// [`GuardError::DuplicatePost`], [`GuardError::EmptyPost`],
    /// [`GuardError::UnknownAccount`], [`GuardError::UnknownPost`],
    /// [`GuardError::NotHeld`], [`GuardError::SecondPersonRequired`].
    pub fn handle(
        &self,
        action: PostAction,
        by: AgentId,
        policy: &GuardPolicy,
        now: DateTime<Utc>,
    ) -> Result<Vec<PostEvent>, GuardError> {
        let kind = match action {
            PostAction::Submit {
                post,
                network,
                handle,
                text,
            } => {
                if self.get(post).is_some() {
                    return Err(GuardError::DuplicatePost(post));
                }
                let text = text.trim().to_owned();
                if text.is_empty() {
                    return Err(GuardError::EmptyPost);
                }
                let account = policy.account(&network, &handle).ok_or_else(|| {
                    GuardError::UnknownAccount {
                        network: network.clone(),
                        handle: handle.clone(),
                    }
                })?;
                let holds = policy.review_for(Some(account), &text, now);
                PostEventKind::Submitted {
                    post: OfficialPost {
                        id: post,
                        network,
                        handle,
                        author: by,
                        text,
                        at: now,
                        reply: None,
                    },
                    holds,
                }
            }
            PostAction::Approve { post: id } => {
                let PostRecord { post, state } = self.get(id).ok_or(GuardError::UnknownPost(id))?;
                let PostState::Held { holds } = state else {
                    return Err(GuardError::NotHeld(id));
                };
                if by == post.author
                    && let Some(h) = holds.iter().find(|h| h.second_approval)
                {
                    return Err(GuardError::SecondPersonRequired {
                        post: id,
                        rule: h.rule.clone(),
                    });
                }
                PostEventKind::Approved { post: id, by }
            }
            PostAction::Reject { post: id, reason } => {
                let PostRecord { state, .. } = self.get(id).ok_or(GuardError::UnknownPost(id))?;
                if !matches!(state, PostState::Held { .. }) {
                    return Err(GuardError::NotHeld(id));
                }
                let reason = crate::text::BlankText::check(&reason, "a rejection reason")?;
                PostEventKind::Rejected {
                    post: id,
                    by,
                    reason,
                }
            }
        };
        Ok(vec![PostEvent { at: now, kind }])
    }

    /// Reviews a public reply on a ticket against `policy`, from the
    /// policy's official account on the reply's network (whose hours
    /// apply; with none, the handle is left blank and only the text is
    /// reviewed). `None`: nothing holds it, it may go out at once. Else the
    /// `Submitted` event that holds it as a post, with the rules that
    /// fired.
    ///
    /// # Errors
    /// [`GuardError::DuplicatePost`], [`GuardError::EmptyPost`].
    pub fn review_reply(
        &self,
        draft: ReplyDraft,
        policy: &GuardPolicy,
        now: DateTime<Utc>,
    ) -> Result<Option<PostEvent>, GuardError> {
        let ReplyDraft {
            post,
            ticket,
            network,
            author,
            text,
            attachments,
        } = draft;
        if self.get(post).is_some() {
            return Err(GuardError::DuplicatePost(post));
        }
        let text = text.trim().to_owned();
        if text.is_empty() {
            return Err(GuardError::EmptyPost);
        }
        let account = policy.account_on(&network);
        let holds = policy.review_for(account, &text, now);
        if holds.is_empty() {
            return Ok(None);
        }
        let handle = account.map(|a| a.handle.clone()).unwrap_or_default();
        Ok(Some(PostEvent {
            at: now,
            kind: PostEventKind::Submitted {
                post: OfficialPost {
                    id: post,
                    network,
                    handle,
                    author,
                    text,
                    at: now,
                    reply: Some(PublicReply {
                        ticket,
                        attachments,
                    }),
                },
                holds,
            },
        }))
    }

    /// Folds one post event.
    pub fn apply(&mut self, e: &PostEvent) {
        let posts = &mut self.posts;
        match &e.kind {
            PostEventKind::Submitted { post, holds } => {
                let state = if holds.is_empty() {
                    PostState::Published { approved_by: None }
                } else {
                    PostState::Held {
                        holds: holds.clone(),
                    }
                };
                posts.insert(
                    post.id,
                    PostRecord {
                        post: post.clone(),
                        state,
                    },
                );
            }
            PostEventKind::Approved { post, by } => {
                if let Some(PostRecord { state: s, .. }) = posts.get_mut(post) {
                    *s = PostState::Published {
                        approved_by: Some(*by),
                    };
                }
            }
            PostEventKind::Rejected { post, by, reason } => {
                if let Some(PostRecord { state: s, .. }) = posts.get_mut(post) {
                    *s = PostState::Rejected {
                        by: *by,
                        reason: reason.clone(),
                    };
                }
            }
        }
    }
}
