-- Q4: the most popular category per age group (18-24, 25-35, 36-50, +50).
WITH pins AS (SELECT DISTINCT ind, category FROM pin_clean),
     users AS (SELECT DISTINCT ind, age FROM user_clean),
     grouped AS (
       SELECT CASE WHEN u.age BETWEEN 18 AND 24 THEN '18-24'
                   WHEN u.age BETWEEN 25 AND 35 THEN '25-35'
                   WHEN u.age BETWEEN 36 AND 50 THEN '36-50'
                   ELSE '+50' END AS age_group,
              p.category
       FROM pins p JOIN users u ON p.ind = u.ind),
     counts AS (SELECT age_group, category, count(*) AS category_count FROM grouped GROUP BY age_group, category),
     ranked AS (
       SELECT age_group, category, category_count,
              rank() OVER (PARTITION BY age_group ORDER BY category_count DESC) AS rk
       FROM counts)
SELECT age_group, category, category_count FROM ranked WHERE rk = 1 ORDER BY age_group, category;
