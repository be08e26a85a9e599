//! The limits a desk enforces on tickets: attachment sizes and counts,
//! and whether solving needs an assignee.

use serde::{Deserialize, Serialize};

use super::{Attachment, TicketError};

/// Limits a desk enforces on conversation entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TicketRules {
    /// Largest attachment in bytes (default 50 MiB, as Zendesk).
    pub max_attachment_bytes: u64,
    /// Most attachments on one entry (default 20).
    pub max_attachments_per_entry: usize,
    /// Whether solving requires an assignee (default true, as Zendesk).
    pub solve_requires_assignee: bool,
}

impl Default for TicketRules {
    fn default() -> Self {
        TicketRules {
            max_attachment_bytes: 50 * 1024 * 1024,
            max_attachments_per_entry: 20,
            solve_requires_assignee: true,
        }
    }
}

impl TicketRules {
    /// The defaults with another attachment size limit.
    #[must_use]
    pub fn with_max_attachment_bytes(mut self, limit: u64) -> Self {
        self.max_attachment_bytes = limit;
        self
    }

    /// The defaults with solving allowed without an assignee.
    #[must_use]
    pub fn allow_unassigned_solve(mut self) -> Self {
        self.solve_requires_assignee = false;
        self
    }

    pub(super) fn check_attachments(&self, attachments: &[Attachment]) -> Result<(), TicketError> {
        if attachments.len() > self.max_attachments_per_entry {
            return Err(TicketError::TooManyAttachments {
                count: attachments.len(),
                limit: self.max_attachments_per_entry,
            });
        }
        for a in attachments {
            if a.file_name.trim().is_empty() {
                return Err(TicketError::EmptyAttachmentName);
            }
            if a.size > self.max_attachment_bytes {
                return Err(TicketError::AttachmentTooLarge {
                    file_name: a.file_name.clone(),
                    size: a.size,
                    limit: self.max_attachment_bytes,
                });
            }
        }
        Ok(())
    }
}
