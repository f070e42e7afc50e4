//! Values from a request, made safe for a log line: control characters
//! (newlines, ANSI escapes) escaped, so nobody can forge a line or repaint a
//! terminal, and long values cut short.

/// Longest value a log line carries, in characters.
pub(crate) const MAX: usize = 64;

pub(crate) fn clean(value: &str) -> String {
    let mut out = String::with_capacity(value.len().min(MAX + 8));
    for (i, c) in value.chars().enumerate() {
        if i == MAX {
            out.push('…');
            break;
        }
        if c.is_control() || c == '\u{2028}' || c == '\u{2029}' {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::clean;

    #[test]
    fn control_characters_are_escaped_and_values_cut() {
        assert_eq!(
            clean("mallory\n2026-01-01 caller=reseller code=200"),
            "mallory\\n2026-01-01 caller=reseller code=200"
        );
        assert_eq!(clean("\u{1b}[31mred\r\0"), "\\u{1b}[31mred\\r\\u{0}");
        assert_eq!(clean("ada"), "ada");
        let long = clean(&"x".repeat(1000));
        assert_eq!(long.chars().count(), super::MAX + 1);
        assert!(!long.contains('\n'));
    }
}
