//! A ticket's conversation: its entries, who wrote them, who sees them,
//! and the files attached.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::TicketError;
use crate::channel::Channel;
use crate::id::{AgentId, ContactId, TicketId};

/// Who wrote a conversation entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Author {
    /// A customer's contact.
    Contact(ContactId),
    /// An employee.
    Agent(AgentId),
    /// The desk itself (automations, merges).
    System,
}

/// Whether the customer sees an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryVisibility {
    /// A public reply: the customer sees it.
    Public,
    /// An internal note: support only.
    Internal,
}

/// A media type such as `image/gif`, lowercased and validated.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MediaType(String);

impl MediaType {
    /// Parses `type/subtype` (parameters after `;` are dropped).
    ///
    /// # Errors
    /// [`TicketError::InvalidMediaType`] naming the value.
    pub fn new(value: &str) -> Result<Self, TicketError> {
        let essence = value
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        let valid_token = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "!#$&^_.+-".contains(c))
        };
        match essence.split_once('/') {
            Some((t, s)) if valid_token(t) && valid_token(s) => Ok(MediaType(essence)),
            _ => Err(TicketError::InvalidMediaType(value.to_owned())),
        }
    }

    /// The normalised `type/subtype`.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the type is an image.
    #[must_use]
    pub fn is_image(&self) -> bool {
        self.0.starts_with("image/")
    }

    /// Whether the format can carry animation (GIF, animated PNG, WebP):
    /// such attachments are shown inline and played, not offered as a
    /// download.
    #[must_use]
    pub fn is_animated_image_capable(&self) -> bool {
        matches!(
            self.0.as_str(),
            "image/gif" | "image/apng" | "image/webp" | "image/png"
        )
    }
}

validated_string!(MediaType, TicketError);

/// Where the caller's blob store keeps an attachment's bytes: an opaque
/// key the desk records and hands back, never reads (an object-store key,
/// a content hash, an upload token). The desk does no I/O: the caller
/// stores the file first, attaches it by this key, resolves the key when
/// a transport sends the file, and deletes the blobs an erasure lists
/// ([`Erasure::files`](crate::store::Erasure::files)).
///
/// A key is 1 to 1024 bytes (S3's and most object stores' limit) with no
/// control characters; surrounding white space is trimmed. Keep personal
/// data out of keys: an erasure blanks them in the record, but a key that
/// names a person has already said it to every log it went through.
///
/// # Example
/// ```
/// use fanatical::ticket::{AttachmentRef, TicketError};
///
/// let key = AttachmentRef::new("blobs/sha256/9f86d081884c7d65")?;
/// assert_eq!(key.as_str(), "blobs/sha256/9f86d081884c7d65");
/// assert_eq!(
///     AttachmentRef::new("line\nbreak"),
///     Err(TicketError::InvalidAttachmentRef("line\nbreak".into()))
/// );
/// # Ok::<(), TicketError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AttachmentRef(String);

impl AttachmentRef {
    /// The longest key, in bytes.
    pub const MAX_LEN: usize = 1024;

    /// A key, trimmed and checked.
    ///
    /// # Errors
    /// [`TicketError::InvalidAttachmentRef`] naming the value when it is
    /// blank, over [`AttachmentRef::MAX_LEN`] bytes, or holds a control
    /// character.
    pub fn new(value: &str) -> Result<Self, TicketError> {
        let key = value.trim();
        if key.is_empty() || key.len() > Self::MAX_LEN || key.chars().any(char::is_control) {
            return Err(TicketError::InvalidAttachmentRef(value.to_owned()));
        }
        Ok(AttachmentRef(key.to_owned()))
    }

    /// The key.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key an erasure leaves in the record.
    #[must_use]
    pub fn erased() -> Self {
        AttachmentRef(crate::text::ERASED.to_owned())
    }
}

validated_string!(AttachmentRef, TicketError);

/// A file attached to a conversation entry: its metadata, and the key
/// under which the caller's blob store keeps its bytes. The same record
/// goes on the outbound message of a public reply, so a transport can
/// fetch the file and send it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    /// File name as uploaded.
    pub file_name: String,
    /// Media type.
    pub media_type: MediaType,
    /// Size in bytes.
    pub size: u64,
    /// Where the bytes are. `None` on files recorded before keys were
    /// (and by callers that keep no files): a transport can only name such
    /// a file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<AttachmentRef>,
}

impl Attachment {
    /// An attachment with a validated name and media type (size is checked
    /// against [`TicketRules`](super::TicketRules) when it is attached).
    ///
    /// # Errors
    /// [`TicketError::EmptyAttachmentName`], [`TicketError::InvalidMediaType`].
    pub fn new(file_name: &str, media_type: &str, size: u64) -> Result<Self, TicketError> {
        let file_name = file_name.trim();
        if file_name.is_empty() {
            return Err(TicketError::EmptyAttachmentName);
        }
        Ok(Attachment {
            file_name: file_name.to_owned(),
            media_type: MediaType::new(media_type)?,
            size,
            reference: None,
        })
    }

    /// This attachment, stored under `reference` in the caller's blob
    /// store.
    ///
    /// # Example
    /// ```
    /// use fanatical::ticket::{Attachment, AttachmentRef};
    ///
    /// let gif = Attachment::new("high-five.gif", "image/gif", 982_112)?
    ///     .stored_at(AttachmentRef::new("blobs/0b7e1c")?);
    /// assert_eq!(gif.reference.as_ref().map(AttachmentRef::as_str), Some("blobs/0b7e1c"));
    /// # Ok::<(), fanatical::ticket::TicketError>(())
    /// ```
    #[must_use]
    pub fn stored_at(mut self, reference: AttachmentRef) -> Self {
        self.reference = Some(reference);
        self
    }

    /// Blanks what names the file (its name and its key), keeping its
    /// type and size.
    pub fn erase(&mut self) {
        crate::text::ERASED.clone_into(&mut self.file_name);
        if self.reference.is_some() {
            self.reference = Some(AttachmentRef::erased());
        }
    }
}

/// Where a merged-in entry came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryOrigin {
    /// The ticket it was written on.
    pub ticket: TicketId,
    /// Its number there.
    pub number: u32,
}

/// One entry of a ticket's conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Position in this ticket's conversation, from 1.
    pub number: u32,
    /// When it was written.
    pub at: DateTime<Utc>,
    /// Who wrote it.
    pub author: Author,
    /// Public reply or internal note.
    pub visibility: EntryVisibility,
    /// The channel it came or went by.
    pub channel: Channel,
    /// The text.
    pub body: String,
    /// Attached files.
    pub attachments: Vec<Attachment>,
    /// For entries brought in by a merge: where they were written.
    pub origin: Option<EntryOrigin>,
}

impl Entry {
    /// Replaces what the entry says (its body, and the names and storage
    /// keys of its files) with the erased placeholder, keeping its shape:
    /// number, time, author, visibility, channel, and each file's type and
    /// size.
    pub fn erase_body(&mut self) {
        crate::text::ERASED.clone_into(&mut self.body);
        self.attachments.iter_mut().for_each(Attachment::erase);
    }
}
