//! Checks that the datafusion-spark functions spate relies on unchanged behave like Spark
//! (`concat_ws`, `array`, `length`, `concat`), so a dependency upgrade that changes them fails here.

#[cfg(test)]
mod tests {
    use super::super::common::test_support::eval;

    #[tokio::test]
    async fn concat_ws_skips_nulls() {
        assert_eq!(eval("SELECT concat_ws('-', 'a', NULL, 'b')").await, "a-b");
        assert_eq!(eval("SELECT concat_ws(',', 'a')").await, "a");
        assert_eq!(eval("SELECT concat_ws(NULL, 'a', 'b')").await, "NULL");
    }

    #[tokio::test]
    async fn array_builds_lists() {
        assert_eq!(eval("SELECT array(1, 2, 3)").await, "[1, 2, 3]");
        assert_eq!(eval("SELECT array('a', NULL)").await, "[a, ]");
    }

    #[tokio::test]
    async fn length_counts_characters() {
        assert_eq!(eval("SELECT length('héllo')").await, "5");
        assert_eq!(eval("SELECT length('')").await, "0");
        assert_eq!(eval("SELECT length(NULL)").await, "NULL");
        assert_eq!(
            eval("SELECT length('1e6a9c1b-2f3d-4c5e-8a7b-9c0d1e2f3a4b')").await,
            "36"
        );
    }

    #[tokio::test]
    async fn concat_is_null_if_any_input_is() {
        assert_eq!(eval("SELECT concat('a', 'b')").await, "ab");
        assert_eq!(eval("SELECT concat('a', NULL)").await, "NULL");
    }
}
