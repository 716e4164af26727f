//! `StreamingQueryProgress` in Spark's JSON shape (spec §4), and the one-line human summary.

use std::collections::BTreeMap;

use serde::Serialize;

/// One batch's progress, serialised in Spark's field order.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryProgress {
    /// Query id (from `metadata`).
    pub id: String,
    /// Run id (new per start).
    pub run_id: String,
    /// Query name (the streaming table).
    pub name: Option<String>,
    /// Trigger start, `yyyy-MM-dd'T'HH:mm:ss.SSS'Z'`.
    pub timestamp: String,
    /// The batch executed.
    pub batch_id: u64,
    /// Trigger duration in ms.
    pub batch_duration: u64,
    /// Rows read by all sources.
    pub num_input_rows: u64,
    /// Input rate since the previous trigger.
    #[serde(serialize_with = "rate")]
    pub input_rows_per_second: f64,
    /// Processing rate of this batch.
    #[serde(serialize_with = "rate")]
    pub processed_rows_per_second: f64,
    /// Phase durations, keys sorted.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub duration_ms: BTreeMap<String, u64>,
    /// Event-time statistics and the watermark, when the source declares a watermark.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub event_time: BTreeMap<String, String>,
    /// Stateful operators.
    pub state_operators: Vec<serde_json::Value>,
    /// One entry per source.
    pub sources: Vec<SourceProgress>,
    /// The sink.
    pub sink: SinkProgress,
    /// Expectation counts (spate addition, Spark's `observedMetrics` slot).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub observed_metrics: BTreeMap<String, serde_json::Value>,
}

/// A source's part of the progress.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SourceProgress {
    /// e.g. `FileStreamSource[file:/data/in]`.
    pub description: String,
    /// Offset the batch started after (null on the first batch).
    pub start_offset: Option<serde_json::Value>,
    /// Offset the batch ended at.
    pub end_offset: Option<serde_json::Value>,
    /// Latest offset the source reported (the file source reports none).
    pub latest_offset: Option<serde_json::Value>,
    /// Rows read.
    pub num_input_rows: u64,
    /// Input rate.
    #[serde(serialize_with = "rate")]
    pub input_rows_per_second: f64,
    /// Processing rate.
    #[serde(serialize_with = "rate")]
    pub processed_rows_per_second: f64,
    /// Source-specific metrics.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub metrics: BTreeMap<String, String>,
}

/// The sink's part of the progress.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SinkProgress {
    /// e.g. `DeltaSink[file:/warehouse/pins]`.
    pub description: String,
    /// Spark's Delta sink is a V1 sink and reports -1 (spec §4.1).
    pub num_output_rows: i64,
    /// Sink metrics (spate reports rows written and the table version here).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub metrics: BTreeMap<String, String>,
}

/// Spark rounds rates to one decimal HALF_UP.
fn rate<S: serde::Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
    if v.is_finite() {
        s.serialize_f64(round1(*v))
    } else {
        s.serialize_f64(0.0)
    }
}

/// Rounds to one decimal, half up.
pub fn round1(v: f64) -> f64 {
    (v * 10.0 + 0.5).floor() / 10.0
}

/// Rows per second, as Spark computes it (0 when the interval is unknown).
pub fn per_second(rows: u64, millis: Option<i64>) -> f64 {
    match millis {
        Some(ms) => rows as f64 / (ms.max(1) as f64 / 1000.0),
        None => 0.0,
    }
}

/// Spark's progress timestamp format.
pub fn format_timestamp(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
        .unwrap_or_default()
}

impl QueryProgress {
    /// Compact JSON, one line.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_is_half_up() {
        assert_eq!(round1(784.25), 784.3);
        assert_eq!(round1(120.0), 120.0);
        assert_eq!(per_second(1200, Some(1530)), 1200.0 / 1.53);
        assert_eq!(per_second(5, None), 0.0);
    }

    #[test]
    fn shape_follows_spark() {
        let p = QueryProgress {
            id: "q".into(),
            run_id: "r".into(),
            name: None,
            timestamp: format_timestamp(1714564810000),
            batch_id: 3,
            batch_duration: 1530,
            num_input_rows: 1200,
            input_rows_per_second: 120.0,
            processed_rows_per_second: 784.313,
            duration_ms: [("addBatch".to_string(), 1200)].into(),
            event_time: BTreeMap::new(),
            state_operators: vec![],
            sources: vec![],
            sink: SinkProgress {
                description: "DeltaSink[x]".into(),
                num_output_rows: -1,
                metrics: Default::default(),
            },
            observed_metrics: Default::default(),
        };
        let j = p.to_json();
        assert!(j.starts_with(r#"{"id":"q","runId":"r","name":null,"timestamp":"2024-05-01T12:00:10.000Z","batchId":3"#), "{j}");
        assert!(j.contains(r#""processedRowsPerSecond":784.3"#));
        assert!(j.contains(r#""stateOperators":[]"#));
        assert!(!j.contains("observedMetrics"));
    }
}
