//! Numbers written out in decimal digits, without `core::fmt`.
//!
//! `format!` and `to_string()` bring the formatting machinery into the
//! browser's bundle (its parser of `Arguments`, padding, the integer
//! writers); the core and the app write their few numbers and ids with
//! these and string concatenation instead, so the bundle holds none of it.
//! Messages meant only for people reading a log (the `Display` of errors)
//! keep `fmt`: the bundle never calls them.

/// `n` in decimal digits.
pub fn decimal(n: u64) -> String {
    let mut out = String::new();
    push(&mut out, n, 1);
    out
}

/// `n` in decimal digits, with its minus sign.
pub fn signed(n: i64) -> String {
    let mut out = String::new();
    if n < 0 {
        out.push('-');
    }
    push(&mut out, n.unsigned_abs(), 1);
    out
}

/// Appends `n` to `out` in decimal digits, with leading zeros up to
/// `width` digits.
pub fn push(out: &mut String, mut n: u64, width: usize) {
    // Lowest first; u64::MAX has 20 digits.
    let mut digits = [0u8; 20];
    let mut len = 0;
    loop {
        digits[len] = b'0' + (n % 10) as u8;
        len += 1;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for _ in len..width {
        out.push('0');
    }
    for &digit in digits[..len].iter().rev() {
        out.push(char::from(digit));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn the_digits_are_rusts_own(n: u64, i: i64, width in 0usize..25) {
            prop_assert_eq!(decimal(n), n.to_string());
            prop_assert_eq!(signed(i), i.to_string());
            let mut padded = String::from("x");
            push(&mut padded, n, width);
            prop_assert_eq!(padded, format!("x{n:0width$}"));
        }
    }

    #[test]
    fn the_edges() {
        assert_eq!(decimal(0), "0");
        assert_eq!(decimal(u64::MAX), "18446744073709551615");
        assert_eq!(signed(i64::MIN), "-9223372036854775808");
        let mut out = String::new();
        push(&mut out, 7, 2);
        push(&mut out, 2026, 4);
        push(&mut out, 5, 0);
        assert_eq!(out, "0720265");
    }
}
