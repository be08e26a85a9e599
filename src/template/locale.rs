//! Locales: language tags.

use super::TemplateError;

/// The longest tag accepted (BCP 47 advises supporting 35 characters).
const MAX_LEN: usize = 35;

/// A language tag in the shape of BCP 47 (`en`, `es`, `pt-BR`,
/// `zh-Hant-TW`): a language of two or three letters, then subtags of
/// one to eight letters or digits separated by `-` (an `_` is read as a
/// `-`). Kept in canonical case: the language and most subtags in lower
/// case, a four-letter script in title case, a two-letter region in
/// upper case; so `EN_gb` and `en-GB` are the same locale.
///
/// Only the shape is checked, not the registry: a set's texts decide
/// which locales exist for the desk.
///
/// ```
/// use fanatical::template::Locale;
///
/// assert_eq!(Locale::new("pt_br")?.as_str(), "pt-BR");
/// assert_eq!(Locale::new("zh-hant-tw")?.as_str(), "zh-Hant-TW");
/// assert_eq!(Locale::new("es-MX")?.language(), "es");
/// assert!(Locale::new("english").is_err());
/// assert!(Locale::new("en--GB").is_err());
/// # Ok::<(), fanatical::template::TemplateError>(())
/// ```
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct Locale(String);

validated_string!(Locale, TemplateError);

impl Locale {
    /// The tag, checked and in canonical case.
    ///
    /// # Errors
    /// [`TemplateError::InvalidLocale`] naming the text when it is not a
    /// language tag.
    pub fn new(tag: &str) -> Result<Self, TemplateError> {
        let bad = || TemplateError::InvalidLocale(tag.chars().take(64).collect());
        let tag = tag.trim();
        if tag.is_empty() || tag.len() > MAX_LEN {
            return Err(bad());
        }
        let mut out = String::with_capacity(tag.len());
        for (i, sub) in tag.split(['-', '_']).enumerate() {
            let ok = if i == 0 {
                (2..=3).contains(&sub.len()) && sub.bytes().all(|b| b.is_ascii_alphabetic())
            } else {
                (1..=8).contains(&sub.len()) && sub.bytes().all(|b| b.is_ascii_alphanumeric())
            };
            if !ok {
                return Err(bad());
            }
            if i > 0 {
                out.push('-');
            }
            let alpha = sub.bytes().all(|b| b.is_ascii_alphabetic());
            match (i, sub.len()) {
                (1.., 2) if alpha => out.push_str(&sub.to_ascii_uppercase()),
                (1.., 4) if alpha => {
                    let lower = sub.to_ascii_lowercase();
                    let mut chars = lower.chars();
                    if let Some(first) = chars.next() {
                        out.push(first.to_ascii_uppercase());
                        out.push_str(chars.as_str());
                    }
                }
                _ => out.push_str(&sub.to_ascii_lowercase()),
            }
        }
        Ok(Locale(out))
    }

    /// English (`en`), the default.
    #[must_use]
    pub fn english() -> Self {
        Locale("en".to_owned())
    }

    /// Spanish (`es`), the second locale shipped.
    #[must_use]
    pub fn spanish() -> Self {
        Locale("es".to_owned())
    }

    /// Whether this is `en`.
    #[must_use]
    pub fn is_english(&self) -> bool {
        self.0 == "en"
    }

    /// The tag.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The language alone (`es` of `es-MX`).
    #[must_use]
    pub fn language(&self) -> &str {
        self.0.split('-').next().unwrap_or(&self.0)
    }
}

impl Default for Locale {
    /// English.
    fn default() -> Self {
        Locale::english()
    }
}
