//! The record schema of spec §8.5 and the Arrow batches a Kinesis batch is made of.

use std::sync::Arc;

use arrow::array::{ArrayRef, BinaryBuilder, StringBuilder, TimestampMicrosecondBuilder};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use arrow::error::ArrowError;
use arrow::record_batch::RecordBatch;

use super::client::KinesisRecord;
use super::offsets::ShardKey;

/// `partitionKey STRING, data BINARY, stream STRING, shardId STRING, sequenceNumber STRING,
/// approximateArrivalTimestamp TIMESTAMP`, in Spark's order.
pub fn record_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("partitionKey", DataType::Utf8, true),
        Field::new("data", DataType::Binary, true),
        Field::new("stream", DataType::Utf8, true),
        Field::new("shardId", DataType::Utf8, true),
        Field::new("sequenceNumber", DataType::Utf8, true),
        Field::new(
            "approximateArrivalTimestamp",
            DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
            true,
        ),
    ]))
}

/// One shard's records as a batch in the record schema.
pub fn to_batch(
    schema: &SchemaRef,
    key: &ShardKey,
    records: &[KinesisRecord],
) -> Result<RecordBatch, ArrowError> {
    let n = records.len();
    let mut pk = StringBuilder::with_capacity(n, n * 16);
    let mut data = BinaryBuilder::with_capacity(n, records.iter().map(|r| r.data.len()).sum());
    let mut stream = StringBuilder::with_capacity(n, n * key.stream.len());
    let mut shard = StringBuilder::with_capacity(n, n * key.shard.len());
    let mut seq = StringBuilder::with_capacity(n, n * 56);
    let mut ts = TimestampMicrosecondBuilder::with_capacity(n).with_timezone("UTC");
    for r in records {
        pk.append_value(&r.partition_key);
        data.append_value(&r.data);
        stream.append_value(&key.stream);
        shard.append_value(&key.shard);
        seq.append_value(&r.sequence.0);
        ts.append_option(r.arrival_us);
    }
    let columns: Vec<ArrayRef> = vec![
        Arc::new(pk.finish()),
        Arc::new(data.finish()),
        Arc::new(stream.finish()),
        Arc::new(shard.finish()),
        Arc::new(seq.finish()),
        Arc::new(ts.finish()),
    ];
    RecordBatch::try_new(schema.clone(), columns)
}
