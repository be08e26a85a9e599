//! Where attachment bytes live: the caller's blob store, behind a small
//! trait. The desk records each file's name, media type, size and key
//! ([`AttachmentRef`]); inbound files are put in the store and outbound
//! ones fetched from it by that key.

use std::collections::BTreeMap;

use fanatical::ticket::{AttachmentRef, MediaType};

/// A blob store failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BlobError {
    /// No bytes under this key.
    #[error("no file stored under {0:?}")]
    Missing(String),
    /// The store failed (unreachable, full); worth retrying.
    #[error("the blob store failed: {0}")]
    Unavailable(String),
}

/// The caller's blob store, as this crate uses it.
pub trait Blobs {
    /// Stores a file's bytes and returns the key to find them by.
    ///
    /// # Errors
    /// [`BlobError::Unavailable`] when the store cannot take them.
    fn put(
        &mut self,
        file_name: &str,
        media_type: &MediaType,
        bytes: &[u8],
    ) -> Result<AttachmentRef, BlobError>;

    /// The bytes stored under `key`.
    ///
    /// # Errors
    /// [`BlobError::Missing`] for an unknown key, [`BlobError::Unavailable`]
    /// when the store cannot be read.
    fn get(&self, key: &AttachmentRef) -> Result<Vec<u8>, BlobError>;
}

impl<B: Blobs + ?Sized> Blobs for &mut B {
    fn put(
        &mut self,
        file_name: &str,
        media_type: &MediaType,
        bytes: &[u8],
    ) -> Result<AttachmentRef, BlobError> {
        (**self).put(file_name, media_type, bytes)
    }
    fn get(&self, key: &AttachmentRef) -> Result<Vec<u8>, BlobError> {
        (**self).get(key)
    }
}

/// Blobs in memory, keyed `blob/1`, `blob/2`, … in the order put: for
/// tests and examples.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemoryBlobs {
    files: BTreeMap<String, Vec<u8>>,
    next: u64,
}

impl MemoryBlobs {
    /// An empty store.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Stores `bytes` under a key the caller chose (files the desk
    /// already references).
    pub fn insert(&mut self, key: &AttachmentRef, bytes: &[u8]) {
        self.files.insert(key.as_str().to_owned(), bytes.to_vec());
    }

    /// How many files are stored.
    #[must_use]
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether nothing is stored.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

impl Blobs for MemoryBlobs {
    fn put(
        &mut self,
        _file_name: &str,
        _media_type: &MediaType,
        bytes: &[u8],
    ) -> Result<AttachmentRef, BlobError> {
        self.next += 1;
        let key = format!("blob/{}", self.next);
        let reference =
            AttachmentRef::new(&key).map_err(|e| BlobError::Unavailable(e.to_string()))?;
        self.files.insert(key, bytes.to_vec());
        Ok(reference)
    }

    fn get(&self, key: &AttachmentRef) -> Result<Vec<u8>, BlobError> {
        self.files
            .get(key.as_str())
            .cloned()
            .ok_or_else(|| BlobError::Missing(key.as_str().to_owned()))
    }
}
