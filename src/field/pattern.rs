//! Patterns for patterned-text fields: a `regex` crate pattern, bounded
//! so that a hostile one is a typed error, never a panic or a blow-up.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

use serde::{Deserialize, Serialize};

use super::FieldError;

/// The longest pattern source, in bytes.
pub const MAX_PATTERN: usize = 256;
/// The most memory the compiled matcher (and its lazy DFA cache) may
/// take, in bytes: far above what a 256-byte pattern without huge
/// repetitions needs, far below what one with them would build.
const SIZE_LIMIT: usize = 1 << 20;
/// The deepest nesting of groups and repetitions.
const NEST_LIMIT: u32 = 32;

/// A pattern a whole text must match (it is anchored at both ends), in the
/// `regex` crate's syntax: matching takes time linear in the text, and a
/// pattern over 256 bytes, nested over 32 deep or compiling to more than
/// 1 MiB is refused. Compared, ordered and written as its source.
///
/// ```
/// use fanatical::field::Pattern;
/// let order = Pattern::new(r"ORD-[0-9]{6}")?;
/// assert!(order.is_match("ORD-123456"));
/// assert!(!order.is_match("xORD-123456")); // whole text only
/// // A pattern that would compile to an enormous matcher is refused.
/// assert!(Pattern::new(r"(\w{1000}){1000}").is_err());
/// # Ok::<(), fanatical::field::FieldError>(())
/// ```
#[derive(Clone, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Pattern {
    source: String,
    regex: regex::Regex,
}

impl Pattern {
    /// Compiles a pattern.
    ///
    /// # Errors
    /// [`FieldError::InvalidPattern`] naming the pattern: blank, over 256
    /// bytes, not valid syntax, nested too deep, or over the size limit.
    pub fn new(source: &str) -> Result<Self, FieldError> {
        let bad = |reason: String| FieldError::InvalidPattern {
            pattern: source.chars().take(100).collect(),
            reason,
        };
        if source.trim().is_empty() {
            return Err(bad("blank".to_owned()));
        }
        if source.len() > MAX_PATTERN {
            return Err(bad(format!("longer than {MAX_PATTERN} bytes")));
        }
        let build = |text: &str| {
            regex::RegexBuilder::new(text)
                .size_limit(SIZE_LIMIT)
                .dfa_size_limit(SIZE_LIMIT)
                .nest_limit(NEST_LIMIT)
                .build()
                .map_err(|e| bad(first_line(&e.to_string())))
        };
        // The source must stand alone, so it cannot close the group the
        // anchors are put round (`x)|(.*` would match any text).
        build(source)?;
        let regex = build(&format!("^(?:{source})$"))?;
        Ok(Pattern {
            source: source.to_owned(),
            regex,
        })
    }

    /// Whether the whole of `text` matches.
    #[must_use]
    pub fn is_match(&self, text: &str) -> bool {
        self.regex.is_match(text)
    }

    /// The source, as given.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.source
    }
}

/// The last non-blank line of a `regex` error (its summary), bounded.
fn first_line(message: &str) -> String {
    message
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("invalid")
        .trim()
        .chars()
        .take(200)
        .collect()
}

impl fmt::Debug for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Pattern").field(&self.source).finish()
    }
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

impl Eq for Pattern {}

impl PartialOrd for Pattern {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Pattern {
    fn cmp(&self, other: &Self) -> Ordering {
        self.source.cmp(&other.source)
    }
}

impl Hash for Pattern {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.source.hash(state);
    }
}

impl TryFrom<String> for Pattern {
    type Error = FieldError;
    fn try_from(s: String) -> Result<Self, FieldError> {
        Pattern::new(&s)
    }
}

impl From<Pattern> for String {
    fn from(p: Pattern) -> String {
        p.source
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_and_matches() {
        let p = Pattern::new("[A-Z]{2}[0-9]+").unwrap();
        assert!(p.is_match("GB123"));
        assert!(!p.is_match("GB123 "));
        assert!(!p.is_match("gb123"));
        // An alternation is anchored as a whole.
        let p = Pattern::new("a|b").unwrap();
        assert!(p.is_match("a") && p.is_match("b") && !p.is_match("ab"));
    }

    #[test]
    fn hostile_patterns_are_typed_errors() {
        let long = "a".repeat(MAX_PATTERN + 1);
        let deep = format!("{}a{}", "(".repeat(40), ")".repeat(40));
        for bad in [
            "",
            "  ",
            "(",
            "[z-a]",
            long.as_str(),
            deep.as_str(),
            r"(\w{1000}){1000}",
            r"\p{Greek}{500}{500}",
        ] {
            match Pattern::new(bad) {
                Err(FieldError::InvalidPattern { pattern, reason }) => {
                    assert!(!reason.is_empty(), "{bad}");
                    assert!(pattern.chars().count() <= 100);
                }
                other => panic!("{bad:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn serde_is_the_source_and_recompiles() {
        let p = Pattern::new(r"\d{3}").unwrap();
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(json, r#""\\d{3}""#);
        let back: Pattern = serde_json::from_str(&json).unwrap();
        assert_eq!(back, p);
        assert!(back.is_match("123"));
        assert!(serde_json::from_str::<Pattern>(r#""(""#).is_err());
    }
}
