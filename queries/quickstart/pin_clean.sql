-- Quickstart: clean pin records landing as JSON Lines in a folder, append them to a Delta table.
-- Run:  spate run queries/quickstart/pin_clean.sql --var landing=queries/quickstart/landing --trigger available-now
SET spark.sql.ansi.enabled = false;

CREATE OR REFRESH STREAMING TABLE pin_clean (
  CONSTRAINT valid_id EXPECT (length(unique_id) = 36) ON VIOLATION DROP ROW,
  CONSTRAINT has_title EXPECT (title IS NOT NULL)
)
COMMENT 'Pins with placeholders nulled, follower counts as numbers'
AS SELECT
  CAST(`index` AS INT) AS ind,
  unique_id,
  CASE WHEN title = 'No Title Data Available' THEN NULL ELSE title END AS title,
  CASE WHEN description = 'No description available Story format' THEN NULL ELSE description END AS description,
  CAST(regexp_replace(regexp_replace(follower_count, 'k', '000'), 'M', '000000') AS INT) AS follower_count,
  CAST(downloaded AS INT) AS downloaded,
  regexp_replace(save_location, 'Local save in ', '') AS save_location,
  category,
  to_timestamp(posted_at, 'yyyy-MM-dd HH:mm:ss') AS posted_at,
  _corrupt_record
FROM STREAM read_files('${landing}/pin', format => 'json',
  schema => 'index BIGINT, unique_id STRING, title STRING, description STRING, follower_count STRING,
             downloaded BIGINT, save_location STRING, category STRING, posted_at STRING, _corrupt_record STRING',
  maxFilesPerTrigger => 1);
