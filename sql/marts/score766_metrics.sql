with metrics as (

    select * from stg_lake__score766_metrics

),

units as (

    select * from stg_lake__score766

),

indicators as (

    select * from score766_indicators

),

periods as (

    select * from int_periods_enumerated

),

metric_periods as (

    select distinct m.period_type, m.year, m.period_no, p.period_start
    from metrics as m
    left join periods as p
        on p.period_type = m.period_type
        and p.year = m.year
        and p.period_no = m.period_no

),

period_versions as (

    select
        mp.period_type,
        mp.year,
        mp.period_no,
        i.version,
        row_number() over (partition by mp.period_type, mp.year, mp.period_no order by i.valid_from desc, i.version desc) as recency
    from metric_periods as mp
    inner join (select distinct version, valid_from from indicators) as i on i.valid_from <= mp.period_start

),

current_indicators as (

    select v.period_type, v.year, v.period_no, i.*
    from period_versions as v
    inner join indicators as i on i.version = v.version
    where v.recency = 1

),

joined as (

    select
        coalesce(m.dataset_label, u.dataset_label, 'real') as dataset_label,
        u.province_code,
        m.period_type,
        m.year,
        m.period_no,
        m.as_of,
        m.unit_id,
        coalesce(m.unit_code, u.unit_code) as unit_code,
        u.agency_code,
        u.unit_name,
        m.group_code,
        m.metric_code,
        m.metric_name,
        m.numerator,
        m.denominator,
        m.ratio_pct,
        m.max_score,
        m.score as score_published,
        i.rule,
        i.threshold_pct,
        i.empty_rule,
        i.basis not like 'drawn%' and i.basis <> 'none' as is_computable_from_dossiers
    from metrics as m
    left join units as u
        on u.unit_id = m.unit_id
        and u.period_type = m.period_type
        and u.year = m.year
        and u.period_no = m.period_no
        and u.as_of = m.as_of
    left join current_indicators as i
        on i.metric_code = m.metric_code
        and i.period_type = m.period_type
        and i.year = m.year
        and i.period_no = m.period_no

),

scored as (

    select
        j.*,
        case
            when j.rule is null then null
            when j.denominator is null or j.denominator = 0 then
                case j.empty_rule when 'full' then j.max_score else 0 end
            when j.numerator is null then null
            when j.rule = 'threshold' then
                cast(round(cast(j.max_score * least(1, j.numerator / j.denominator / (j.threshold_pct / 100)) as decimal(38, 6)), 2) as double)
            else cast(round(cast(j.max_score * least(1, j.numerator / j.denominator) as decimal(38, 6)), 2) as double)
        end as score_recomputed
    from joined as j

),

final as (

    select
        dataset_label,
        province_code,
        period_type,
        year,
        period_no,
        as_of,
        unit_id,
        unit_code,
        agency_code,
        unit_name,
        group_code,
        metric_code,
        metric_name,
        numerator,
        denominator,
        ratio_pct,
        max_score,
        score_published,
        rule,
        threshold_pct,
        is_computable_from_dossiers,
        score_recomputed,
        round(score_recomputed - score_published, 2) as score_diff,
        abs(round(score_recomputed - score_published, 2)) <= 0.01 as is_reproduced
    from scored

)

select * from final
