//! The poster population. Spec §3.4: a poster is one user with one home location, so every post by
//! the same `poster_name` carries the same user row and the same latitude, longitude and country;
//! only the post's timestamp changes. Each poster is a pure function of (seed, poster id), and
//! names are unique per id so that the mapping holds across the whole population.

use super::dates::{midnight, DateTime};
use super::rng::Rng;
use super::topics::{self, TOPICS};
use super::vocab;

/// Posters in the population. Spec §3.4: 124 posters for 131 distinct posts in the sample, so
/// repeats are rare in small samples but common over many thousands of posts.
pub const POOL: u64 = 5000;
/// The most active posters (the first ids), which get a share of all posts.
const PROLIFIC: u64 = 200;
/// Derivation stream for posters (see `Rng::derive`).
const STREAM: u64 = 0x706f_7374_6572; // "poster"

/// The user row behind a poster (spec §3.3).
#[derive(Clone, Debug, PartialEq)]
pub struct User {
    pub first_name: &'static str,
    pub last_name: &'static str,
    pub age: i64,
    pub date_joined: DateTime,
}

/// Where a poster posts from (spec §3.2): MySQL FLOAT coordinates and a Faker country.
#[derive(Clone, Debug, PartialEq)]
pub struct Home {
    pub latitude: f64,
    pub longitude: f64,
    pub country: &'static str,
}

/// One poster: the pin fields that belong to the account, plus its user and home.
#[derive(Clone, Debug, PartialEq)]
pub struct Poster {
    pub name: String,
    /// `follower_count` as sent: "437", "26k", "6M" (spec §3.1).
    pub followers: String,
    /// Index into `TOPICS` of the category this poster mostly saves to.
    pub category: usize,
    pub user: User,
    pub home: Home,
}

/// A poster id for the next post: 30 % from the prolific head, the rest uniform over the pool.
pub fn pick(rng: &mut Rng) -> u64 {
    if rng.chance(0.3) {
        rng.below(PROLIFIC)
    } else {
        rng.below(POOL)
    }
}

/// Spec §3.4: scrape-error rows (`poster_name == "User Info Error"`) all share one pseudo-user,
/// Abigail Ali, 20, joined 2015-10-24 11:23:51, posting from Albania (-89.9787, -173.293).
pub fn scrape_error() -> Poster {
    Poster {
        name: "User Info Error".into(),
        followers: "User Info Error".into(),
        category: 0,
        user: User {
            first_name: "Abigail",
            last_name: "Ali",
            age: 20,
            date_joined: DateTime {
                year: 2015,
                month: 10,
                day: 24,
                hour: 11,
                minute: 23,
                second: 51,
            },
        },
        home: Home {
            latitude: -89.9787,
            longitude: -173.293,
            country: "Albania",
        },
    }
}

/// Poster `id` of the population under `seed`.
pub fn poster(seed: u64, id: u64) -> Poster {
    let mut rng = Rng::derive(seed, STREAM, id);
    let brands = brand_posters();
    let (name, category) = match brands.get(id as usize) {
        // Brands are the first ids, hence prolific, and each brand name belongs to one poster.
        Some(&(brand, topic)) => {
            let name = if rng.chance(0.5) {
                format!("{brand} | {}", rng.pick(topics::TAGLINES))
            } else {
                brand.to_string()
            };
            (name, topic)
        }
        None => (
            person_name(&mut rng, id - brands.len() as u64),
            rng.weighted(&topics::weights()),
        ),
    };
    Poster {
        name,
        followers: followers(&mut rng),
        category,
        user: user(&mut rng),
        home: home(&mut rng),
    }
}

/// Every (brand, topic index) pair, in `TOPICS` order.
fn brand_posters() -> Vec<(&'static str, usize)> {
    TOPICS
        .iter()
        .enumerate()
        .flat_map(|(i, t)| t.brands.iter().map(move |b| (*b, i)))
        .collect()
}

/// All first names a poster's display name can use (no repeats: names must stay unique).
fn display_first_names() -> Vec<&'static str> {
    [
        vocab::POSTER_FIRST_NAMES,
        vocab::FIRST_NAMES,
        vocab::A_FIRST_NAMES,
    ]
    .concat()
}

/// All family names a poster's display name can use.
fn display_last_names() -> Vec<&'static str> {
    [
        vocab::POSTER_LAST_NAMES,
        vocab::LAST_NAMES,
        vocab::A_LAST_NAMES,
    ]
    .concat()
}

/// Display name of the `n`-th person poster: the (first, last) pair is a bijection of `n`, so names
/// never collide; only the styling is random (spec §3.1: "sometimes a trailing blank").
fn person_name(rng: &mut Rng, n: u64) -> String {
    let (firsts, lasts) = (display_first_names(), display_last_names());
    let pairs = (firsts.len() * lasts.len()) as u64;
    // Multiplying by a prime that does not divide `pairs` permutes 0..pairs (checked in a test).
    let k = (n.wrapping_mul(7919).wrapping_add(13)) % pairs;
    let (first, last) = (
        firsts[(k % firsts.len() as u64) as usize],
        lasts[(k / firsts.len() as u64) as usize],
    );
    match rng.below(20) {
        0 => format!("{first} {last} "),
        1 => format!("{first}{last}"),
        2..=4 => format!("{first} {last} | {}", rng.pick(topics::TAGLINES)),
        _ => format!("{first} {last}"),
    }
}

/// A follower count with the sample's shape mix (spec §3.1: NNk 43, NNNk 36, Nk 25, NNN 10,
/// NM 9, NN 5, N 4 among the 132 non-error rows).
fn followers(rng: &mut Rng) -> String {
    match rng.weighted(&[43, 36, 25, 10, 9, 5, 4]) {
        0 => format!("{}k", rng.range(10, 99)),
        1 => format!("{}k", rng.range(100, 999)),
        2 => format!("{}k", rng.range(1, 9)),
        3 => rng.range(100, 999).to_string(),
        4 => format!("{}M", rng.range(1, 9)),
        5 => rng.range(10, 99).to_string(),
        _ => rng.range(0, 9).to_string(),
    }
}

/// A user row (spec §3.3): names skewed to "A", age 20..59 skewed to 20 (34/137 exactly 20),
/// date_joined mostly 2015-10-21..2017-10-10 front-loaded (2015: 55, 2016: 62, 2017: 20).
fn user(rng: &mut Rng) -> User {
    let first_name = if rng.chance(50.0 / 137.0) {
        *rng.pick(vocab::A_FIRST_NAMES)
    } else {
        *rng.pick(vocab::FIRST_NAMES)
    };
    let last_name = if rng.chance(33.0 / 137.0) {
        *rng.pick(vocab::A_LAST_NAMES)
    } else {
        *rng.pick(vocab::LAST_NAMES)
    };
    // u^1.5 leans young but keeps every analytics age group (18-24, 25-35, 36-50, +50) populated;
    // with the 18 % extra at exactly 20, about a quarter of users are 20, as in the sample.
    let age = if rng.chance(0.18) {
        20
    } else {
        let u = rng.unit();
        20 + (40.0 * u * u.sqrt()) as i64
    };
    let joined = if rng.chance(0.03) {
        // A few late joiners (not in the sample) so the 2015-2020 join-year queries see spread.
        rng.range(midnight(2017, 10, 11), midnight(2021, 1, 1) - 1)
    } else {
        // u^2.5 puts ~40 % in the last ten weeks of 2015, ~42 % in 2016, the rest in 2017.
        let (start, end) = (midnight(2015, 10, 21), midnight(2017, 10, 11) - 1);
        let u = rng.unit();
        start + ((end - start) as f64 * u * u * u.sqrt()) as i64
    };
    User {
        first_name,
        last_name,
        age,
        date_joined: DateTime::from_epoch_seconds(joined),
    }
}

/// A home location (spec §3.2): latitude median about -65 and longitude median about -141, ~80 %
/// of each negative (u^3 skew), 6 significant digits; 60/137 countries start with "A".
fn home(rng: &mut Rng) -> Home {
    let (u, v) = (rng.unit(), rng.unit());
    let latitude = six_digits(-90.0 + 180.0 * u * u * u);
    let longitude = six_digits(-180.0 + 360.0 * v * v * v);
    let country = if rng.chance(60.0 / 137.0) {
        let weights: Vec<u32> = vocab::A_COUNTRIES.iter().map(|(_, w)| *w).collect();
        vocab::A_COUNTRIES[rng.weighted(&weights)].0
    } else {
        *rng.pick(vocab::COUNTRIES)
    };
    Home {
        latitude,
        longitude,
        country,
    }
}

/// Rounded to 6 significant digits, as a MySQL FLOAT prints (`-0.375174`, `61.9119`).
fn six_digits(x: f64) -> f64 {
    format!("{x:.5e}").parse().unwrap_or(x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn display_names_are_unique_across_the_pool() {
        let (firsts, lasts) = (display_first_names(), display_last_names());
        assert_eq!(firsts.iter().collect::<HashSet<_>>().len(), firsts.len());
        assert_eq!(lasts.iter().collect::<HashSet<_>>().len(), lasts.len());
        let pairs = (firsts.len() * lasts.len()) as u64;
        assert!(!pairs.is_multiple_of(7919) && pairs >= POOL);
        let names: HashSet<String> = (0..POOL).map(|id| poster(1, id).name).collect();
        assert_eq!(names.len() as u64, POOL);
    }

    #[test]
    fn posters_are_stable_and_plausible() {
        assert_eq!(poster(9, 123), poster(9, 123));
        let mut ages = [0u32; 4];
        for id in 0..POOL {
            let p = poster(9, id);
            assert!(p
                .followers
                .chars()
                .all(|c| c.is_ascii_digit() || c == 'k' || c == 'M'));
            assert!((20..=59).contains(&p.user.age));
            ages[match p.user.age {
                18..=24 => 0,
                25..=35 => 1,
                36..=50 => 2,
                _ => 3,
            }] += 1;
            assert!(
                (-90.0..=90.0).contains(&p.home.latitude)
                    && (-180.0..=180.0).contains(&p.home.longitude)
            );
            let year = p.user.date_joined.year;
            assert!((2015..=2020).contains(&year));
        }
        assert!(ages.iter().all(|&n| n as u64 > POOL / 20), "{ages:?}");
    }

    #[test]
    fn six_significant_digits() {
        assert_eq!(six_digits(-89.978_712_3), -89.9787);
        assert_eq!(six_digits(-0.375_174_49), -0.375174);
    }
}
