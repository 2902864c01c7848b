with scored as (

    select * from int_score766_agency_metrics_scored

),

counted as (

    select * from int_agency_periods_counted

),

agencies as (

    select * from int_agencies_chained

),

published_units as (

    select * from stg_lake__score766

),

published as (

    select
        agency_code,
        year,
        period_no as month,
        score_ckmb,
        score_tdgq,
        score_clgq,
        score_tttt,
        score_mdhl,
        score_mdsh,
        score_total,
        row_number() over (partition by agency_code, year, period_no order by as_of desc, unit_id) as recency
    from published_units
    where period_type = 'month'
      and agency_code is not null

),

groups as (

    select
        agency_code,
        year,
        month,
        max(indicator_version) as indicator_version,
        group_code,
        case when count(score_used) = count(*) then round(sum(score_used), 2) end as score_group,
        bool_or(not is_computable and score_published is not null) as uses_published,
        sum(case when is_computable then score_recomputed end) as score_computable,
        sum(case when is_computable then max_score end) as max_computable
    from scored
    group by agency_code, year, month, group_code

),

pivoted as (

    select
        agency_code,
        year,
        month,
        max(indicator_version) as indicator_version,
        sum(case when group_code = 'CKMB' then score_group end) as score_ckmb_recomputed,
        sum(case when group_code = 'TDGQ' then score_group end) as score_tdgq_recomputed,
        sum(case when group_code = 'CLGQ' then score_group end) as score_clgq_recomputed,
        sum(case when group_code = 'TTTT' then score_group end) as score_tttt_recomputed,
        sum(case when group_code = 'MDHL' then score_group end) as score_mdhl_recomputed,
        sum(case when group_code = 'MDSH' then score_group end) as score_mdsh_recomputed,
        count_if(score_group is null) as incomplete_groups,
        bool_or(uses_published) as uses_published_values,
        round(sum(score_computable), 2) as score_computable_recomputed,
        sum(max_computable) as score_computable_max
    from groups
    group by agency_code, year, month

),

ratios as (

    select
        agency_code,
        year,
        month,
        max(case when metric_code = 'DOSSIER_SYNC' then ratio_pct end) as dossier_sync_pct,
        max(case when metric_code = 'DOSSIER_ON_TIME' then ratio_pct end) as on_time_pct,
        max(case when metric_code = 'ONLINE_SUBMISSION' then ratio_pct end) as online_pct,
        max(case when metric_code = 'ONLINE_PAYMENT_DOSSIER' then ratio_pct end) as online_payment_pct,
        max(case when metric_code = 'ORIGINAL_RESULT_AVAILABLE' then ratio_pct end) as e_result_pct,
        max(case when metric_code = 'SO_HOA_GIAY_TO_GIAI_QUYET' then ratio_pct end) as digitised_pct,
        max(case when metric_code = 'DOSSIER_RECEIVING_SATISFACTION' then ratio_pct end) as satisfaction_pct
    from scored
    group by agency_code, year, month

),

final as (

    select
        p.agency_code,
        a.agency_name,
        p.year,
        p.month,
        'Tháng ' || cast(p.month as varchar) || '/' || cast(p.year as varchar) as period_label,
        p.indicator_version,
        c.received_new,
        c.resolved_total,
        r.dossier_sync_pct,
        r.on_time_pct,
        r.online_pct,
        r.online_payment_pct,
        r.e_result_pct,
        r.digitised_pct,
        r.satisfaction_pct,
        p.score_ckmb_recomputed,
        p.score_tdgq_recomputed,
        p.score_clgq_recomputed,
        p.score_tttt_recomputed,
        p.score_mdhl_recomputed,
        p.score_mdsh_recomputed,
        round(p.score_ckmb_recomputed + p.score_tdgq_recomputed + p.score_clgq_recomputed
            + p.score_tttt_recomputed + p.score_mdhl_recomputed + p.score_mdsh_recomputed, 2) as score_total_recomputed,
        p.score_computable_recomputed,
        p.score_computable_max,
        u.score_ckmb as score_ckmb_published,
        u.score_tdgq as score_tdgq_published,
        u.score_clgq as score_clgq_published,
        u.score_tttt as score_tttt_published,
        u.score_mdhl as score_mdhl_published,
        u.score_mdsh as score_mdsh_published,
        u.score_total as score_total_published,
        round(p.score_ckmb_recomputed - u.score_ckmb, 2) as score_ckmb_diff,
        round(p.score_tdgq_recomputed - u.score_tdgq, 2) as score_tdgq_diff,
        round(p.score_clgq_recomputed - u.score_clgq, 2) as score_clgq_diff,
        round(p.score_tttt_recomputed - u.score_tttt, 2) as score_tttt_diff,
        round(p.score_mdhl_recomputed - u.score_mdhl, 2) as score_mdhl_diff,
        round(p.score_mdsh_recomputed - u.score_mdsh, 2) as score_mdsh_diff,
        round(p.score_ckmb_recomputed + p.score_tdgq_recomputed + p.score_clgq_recomputed
            + p.score_tttt_recomputed + p.score_mdhl_recomputed + p.score_mdsh_recomputed - u.score_total, 2) as score_total_diff,
        u.agency_code is not null as has_published,
        coalesce(p.uses_published_values, false) as uses_published_values,
        p.incomplete_groups = 0 as is_complete
    from pivoted as p
    left join counted as c
        on c.agency_code = p.agency_code
        and c.period_type = 'month'
        and c.year = p.year
        and c.period_no = p.month
    left join ratios as r
        on r.agency_code = p.agency_code
        and r.year = p.year
        and r.month = p.month
    left join agencies as a on a.agency_code = p.agency_code
    left join published as u
        on u.agency_code = p.agency_code
        and u.year = p.year
        and u.month = p.month
        and u.recency = 1

)

select * from final
