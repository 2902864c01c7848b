/** vi-VN numbers, dates, period labels, NFC text and name matching. */
export { ViParseError } from './errors.js';
export { formatViNumber, formatViPercent, parseViInteger, shownUnits, parseViNumber, parseViPercent, type ParseViNumberOptions } from './numbers.js';
export { daysInMonth, formatViDate, isoDate, parseViDate, parseViDateTime } from './dates.js';
export { formatViPeriod, parseViPeriod, viPeriod, type ViPeriod, type ViPeriodType } from './periods.js';
export { matchAgency, nfc, normalizeName, unifyToneMarks, type AtDate } from './names.js';
