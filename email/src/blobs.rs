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
    /// The key already holds other bytes.
    #[error("another file is stored under {0:?}")]
    Taken(String),
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

/// Blobs in memory, keyed `blob/1`, `blob/2`, … in the order put (a key
/// already taken, by [`MemoryBlobs::insert`], is skipped): for tests and
/// examples.
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
    /// already references). The same bytes again under the same key
    /// change nothing.
    ///
    /// # Errors
    /// [`BlobError::Taken`] when the key holds other bytes (put there by
    /// [`Blobs::put`] or an earlier insert): they are kept.
    pub fn insert(&mut self, key: &AttachmentRef, bytes: &[u8]) -> Result<(), BlobError> {
        match self.files.get(key.as_str()) {
            Some(held) if held != bytes => Err(BlobError::Taken(key.as_str().to_owned())),
            Some(_) => Ok(()),
            None => {
                self.files.insert(key.as_str().to_owned(), bytes.to_vec());
                Ok(())
            }
        }
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
        // The next key nobody holds: an inserted file keeps its bytes.
        let key = loop {
            self.next = self
                .next
                .checked_add(1)
                .ok_or_else(|| BlobError::Unavailable("no more keys: 2^64 files put".to_owned()))?;
            let key = format!("blob/{}", self.next);
            if !self.files.contains_key(&key) {
                break key;
            }
        };
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

#[cfg(test)]
mod tests {
    use super::*;

    fn key(k: &str) -> AttachmentRef {
        AttachmentRef::new(k).unwrap()
    }

    #[test]
    fn insert_and_put_never_overwrite_each_other() {
        let media = MediaType::new("text/plain").unwrap();
        let mut blobs = MemoryBlobs::new();
        // A file the desk references, under the key put would pick first.
        blobs.insert(&key("blob/1"), b"inserted").unwrap();
        let put = blobs.put("a.txt", &media, b"put").unwrap();
        assert_ne!(put.as_str(), "blob/1");
        assert_eq!(blobs.get(&key("blob/1")).unwrap(), b"inserted");
        assert_eq!(blobs.get(&put).unwrap(), b"put");
        // Inserting over a put file is refused and keeps it.
        assert_eq!(
            blobs.insert(&put, b"other"),
            Err(BlobError::Taken(put.as_str().to_owned()))
        );
        assert_eq!(blobs.get(&put).unwrap(), b"put");
        // The same bytes again are no change.
        blobs.insert(&key("blob/1"), b"inserted").unwrap();
        assert_eq!(blobs.len(), 2);
    }
}
