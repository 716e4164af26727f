//! One Pinterest post as the three rows the emulator sends for it (spec §3): a pin row, a geo row
//! and a user row sharing one row number (`pin.index == geo.ind == user.ind`, spec §0, §2).
//! A post is a pure function of (seed, index), so a re-send regenerates the identical rows.

use super::dates::{midnight, DateTime};
use super::posters::{self, Poster};
use super::pyjson::{Record, Value};
use super::rng::Rng;
use super::topics::{self, Topic, TOPICS};

/// Derivation stream for posts (see `Rng::derive`).
const STREAM: u64 = 0x7069_6e73; // "pins"

// Spec §3.1 placeholders, exactly as the scraper wrote them.
/// `title` of a scrape-error row.
pub const NO_TITLE: &str = "No Title Data Available";
/// `description` of scrape-error and story-format rows.
pub const STORY_DESCRIPTION: &str = "No description available Story format";
/// `poster_name` and `follower_count` of a scrape-error row.
pub const USER_INFO_ERROR: &str = "User Info Error";
/// `tag_list` with no tags: "No Tags Available" split into characters.
pub const NO_TAGS: &str = "N,o, ,T,a,g,s, ,A,v,a,i,l,a,b,l,e";
/// `image_src` of a scrape-error row (with the trailing dot).
pub const IMAGE_SRC_ERROR: &str = "Image src error.";
/// `is_image_or_video` of scrape-error and story-format rows.
pub const MULTI_VIDEO: &str = "multi-video(story page format)";

/// Kinds of placeholder ("dirty") pin rows with their mix (spec §8): scrape-error 38 %,
/// story-format 42 %, no-tags 6 %, "Untitled" 8 %, "No description available" 3 %, empty string 3 %.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dirt {
    /// Every scraped field is a placeholder, downloaded 0, posted by the pseudo-user (spec §3.4).
    ScrapeError,
    /// Only the description is a placeholder; a multi-video with a video thumbnail.
    StoryFormat,
    /// A normal video row whose tag_list is the placeholder.
    NoTags,
    Untitled,
    NoDescription,
    /// One text field is `""` (synthetic: the cleaning specs null empty strings, spec §5.1).
    Empty,
}

const DIRT_MIX: [(Dirt, u32); 6] = [
    (Dirt::ScrapeError, 38),
    (Dirt::StoryFormat, 42),
    (Dirt::NoTags, 6),
    (Dirt::Untitled, 8),
    (Dirt::NoDescription, 3),
    (Dirt::Empty, 3),
];

/// The three rows of one post.
#[derive(Clone, Debug, PartialEq)]
pub struct Post {
    pub pin: Record,
    pub geo: Record,
    pub user: Record,
}

/// The three feeds, each written to its own folder `DIR/<name>` (spec §0).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Feed {
    Pin,
    Geo,
    User,
}

impl Feed {
    /// All feeds, in the order their files are written.
    pub const ALL: [Feed; 3] = [Feed::Pin, Feed::Geo, Feed::User];

    /// The folder name under the output directory.
    pub fn name(self) -> &'static str {
        match self {
            Feed::Pin => "pin",
            Feed::Geo => "geo",
            Feed::User => "user",
        }
    }
}

impl Post {
    /// The row this post sends on `feed`.
    pub fn record(&self, feed: Feed) -> &Record {
        match feed {
            Feed::Pin => &self.pin,
            Feed::Geo => &self.geo,
            Feed::User => &self.user,
        }
    }
}

/// Generates posts for one seed.
pub struct Generator {
    seed: u64,
    dirty_frac: f64,
}

impl Generator {
    /// A generator whose posts are placeholder rows with probability `dirty_frac`.
    pub fn new(seed: u64, dirty_frac: f64) -> Generator {
        Generator { seed, dirty_frac }
    }

    /// Post number `index` (its row number in all three feeds).
    pub fn post(&self, index: u64) -> Post {
        let mut rng = Rng::derive(self.seed, STREAM, index);
        let dirt = rng
            .chance(self.dirty_frac)
            .then(|| DIRT_MIX[rng.weighted(&DIRT_MIX.map(|(_, w)| w))].0);
        let poster = match dirt {
            Some(Dirt::ScrapeError) => posters::scrape_error(),
            _ => posters::poster(self.seed, posters::pick(&mut rng)),
        };
        // A poster mostly saves to one board; scrape errors have no poster to follow.
        let category = if dirt != Some(Dirt::ScrapeError) && rng.chance(0.8) {
            poster.category
        } else {
            rng.weighted(&topics::weights())
        };
        let pin = pin_row(&mut rng, index, &poster, &TOPICS[category], dirt);
        let ind = Value::Int(index as i64);
        let geo = vec![
            ("ind", ind.clone()),
            ("timestamp", Value::DateTime(post_time(&mut rng))),
            ("latitude", Value::Float(poster.home.latitude)),
            ("longitude", Value::Float(poster.home.longitude)),
            ("country", Value::Str(poster.home.country.into())),
        ];
        let user = vec![
            ("ind", ind),
            ("first_name", Value::Str(poster.user.first_name.into())),
            ("last_name", Value::Str(poster.user.last_name.into())),
            ("age", Value::Int(poster.user.age)),
            ("date_joined", Value::DateTime(poster.user.date_joined)),
        ];
        Post { pin, geo, user }
    }
}

/// The pin row in MySQL column order (spec §3.1), with the placeholders of `dirt` applied.
fn pin_row(
    rng: &mut Rng,
    index: u64,
    poster: &Poster,
    topic: &Topic,
    dirt: Option<Dirt>,
) -> Record {
    let unique_id = uuid4(rng);
    let mut title = title(rng, topic);
    let mut description = description(rng, topic);
    let mut poster_name = poster.name.clone();
    let mut follower_count = poster.followers.clone();
    let mut tag_list = tag_list(rng, topic);
    // Sample: image 120, video 6 among the 126 rows that are not multi-video (spec §3.1).
    let mut media = if rng.chance(6.0 / 126.0) {
        "video"
    } else {
        "image"
    };
    let hex = rng.hex(32);
    let png = rng.chance(0.3);
    let mut downloaded = 1;
    let empty_field = rng.below(5);
    match dirt {
        None => {}
        Some(Dirt::ScrapeError) => {
            title = NO_TITLE.into();
            description = STORY_DESCRIPTION.into();
            tag_list = NO_TAGS.into();
            media = MULTI_VIDEO;
            downloaded = 0;
        }
        Some(Dirt::StoryFormat) => {
            description = STORY_DESCRIPTION.into();
            media = MULTI_VIDEO;
        }
        Some(Dirt::NoTags) => {
            tag_list = NO_TAGS.into();
            media = "video";
        }
        Some(Dirt::Untitled) => description = "Untitled".into(),
        Some(Dirt::NoDescription) => description = "No description available".into(),
        Some(Dirt::Empty) => match empty_field {
            0 => title.clear(),
            1 => description.clear(),
            2 => poster_name.clear(),
            3 => follower_count.clear(),
            _ => tag_list.clear(),
        },
    }
    let folders = format!("{}/{}/{}", &hex[0..2], &hex[2..4], &hex[4..6]);
    let image_src = if dirt == Some(Dirt::ScrapeError) {
        IMAGE_SRC_ERROR.to_string()
    } else if media == "image" {
        format!(
            "https://i.pinimg.com/originals/{folders}/{hex}.{}",
            if png { "png" } else { "jpg" }
        )
    } else {
        // Videos and story pages show a video thumbnail (spec §3.1, §3.5 index 9672 and 6398).
        format!("https://i.pinimg.com/videos/thumbnails/originals/{folders}/{hex}.0000001.jpg")
    };
    vec![
        ("index", Value::Int(index as i64)),
        ("unique_id", Value::Str(unique_id)),
        ("title", Value::Str(title)),
        ("description", Value::Str(description)),
        ("poster_name", Value::Str(poster_name)),
        ("follower_count", Value::Str(follower_count)),
        ("tag_list", Value::Str(tag_list)),
        ("is_image_or_video", Value::Str(media.into())),
        ("image_src", Value::Str(image_src)),
        ("downloaded", Value::Int(downloaded)),
        (
            "save_location",
            Value::Str(format!("Local save in /data/{}", topic.name)),
        ),
        ("category", Value::Str(topic.name.into())),
    ]
}

/// A random UUID version 4 in its 36-character text form (spec §3.1).
fn uuid4(rng: &mut Rng) -> String {
    let hi = (rng.next_u64() & 0xffff_ffff_ffff_0fff) | 0x4000; // version nibble 4
    let lo = (rng.next_u64() & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000; // variant 10
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        hi >> 32,
        (hi >> 16) & 0xffff,
        hi & 0xffff,
        lo >> 48,
        lo & 0xffff_ffff_ffff
    )
}

/// A title: a stem of the category, sometimes with a Pinterest-style suffix.
fn title(rng: &mut Rng, topic: &Topic) -> String {
    let stem = *rng.pick(topic.titles);
    if rng.chance(0.25) {
        format!("{stem}{}", rng.pick(topics::TITLE_SUFFIXES))
    } else {
        stem.to_string()
    }
}

/// Longest description kept whole: longer ones are cut and end in "…\u{a0}" (spec §3.1).
const DESCRIPTION_CUT: usize = 178;

/// A description of 1-4 distinct sentences, mostly of the category, cut like the scraper's when long.
fn description(rng: &mut Rng, topic: &Topic) -> String {
    let mut pool: Vec<&str> = topic.sentences.to_vec();
    if rng.chance(0.3) {
        pool.push(*rng.pick(topics::GENERIC_SENTENCES));
    }
    let n = rng.range(1, 4) as usize;
    let text = shuffled_prefix(rng, &mut pool, n).join(" ");
    if text.chars().count() > DESCRIPTION_CUT {
        let cut: String = text.chars().take(DESCRIPTION_CUT).collect();
        format!("{cut}\u{2026}\u{a0}")
    } else {
        text
    }
}

/// The first `n` items of `items` after a partial Fisher-Yates shuffle: `n` distinct random picks.
fn shuffled_prefix<'a, T>(rng: &mut Rng, items: &'a mut [T], n: usize) -> &'a [T] {
    let n = n.min(items.len());
    for i in 0..n {
        let j = i + rng.below((items.len() - i) as u64) as usize;
        items.swap(i, j);
    }
    &items[..n]
}

/// Nine distinct Title-Case tags of the category, comma-joined without spaces (spec §3.1).
fn tag_list(rng: &mut Rng, topic: &Topic) -> String {
    shuffled_prefix(rng, &mut topic.tags.to_vec(), 9).join(",")
}

/// A post time 2017-10 .. 2022-10 with the sample's years (spec §3.2: 2017: 7, 2018: 32,
/// 2019: 33, 2020: 27, 2021: 21, 2022: 17), uniform within the year.
fn post_time(rng: &mut Rng) -> DateTime {
    let year = 2017 + rng.weighted(&[7, 32, 33, 27, 21, 17]) as i64;
    let start = if year == 2017 {
        midnight(2017, 10, 1)
    } else {
        midnight(year, 1, 1)
    };
    let end = if year == 2022 {
        midnight(2022, 11, 1)
    } else {
        midnight(year + 1, 1, 1)
    };
    DateTime::from_epoch_seconds(rng.range(start, end - 1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulate::pyjson::dumps;

    fn text<'a>(rec: &'a Record, name: &str) -> &'a str {
        match rec.iter().find(|(n, _)| *n == name) {
            Some((_, Value::Str(s))) => s,
            other => panic!("{name}: {other:?}"),
        }
    }

    #[test]
    fn three_rows_share_the_row_number_and_field_order() {
        let post = Generator::new(5, 0.1).post(4242);
        let names = |r: &Record| r.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(",");
        assert_eq!(names(&post.pin), "index,unique_id,title,description,poster_name,follower_count,tag_list,is_image_or_video,image_src,downloaded,save_location,category");
        assert_eq!(names(&post.geo), "ind,timestamp,latitude,longitude,country");
        assert_eq!(
            names(&post.user),
            "ind,first_name,last_name,age,date_joined"
        );
        assert_eq!(post.pin[0].1, Value::Int(4242));
        assert_eq!(post.geo[0].1, Value::Int(4242));
        assert_eq!(post.user[0].1, Value::Int(4242));
        assert_eq!(post, Generator::new(5, 0.1).post(4242));
    }

    #[test]
    fn uuid_is_version_4_and_36_chars() {
        let mut rng = Rng::new(3);
        for _ in 0..1000 {
            let id = uuid4(&mut rng);
            assert_eq!(id.len(), 36);
            assert_eq!(id.as_bytes()[14], b'4');
            assert!(matches!(id.as_bytes()[19], b'8' | b'9' | b'a' | b'b'));
            assert_eq!(
                id.split('-').map(str::len).collect::<Vec<_>>(),
                [8, 4, 4, 4, 12]
            );
        }
    }

    #[test]
    fn scrape_error_rows_are_all_placeholders_and_the_pseudo_user() {
        let posts = Generator::new(11, 1.0);
        let mut seen = 0;
        for index in 0..400 {
            let post = posts.post(index);
            if text(&post.pin, "poster_name") != USER_INFO_ERROR {
                continue;
            }
            seen += 1;
            assert_eq!(text(&post.pin, "title"), NO_TITLE);
            assert_eq!(text(&post.pin, "description"), STORY_DESCRIPTION);
            assert_eq!(text(&post.pin, "follower_count"), USER_INFO_ERROR);
            assert_eq!(text(&post.pin, "tag_list"), NO_TAGS);
            assert_eq!(text(&post.pin, "is_image_or_video"), MULTI_VIDEO);
            assert_eq!(text(&post.pin, "image_src"), IMAGE_SRC_ERROR);
            assert_eq!(post.pin[9].1, Value::Int(0));
            assert_eq!(text(&post.user, "first_name"), "Abigail");
            assert_eq!(text(&post.geo, "country"), "Albania");
        }
        assert!(seen > 100, "{seen}");
    }

    #[test]
    fn long_descriptions_are_cut_with_ellipsis_and_nbsp() {
        let posts = Generator::new(2, 0.0);
        let cut: Vec<String> = (0..300)
            .map(|i| text(&posts.post(i).pin, "description").to_string())
            .filter(|d| d.ends_with("\u{2026}\u{a0}"))
            .collect();
        assert!(!cut.is_empty());
        assert!(cut.iter().all(|d| d.chars().count() == DESCRIPTION_CUT + 2));
        assert!(dumps(&posts.post(0).pin).is_ascii());
    }
}
