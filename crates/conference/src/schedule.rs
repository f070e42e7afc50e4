//! The list of occurrences a start, a repeat interval and a count describe.
//!
//! [doc] "first conference on a Monday, repeats daily, 5 conferences: the last
//! is on the Friday."
//!
//! Monthly repeats [ours; the vendor does not say]: the n-th occurrence is n
//! months (or 2n) after the **first**, and a day the month lacks becomes that
//! month's last day. From 31 January: 28 (or 29) February, 31 March, 30 April,
//! 31 May. Counting from the first, not from the previous occurrence, keeps the
//! 31st from drifting to the 28th for good.

use chrono::{Days, Months, NaiveDateTime};

/// How often recurring conferences repeat: the API's `repeats`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Repeats {
    #[default]
    Never,
    Daily,
    Weekly,
    TwoWeekly,
    Monthly,
    TwoMonthly,
}

impl Repeats {
    /// The API's word for it (`""` for does not repeat).
    pub fn as_str(self) -> &'static str {
        match self {
            Repeats::Never => "",
            Repeats::Daily => "daily",
            Repeats::Weekly => "weekly",
            Repeats::TwoWeekly => "2_weekly",
            Repeats::Monthly => "monthly",
            Repeats::TwoMonthly => "2_monthly",
        }
    }

    pub fn parse(word: &str) -> Option<Repeats> {
        [
            Repeats::Never,
            Repeats::Daily,
            Repeats::Weekly,
            Repeats::TwoWeekly,
            Repeats::Monthly,
            Repeats::TwoMonthly,
        ]
        .into_iter()
        .find(|r| r.as_str() == word)
    }

    /// The `n`-th occurrence after `first` (0 is `first` itself); `None` past
    /// the end of chrono's calendar.
    pub fn nth(self, first: NaiveDateTime, n: u32) -> Option<NaiveDateTime> {
        let days = |k: u64| first.checked_add_days(Days::new(k * u64::from(n)));
        let months = |k: u32| first.checked_add_months(Months::new(k.checked_mul(n)?));
        match self {
            Repeats::Never => (n == 0).then_some(first),
            Repeats::Daily => days(1),
            Repeats::Weekly => days(7),
            Repeats::TwoWeekly => days(14),
            Repeats::Monthly => months(1),
            Repeats::TwoMonthly => months(2),
        }
    }
}

/// Every occurrence, the first included: `count` of them, or one when the
/// conference does not repeat.
pub fn occurrences(first: NaiveDateTime, repeats: Repeats, count: u32) -> Vec<NaiveDateTime> {
    let count = if repeats == Repeats::Never { 1 } else { count };
    (0..count).map_while(|n| repeats.nth(first, n)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Datelike, NaiveDate, Weekday};

    fn at(y: i32, m: u32, d: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(9, 30, 0)
            .unwrap()
    }

    #[test]
    fn the_vendors_example_monday_daily_five_ends_friday() {
        let monday = at(2026, 11, 30);
        assert_eq!(monday.weekday(), Weekday::Mon);
        let all = occurrences(monday, Repeats::Daily, 5);
        assert_eq!(all.len(), 5);
        assert_eq!(all[4].weekday(), Weekday::Fri);
        assert_eq!(all[4], at(2026, 12, 4));
    }

    #[test]
    fn weekly_and_fortnightly() {
        assert_eq!(
            occurrences(at(2026, 12, 1), Repeats::Weekly, 3)[2],
            at(2026, 12, 15)
        );
        assert_eq!(
            occurrences(at(2026, 12, 1), Repeats::TwoWeekly, 3)[2],
            at(2026, 12, 29)
        );
    }

    #[test]
    fn monthly_from_the_31st_clamps_without_drifting() {
        let all = occurrences(at(2027, 1, 31), Repeats::Monthly, 5);
        assert_eq!(
            all,
            vec![
                at(2027, 1, 31),
                at(2027, 2, 28),
                at(2027, 3, 31),
                at(2027, 4, 30),
                at(2027, 5, 31)
            ]
        );
        let leap = occurrences(at(2028, 1, 31), Repeats::Monthly, 2);
        assert_eq!(leap[1], at(2028, 2, 29));
        let two = occurrences(at(2027, 12, 31), Repeats::TwoMonthly, 3);
        assert_eq!(
            two,
            vec![at(2027, 12, 31), at(2028, 2, 29), at(2028, 4, 30)]
        );
    }

    #[test]
    fn never_repeats_means_one_occurrence_whatever_the_count() {
        assert_eq!(
            occurrences(at(2027, 1, 1), Repeats::Never, 7),
            vec![at(2027, 1, 1)]
        );
    }

    #[test]
    fn words_round_trip() {
        for word in crate::params::REPEATS {
            assert_eq!(Repeats::parse(word).unwrap().as_str(), *word);
        }
        assert_eq!(Repeats::parse("yearly"), None);
    }
}
