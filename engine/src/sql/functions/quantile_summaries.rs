//! A port of Spark's `org.apache.spark.sql.catalyst.util.QuantileSummaries` (Spark 4.0.1), the
//! Greenwald-Khanna variant behind `percentile_approx`.
//!
//! Spark's answers depend on every detail of this structure (when the head buffer is flushed,
//! how `compress` merges neighbours, how `merge` widens deltas, the integer `targetError`), so the
//! code follows `QuantileSummaries.scala` step by step, including its floating-point expressions
//! written in the same order. Spark's immutable "return a new summary" style becomes in-place
//! mutation here; the observable states are the same.

use std::cmp::Ordering;

/// `QuantileSummaries.defaultCompressThreshold`: compress once this many samples are held.
pub const DEFAULT_COMPRESS_THRESHOLD: usize = 10_000;

/// `QuantileSummaries.defaultHeadSize`: observations buffered before they are merged in.
pub const DEFAULT_HEAD_SIZE: usize = 50_000;

/// One G-K tuple: a sampled value, its minimum rank gap `g` and its rank uncertainty `delta`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Stats {
    /// The sampled observation.
    pub value: f64,
    /// Minimum rank jump from the previous sample.
    pub g: i64,
    /// Maximum span of the rank.
    pub delta: i64,
}

/// Spark's `QuantileSummaries`: sampled G-K tuples plus a buffer of not yet merged observations.
#[derive(Clone, Debug)]
pub struct QuantileSummaries {
    /// Target relative error (Spark: `1.0 / accuracy`).
    pub relative_error: f64,
    /// The G-K tuples, sorted by value.
    pub sampled: Vec<Stats>,
    /// Observations merged into `sampled` (the head buffer is not counted, as in Spark).
    pub count: i64,
    /// Whether `sampled` is the output of a compress or merge and the head buffer is empty.
    pub compressed: bool,
    head_sampled: Vec<f64>,
}

/// `java.lang.Double.compare`, the order Scala's `sorted`/`sortBy` use for doubles:
/// -0.0 before 0.0 and every NaN after +Infinity.
pub fn java_double_compare(a: f64, b: f64) -> Ordering {
    if a < b {
        return Ordering::Less;
    }
    if a > b {
        return Ordering::Greater;
    }
    // doubleToLongBits canonicalises NaN, so all NaNs compare equal.
    let bits = |x: f64| {
        if x.is_nan() {
            0x7ff8_0000_0000_0000_i64
        } else {
            x.to_bits() as i64
        }
    };
    bits(a).cmp(&bits(b))
}

impl QuantileSummaries {
    /// An empty summary as `ApproximatePercentile.PercentileDigest` creates it (marked compressed).
    pub fn new(relative_error: f64) -> Self {
        Self::from_parts(relative_error, Vec::new(), 0)
    }

    /// A compressed summary rebuilt from serialised parts, as Spark's `PercentileDigestSerializer`
    /// does when the final aggregation reads a partial one.
    pub fn from_parts(relative_error: f64, sampled: Vec<Stats>, count: i64) -> Self {
        QuantileSummaries {
            relative_error,
            sampled,
            count,
            compressed: true,
            head_sampled: Vec::new(),
        }
    }

    /// Buffers an observation; flushes the buffer when it is full (Spark's `insert`).
    pub fn insert(&mut self, x: f64) {
        self.head_sampled.push(x);
        self.compressed = false;
        if self.head_sampled.len() >= DEFAULT_HEAD_SIZE {
            self.with_head_buffer_inserted();
            if self.sampled.len() >= DEFAULT_COMPRESS_THRESHOLD {
                self.compress();
            }
        }
    }

    /// Spark's `withHeadBufferInserted`: sorts the head buffer and merges it into `sampled`.
    fn with_head_buffer_inserted(&mut self) {
        if self.head_sampled.is_empty() {
            return;
        }
        let mut current_count = self.count;
        let mut sorted = std::mem::take(&mut self.head_sampled);
        sorted.sort_by(|a, b| java_double_compare(*a, *b));
        let sampled = std::mem::take(&mut self.sampled);
        let mut new_samples: Vec<Stats> = Vec::with_capacity(sampled.len() + sorted.len());
        let mut sample_idx = 0;
        for (ops_idx, &current_sample) in sorted.iter().enumerate() {
            // Add all the samples before the next observation (primitive `<=`, as in Scala).
            while sample_idx < sampled.len() && sampled[sample_idx].value <= current_sample {
                new_samples.push(sampled[sample_idx]);
                sample_idx += 1;
            }
            current_count += 1;
            // The first inserted value and the overall last one get delta 0.
            let delta = if new_samples.is_empty()
                || (sample_idx == sampled.len() && ops_idx == sorted.len() - 1)
            {
                0
            } else {
                (2.0 * self.relative_error * current_count as f64).floor() as i64
            };
            new_samples.push(Stats {
                value: current_sample,
                g: 1,
                delta,
            });
        }
        new_samples.extend_from_slice(&sampled[sample_idx..]);
        self.sampled = new_samples;
        self.count = current_count;
        // Spark returns a fresh summary, whose `compressed` defaults to false.
        self.compressed = false;
    }

    /// Spark's `compress`: flushes the head buffer and merges neighbouring tuples.
    pub fn compress(&mut self) {
        self.with_head_buffer_inserted();
        let merge_threshold = 2.0 * self.relative_error * self.count as f64;
        self.sampled = compress_immut(&self.sampled, merge_threshold);
        self.compressed = true;
    }

    /// Spark's `merge` of two compressed summaries.
    pub fn merge(&self, other: &QuantileSummaries) -> QuantileSummaries {
        debug_assert!(self.head_sampled.is_empty() && other.head_sampled.is_empty());
        if other.count == 0 {
            return self.clone();
        }
        if self.count == 0 {
            return other.clone();
        }
        // Samples from one side lose the other side's precision where they interleave: see the
        // long comment in QuantileSummaries.scala's merge.
        let merged_relative_error = self.relative_error.max(other.relative_error);
        let merged_count = self.count + other.count;
        let additional_self_delta =
            (2.0 * other.relative_error * other.count as f64).floor() as i64;
        let additional_other_delta = (2.0 * self.relative_error * self.count as f64).floor() as i64;
        let mut merged = Vec::with_capacity(self.sampled.len() + other.sampled.len());
        let (mut self_idx, mut other_idx) = (0, 0);
        while self_idx < self.sampled.len() && other_idx < other.sampled.len() {
            let self_sample = self.sampled[self_idx];
            let other_sample = other.sampled[other_idx];
            // Ties take `other` first, as in Spark.
            let (next, additional_delta) = if self_sample.value < other_sample.value {
                self_idx += 1;
                (
                    self_sample,
                    if other_idx > 0 {
                        additional_self_delta
                    } else {
                        0
                    },
                )
            } else {
                other_idx += 1;
                (
                    other_sample,
                    if self_idx > 0 {
                        additional_other_delta
                    } else {
                        0
                    },
                )
            };
            merged.push(Stats {
                delta: next.delta + additional_delta,
                ..next
            });
        }
        merged.extend_from_slice(&self.sampled[self_idx..]);
        merged.extend_from_slice(&other.sampled[other_idx..]);
        let sampled = compress_immut(&merged, 2.0 * merged_relative_error * merged_count as f64);
        QuantileSummaries::from_parts(merged_relative_error, sampled, merged_count)
    }

    /// Spark's `query(percentiles)`: one sampled value per percentile, `None` when empty.
    ///
    /// The summary must be compressed (Spark requires an empty head buffer).
    pub fn query(&self, percentiles: &[f64]) -> Option<Vec<f64>> {
        debug_assert!(self.head_sampled.is_empty());
        let (first, last) = match (self.sampled.first(), self.sampled.last()) {
            (Some(first), Some(last)) => (first.value, last.value),
            _ => return None,
        };
        // Long division: the error bound is an integer number of ranks.
        let target_error = self
            .sampled
            .iter()
            .map(|s| s.delta + s.g)
            .fold(i64::MIN, i64::max)
            / 2;
        let mut index = 0;
        let mut min_rank = self.sampled[0].g;
        // Percentiles are answered in ascending order (a stable sort, as Scala's sortBy) so the
        // scan position carries over from one to the next.
        let mut sorted: Vec<(f64, usize)> = percentiles.iter().copied().zip(0..).collect();
        sorted.sort_by(|a, b| java_double_compare(a.0, b.0));
        let mut result = vec![0.0; percentiles.len()];
        for (percentile, pos) in sorted {
            if percentile <= self.relative_error {
                result[pos] = first;
            } else if percentile >= 1.0 - self.relative_error {
                result[pos] = last;
            } else {
                let (new_index, new_min_rank, value) =
                    self.find_approx_quantile(index, min_rank, target_error as f64, percentile);
                index = new_index;
                min_rank = new_min_rank;
                result[pos] = value;
            }
        }
        Some(result)
    }

    /// Spark's `findApproxQuantile`: scans from `index` for a sample whose rank range covers
    /// `ceil(percentile * count)` within `target_error`.
    fn find_approx_quantile(
        &self,
        index: usize,
        min_rank_at_index: i64,
        target_error: f64,
        percentile: f64,
    ) -> (usize, i64, f64) {
        let n = self.sampled.len();
        let mut cur = self.sampled[index];
        let rank = (percentile * self.count as f64).ceil() as i64;
        let mut i = index;
        let mut min_rank = min_rank_at_index;
        while i + 1 < n {
            let max_rank = min_rank + cur.delta;
            if max_rank as f64 - target_error <= rank as f64
                && rank as f64 <= min_rank as f64 + target_error
            {
                return (i, min_rank, cur.value);
            }
            i += 1;
            cur = self.sampled[i];
            min_rank += cur.g;
        }
        // Spark resets the carried rank to 0 here; later percentiles start at the last sample
        // and so also answer with it.
        (n - 1, 0, self.sampled[n - 1].value)
    }
}

/// Spark's `QuantileSummaries.compressImmut`: walks from the end, folding a tuple into its right
/// neighbour while their combined `g + g + delta` stays under `merge_threshold`; the first and
/// last tuples are kept.
fn compress_immut(current: &[Stats], merge_threshold: f64) -> Vec<Stats> {
    let (Some(&first), Some(&last)) = (current.first(), current.last()) else {
        return Vec::new();
    };
    // Built back to front, then reversed (Spark prepends to a ListBuffer).
    let mut res: Vec<Stats> = Vec::new();
    let mut head = last;
    let mut i = current.len() as isize - 2;
    while i >= 1 {
        let sample1 = current[i as usize];
        if ((sample1.g + head.g + head.delta) as f64) < merge_threshold {
            head.g += sample1.g;
        } else {
            res.push(head);
            head = sample1;
        }
        i -= 1;
    }
    res.push(head);
    // The minimum is added unless it is the only element (then it is already `head`).
    if first.value <= head.value && current.len() > 1 {
        res.push(first);
    }
    res.reverse();
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(values: impl IntoIterator<Item = f64>, relative_error: f64) -> QuantileSummaries {
        let mut s = QuantileSummaries::new(relative_error);
        for v in values {
            s.insert(v);
        }
        s.compress();
        s
    }

    #[test]
    fn small_inputs_are_exact() {
        // Below 1 / (2 * relativeError) observations nothing is merged: every value is a sample.
        let s = summary([5.0, 1.0, 3.0, 2.0, 4.0], 1e-4);
        assert_eq!(
            s.sampled.iter().map(|s| s.value).collect::<Vec<_>>(),
            vec![1.0, 2.0, 3.0, 4.0, 5.0]
        );
        assert!(s.sampled.iter().all(|s| s.g == 1 && s.delta == 0));
        // rank = ceil(p * n), computed in doubles: 0.5 * 5 -> 3rd value, 0.21 * 5 -> 2nd.
        assert_eq!(s.query(&[0.5, 0.2, 0.21]), Some(vec![3.0, 1.0, 2.0]));
    }

    #[test]
    fn extremes_use_first_and_last_sample() {
        let s = summary([10.0, 20.0, 30.0], 0.25);
        // The middle sample has delta 1, so targetError is 1 and the first sample already
        // covers rank ceil(0.5 * 3) = 2.
        assert_eq!(s.query(&[0.25, 0.75, 0.5]), Some(vec![10.0, 30.0, 10.0]));
        assert_eq!(QuantileSummaries::new(0.01).query(&[0.5]), None);
    }

    #[test]
    fn head_buffer_flushes_and_compresses_when_full() {
        let mut s = QuantileSummaries::new(1e-4);
        for i in 0..DEFAULT_HEAD_SIZE {
            s.insert(((i * 7919) % DEFAULT_HEAD_SIZE) as f64);
        }
        // The 50,000th insert flushed the buffer and, with >= 10,000 samples, compressed.
        assert!(s.compressed);
        assert_eq!(s.count, DEFAULT_HEAD_SIZE as i64);
        assert!(s.sampled.len() < DEFAULT_HEAD_SIZE);
        assert_eq!(s.sampled.iter().map(|t| t.g).sum::<i64>(), s.count);
        s.insert(1.0);
        assert!(!s.compressed);
    }

    #[test]
    fn merge_of_distinct_values_is_symmetric() {
        let a = summary((0..30_000).map(|i| ((i * 7_919) % 65_536) as f64), 1e-3);
        let b = summary(
            (0..20_000).map(|i| ((i * 7_919) % 65_536) as f64 + 0.5),
            1e-3,
        );
        let (ab, ba) = (a.merge(&b), b.merge(&a));
        assert_eq!(ab.sampled, ba.sampled);
        assert_eq!(ab.count, 50_000);
        let ps = [0.1, 0.5, 0.9];
        assert_eq!(ab.query(&ps), ba.query(&ps));
    }

    #[test]
    fn java_order_for_doubles() {
        let mut v = [f64::NAN, 1.0, -0.0, 0.0, f64::NEG_INFINITY];
        v.sort_by(|a, b| java_double_compare(*a, *b));
        assert_eq!(v[0], f64::NEG_INFINITY);
        assert!(v[1] == 0.0 && v[1].is_sign_negative() && v[2].is_sign_positive());
        assert!(v[4].is_nan());
    }
}
