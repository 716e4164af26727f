//! `try_to_timestamp(s[, fmt])`: `to_timestamp` that returns NULL instead of raising under ANSI.
//!
//! The implementation is shared with [`super::to_timestamp::ToTimestamp`]; this file exists so
//! the function has its own constructor and tests.

use super::to_timestamp::ToTimestamp;
use super::SparkConf;

/// Spark's `try_to_timestamp` for a session's settings.
pub fn try_to_timestamp(conf: &SparkConf) -> ToTimestamp {
    ToTimestamp::new_try(conf)
}

#[cfg(test)]
mod tests {
    use super::super::common::test_support::{context, value};

    #[tokio::test]
    async fn never_raises_for_bad_input() {
        for ansi in [false, true] {
            let ctx = context(ansi);
            assert_eq!(
                value(&ctx, "SELECT try_to_timestamp('garbage')")
                    .await
                    .expect("NULL"),
                "NULL"
            );
            assert_eq!(
                value(&ctx, "SELECT try_to_timestamp('x', 'yyyy')")
                    .await
                    .expect("NULL"),
                "NULL"
            );
            assert_eq!(
                value(&ctx, "SELECT try_to_timestamp('2016-12-31', 'yyyy-MM-dd')")
                    .await
                    .expect("parses"),
                "2016-12-31T00:00:00Z"
            );
            assert_eq!(
                value(&ctx, "SELECT try_to_timestamp('2016-12-31 01:02:03')")
                    .await
                    .expect("parses"),
                "2016-12-31T01:02:03Z"
            );
        }
    }
}
