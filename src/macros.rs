//! Macros shared across modules.

/// For a validated string newtype `$ty(String)` with a fallible
/// `$ty::new(&str) -> Result<$ty, $err>`: `TryFrom<String>` (so serde can
/// validate with `#[serde(try_from = "String", into = "String")]`),
/// `From<$ty> for String`, and `Display`.
macro_rules! validated_string {
    ($ty:ident, $err:ty) => {
        impl TryFrom<String> for $ty {
            type Error = $err;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                $ty::new(&value)
            }
        }

        impl From<$ty> for String {
            fn from(v: $ty) -> Self {
                v.0
            }
        }

        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

/// Serde `with` modules for configured durations in whole seconds, one per
/// setting (`module: "setting name" from min_seconds`): reading refuses a
/// value below the minimum or over 100 years with a
/// [`DurationOutOfRange`](crate::time::DurationOutOfRange) naming the
/// setting and the value.
macro_rules! configured_seconds {
    ($($module:ident: $field:literal from $min:literal),* $(,)?) => {$(
        mod $module {
            pub(super) use crate::time::seconds::serialize;
            pub(super) fn deserialize<'de, D: serde::Deserializer<'de>>(
                d: D,
            ) -> Result<chrono::Duration, D::Error> {
                crate::time::seconds::deserialize_configured(d, $field, $min)
            }
        }
    )*};
}
