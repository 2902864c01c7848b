-- The dossiers still open at the end of their year of receipt: pending (no finish) or finished in a
-- later year. These are the only dossiers of an earlier year of receipt that a report year reaches
-- (every period of year Y starts on or after 1 January Y), so a reader of report year Y takes the
-- year of receipt Y from int_dossiers_classified (one partition) and the earlier years from this
-- table, which is a small part of the whole (docs/architecture.md, "Incremental models"). Same
-- columns as int_dossiers_classified; `year` is the year of receipt.
with dossiers as (

    select * from int_dossiers_classified

),

final as (

    select *
    from dossiers
    -- Not "finished in a later year": a finish can't precede the receipt (the landing quarantines
    -- it), but were one to, it would be here, counted where the readers counted it before.
    where finished_date is null
        or year(finished_date) <> year

)

select * from final
