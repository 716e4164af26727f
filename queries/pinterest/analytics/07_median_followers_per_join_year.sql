-- Q7: median follower count of users by the year they joined, 2015-2020.
WITH pins AS (SELECT DISTINCT ind, follower_count FROM pin_clean WHERE follower_count IS NOT NULL),
     users AS (SELECT DISTINCT ind, date_joined FROM user_clean)
SELECT year(u.date_joined) AS post_year, percentile_approx(p.follower_count, 0.5) AS median_follower_count
FROM pins p JOIN users u ON p.ind = u.ind
WHERE year(u.date_joined) BETWEEN 2015 AND 2020
GROUP BY year(u.date_joined)
ORDER BY post_year;
