//! Text helpers shared across the crate: word matching for the guard and
//! crisis policies, one-word validation for ids and codes, escaping for
//! DOT labels.
//!
//! A base module: it names no other module of the crate, so any layer may
//! use it.

/// A text that must say something was blank (empty or only white space):
/// a reason, a note, a wave's name, a mistake's label.
///
/// ```
/// use fanatical::error::BlankText;
/// let err = BlankText::check("  ", "an outage reason").unwrap_err();
/// assert_eq!(err.what, "an outage reason");
/// assert_eq!(err.to_string(), "an outage reason must not be blank");
/// assert_eq!(BlankText::check(" fire ", "an outage reason"), Ok("fire".to_owned()));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{what} must not be blank")]
#[non_exhaustive]
pub struct BlankText {
    /// What was blank, with its article ("an outage reason").
    pub what: &'static str,
}

impl BlankText {
    /// The trimmed text, or the error naming `what` was blank.
    ///
    /// # Errors
    /// [`BlankText`] when `text` is empty or only white space.
    pub fn check(text: &str, what: &'static str) -> Result<String, BlankText> {
        let t = text.trim();
        if t.is_empty() {
            Err(BlankText { what })
        } else {
            Ok(t.to_owned())
        }
    }
}

/// "a" or "an" before `word`, by its first letter (a vowel sound is
/// assumed for a, e, i, o, u): "an incident", "a problem".
pub(crate) fn article(word: &str) -> &'static str {
    match word.chars().next().map(|c| c.to_ascii_lowercase()) {
        Some('a' | 'e' | 'i' | 'o' | 'u') => "an",
        _ => "a",
    }
}

/// The lowercase words of `s`: runs of letters, digits and apostrophes
/// (a typographic apostrophe counts as a plain one, so "don’t" is
/// "don't"); everything else separates.
pub(crate) fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric() && !is_apostrophe(c))
        .filter(|w| !w.is_empty())
        .map(|w| {
            w.chars()
                .map(|c| if is_apostrophe(c) { '\'' } else { c })
                .flat_map(char::to_lowercase)
                .collect()
        })
        .collect()
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{02bc}')
}

/// Whether `phrase`'s words appear consecutively in `text`'s words.
pub(crate) fn contains_phrase(text: &[String], phrase: &str) -> bool {
    contains_words(text, &words(phrase))
}

/// Whether the words `phrase` (already split by [`words`]) appear
/// consecutively in `text`'s words.
pub(crate) fn contains_words(text: &[String], phrase: &[String]) -> bool {
    !phrase.is_empty() && text.windows(phrase.len()).any(|w| w == phrase)
}

/// The trimmed text when it is one word of 1 to 100 characters.
pub(crate) fn one_word(text: &str) -> Option<String> {
    let t = text.trim();
    let ok = !t.is_empty() && t.chars().count() <= 100 && !t.chars().any(char::is_whitespace);
    ok.then(|| t.to_owned())
}

/// What erased personal text reads as, wherever it was: a name, a
/// family member, a message body. Re-exported as
/// `fanatical::store::ERASED`.
pub const ERASED: &str = "[erased]";

/// Escapes a string for a DOT quoted label.
pub(crate) fn dot_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_ignore_case_and_punctuation() {
        assert_eq!(
            words("Having fun at Sea-World!"),
            ["having", "fun", "at", "sea", "world"]
        );
        assert!(contains_phrase(&words("fun at sea-world"), "Sea World"));
        assert!(!contains_phrase(&words("sea of worlds"), "sea world"));
        assert!(!contains_phrase(&words("anything"), " !! "));
        assert_eq!(words("DON\u{2019}T stop"), ["don't", "stop"]);
    }

    #[test]
    fn one_word_is_trimmed_and_bounded() {
        assert_eq!(one_word("  dfw1/servers "), Some("dfw1/servers".to_owned()));
        assert_eq!(one_word(""), None);
        assert_eq!(one_word("two words"), None);
        assert_eq!(one_word(&"x".repeat(101)), None);
        assert_eq!(
            one_word(&"é".repeat(100)).map(|w| w.chars().count()),
            Some(100)
        );
    }

    #[test]
    fn dot_labels_are_escaped() {
        assert_eq!(dot_escape("a \"b\"\\\nc"), "a \\\"b\\\"\\\\\\nc");
    }
}
