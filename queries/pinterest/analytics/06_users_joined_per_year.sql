-- Q6: how many users joined each year, 2015-2020. A user appears once per post: count distinct users.
WITH users AS (SELECT DISTINCT user_name, age, date_joined FROM user_clean)
SELECT year(date_joined) AS post_year, count(*) AS number_users_joined
FROM users
WHERE year(date_joined) BETWEEN 2015 AND 2020
GROUP BY year(date_joined)
ORDER BY post_year;
