-- Q1: the most popular category people post to, per country (ties kept with rank()).
-- The tables hold each row once (SELECT DISTINCT in the pipeline); the DISTINCT here also folds a
-- post that reached the table twice in different shapes (a malformed copy) into one (ind, category).
WITH pins AS (SELECT DISTINCT ind, category FROM pin_clean),
     geo AS (SELECT DISTINCT ind, country FROM geo_clean),
     counts AS (
       SELECT g.country, p.category, count(*) AS category_count
       FROM pins p JOIN geo g ON p.ind = g.ind
       GROUP BY g.country, p.category),
     ranked AS (
       SELECT country, category, category_count,
              rank() OVER (PARTITION BY country ORDER BY category_count DESC) AS rk
       FROM counts)
SELECT country, category, category_count FROM ranked WHERE rk = 1 ORDER BY country, category;
