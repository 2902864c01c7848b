/**
 * A small lake for the dashboard tests, written with DuckDB: every mart the dashboards read
 * (columns as in sql/marts/_marts__models.yml), two monthly snapshots and a meta.json.
 *
 * Six agencies of the synthetic province H99, 2023–2025: two of them (H99.03, H99.04) merge into
 * H99.21 on 01/3/2025, and one (H99.05) carries HTML in its name to prove it is shown as text.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { literal, withDuckDb, type DuckDb } from '../../functions/core/engine/duckdb.js';

export const FIXTURE_HTML_NAME = '<img src=x onerror=alert(1)>Sở Thử';
export const FIXTURE_PROVINCE = 'Tỉnh Hòa Bình Xanh';

const AGENCIES = `
  select * from (values
    (1, 'H99.01', 'Sở Tư pháp', 'Sở Tư pháp', 'so', DATE '2020-01-01', NULL::DATE, NULL, NULL),
    (2, 'H99.02', 'Sở Công Thương', 'Sở Công Thương', 'so', DATE '2020-01-01', NULL::DATE, NULL, NULL),
    (3, 'H99.03', 'Sở Kế hoạch và Đầu tư', 'Sở KH&ĐT', 'so', DATE '2020-01-01', DATE '2025-02-28', 'H99.21', NULL),
    (4, 'H99.04', 'Sở Tài chính', 'Sở Tài chính', 'so', DATE '2020-01-01', DATE '2025-02-28', 'H99.21', NULL),
    (5, 'H99.05', ${literal(FIXTURE_HTML_NAME)}, ${literal(FIXTURE_HTML_NAME)}, 'so', DATE '2020-01-01', NULL::DATE, NULL, NULL),
    (6, 'H99.21', 'Sở Tài chính (sau hợp nhất)', 'Sở Tài chính mới', 'so', DATE '2025-03-01', NULL::DATE, NULL, 'H99.03,H99.04')
  ) t(a, agency_code, agency_name, short_name, kind, valid_from, valid_to, successor_code, predecessor_codes)`;

/** Statements creating the marts as tables in an in-memory DuckDB. */
const MARTS: Record<string, string> = {
  agencies: `
    select agency_code, agency_name, short_name, kind, NULL::VARCHAR as parent_code, 'H99' as province_code,
      valid_from, valid_to, successor_code, coalesce(successor_code, agency_code) as final_successor_code,
      predecessor_codes, (case when predecessor_codes is null then 0 else 2 end)::BIGINT as predecessor_count,
      case when valid_to is not null then valid_to + 1 when predecessor_codes is not null then valid_from end as break_date,
      valid_to is null as is_current
    from ag`,
  agency_months: `
    with base as (
      select ag.a, ag.agency_code, ag.agency_name, ag.short_name as agency_short_name, 'H99' as province_code,
        m.year, m.month, make_date(m.year, m.month, 1) as period_start,
        last_day(make_date(m.year, m.month, 1)) as period_end,
        'Tháng ' || m.month || '/' || m.year as period_label,
        (20 + (ag.a * 7 + m.month * 3 + (m.year - 2023) * 11) % 40)::BIGINT as received_online,
        (10 + (ag.a * 5 + m.month * 2) % 20)::BIGINT as received_in_person,
        ((ag.a + m.month) % 4)::BIGINT as received_postal,
        (case when ag.a = 2 then 5 + m.month % 3 else 0 end)::BIGINT as received_nsw,
        (3 + (ag.a + m.month) % 5)::BIGINT as received_carried_over,
        (2 + (ag.a * 3 + m.month) % 4)::BIGINT as pending_total,
        ((ag.a + m.month) % 2)::BIGINT as pending_overdue,
        ((ag.a * m.month) % 4)::BIGINT as resolved_late,
        (ag.agency_code in ('H99.03', 'H99.04') and m.year = 2025 and m.month = 2)
          or (ag.agency_code = 'H99.21' and m.year = 2025 and m.month = 3) as has_series_break
      from ag
      cross join (select y.year::INTEGER as year, mo.month::INTEGER as month from range(2023, 2026) y(year), range(1, 13) mo(month)) m
      where ag.valid_from <= last_day(make_date(m.year, m.month, 1))
        and (ag.valid_to is null or ag.valid_to >= make_date(m.year, m.month, 1))
    ), counts as (
      select *, received_in_person + received_postal as received_offline,
        received_online + received_in_person + received_postal as received_new,
        received_online + received_in_person + received_postal + received_carried_over as received_total
      from base
    ), resolved as (
      select *, received_total - pending_total as resolved_total,
        ((received_total - pending_total) // 5)::BIGINT as resolved_on_time
      from counts
    ), final as (
      select agency_code, agency_name, agency_short_name, province_code, year, month, period_start, period_end,
        period_label, received_total, received_online, received_in_person, received_postal, received_offline,
        received_nsw, received_new, received_carried_over, resolved_total,
        resolved_total - resolved_on_time - resolved_late as resolved_early, resolved_on_time, resolved_late,
        0::BIGINT as resolved_withdrawn, 0::BIGINT as resolved_refused, pending_total,
        pending_total - pending_overdue as pending_in_time, pending_overdue,
        (resolved_total - resolved_late) / resolved_total as on_time_rate,
        1.5 + (a % 3) * 0.25 as avg_days_early, 4.2 + month * 0.1 as avg_processing_days,
        received_online / received_new as online_rate, 0.5 as online_payment_rate,
        (received_new - 2) / received_new as digitised_rate, (resolved_total - 1) / resolved_total as e_result_rate,
        1.0 as synced_rate, (month % 2)::BIGINT as complaints, has_series_break
      from resolved
    )
    select *,
      lag(received_total) over w as prev_received_total,
      received_total - lag(received_total) over w as received_total_change,
      received_new - lag(received_new) over w as received_new_change,
      resolved_total - lag(resolved_total) over w as resolved_total_change,
      lag(on_time_rate) over w as prev_on_time_rate,
      on_time_rate - lag(on_time_rate) over w as on_time_rate_change,
      online_rate - lag(online_rate) over w as online_rate_change,
      lag(received_total) over w is not null and not has_series_break as is_change_comparable
    from final
    window w as (partition by agency_code order by year, month)`,
  agency_years: `
    with y as (
      select agency_code, any_value(agency_name) as agency_name, any_value(agency_short_name) as agency_short_name,
        'H99' as province_code, year, 1 as month, make_date(year, 1, 1) as period_start, make_date(year, 12, 31) as period_end,
        'Năm ' || year as period_label,
        sum(received_online) as received_online, sum(received_in_person) as received_in_person,
        sum(received_postal) as received_postal, sum(received_offline) as received_offline, sum(received_nsw) as received_nsw,
        sum(received_new) as received_new, arg_min(received_carried_over, month) as received_carried_over,
        sum(resolved_early) as resolved_early, sum(resolved_on_time) as resolved_on_time, sum(resolved_late) as resolved_late,
        arg_max(pending_total, month) as pending_total, arg_max(pending_overdue, month) as pending_overdue,
        avg(avg_days_early) as avg_days_early, avg(avg_processing_days) as avg_processing_days,
        sum(complaints) as complaints, bool_or(has_series_break) as has_series_break
      from agency_months group by agency_code, year
    ), final as (
      select agency_code, agency_name, agency_short_name, province_code, year, month, period_start, period_end, period_label,
        received_new + received_carried_over as received_total, received_online, received_in_person, received_postal,
        received_offline, received_nsw, received_new, received_carried_over,
        received_new + received_carried_over - pending_total as resolved_total,
        received_new + received_carried_over - pending_total - resolved_on_time - resolved_late as resolved_early,
        resolved_on_time, resolved_late, 0::BIGINT as resolved_withdrawn, 0::BIGINT as resolved_refused,
        pending_total, pending_total - pending_overdue as pending_in_time, pending_overdue,
        (received_new + received_carried_over - pending_total - resolved_late) / (received_new + received_carried_over - pending_total) as on_time_rate,
        avg_days_early, avg_processing_days, received_online / received_new as online_rate, 0.5 as online_payment_rate,
        0.97 as digitised_rate, 0.95 as e_result_rate, 1.0 as synced_rate, complaints, has_series_break
      from y
    )
    select *,
      lag(received_total) over w as prev_received_total,
      received_total - lag(received_total) over w as received_total_change,
      received_new - lag(received_new) over w as received_new_change,
      resolved_total - lag(resolved_total) over w as resolved_total_change,
      lag(on_time_rate) over w as prev_on_time_rate,
      on_time_rate - lag(on_time_rate) over w as on_time_rate_change,
      online_rate - lag(online_rate) over w as online_rate_change,
      lag(received_total) over w is not null and not has_series_break as is_change_comparable
    from final
    window w as (partition by agency_code order by year)`,
  province_months: provinceSql('agency_months', 'month'),
  province_years: provinceSql('agency_years', 'year'),
  procedure_years: `
    with p as (
      select * from (values
        ('1.000001', 'Cấp phiếu lý lịch tư pháp', 'Lý lịch tư pháp', 'H99.01', 'toan_trinh', true, false, 10, 15),
        ('1.000002', 'Chứng thực bản sao', 'Chứng thực', 'H99.01', 'mot_phan', true, false, 1, 2),
        ('1.000003', 'Cấp giấy phép kinh doanh', 'Thương mại', 'H99.02', 'toan_trinh', true, true, 10, 15),
        ('1.000004', 'Đăng ký đầu tư', 'Đầu tư', 'H99.03', 'mot_phan', false, false, 15, 15),
        ('1.000005', 'Quyết toán dự án', 'Tài chính', 'H99.04', 'khong', false, false, 20, 30),
        ('1.000006', 'Thủ tục thử nghiệm', 'Thử nghiệm', 'H99.05', 'toan_trinh', false, false, 5, 10),
        ('1.000007', 'Cấp phép nhập khẩu', 'Xuất nhập khẩu', 'H99.02', 'toan_trinh', true, true, 7, 7),
        ('1.000008', 'Thẩm định giá', 'Tài chính', 'H99.21', 'mot_phan', true, false, 12, 20)
      ) t(procedure_code, procedure_name, field, agency_code, online_level, is_fee_bearing, is_nsw, statutory_days, original_statutory_days)
    ), rows as (
      select p.*, y.year::INTEGER as year, row_number() over () as i
      from p cross join range(2023, 2026) y(year)
    ), c as (
      select *, (40 + (i * 37) % 90)::BIGINT as received_online, (10 + (i * 13) % 30)::BIGINT as received_offline,
        ((i * 7) % 9)::BIGINT as resolved_late
      from rows
    )
    select procedure_code, year, procedure_name, field, agency_code, online_level, is_fee_bearing, is_nsw,
      statutory_days::INTEGER as statutory_days, original_statutory_days::INTEGER as original_statutory_days,
      1 - statutory_days / original_statutory_days as processing_time_cut,
      received_online + received_offline as received_total, received_online, received_offline,
      received_online + received_offline - 3 as resolved_total,
      received_online + received_offline - 3 - resolved_late - 10 as resolved_early, 10::BIGINT as resolved_on_time,
      resolved_late, (received_online + received_offline - 3 - resolved_late) / (received_online + received_offline - 3) as on_time_rate,
      received_online / (received_online + received_offline) as online_rate, 3.5 + i % 4 as avg_processing_days
    from c`,
  score766_agency_months: `
    with b as (
      select am.*, row_number() over (order by agency_code, year, month) as i from agency_months am
    ), s as (
      select *, round(15 + (i % 7) * 0.4, 2) as ckmb, round(20 * on_time_rate, 2) as tdgq, round(12 * online_rate, 2) as clgq,
        round(5 + (i % 5) * 0.5, 2) as tttt, round(16 + (i % 3) * 0.5, 2) as mdhl, round(18 + (i % 4) * 0.75, 2) as mdsh
      from b
    )
    select agency_code, agency_name, year, month, period_label, 'v1' as indicator_version, received_new, resolved_total,
      100.0 as dossier_sync_pct, on_time_rate * 100 as on_time_pct, online_rate * 100 as online_pct, 50.0 as online_payment_pct,
      e_result_rate * 100 as e_result_pct, digitised_rate * 100 as digitised_pct, 95.0 as satisfaction_pct,
      ckmb as score_ckmb_recomputed, tdgq as score_tdgq_recomputed, clgq as score_clgq_recomputed, tttt as score_tttt_recomputed,
      mdhl as score_mdhl_recomputed, mdsh as score_mdsh_recomputed, ckmb + tdgq + clgq + tttt + mdhl + mdsh as score_total_recomputed,
      tdgq + clgq as score_computable_recomputed, 32.0 as score_computable_max,
      ckmb as score_ckmb_published, round(tdgq - 0.35, 2) as score_tdgq_published, clgq as score_clgq_published,
      round(tttt + 0.5, 2) as score_tttt_published, mdhl as score_mdhl_published, mdsh as score_mdsh_published,
      round(ckmb + tdgq - 0.35 + clgq + tttt + 0.5 + mdhl + mdsh, 2) as score_total_published,
      0.0 as score_ckmb_diff, 0.35 as score_tdgq_diff, 0.0 as score_clgq_diff, -0.5 as score_tttt_diff, 0.0 as score_mdhl_diff,
      0.0 as score_mdsh_diff, -0.15 as score_total_diff, true as has_published, true as uses_published_values, true as is_complete
    from s`,
  score766_metrics: `
    select 'demo' as dataset_label, 'H99' as province_code, 'month' as period_type, s.year, s.month as period_no,
      last_day(make_date(s.year, s.month, 1)) as as_of, 'U-' || s.agency_code as unit_id, s.agency_code as unit_code,
      s.agency_code, s.agency_name as unit_name, m.group_code, m.metric_code, m.metric_name,
      90.0 as numerator, 100.0 as denominator, 90.0 as ratio_pct, m.max_score,
      case when m.metric_code = 'TTTT' then round(s.score_tttt_published, 2) else round(m.max_score * 0.9, 2) end as score_published,
      m.rule, m.threshold_pct, m.computable as is_computable_from_dossiers,
      case when m.metric_code = 'TTTT' then s.score_tttt_recomputed else round(m.max_score * 0.9, 2) end as score_recomputed,
      case when m.metric_code = 'TTTT' then round(s.score_tttt_recomputed - s.score_tttt_published, 2) else 0.0 end as score_diff,
      m.metric_code <> 'TTTT' as is_reproduced
    from score766_agency_months s
    cross join (values
      ('CKMB', 'DOSSIER_SYNC', 'Hồ sơ đồng bộ lên Cổng DVCQG', 6.0, 'linear', NULL::DOUBLE, true),
      ('TDGQ', 'TDGQ', 'Hồ sơ giải quyết trước và đúng hạn', 20.0, 'linear', NULL::DOUBLE, true),
      ('CLGQ', 'ONLINE', 'Hồ sơ nộp trực tuyến', 12.0, 'threshold', 50.0, true),
      ('TTTT', 'TTTT', 'Thanh toán trực tuyến', 10.0, 'threshold', 80.0, true),
      ('MDSH', 'REUSED_DIGITIZED_DATA', 'Tái sử dụng dữ liệu số hóa', 2.0, 'threshold', 80.0, false),
      ('MDHL', 'PETITION_PROCESSING_ON_TIME', 'Xử lý phản ánh, kiến nghị đúng hạn', 6.0, 'linear', NULL::DOUBLE, false)
    ) m(group_code, metric_code, metric_name, max_score, rule, threshold_pct, computable)`,
  score766_units: `
    with u as (
      select s.*, rank() over (partition by year, month order by score_total_published desc) as rnk from score766_agency_months s
    ), final as (
      select 'demo' as dataset_label, 'H99' as province_code, 'month' as period_type, year, month as period_no, period_label,
        last_day(make_date(year, month, 1)) as as_of, 'U-' || agency_code as unit_id, agency_code as unit_code, agency_code,
        agency_name as unit_name, 'AGENCY' as unit_group, rnk::INTEGER as rank, rnk::INTEGER as group_rank,
        score_total_published as score_total, score_ckmb_published as score_ckmb, score_tdgq_published as score_tdgq,
        score_clgq_published as score_clgq, score_tttt_published as score_tttt, score_mdhl_published as score_mdhl,
        score_mdsh_published as score_mdsh,
        case when score_total_published >= 90 then 'Xuất sắc' when score_total_published >= 80 then 'Tốt'
          when score_total_published >= 65 then 'Khá' when score_total_published >= 50 then 'Trung bình' else 'Yếu' end as band
      from u
    )
    select *, lag(as_of) over w as prev_as_of, lag(score_total) over w as prev_score_total,
      score_total - lag(score_total) over w as score_total_change, lag(rank) over w as prev_rank,
      lag(rank) over w - rank as rank_change
    from final window w as (partition by unit_id order by year, period_no)`,
  par_field_scores: `
    with f as (
      select * from (values (1, 'Công tác chỉ đạo, điều hành', 8.0), (2, 'Cải cách thể chế', 6.5),
        (3, 'Cải cách thủ tục hành chính', 12.0), (4, 'Cải cách tổ chức bộ máy', 7.0),
        (5, 'Cải cách chế độ công vụ', 8.0), (6, 'Cải cách tài chính công', 6.5), (7, 'Chính quyền số', 12.0)
      ) t(field_no, field_name, max_points)
    ), u as (
      select distinct a.a, ay.agency_code, ay.agency_name, ay.year from agency_years ay join ag a using (agency_code)
    ), s as (
      select u.agency_code as unit_key, u.year, f.field_no::INTEGER as field_no, u.agency_code, u.agency_name, f.field_name,
        f.max_points, round(f.max_points * (0.95 - ((u.a * 3 + f.field_no + u.year) % 7) * 0.03), 2) as appraised_points,
        round(f.max_points * 0.97, 2) as self_points
      from u cross join f
    )
    select unit_key, year, field_no, agency_code, agency_name, field_name, max_points, self_points, appraised_points,
      appraised_points / max_points as score_ratio, self_points / max_points as self_ratio,
      round(appraised_points - self_points, 2) as appraisal_gap,
      lag(appraised_points / max_points) over w as prev_score_ratio,
      appraised_points / max_points - lag(appraised_points / max_points) over w as score_ratio_change
    from s window w as (partition by unit_key, field_no order by year)`,
  par_agency_years: `
    with t as (
      select unit_key, year, any_value(agency_code) as agency_code, any_value(agency_name) as agency_name,
        sum(appraised_points) as appraised_points, sum(max_points) as appraised_max
      from par_field_scores group by unit_key, year
    ), s as (
      select *, round(appraised_points * 0.2, 2) as survey_points, 40.0 as survey_max from t
    ), r as (
      select *, round(appraised_points * 0.6 + survey_points, 2) as total_points, 100.0 as total_max from s
    ), ranked as (
      select *, total_points / total_max as total_ratio,
        rank() over (partition by year order by total_points desc)::INTEGER as rank,
        count(*) over (partition by year) as units_ranked,
        case when total_points >= 80 then 'Tốt' when total_points >= 65 then 'Khá' when total_points >= 50 then 'Trung bình' else 'Yếu' end as band
      from r
    )
    select unit_key, year, agency_code, agency_name, appraised_points, appraised_max, survey_points, survey_max,
      total_points, total_max, total_ratio, rank, units_ranked, band,
      lag(total_points) over w as prev_total_points, round(total_points - lag(total_points) over w, 2) as score_change,
      total_ratio - lag(total_ratio) over w as total_ratio_change, lag(rank) over w as prev_rank,
      lag(rank) over w - rank as rank_change, lag(year) over w is null as is_new_unit,
      agency_code in ('H99.03', 'H99.04', 'H99.21') and year = 2025 as is_merged
    from ranked window w as (partition by unit_key order by year)`,
  data_quality: `
    with t as (select * from (values
      ('dossiers', 'portal', 'a1', '2025-01.csv', '2025-01', 1200::BIGINT, 1195::BIGINT, 5::BIGINT, 5::BIGINT,
        'invalid_date: 3; unknown_agency: 2', TIMESTAMP '2025-02-02 08:00:00', TIMESTAMP '2025-12-02 08:00:00', TIMESTAMP '2025-01-31 17:00:00'),
      ('dossiers', 'portal', 'a2', '2025-02.csv', '2025-02', 1100, 1100, 0, 0, NULL, TIMESTAMP '2025-03-02 08:00:00', TIMESTAMP '2025-12-02 08:00:00', TIMESTAMP '2025-02-28 17:00:00'),
      ('dossiers', 'nsw', 'b1', 'H99.02_2025-01.csv', '2025-01', 40, 39, 1, 1, 'duplicate_id: 1', TIMESTAMP '2025-02-03 09:00:00', TIMESTAMP '2025-12-03 09:00:00', TIMESTAMP '2025-01-30 10:00:00'),
      ('score766', 'portal', 'c1', '2025-01.json', '2025-01', 6, 6, 0, 0, NULL, TIMESTAMP '2025-02-05 10:00:00', TIMESTAMP '2025-12-05 10:00:00', NULL),
      ('par_totals', 'xlsx', 'd1', 'par_2024.xlsx', '2024', 6, 6, 0, 0, NULL, TIMESTAMP '2025-03-01 10:00:00', TIMESTAMP '2025-03-01 10:00:00', NULL)
    ) t(dataset, source, raw_hash, original_name, period, rows_read, rows_landed, rows_quarantined, quarantined_rows_found,
        quarantine_reasons, landed_at, dataset_last_landed_at, newest_record_at))
    select *, rows_quarantined / rows_read as quarantine_rate from t`,
};

function provinceSql(from: string, grain: 'month' | 'year'): string {
  return `
    select 'H99' as province_code, ${literal(FIXTURE_PROVINCE)} as province_name, year, ${grain === 'month' ? 'month' : '1'} as month,
      min(period_start) as period_start, ${grain === 'month' ? "'Tháng ' || month || '/' || year" : "'Năm ' || year"} as period_label,
      count(*) as agency_count, sum(received_total) as received_total, sum(received_new) as received_new,
      sum(received_online) as received_online, sum(received_online) - sum(received_nsw) as received_portal_online,
      sum(received_nsw) as received_nsw, sum(received_in_person) as received_in_person, sum(received_postal) as received_postal,
      sum(received_carried_over) as received_carried_over, sum(resolved_total) as resolved_total,
      sum(resolved_early) as resolved_early, sum(resolved_on_time) as resolved_on_time, sum(resolved_late) as resolved_late,
      sum(pending_total) as pending_total, sum(pending_overdue) as pending_overdue,
      (sum(resolved_early) + sum(resolved_on_time)) / sum(resolved_total) as on_time_rate,
      sum(received_online) / sum(received_new) as online_rate, sum(received_nsw) / sum(received_new) as nsw_share,
      0.5 as online_payment_rate, 0.97 as digitised_rate, 0.95 as e_result_rate, 1.0 as synced_rate, sum(complaints) as complaints
    from ${from} group by year${grain === 'month' ? ', month' : ''}`;
}

export interface FixtureLake {
  lakeDir: string;
  /** Snapshot months written under snapshots/. */
  snapshots: string[];
}

/** Write the fixture lake under `lakeDir` (models/marts/*.parquet, snapshots/<yyyy-mm>/*.parquet, meta.json). */
export async function writeFixtureLake(lakeDir: string): Promise<FixtureLake> {
  const martsDir = path.join(lakeDir, 'models', 'marts');
  await mkdir(martsDir, { recursive: true });
  const snapshots = ['2025-06', '2025-09'];
  await withDuckDb(async (db: DuckDb) => {
    await db.run(`create table ag as ${AGENCIES}`);
    for (const [name, sql] of Object.entries(MARTS)) {
      await db.run(`create table ${name} as ${sql}`);
      await db.run(`copy ${name} to ${literal(path.join(martsDir, `${name}.parquet`))} (format parquet)`);
    }
    for (const month of snapshots) {
      const dir = path.join(lakeDir, 'snapshots', month);
      await mkdir(dir, { recursive: true });
      const [y, m] = month.split('-').map(Number) as [number, number];
      // A snapshot holds the marts as they were: only periods up to that month, older figures slightly lower.
      const cut = `(year < ${y} or (year = ${y} and month <= ${m}))`;
      await db.run(`copy (select * replace (received_total - ${m === 6 ? 7 : 3} as received_total) from agency_years where year <= ${y})
        to ${literal(path.join(dir, 'agency_years.parquet'))} (format parquet)`);
      await db.run(`copy (select * from province_months where ${cut}) to ${literal(path.join(dir, 'province_months.parquet'))} (format parquet)`);
      await db.run(`copy (select * from province_years where year <= ${y}) to ${literal(path.join(dir, 'province_years.parquet'))} (format parquet)`);
      await writeFile(path.join(dir, 'manifest.json'), JSON.stringify({ period: month, models: ['agency_years', 'province_months', 'province_years'] }));
    }
  });
  await writeFile(path.join(lakeDir, 'meta.json'), JSON.stringify({ synthetic: true, provinceCode: 'H99', provinceName: FIXTURE_PROVINCE }));
  return { lakeDir, snapshots };
}
