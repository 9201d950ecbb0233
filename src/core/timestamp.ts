/**
 * Timestamps as found in the wild, to a UTC `Date`: ISO 8601 (with `Z`, an offset or none,
 * taken as UTC), `YYYY-MM-DD HH:MM:SS UTC`, any of these forms with a zone after its time
 * (`+02`, `GMT+2`, `UTC-05:30`), `YYYY-MM-DD` (also with `/` or `.`, and unpadded:
 * `2024/1/5 9:05`), `YYYYMMDD`, a spreadsheet's date serial (`45296`), HTTP's and
 * JavaScript's dates (`Mon, 01 Jan 2024 00:00:00 GMT`), unix seconds, milliseconds,
 * microseconds or nanoseconds (also as floats, `1575032004.0`), and
 * `NN-NN-YYYY [HH:MM[:SS]]` or `NN-NN-YY` (also with `/` or `.`), read day-first or
 * month-first as `order` says, or `YY-MM-DD` year-first: a file's order is decided from its
 * whole column (`inferDateOrder`), never from one value. Month names in English say their order:
 * `Jan 14, 2020`, `January 14 2020`, `24-Apr-19`, `14 Jan 2020`.
 */
export type TimestampResult = { ok: true; value: Date | null } | { ok: false; reason: string };

/**
 * Which of the two leading numbers of `05/12/2025` is the day; or, for a two-digit year, that
 * the year comes first (`24/01/05`, Japan's short date and Sweden's: 5 January 2024).
 */
export type DateOrder = 'day-first' | 'month-first' | 'year-first';
const DATE_ORDERS: readonly DateOrder[] = ['day-first', 'month-first', 'year-first'];

/** What a user may give as a time on the API and the CLI (`from`, `--to`): ISO 8601 only. */
export const ISO_INSTANT =
  /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?)?$/;

const ISO = /^(\d{4})([-/.])(\d{2})\2(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?$/;
/** `2024-1-5`, `2024/1/5 9:05` (Excel in Chinese and Japanese locales, unpadded scripts): year, month, day. */
const YEAR_FIRST =
  /^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}(?:\.\d+)?))?)?$/;
const NUMERIC_DATE =
  /^(\d{1,2})([-/.])(\d{1,2})\2(\d{2}|\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}(?:\.\d+)?))?)?$/;
const UNIX = /^\d{9,19}(?:\.\d+)?$/;
/**
 * `Jan 14, 2020`, `January 14 2020` (investing.com, Yahoo Finance, CoinMarketCap pages),
 * `Apr. 05, 2017, 04:14 AM` (Bitstamp's transactions; Django's default format), `Jan-05-2024`,
 * and the day as an ordinal, as people write it: `January 5th, 2024`.
 */
const MONTH_FIRST_NAMED =
  /^(?<month>[a-z]{3,9})\.?[ -](?<day>\d{1,2})(?:st|nd|rd|th)?(?:,? |-)(?<year>\d{4})(?:(?:,? |T)(?<h>\d{1,2}):(?<mi>\d{2})(?::(?<s>\d{2}))?)?$/i;
/** `24-Apr-19`, `14 Jan 2020`, `1-January-2021`, `5 Jan. 2021, 09:15`, `5th January 2024`. */
const DAY_FIRST_NAMED =
  /^(?<day>\d{1,2})(?:st|nd|rd|th)?[- ](?<month>[a-z]{3,9})\.?[- ](?<year>\d{2}|\d{4})(?:,?[ T](?<h>\d{1,2}):(?<mi>\d{2})(?::(?<s>\d{2}))?)?$/i;
const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];

/**
 * A time of day on a 12-hour clock after the date: `2019-09-17 07-PM` (CryptoDataDownload's
 * hourly files), `3/24/2024 7:30 PM`, `Jan 14, 2020 12:05:09 am`.
 */
const TWELVE_HOUR =
  /^(?<date>.*\S)[ T](?<h>\d{1,2})(?:[:-](?<mi>\d{2}))?(?::(?<s>\d{2}))?[ -]?(?<half>[ap])\.?m\.?$/i;

/** The same moment on a 24-hour clock, `null` for an hour that is not 1–12, as is for none. */
function to24Hour(text: string): string | null {
  const m = TWELVE_HOUR.exec(text);
  if (!m?.groups) return text;
  const { date, h = '', mi = '00', s = '00', half = '' } = m.groups;
  const hour = Number(h);
  if (hour < 1 || hour > 12) return null;
  const h24 = (hour % 12) + (half.toLowerCase() === 'p' ? 12 : 0);
  return `${date} ${String(h24).padStart(2, '0')}:${mi}:${s}`;
}

/** A weekday in front (`Mon, 01 Jan 2024 …`, `Monday, January 1, 2024`): it says nothing more. */
const WEEKDAY = /^(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+(?=\d|[a-z]{3})/i;

/**
 * A zone after a time of day: `Z`, `UTC`, `GMT`, an offset (`+02`, `+0200`, `+02:00`, as
 * PostgreSQL and ISO 8601 write it), `UTC+8`, `GMT-05:30`, and a zone's name in parentheses
 * after it (JavaScript's `Date#toString`) or its abbreviation after the offset (Go's
 * `time.Time`: `+0000 UTC`, `-0500 EST`, with the monotonic clock's `m=+0.0012` after it when
 * the time was `time.Now()`): the offset says the moment. Only after a time, so that
 * `2024-01-01` keeps its day.
 */
const ZONE =
  /(\d:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[ap]\.?m\.?)?)\s*(?:z|utc|gmt|(?:utc|gmt)?\s?([+-])(\d{1,2})(?::?(\d{2}))?(?: [a-z]{3,5}(?: m=[+-][\d.]+)?)?)(?:\s*\([^)]*\))?$/i;

/**
 * `2024年01月05日` (Japanese and Chinese), `2024년 01월 05일` (Korean), as investing.com's sites
 * in those languages write dates: `2024-01-05`, with any time after it kept.
 */
function fromCjkDate(text: string): string {
  return text.replace(
    /^(\d{4})\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일]/,
    (_, y: string, m: string, d: string) => `${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`,
  );
}

/**
 * `20240101`: a date written without separators (8 digits: no unix time of this century), and
 * with its time: `202401051230`, `20240105123000`, `20240105 12:30:00`, ISO 8601's basic
 * `20240105T123000Z`. Twelve digits would otherwise be unix milliseconds of 1976.
 */
const COMPACT = /^(\d{4})(\d{2})(\d{2})(?:[ T]?(\d{2}):?(\d{2})(?::?(\d{2}))?Z?)?$/;

/**
 * `assumedOffsetMinutes`: the zone of a time that names none, when its column's header names
 * one (`Time (UTC+8)`); a unix time and a time with its own zone are what they say.
 */
export function toTimestamp(
  input: string,
  order: DateOrder = 'day-first',
  assumedOffsetMinutes = 0,
): TimestampResult {
  const trimmed = input.trim();
  if (trimmed === '' || /^(null|n\/a|none|-)$/i.test(trimmed)) return { ok: true, value: null };
  const plain = /^[a-z]/i.test(trimmed)
    ? trimmed.replace(WEEKDAY, '')
    : /[年월]/.test(trimmed)
      ? fromCjkDate(trimmed)
      : trimmed;
  const zoned = withoutZone(plain);
  const text = zoned && to24Hour(zoned.text);
  if (!zoned || text === null)
    return { ok: false, reason: `not a date: ${JSON.stringify(trimmed.slice(0, 40))}` };
  const written =
    parseIso(text) ??
    parseYearFirst(text) ??
    parseNumericDate(text, order) ??
    parseNamedMonth(text) ??
    parseCompact(text) ??
    parseExcelSerial(text);
  const date = written ?? parseUnix(text);
  if (!date || Number.isNaN(date.getTime())) {
    return { ok: false, reason: `not a date: ${JSON.stringify(trimmed.slice(0, 40))}` };
  }
  const offset = zoned.zone || !written ? zoned.offsetMinutes : assumedOffsetMinutes;
  return { ok: true, value: new Date(date.getTime() - offset * 60_000) };
}

/**
 * The text without its zone, and the zone's offset from UTC in minutes (0 for none: a time
 * without a zone is UTC); null for an offset no zone has (over 14 hours, 60 minutes or more).
 */
function withoutZone(text: string): { text: string; offsetMinutes: number; zone: boolean } | null {
  // Most cells first: no time, a time and nothing after it, or CoinGecko's ` UTC`.
  const colon = text.indexOf(':');
  if (colon === -1 || !/[a-z+\-(]/i.test(text.slice(colon)))
    return { text, offsetMinutes: 0, zone: false };
  if (text.endsWith(' UTC') && !/[+-]\d{2}:?\d{2} UTC$/.test(text))
    return { text: text.slice(0, -4), offsetMinutes: 0, zone: true };
  const m = ZONE.exec(text);
  if (!m) return { text, offsetMinutes: 0, zone: false };
  const [written, time = '', sign, hours, minutes] = m;
  const offsetMinutes = toOffset(sign, hours, minutes);
  if (offsetMinutes === null) return null;
  return { text: text.slice(0, text.length - written.length) + time, offsetMinutes, zone: true };
}

/** `+`, `8`, `30` → 510 minutes east of UTC; 0 for no sign; null for an offset no zone has. */
function toOffset(sign?: string, hours = '0', minutes = '0'): number | null {
  if (+hours > 14 || +minutes > 59) return null;
  return sign ? (sign === '-' ? -1 : 1) * (+hours * 60 + +minutes) : 0;
}

/**
 * The zone a header names for its times (`Date(UTC)`, `Time (UTC+8)`, `timestamp_gmt`) in
 * minutes east of UTC, and the header without it; null for a header that names none.
 */
export function zoneOfHeader(header: string): { header: string; offsetMinutes: number } | null {
  const m =
    /(?:^|[\s(_[-]+)(?:utc|gmt)(?:\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?)?(?=$|[\s)\]_])[\s)\]]*/i.exec(
      header,
    );
  const named = m ? null : ZONE_NAME.exec(header);
  if (named) {
    const rest = header.replace(named[0], ' ').trim();
    const offsetMinutes = ZONES[named[1]!.toUpperCase()];
    return rest === '' || offsetMinutes === undefined ? null : { header: rest, offsetMinutes };
  }
  if (!m) return null;
  const [written, sign, hours, minutes] = m;
  const offsetMinutes = toOffset(sign, hours, minutes);
  const rest = header.replace(written, ' ').trim();
  return offsetMinutes === null || rest === '' ? null : { header: rest, offsetMinutes };
}

/**
 * Zones exports name by their abbreviation (`Date (KST)`, `datetime_kst`), in minutes east of
 * UTC: those that name one offset only. `CST` (China's or America's), `IST` (India's, Israel's
 * or Ireland's), `EST` (New York's or, once, Sydney's), `PST` and `MST` (America's or the
 * Philippines' and Malaysia's) name several (`zoneNamedInHeader`), as a time's cell does.
 */
const ZONES: Readonly<Record<string, number>> = {
  KST: 540,
  JST: 540,
  HKT: 480,
  SGT: 480,
  AWST: 480,
  PHT: 480,
  WIB: 420,
  ICT: 420,
  MSK: 180,
  EEST: 180,
  EET: 120,
  CEST: 120,
  CET: 60,
  WEST: 60,
  WET: 0,
  EDT: -240,
  MDT: -360,
  PDT: -420,
  AEST: 600,
  AEDT: 660,
  NZST: 720,
  NZDT: 780,
};

/** A zone's abbreviation in a header, as a word of its own (`Date (KST)`, `time_jst`). */
const ZONE_NAME = new RegExp(
  `(?:^|[\\s(_[-]+)(${Object.keys(ZONES).join('|')})(?=$|[\\s)\\]_])[\\s)\\]]*`,
  'i',
);

/**
 * A time column's header that names a zone by an abbreviation of several (`Date (CST)`,
 * `Time (IST)`): the abbreviation, or null. Read as UTC, its times would be hours off.
 */
export function zoneNamedInHeader(header: string): string | null {
  const m =
    /^(?:date|time|datetime|timestamp|date\s*time)\s*(?:\(\s*([A-Z]{2,5})\s*\)|[_\s]([A-Z]{2,5}))$/i.exec(
      header.trim(),
    );
  const zone = m?.[1] ?? m?.[2];
  // an abbreviation is written in capitals (`Date (CST)`); `Date (ISO)`, `Time (UNIX)` say a form
  return zone && zone === zone.toUpperCase() && SEVERAL_ZONES.has(zone) ? zone : null;
}

/** Abbreviations of several zones: China's or America's `CST`, Britain's or Bangladesh's `BST`. */
const SEVERAL_ZONES = new Set(['CST', 'CDT', 'IST', 'EST', 'PST', 'MST', 'BST', 'AST']);

function parseIso(text: string): Date | null {
  const m = ISO.exec(text);
  if (!m) return null;
  const [, y, , mo, d, h = '00', mi = '00', s = '00', frac = ''] = m;
  if (!isCalendarDay(+y!, +mo!, +d!)) return null;
  return new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}${frac.slice(0, 4)}Z`);
}

/**
 * A spreadsheet's date serial, as Excel and Google Sheets write a date cell saved as a number:
 * days since 1899-12-30 and the fraction of a day (`45296.5` is 2024-01-05 12:00). Five digits,
 * 1970 (25569) to 2100 (73050): no unix time, which has nine or more.
 */
function parseExcelSerial(text: string): Date | null {
  if (!/^\d{5}(?:\.\d+)?$/.test(text)) return null;
  const days = Number(text);
  if (days < 25569 || days >= 73051) return null;
  return new Date(Math.round((days - 25569) * 86_400_000));
}

function parseCompact(text: string): Date | null {
  const m = COMPACT.exec(text);
  return m ? toUtc(m[1]!, +m[2]!, +m[3]!, m[4], m[5], m[6]) : null;
}

function parseYearFirst(text: string): Date | null {
  const m = YEAR_FIRST.exec(text);
  if (!m) return null;
  const [, year = '', , month = '', day = '', h, mi, s] = m;
  return toUtc(year, +month, +day, h, mi, s);
}

function parseNumericDate(text: string, order: DateOrder): Date | null {
  const m = NUMERIC_DATE.exec(text);
  if (!m) return null;
  const [, first = '', separator, second = '', last = '', h, mi, s] = m;
  // Year first is Japan's `24/01/05` and Sweden's `24-01-05`; with dots, `05.01.24`, it is
  // Europe's day first.
  if (order === 'year-first')
    return first.length === 2 && last.length === 2 && separator !== '.'
      ? toUtc(first, +second, +last, h, mi, s)
      : null;
  const [day, month] = order === 'day-first' ? [+first, +second] : [+second, +first];
  return toUtc(last, month, day, h, mi, s);
}

function parseNamedMonth(text: string): Date | null {
  const g = (MONTH_FIRST_NAMED.exec(text) ?? DAY_FIRST_NAMED.exec(text))?.groups;
  if (!g) return null;
  const month = monthNumber(g.month!);
  return month === 0 ? null : toUtc(g.year!, month, +g.day!, g.h, g.mi, g.s);
}

/**
 * A date from its parts, or null for a day or hour that does not exist (never rolled over).
 * Seconds may carry a fraction (`00.000`, Dukascopy's and .NET's exports), kept to the
 * millisecond as an ISO time's is.
 */
function toUtc(year: string, month: number, day: number, h = '0', mi = '0', s = '0'): Date | null {
  // Two-digit years in market data are all 20xx (no crypto prices before 2009).
  const y = year.length === 2 ? 2000 + +year : +year;
  const [seconds = '', fraction = ''] = s.split('.');
  if (!isCalendarDay(y, month, day) || +h > 23 || +mi > 59 || +seconds > 59) return null;
  const ms = +fraction.slice(0, 3).padEnd(3, '0');
  return new Date(Date.UTC(y, month - 1, day, +h, +mi, +seconds, ms));
}

/** 1–12 for `Jan`, `january`, `Sept`; 0 for anything else. */
function monthNumber(name: string): number {
  const lower = name.toLowerCase();
  return lower.length < 3 ? 0 : MONTHS.findIndex((month) => month.startsWith(lower)) + 1;
}

/**
 * The orders a date of a column could be read in: `25/12/2025` only day-first, `12/25/2025`
 * only month-first, `05/12/2025` either. A two-digit year may also come first, and no reading
 * of one may fall before 2009, when no coin had a price: `24-01-05` is only year-first (not 24
 * January 2005), `05-01-24` day-first or month-first, `15-03-21` day-first or year-first
 * (`15.03.21` only day-first: no one writes a year first between dots).
 * `undefined` for a value of another form.
 */
export function dateOrdersOf(input: string): DateOrder[] | undefined {
  const text = to24Hour(withoutZone(input.trim())?.text ?? '') ?? '';
  const m = NUMERIC_DATE.exec(text);
  if (!m) return undefined;
  const [, first = '', , , last = ''] = m;
  return DATE_ORDERS.filter((order) => {
    const date = parseNumericDate(text, order);
    const year = order === 'year-first' ? first : last;
    return date !== null && (year.length === 4 || date.getUTCFullYear() >= 2009);
  });
}

/**
 * The order `--date-format` names: `DD/MM/YYYY`, `MM-DD-YY`, `dd.mm.yyyy`, `YY/MM/DD`… (the
 * separator and year width do not matter; the values say them). Undefined for anything else.
 */
export function parseDateFormat(format: string): DateOrder | undefined {
  if (/^yy[-/.]mm[-/.]dd(?:[ T]hh:mm(?::ss)?)?$/i.test(format.trim())) return 'year-first';
  const m = /^(dd|mm)[-/.](dd|mm)[-/.](yy|yyyy)(?:[ T]hh:mm(?::ss)?)?$/i.exec(format.trim());
  if (!m || m[1]!.toLowerCase() === m[2]!.toLowerCase()) return undefined;
  return m[1]!.toLowerCase() === 'dd' ? 'day-first' : 'month-first';
}

/**
 * A unix time, its unit told by its size (today's time has 10 digits in seconds): 9–10 digits
 * are seconds (CoinMarketCap v1), 12–13 milliseconds (CryptoDataDownload, Binance klines until
 * 2025), 15–16 microseconds (Binance spot klines since 2025), 18–19 nanoseconds. Sizes between
 * fit no unit within a few decades of now, and are not a date.
 */
function parseUnix(text: string): Date | null {
  if (!UNIX.test(text)) return null;
  const whole = text.split('.')[0]!;
  const digits = whole.length;
  if (digits <= 10) return new Date(Number(text) * 1000);
  if (digits === 12 || digits === 13) return new Date(Number(text));
  // Past 2^53 a double loses digits: divide exactly first.
  if (digits === 15 || digits === 16) return new Date(Number(BigInt(whole) / 1000n));
  if (digits === 18 || digits === 19) return new Date(Number(BigInt(whole) / 1_000_000n));
  return null;
}

/** Rejects days that `Date` would silently roll over (31-02 → 03-03). */
function isCalendarDay(year: number, month: number, day: number): boolean {
  return (
    month >= 1 && month <= 12 && day >= 1 && day <= new Date(Date.UTC(year, month, 0)).getUTCDate()
  );
}
