//! Erasing the praise a person gave: the words, and the social handle it
//! came from.

use std::collections::BTreeSet;

use super::{Praise, PraiseSource, Recognition, RecognitionEvent, RecognitionEventKind};
use crate::channel::ChannelAddress;
use crate::id::{CustomerId, InvitationId};
use crate::text::ERASED;

/// Who a praise is from, for erasing it: a contact of `customer`, known
/// by the survey invitations they were sent and their social handles.
#[derive(Debug, Clone, Copy)]
pub struct PraiseAuthor<'a> {
    /// Their customer.
    pub customer: CustomerId,
    /// The survey invitations sent to them.
    pub invitations: &'a BTreeSet<InvitationId>,
    /// Their addresses (social handles match praise from a mention).
    pub addresses: &'a BTreeSet<ChannelAddress>,
}

impl PraiseAuthor<'_> {
    /// Whether `praise` is theirs: from a survey they were sent, or a
    /// mention by one of their handles naming their customer.
    #[must_use]
    pub fn gave(&self, praise: &Praise) -> bool {
        match &praise.source {
            PraiseSource::Survey { invitation } => self.invitations.contains(invitation),
            PraiseSource::Social { network, handle } => {
                praise.customer == Some(self.customer)
                    && ChannelAddress::social(network.clone(), handle.clone())
                        .is_ok_and(|a| self.addresses.contains(&a))
            }
            PraiseSource::TicketReply | PraiseSource::PhoneNote => false,
        }
    }
}

impl Praise {
    /// Erases the handle it came from (and with `words`, its text),
    /// keeping its id, time, customer, agent and chain.
    pub fn erase(&mut self, words: bool) {
        if let PraiseSource::Social { handle, .. } = &mut self.source {
            ERASED.clone_into(handle);
        }
        if words {
            ERASED.clone_into(&mut self.text);
        }
    }
}

impl RecognitionEvent {
    /// This event with the praise `author` gave erased (see
    /// [`Praise::erase`]), or `None` when it holds none of theirs.
    #[must_use]
    pub fn erased_for(&self, author: &PraiseAuthor<'_>, words: bool) -> Option<RecognitionEvent> {
        let mut e = self.clone();
        match &mut e.kind {
            RecognitionEventKind::PraiseRecorded { praise } if author.gave(praise) => {
                praise.erase(words);
            }
            _ => return None,
        }
        (e != *self).then_some(e)
    }
}

impl Recognition {
    /// Erases the praise `author` gave, as
    /// [`RecognitionEvent::erased_for`] erases it from the record.
    pub(crate) fn erase_praise_of(&mut self, author: &PraiseAuthor<'_>, words: bool) {
        for record in self.praises.values_mut() {
            if author.gave(&record.praise) {
                record.praise.erase(words);
            }
        }
    }

    /// The praise `author` gave: the streams an erasure searches for it.
    pub(crate) fn praise_of(&self, author: &PraiseAuthor<'_>) -> BTreeSet<crate::id::PraiseId> {
        self.praises
            .values()
            .filter(|r| author.gave(&r.praise))
            .map(|r| r.praise.id)
            .collect()
    }

    /// The texts of the praise `author` gave (not yet erased): what
    /// messages quoting it carry.
    pub(crate) fn words_of(&self, author: &PraiseAuthor<'_>) -> Vec<String> {
        self.praises
            .values()
            .map(|r| &r.praise)
            .filter(|p| author.gave(p) && p.text != ERASED && !p.text.trim().is_empty())
            .map(|p| p.text.clone())
            .collect()
    }
}
