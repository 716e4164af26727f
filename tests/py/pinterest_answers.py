"""Answers the Pinterest analytics questions independently, with DuckDB over the Delta tables.

Usage: pinterest_answers.py WAREHOUSE
Prints {"<query name>": [rows...]} as JSON, rows in the order each question asks for.
Written from the question text (spec: pinterest-workload.md §6), not from spate's SQL files.
"""
import json
import sys

from read_delta import connect

AGE_GROUP = """CASE WHEN age BETWEEN 18 AND 24 THEN '18-24' WHEN age BETWEEN 25 AND 35 THEN '25-35'
                    WHEN age BETWEEN 36 AND 50 THEN '36-50' ELSE '+50' END"""

QUESTIONS = {
    "01_top_category_per_country": """
        WITH c AS (SELECT country, category, count(*) AS category_count
                   FROM (SELECT DISTINCT ind, category FROM pin) JOIN (SELECT DISTINCT ind, country FROM geo) USING (ind)
                   GROUP BY ALL)
        SELECT country, category, category_count FROM c
        WHERE category_count = (SELECT max(category_count) FROM c c2 WHERE c2.country IS NOT DISTINCT FROM c.country)
        ORDER BY country NULLS LAST, category NULLS LAST""",
    "02_top_category_per_year": """
        WITH c AS (SELECT year("timestamp") AS post_year, category, count(*) AS category_count
                   FROM (SELECT DISTINCT ind, category FROM pin) JOIN (SELECT DISTINCT ind, "timestamp" FROM geo) USING (ind)
                   WHERE year("timestamp") BETWEEN 2018 AND 2022 GROUP BY ALL)
        SELECT post_year, category, category_count FROM c
        WHERE category_count = (SELECT max(category_count) FROM c c2 WHERE c2.post_year = c.post_year)
        ORDER BY post_year, category NULLS LAST""",
    "03a_most_followed_user_per_country": """
        WITH p AS (SELECT DISTINCT country, poster_name, follower_count
                   FROM (SELECT DISTINCT ind, poster_name, follower_count FROM pin WHERE follower_count IS NOT NULL)
                   JOIN (SELECT DISTINCT ind, country FROM geo) USING (ind))
        SELECT country, poster_name, follower_count FROM p
        WHERE follower_count = (SELECT max(follower_count) FROM p p2 WHERE p2.country IS NOT DISTINCT FROM p.country)
        ORDER BY country NULLS LAST, poster_name NULLS LAST""",
    "03b_country_of_most_followed_user": """
        SELECT country, follower_count
        FROM (SELECT DISTINCT ind, follower_count FROM pin WHERE follower_count IS NOT NULL)
        JOIN (SELECT DISTINCT ind, country FROM geo) USING (ind)
        ORDER BY follower_count DESC, country NULLS LAST LIMIT 1""",
    "04_top_category_per_age_group": f"""
        WITH c AS (SELECT {AGE_GROUP} AS age_group, category, count(*) AS category_count
                   FROM (SELECT DISTINCT ind, category FROM pin) JOIN (SELECT DISTINCT ind, age FROM usr) USING (ind)
                   GROUP BY ALL)
        SELECT age_group, category, category_count FROM c
        WHERE category_count = (SELECT max(category_count) FROM c c2 WHERE c2.age_group = c.age_group)
        ORDER BY age_group, category NULLS LAST""",
    # Spark's percentile_approx returns an element of the group; on groups this small it is exact,
    # which is DuckDB's quantile_disc.
    "05_median_followers_per_age_group": f"""
        SELECT {AGE_GROUP} AS age_group, quantile_disc(follower_count, 0.5) AS median_follower_count
        FROM (SELECT DISTINCT ind, follower_count FROM pin WHERE follower_count IS NOT NULL)
        JOIN (SELECT DISTINCT ind, age FROM usr) USING (ind)
        GROUP BY ALL ORDER BY age_group""",
    "06_users_joined_per_year": """
        SELECT year(date_joined) AS post_year, count(*) AS number_users_joined
        FROM (SELECT DISTINCT user_name, age, date_joined FROM usr)
        WHERE year(date_joined) BETWEEN 2015 AND 2020 GROUP BY ALL ORDER BY post_year""",
    "07_median_followers_per_join_year": """
        SELECT year(date_joined) AS post_year, quantile_disc(follower_count, 0.5) AS median_follower_count
        FROM (SELECT DISTINCT ind, follower_count FROM pin WHERE follower_count IS NOT NULL)
        JOIN (SELECT DISTINCT ind, date_joined FROM usr) USING (ind)
        WHERE year(date_joined) BETWEEN 2015 AND 2020 GROUP BY ALL ORDER BY post_year""",
    "08_median_followers_per_join_year_and_age_group": f"""
        SELECT {AGE_GROUP} AS age_group, year(date_joined) AS post_year,
               quantile_disc(follower_count, 0.5) AS median_follower_count
        FROM (SELECT DISTINCT ind, follower_count FROM pin WHERE follower_count IS NOT NULL)
        JOIN (SELECT DISTINCT ind, age, date_joined FROM usr) USING (ind)
        WHERE year(date_joined) BETWEEN 2015 AND 2020 GROUP BY ALL ORDER BY age_group, post_year""",
}


def main():
    warehouse = sys.argv[1]
    con = connect()
    for view, table in [("pin", "pin_clean"), ("geo", "geo_clean"), ("usr", "user_clean")]:
        con.execute(f"CREATE VIEW {view} AS SELECT * FROM delta_scan('{warehouse}/{table}')")
    out = {}
    for name, sql in QUESTIONS.items():
        cur = con.execute(sql)
        cols = [d[0] for d in cur.description]
        out[name] = [dict(zip(cols, r)) for r in cur.fetchall()]
    print(json.dumps(out, default=str))


if __name__ == "__main__":
    main()
