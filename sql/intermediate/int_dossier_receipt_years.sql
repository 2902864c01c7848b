-- One row per year of receipt: its dossiers, first and last day of receipt, and the last day any of
-- them shows (received, finished or updated). The data window of int_periods_reported and the as-of
-- date of warning_dossiers_due are the min and max over these few rows, so neither reads every
-- dossier of every year (docs/architecture.md, "Incremental models").
-- beyond_calendar flags a year whose dossiers show a day after the calendar seed's last year
-- (calendar_months, to 2035): no report period, working day or Athena partition exists there, so its
-- dossiers would be missing from every report; the model's test stops the run instead (extend the seed).
with dossiers as (

    select * from int_dossiers_classified

),

calendar_end as (

    select max(year) as last_year
    from calendar_months

),

by_year as (

    select
        year,
        count(*) as dossiers,
        min(received_date) as first_received_date,
        max(received_date) as last_received_date,
        max(greatest(received_date, coalesce(finished_date, received_date), cast(updated_at as date))) as last_known_date
    from dossiers
    group by year

),

final as (

    select
        y.*,
        year(y.last_known_date) > (select last_year from calendar_end) as beyond_calendar
    from by_year as y

)

select * from final
