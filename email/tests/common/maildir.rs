//! The SMTP server's Maildir as one test run sees it: only the mails that
//! arrived since the run opened it, so a rerun against the same server
//! (whose Maildir still holds an earlier run's mails, with the same
//! `Message-ID`s: the ids are seeded) reads its own mails only.

#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// A Maildir, minus what it held when opened.
pub struct Maildir {
    dir: PathBuf,
    before: BTreeSet<PathBuf>,
}

impl Maildir {
    /// The Maildir at `dir`, ignoring every mail already in it.
    pub fn since_now(dir: &Path) -> Self {
        let before = files(dir).into_iter().collect();
        Maildir {
            dir: dir.to_owned(),
            before,
        }
    }

    /// Every mail that arrived since, carrying `needle`.
    pub fn mails_with(&self, needle: &str) -> Vec<Vec<u8>> {
        files(&self.dir)
            .into_iter()
            .filter(|p| !self.before.contains(p))
            .map(|p| std::fs::read(p).unwrap())
            .filter(|bytes| String::from_utf8_lossy(bytes).contains(needle))
            .collect()
    }
}

/// The mail files under `new/` and `cur/` (a delivered mail moves from
/// one to the other under the same unique name; compared by name).
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for sub in ["new", "cur"] {
        let Ok(entries) = std::fs::read_dir(dir.join(sub)) else {
            continue;
        };
        for e in entries {
            out.push(e.unwrap().path());
        }
    }
    out
}
