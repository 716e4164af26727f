//! Spark's `from_utc_timestamp(ts, zone)` and `to_utc_timestamp(ts, zone)`
//! (`DateTimeUtils.fromUTCTime` / `toUTCTime`): a TIMESTAMP whose UTC wall clock is `ts`'s wall
//! clock in `zone`, and the reverse. The SQL rewrite casts `ts` to TIMESTAMP first, as Spark
//! does; an unknown zone is Spark's INVALID_TIMEZONE error.

use std::sync::Arc;

use datafusion::arrow::array::{Array, AsArray, TimestampMicrosecondBuilder};
use datafusion::arrow::datatypes::{DataType, TimestampMicrosecondType};
use datafusion::common::{exec_err, plan_err, Result};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::common::{check_arg_count, is_string_like, timestamp_type, to_arrays, to_output, utf8};
use crate::datetime::cast::parse_zone_id;

/// One of the two conversions.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct TzConvert {
    signature: Signature,
    /// `to_utc_timestamp` (else `from_utc_timestamp`).
    to_utc: bool,
}

impl TzConvert {
    /// `from_utc_timestamp` (`to_utc` false) or `to_utc_timestamp`.
    pub fn new(to_utc: bool) -> Self {
        TzConvert {
            signature: Signature::user_defined(Volatility::Immutable),
            to_utc,
        }
    }
}

/// Spark's INVALID_TIMEZONE message.
pub(super) fn invalid_timezone(zone: &str) -> String {
    format!(
        "[INVALID_TIMEZONE] The timezone: {zone} is invalid. The timezone must be either a \
         region-based zone ID or a zone offset. Region IDs must have the form 'area/city', such \
         as 'America/Los_Angeles'. Zone offsets must be in the format '(+|-)HH', '(+|-)HH:mm' or \
         '(+|-)HH:mm:ss', e.g '-08' , '+01:00' or '-13:33:33', and must be in the range from \
         -18:00 to +18:00. 'Z' and 'UTC' are accepted as synonyms for '+00:00'. SQLSTATE: 22009"
    )
}

impl ScalarUDFImpl for TzConvert {
    fn name(&self) -> &str {
        if self.to_utc {
            "to_utc_timestamp"
        } else {
            "from_utc_timestamp"
        }
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(timestamp_type())
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        check_arg_count(self.name(), arg_types.len(), 2, 2)?;
        if !is_string_like(&arg_types[1]) && arg_types[1] != DataType::Null {
            return plan_err!(
                "{}: the zone must be a STRING, got {}",
                self.name(),
                arg_types[1]
            );
        }
        Ok(vec![timestamp_type(), DataType::Utf8])
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = to_arrays(&args.args)?;
        let ts = arrays[0].as_primitive::<TimestampMicrosecondType>();
        let zones = utf8(&arrays[1])?;
        let zones = zones.as_string::<i32>();
        let mut out = TimestampMicrosecondBuilder::with_capacity(ts.len());
        for i in 0..ts.len() {
            let value = if ts.is_null(i) || zones.is_null(i) {
                None
            } else {
                let micros = ts.value(i);
                let Some(zone) = parse_zone_id(zones.value(i)) else {
                    return exec_err!("{}", invalid_timezone(zones.value(i)));
                };
                if self.to_utc {
                    zone.local_to_utc(micros)
                } else {
                    zone.offset_at(micros)
                        .and_then(|off| micros.checked_add(i64::from(off) * 1_000_000))
                }
            };
            out.append_option(value);
        }
        let out = out.finish().with_timezone("UTC");
        to_output(&args.args, Arc::new(out))
    }
}
