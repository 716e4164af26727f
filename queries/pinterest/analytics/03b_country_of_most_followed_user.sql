-- Q3b: the country of the user with the most followers (exactly one row; ties go to the first country by name).
WITH pins AS (SELECT DISTINCT ind, follower_count FROM pin_clean WHERE follower_count IS NOT NULL),
     geo AS (SELECT DISTINCT ind, country FROM geo_clean)
SELECT g.country, p.follower_count
FROM pins p JOIN geo g ON p.ind = g.ind
ORDER BY p.follower_count DESC, g.country
LIMIT 1;
