-- Q2: posts per category per year, 2018-2022, keeping the most popular category of each year.
WITH pins AS (SELECT DISTINCT ind, category FROM pin_clean),
     geo AS (SELECT DISTINCT ind, `timestamp` FROM geo_clean),
     counts AS (
       SELECT year(g.`timestamp`) AS post_year, p.category, count(*) AS category_count
       FROM pins p JOIN geo g ON p.ind = g.ind
       WHERE year(g.`timestamp`) BETWEEN 2018 AND 2022
       GROUP BY year(g.`timestamp`), p.category),
     ranked AS (
       SELECT post_year, category, category_count,
              rank() OVER (PARTITION BY post_year ORDER BY category_count DESC) AS rk
       FROM counts)
SELECT post_year, category, category_count FROM ranked WHERE rk = 1 ORDER BY post_year, category;
