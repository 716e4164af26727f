-- The Pinterest pipeline on Kinesis: the three feeds arrive as records on the streams
-- <prefix>-pin, <prefix>-geo and <prefix>-user (each record's data is one row's JSON, as the
-- pipeline's API gateway puts it) and are cleaned into the same Delta tables as pipeline.sql.
--   spate run queries/pinterest/pipeline_kinesis.sql --var stream_prefix=PREFIX [--trigger available-now]
-- with the streams written by `spate emulate pinterest --kinesis PREFIX`; endpoint, region and
-- credentials come from the AWS_* variables (AWS_ENDPOINT_URL_KINESIS for a local stand-in).
-- Each record is decoded as the notebooks do it: from_json(CAST(data AS STRING), '<DDL>')
-- (pinterest-workload.md §4.4); the cleaning below the decoding is pipeline.sql's.

-- The notebooks were written for Spark 3: a failing CAST gives NULL instead of an error.
SET spark.sql.ansi.enabled = false;

-- De-duplication: the emulator (like the real API gateway) re-sends posts as exact copies on all
-- three feeds, so each table is a SELECT DISTINCT: Spark's dropDuplicates() on every column, the
-- notebooks' choice. There is no watermark: a post's timestamp is when it was posted (years ago,
-- in any order), not when it arrives, so it cannot bound the state; the state holds one key per
-- distinct row (spate's checkpoint, state/0/0).

-- Posts. Placeholders and empty strings become NULL; follower_count "26k" -> 26000, "6M" -> 6000000.
CREATE OR REFRESH STREAMING TABLE pin_clean (
  CONSTRAINT valid_unique_id EXPECT (length(unique_id) = 36) ON VIOLATION DROP ROW,
  -- follower_count is -1 when the raw text was neither a placeholder nor digits with an optional k/M;
  -- such rows are dropped, so -1 never reaches the table.
  CONSTRAINT valid_follower_count EXPECT (follower_count IS NULL OR follower_count >= 0) ON VIOLATION DROP ROW
)
COMMENT 'Pinterest posts, cleaned'
AS SELECT DISTINCT
  CAST(`index` AS INT) AS ind,
  unique_id,
  CASE WHEN title IN ('No Title Data Available', '') THEN NULL ELSE title END AS title,
  CASE WHEN description IN ('No description available Story format', '') THEN NULL ELSE description END AS description,
  CASE
    WHEN follower_count IS NULL OR follower_count IN ('User Info Error', '') THEN NULL
    WHEN follower_count RLIKE '^[0-9]+k$' THEN CAST(regexp_replace(follower_count, 'k', '000') AS INT)
    WHEN follower_count RLIKE '^[0-9]+M$' THEN CAST(regexp_replace(follower_count, 'M', '000000') AS INT)
    WHEN follower_count RLIKE '^[0-9]+$' THEN CAST(follower_count AS INT)
    ELSE CAST(-1 AS INT)
  END AS follower_count,
  CASE WHEN poster_name IN ('User Info Error', '') THEN NULL ELSE poster_name END AS poster_name,
  CASE WHEN tag_list IN ('N,o, ,T,a,g,s, ,A,v,a,i,l,a,b,l,e', '') THEN NULL ELSE tag_list END AS tag_list,
  NULLIF(is_image_or_video, '') AS is_image_or_video,
  CASE WHEN image_src IN ('Image src error.', '') THEN NULL ELSE image_src END AS image_src,
  NULLIF(regexp_replace(save_location, '^Local save in ', ''), '') AS save_location,
  NULLIF(category, '') AS category
FROM (
  SELECT r.`index` AS `index`,
         r.`unique_id` AS `unique_id`,
         r.`title` AS `title`,
         r.`description` AS `description`,
         r.`poster_name` AS `poster_name`,
         r.`follower_count` AS `follower_count`,
         r.`tag_list` AS `tag_list`,
         r.`is_image_or_video` AS `is_image_or_video`,
         r.`image_src` AS `image_src`,
         r.`downloaded` AS `downloaded`,
         r.`save_location` AS `save_location`,
         r.`category` AS `category`
  FROM (SELECT from_json(CAST(data AS STRING),
          'index BIGINT, unique_id STRING, title STRING, description STRING, poster_name STRING,
             follower_count STRING, tag_list STRING, is_image_or_video STRING, image_src STRING,
             downloaded BIGINT, save_location STRING, category STRING') AS r
        FROM STREAM read_kinesis(streamName => '${stream_prefix}-pin',
                                 initialPosition => 'trim_horizon')) AS raw
) AS decoded;

-- Where and when each post was made. A line that is not a geo record has no ind: dropped and counted.
CREATE OR REFRESH STREAMING TABLE geo_clean (
  CONSTRAINT valid_ind EXPECT (ind IS NOT NULL) ON VIOLATION DROP ROW
)
COMMENT 'Pinterest post locations, cleaned'
AS SELECT DISTINCT
  ind,
  NULLIF(country, '') AS country,
  array(latitude, longitude) AS coordinates,
  to_timestamp(`timestamp`) AS `timestamp`
FROM (
  SELECT r.`ind` AS `ind`,
         r.`timestamp` AS `timestamp`,
         r.`latitude` AS `latitude`,
         r.`longitude` AS `longitude`,
         r.`country` AS `country`
  FROM (SELECT from_json(CAST(data AS STRING),
          'ind BIGINT, timestamp STRING, latitude DOUBLE, longitude DOUBLE, country STRING') AS r
        FROM STREAM read_kinesis(streamName => '${stream_prefix}-geo',
                                 initialPosition => 'trim_horizon')) AS raw
) AS decoded;

-- Who posted. A line that is not a user record has no ind: dropped and counted.
CREATE OR REFRESH STREAMING TABLE user_clean (
  CONSTRAINT valid_ind EXPECT (ind IS NOT NULL) ON VIOLATION DROP ROW
)
COMMENT 'Pinterest users, cleaned'
AS SELECT DISTINCT
  ind,
  concat_ws(' ', first_name, last_name) AS user_name,
  age,
  to_timestamp(date_joined) AS date_joined
FROM (
  SELECT r.`ind` AS `ind`,
         r.`first_name` AS `first_name`,
         r.`last_name` AS `last_name`,
         r.`age` AS `age`,
         r.`date_joined` AS `date_joined`
  FROM (SELECT from_json(CAST(data AS STRING),
          'ind BIGINT, first_name STRING, last_name STRING, age BIGINT, date_joined STRING') AS r
        FROM STREAM read_kinesis(streamName => '${stream_prefix}-user',
                                 initialPosition => 'trim_horizon')) AS raw
) AS decoded;
