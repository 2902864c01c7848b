-- Every 766 sub-indicator per reporting agency and month, under the newest indicator-table version
-- whose valid_from ≤ the month start (docs/data-contracts.md §4.3): recomputed from the lake where its
-- basis allows, else the published sub-score. Withdrawn dossiers are left out (is_counted).
with counted as (

    select * from int_agency_periods_counted

),

indicators as (

    select * from score766_indicators

),

agencies as (

    select * from int_agencies_chained

),

procedures as (

    select * from stg_lake__procedures

),

published_metrics as (

    select * from stg_lake__score766_metrics

),

published_units as (

    select * from stg_lake__score766

),

months as (

    select * from counted where period_type = 'month'

),

month_list as (

    select distinct year, period_no, period_start, period_end from months

),

month_versions as (

    select
        m.year,
        m.period_no,
        i.version,
        row_number() over (partition by m.year, m.period_no order by i.valid_from desc, i.version desc) as recency
    from month_list as m
    inner join (select distinct version, valid_from from indicators) as i on i.valid_from <= m.period_start

),

procedures_held as (

    select
        case
            when g.agency_code is null then p.agency_code
            when g.valid_to is null or g.valid_to >= m.period_end then g.agency_code
            when g.successor_code is null then g.agency_code
            when g.successor_1_valid_to is null or g.successor_1_valid_to >= m.period_end then g.successor_code
            when g.successor_2_code is null then g.successor_code
            when g.successor_2_valid_to is null or g.successor_2_valid_to >= m.period_end then g.successor_2_code
            when g.successor_3_code is null then g.successor_2_code
            else g.successor_3_code
        end as agency_code,
        m.year,
        m.period_no,
        p.online_level,
        p.is_fee_bearing
    from procedures as p
    cross join month_list as m
    left join agencies as g on g.agency_code = p.agency_code

),

catalogue as (

    select
        agency_code,
        year,
        period_no,
        count(*) as procedures_held,
        count_if(online_level <> 'khong') as procedures_online,
        count_if(is_fee_bearing) as procedures_fee_bearing_held
    from procedures_held
    group by agency_code, year, period_no

),

unit_agencies as (

    select distinct unit_id, period_type, year, period_no, as_of, agency_code
    from published_units
    where agency_code is not null

),

published_by_agency as (

    select
        u.agency_code,
        m.year,
        m.period_no,
        m.metric_code,
        m.score,
        row_number() over (
            partition by u.agency_code, m.year, m.period_no, m.metric_code
            order by m.as_of desc, m.unit_id
        ) as recency
    from published_metrics as m
    inner join unit_agencies as u
        on u.unit_id = m.unit_id
        and u.period_type = m.period_type
        and u.year = m.year
        and u.period_no = m.period_no
        and u.as_of = m.as_of
    where m.period_type = 'month'

),

measured as (

    select
        c.agency_code,
        c.year,
        c.period_no as month,
        i.version as indicator_version,
        i.group_code,
        i.metric_code,
        i.max_score,
        i.rule,
        i.threshold_pct,
        i.empty_rule,
        i.basis,
        i.basis not like 'drawn%' and i.basis <> 'none' as is_computable,
        case i.basis
            when 'received:is_synced' then c.synced_count
            when 'resolved:on_time' then c.resolved_early + c.resolved_on_time
            when 'received:channel_online' then c.received_online
            when 'received_fee:is_paid_online' then c.paid_online_count
            when 'catalogue_fee:paid_online' then c.procedures_paid_online
            when 'resolved:not_late_no_complaint' then c.resolved_satisfied
            when 'resolved:has_e_result' then c.e_result_count
            when 'received:is_digitised' then c.digitised_count
            when 'catalogue:online_level' then coalesce(k.procedures_online, 0)
        end as numerator,
        case i.basis
            when 'received:is_synced' then c.received_new
            when 'resolved:on_time' then c.resolved_total
            when 'received:channel_online' then c.received_new
            when 'received_fee:is_paid_online' then c.fee_bearing_count
            when 'catalogue_fee:paid_online' then coalesce(k.procedures_fee_bearing_held, 0)
            when 'resolved:not_late_no_complaint' then c.resolved_total
            when 'resolved:has_e_result' then c.resolved_total
            when 'received:is_digitised' then c.received_new
            when 'catalogue:online_level' then coalesce(k.procedures_held, 0)
        end as denominator
    from months as c
    inner join month_versions as v
        on v.year = c.year
        and v.period_no = c.period_no
        and v.recency = 1
    inner join indicators as i on i.version = v.version
    left join catalogue as k
        on k.agency_code = c.agency_code
        and k.year = c.year
        and k.period_no = c.period_no

),

scored as (

    select
        m.*,
        100 * cast(m.numerator as double) / nullif(m.denominator, 0) as ratio_pct,
        case
            when not m.is_computable then null
            when m.denominator is null or m.denominator = 0 then
                case m.empty_rule when 'full' then m.max_score else 0 end
            when m.rule = 'threshold' then
                cast(round(cast(m.max_score * least(1, cast(m.numerator as double) / m.denominator / (m.threshold_pct / 100)) as decimal(38, 6)), 2) as double)
            else cast(round(cast(m.max_score * least(1, cast(m.numerator as double) / m.denominator) as decimal(38, 6)), 2) as double)
        end as score_recomputed,
        p.score as score_published
    from measured as m
    left join published_by_agency as p
        on p.agency_code = m.agency_code
        and p.year = m.year
        and p.period_no = m.month
        and p.metric_code = m.metric_code
        and p.recency = 1

),

final as (

    select
        agency_code,
        year,
        month,
        indicator_version,
        group_code,
        metric_code,
        basis,
        max_score,
        is_computable,
        numerator,
        denominator,
        ratio_pct,
        score_recomputed,
        score_published,
        case when is_computable then score_recomputed else score_published end as score_used
    from scored

)

select * from final
