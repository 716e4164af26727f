-- Q5: median follower count per age group (Spark's percentile_approx: an actual element, not interpolated).
WITH pins AS (SELECT DISTINCT ind, follower_count FROM pin_clean WHERE follower_count IS NOT NULL),
     users AS (SELECT DISTINCT ind, age FROM user_clean)
SELECT CASE WHEN u.age BETWEEN 18 AND 24 THEN '18-24'
            WHEN u.age BETWEEN 25 AND 35 THEN '25-35'
            WHEN u.age BETWEEN 36 AND 50 THEN '36-50'
            ELSE '+50' END AS age_group,
       percentile_approx(p.follower_count, 0.5) AS median_follower_count
FROM pins p JOIN users u ON p.ind = u.ind
GROUP BY 1
ORDER BY age_group;
