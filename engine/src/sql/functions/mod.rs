//! Spark-compatible SQL functions that datafusion-spark lacks or gets wrong.
//!
//! [`register_spark_compat`] is called after `datafusion_spark::register_all`, so these replace
//! same-named functions from DataFusion core and datafusion-spark (DataFusion's `regexp_replace`
//! replaces only the first match, its `to_timestamp` returns zone-less nanoseconds and takes chrono
//! formats, its `date_format` is an alias of `to_char`; `split` and `rlike` do not exist).
//! See api-notes.md 6.3 and the errata in spark-semantics.md.

pub mod arrays_zip;
pub mod checked_arithmetic;
pub mod collate;
pub mod collation_key;
pub mod collections;
mod common;
mod date_format;
pub mod divide;
mod format_number;
mod from_json;
mod from_unixtime;
pub mod java_regex;
mod json_fn_options;
mod json_text;
mod make_timestamp;
mod months_between;
mod percentile_approx;
mod quantile_summaries;
mod regexp_extract;
mod regexp_replace;
mod rlike;
mod round;
mod sequence;
mod spark_builtins;
pub mod spark_cast;
mod split;
mod strings;
pub mod timestamp_units;
mod to_date;
mod to_json;
mod to_timestamp;
mod try_to_timestamp;
mod tz_convert;
mod unix_timestamp;
pub mod utf8_lcase;
mod variant;
mod variant_string_args;

use std::sync::Arc;

use datafusion::logical_expr::{AggregateUDF, ScalarUDF};
use datafusion::prelude::SessionContext;

pub use date_format::DateFormat;
pub use from_json::FromJson;
pub use from_unixtime::FromUnixtime;
pub use percentile_approx::PercentileApprox;
pub use regexp_replace::RegexpReplace;
pub use rlike::RLike;
pub use spark_cast::SparkCast;
pub use split::Split;
pub use to_date::ToDate;
pub use to_json::ToJson;
pub use to_timestamp::ToTimestamp;
pub use try_to_timestamp::try_to_timestamp;
pub use unix_timestamp::UnixTimestamp;

/// The Spark session settings the functions depend on.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SparkConf {
    /// `spark.sql.ansi.enabled`: malformed casts raise instead of returning NULL.
    pub ansi: bool,
    /// `spark.sql.session.timeZone`: zone for zone-less strings and for formatting.
    pub session_time_zone: chrono_tz::Tz,
}

/// All Spark-compatible functions for a session's settings.
pub fn spark_compat_functions(conf: &SparkConf) -> Vec<ScalarUDF> {
    vec![
        ScalarUDF::new_from_impl(RegexpReplace::default()),
        ScalarUDF::new_from_impl(Split::default()),
        ScalarUDF::new_from_impl(RLike::default()),
        ScalarUDF::new_from_impl(ToTimestamp::new(conf)),
        ScalarUDF::new_from_impl(try_to_timestamp(conf)),
        ScalarUDF::new_from_impl(ToDate::new(conf)),
        ScalarUDF::new_from_impl(DateFormat::new(conf)),
        ScalarUDF::new_from_impl(UnixTimestamp::new(conf)),
        ScalarUDF::new_from_impl(FromUnixtime::new(conf)),
        ScalarUDF::new_from_impl(FromJson::new(conf)),
        ScalarUDF::new_from_impl(ToJson::new(conf)),
        ScalarUDF::new_from_impl(variant::ParseJson::new(false)),
        ScalarUDF::new_from_impl(variant::ParseJson::new(true)),
        ScalarUDF::new_from_impl(variant::VariantGet::new(conf, false)),
        ScalarUDF::new_from_impl(variant::VariantGet::new(conf, true)),
        ScalarUDF::new_from_impl(divide::SparkDivide::divide(conf)),
        ScalarUDF::new_from_impl(divide::SparkDivide::int_divide(conf)),
        ScalarUDF::new_from_impl(SparkCast::new(conf)),
        ScalarUDF::new_from_impl(collections::Size::new(conf)),
        ScalarUDF::new_from_impl(collections::ElementAt::first_based(conf)),
        ScalarUDF::new_from_impl(collections::ElementAt::try_element_at(conf)),
        ScalarUDF::new_from_impl(collections::ElementAt::subscript(conf)),
        ScalarUDF::new_from_impl(regexp_extract::RegexpExtract::first()),
        ScalarUDF::new_from_impl(regexp_extract::RegexpExtract::all()),
        ScalarUDF::new_from_impl(strings::Substring::default()),
        ScalarUDF::new_from_impl(strings::Locate::default()),
        ScalarUDF::new_from_impl(strings::Initcap::default()),
        ScalarUDF::new_from_impl(strings::Concat::new(conf)),
        ScalarUDF::new_from_impl(strings::BRound::default()),
        ScalarUDF::new_from_impl(round::Round::default()),
        ScalarUDF::new_from_impl(strings::TypeOf::default()),
        ScalarUDF::new_from_impl(collate::Collate::default()),
        ScalarUDF::new_from_impl(months_between::MonthsBetween::new(conf)),
        ScalarUDF::new_from_impl(format_number::FormatNumber::default()),
        ScalarUDF::new_from_impl(arrays_zip::ArraysZip::default()),
        ScalarUDF::new_from_impl(make_timestamp::MakeTimestamp::new(conf)),
        ScalarUDF::new_from_impl(sequence::Sequence::new(conf)),
        ScalarUDF::new_from_impl(timestamp_units::TimestampUnits::new(conf, false)),
        ScalarUDF::new_from_impl(timestamp_units::TimestampUnits::new(conf, true)),
        ScalarUDF::new_from_impl(tz_convert::TzConvert::new(false)),
        ScalarUDF::new_from_impl(tz_convert::TzConvert::new(true)),
        ScalarUDF::new_from_impl(json_text::JsonText::new(
            json_text::JsonTextFn::GetJsonObject,
        )),
        ScalarUDF::new_from_impl(json_text::JsonText::new(json_text::JsonTextFn::ArrayLength)),
        ScalarUDF::new_from_impl(json_text::JsonText::new(json_text::JsonTextFn::ObjectKeys)),
        ScalarUDF::new_from_impl(crate::sql::literals::TypedLiteral::default()),
        ScalarUDF::new_from_impl(checked_arithmetic::CheckedArithmetic::new(
            checked_arithmetic::ArithmeticOp::Add,
        )),
        ScalarUDF::new_from_impl(checked_arithmetic::CheckedArithmetic::new(
            checked_arithmetic::ArithmeticOp::Subtract,
        )),
        ScalarUDF::new_from_impl(checked_arithmetic::CheckedArithmetic::new(
            checked_arithmetic::ArithmeticOp::Multiply,
        )),
        ScalarUDF::new_from_impl(checked_arithmetic::TryArithmetic::new(
            checked_arithmetic::ArithmeticOp::Add,
        )),
        ScalarUDF::new_from_impl(checked_arithmetic::TryArithmetic::new(
            checked_arithmetic::ArithmeticOp::Subtract,
        )),
        ScalarUDF::new_from_impl(checked_arithmetic::TryArithmetic::new(
            checked_arithmetic::ArithmeticOp::Multiply,
        )),
    ]
}

/// All Spark-compatible aggregate functions.
pub fn spark_compat_aggregate_functions() -> Vec<AggregateUDF> {
    vec![AggregateUDF::new_from_impl(PercentileApprox::default())]
}

/// Registers the Spark-compatible functions; call after `datafusion_spark::register_all` so they win.
pub fn register_spark_compat(ctx: &SessionContext, conf: &SparkConf) {
    for udf in spark_compat_functions(conf) {
        ctx.register_udf(udf);
    }
    for udaf in spark_compat_aggregate_functions() {
        ctx.register_udaf(udaf);
    }
    // Spark's time window; a streaming GROUP BY expands sliding windows itself (state::window).
    ctx.register_udf(ScalarUDF::new_from_impl(
        crate::state::window::WindowFunction::default(),
    ));
    ctx.register_udf(ScalarUDF::new_from_impl(
        crate::state::window::SessionWindowFunction::default(),
    ));
    // Spark's names for DataFusion's functions. Spark's array_remove removes every match
    // (DataFusion's array_remove only the first).
    for (name, alias) in [
        ("starts_with", "startswith"),
        ("ends_with", "endswith"),
        ("lower", "lcase"),
        ("upper", "ucase"),
        ("signum", "sign"),
        ("array_remove_all", "array_remove"),
    ] {
        if let Ok(f) = datafusion::execution::FunctionRegistry::udf(ctx, name) {
            ctx.register_udf(f.as_ref().clone().with_aliases([alias]));
        }
    }
    // Spark's names for DataFusion's higher-order functions (one-argument lambdas).
    for (f, alias) in [
        (
            datafusion::functions_nested::array_transform::array_transform_higher_order_function(),
            "transform",
        ),
        (
            datafusion::functions_nested::array_filter::array_filter_higher_order_function(),
            "filter",
        ),
    ] {
        ctx.register_higher_order_function(Arc::new(f.as_ref().clone().with_aliases([alias])));
    }
    // try_avg: an average of Spark's types does not overflow a DOUBLE/DECIMAL(38) sum in practice.
    for (name, alias) in [
        ("bool_and", "every"),
        ("bool_or", "some"),
        ("collect_list", "array_agg"),
        ("string_agg", "listagg"),
        ("var_samp", "variance"),
        ("avg", "try_avg"),
    ] {
        if let Ok(f) = datafusion::execution::FunctionRegistry::udaf(ctx, name) {
            ctx.register_udaf(f.as_ref().clone().with_aliases([alias]));
        }
    }
    // Last: it wraps the string functions registered above.
    variant_string_args::register(ctx, conf.session_time_zone);
    // Spark's name for the HyperLogLog distinct count.
    let approx = datafusion::functions_aggregate::approx_distinct::approx_distinct_udaf();
    ctx.register_udaf(
        approx
            .as_ref()
            .clone()
            .with_aliases(["approx_count_distinct"]),
    );
}
