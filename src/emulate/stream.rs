//! The order in which lines are sent. Each step ("slot") sends one post on all three feeds: either a
//! new post or a re-send of an earlier one (spec §2: rows drawn with replacement; §3.5: the same
//! record delivered 3-4 times in a row), each feed's line possibly preceded by malformed lines.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::malformed;
use super::pinterest::{Feed, Generator};
use super::pyjson::dumps;
use super::rng::Rng;

/// Derivation stream for the send decisions (see `Rng::derive`).
const STREAM: u64 = 0x7365_6e64; // "send"
/// Furthest a delayed re-send lands after the original, in slots: far enough to cross file (and
/// so micro-batch) boundaries, which is what makes streaming de-duplication necessary.
const MAX_DELAY: i64 = 200;

/// What one feed receives in one slot.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FeedLines {
    /// Broken lines sent before the row (see `malformed`).
    pub malformed: Vec<String>,
    /// The post's row, `json.dumps` of it.
    pub row: String,
}

/// One sent post: its row number and what each feed receives, in `Feed::ALL` order.
#[derive(Clone, Debug, PartialEq)]
pub struct Slot {
    pub index: u64,
    /// True when this post was sent before (an exact duplicate on every feed).
    pub resend: bool,
    pub feeds: [FeedLines; 3],
}

/// Produces the slots of one run.
pub struct Sender {
    posts: Generator,
    rng: Rng,
    dup_frac: f64,
    malformed_frac: f64,
    next_index: u64,
    slot: u64,
    /// Scheduled re-sends: (due slot, row number), earliest first.
    pending: BinaryHeap<Reverse<(u64, u64)>>,
}

impl Sender {
    /// A sender whose new posts are numbered from `first_index` (so appending runs continue the
    /// row numbers instead of repeating them).
    pub fn new(
        posts: Generator,
        seed: u64,
        first_index: u64,
        dup_frac: f64,
        malformed_frac: f64,
    ) -> Sender {
        Sender {
            posts,
            rng: Rng::derive(seed, STREAM, first_index),
            dup_frac,
            malformed_frac,
            next_index: first_index,
            slot: 0,
            pending: BinaryHeap::new(),
        }
    }

    /// The next slot. Re-sends still pending when a run stops are never sent.
    pub fn next_slot(&mut self) -> Slot {
        let resend_due =
            matches!(self.pending.peek(), Some(Reverse((due, _))) if *due <= self.slot);
        let (index, resend) = match resend_due.then(|| self.pending.pop()).flatten() {
            Some(Reverse((_, index))) => (index, true),
            None => {
                let index = self.next_index;
                self.next_index += 1;
                self.schedule_resends(index);
                (index, false)
            }
        };
        self.slot += 1;
        let post = self.posts.post(index);
        let feeds = Feed::ALL.map(|feed| {
            let mut malformed = Vec::new();
            // A geometric count: on average malformed_frac of a feed's lines are malformed.
            while self.rng.chance(self.malformed_frac) {
                malformed.push(malformed::line(&mut self.rng, &post, feed).1);
            }
            FeedLines {
                malformed,
                row: dumps(post.record(feed)),
            }
        });
        Slot {
            index,
            resend,
            feeds,
        }
    }

    /// A geometric number of re-sends (on average dup_frac of all sent posts are re-sends), half
    /// right behind the original, half up to `MAX_DELAY` slots later.
    fn schedule_resends(&mut self, index: u64) {
        while self.rng.chance(self.dup_frac) {
            let delay = if self.rng.chance(0.5) {
                1
            } else {
                self.rng.range(2, MAX_DELAY) as u64
            };
            self.pending.push(Reverse((self.slot + delay, index)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resends_repeat_earlier_posts_exactly() {
        let mut sender = Sender::new(Generator::new(4, 0.1), 4, 100, 0.2, 0.1);
        let mut first: std::collections::HashMap<u64, Slot> = Default::default();
        let (mut resends, mut malformed) = (0, 0);
        for _ in 0..2000 {
            let slot = sender.next_slot();
            malformed += slot.feeds.iter().map(|f| f.malformed.len()).sum::<usize>();
            if slot.resend {
                resends += 1;
                let original = &first[&slot.index];
                for (a, b) in slot.feeds.iter().zip(&original.feeds) {
                    assert_eq!(a.row, b.row);
                }
            } else {
                assert_eq!(slot.index, 100 + first.len() as u64);
                first.insert(slot.index, slot);
            }
        }
        // Expected 20 % re-sends and about 10 % of 6000 feed lines malformed.
        assert!((300..500).contains(&resends), "{resends}");
        assert!((450..900).contains(&malformed), "{malformed}");
    }

    #[test]
    fn no_dirt_means_no_resends_and_no_malformed_lines() {
        let mut sender = Sender::new(Generator::new(4, 0.1), 4, 0, 0.0, 0.0);
        for i in 0..500 {
            let slot = sender.next_slot();
            assert_eq!((slot.index, slot.resend), (i, false));
            assert!(slot.feeds.iter().all(|f| f.malformed.is_empty()));
        }
    }
}
