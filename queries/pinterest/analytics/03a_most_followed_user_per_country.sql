-- Q3a: for each country, the user with the most followers.
WITH pins AS (SELECT DISTINCT ind, poster_name, follower_count FROM pin_clean WHERE follower_count IS NOT NULL),
     geo AS (SELECT DISTINCT ind, country FROM geo_clean),
     posters AS (
       SELECT DISTINCT g.country, p.poster_name, p.follower_count
       FROM pins p JOIN geo g ON p.ind = g.ind),
     ranked AS (
       SELECT country, poster_name, follower_count,
              rank() OVER (PARTITION BY country ORDER BY follower_count DESC) AS rk
       FROM posters)
SELECT country, poster_name, follower_count FROM ranked WHERE rk = 1 ORDER BY country, poster_name;
