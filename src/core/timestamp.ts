/**
 * Timestamps as found in the wild, to a UTC `Date`: ISO 8601 (with `Z`, an offset or none,
 * taken as UTC), `YYYY-MM-DD HH:MM:SS UTC`, `YYYY-MM-DD`, unix seconds or milliseconds (also
 * written as floats, `1575032004.0`), `DD-MM-YYYY [HH:MM[:SS]]` and `DD-MM-YY`.
 */
export type TimestampResult = { ok: true; value: Date | null } | { ok: false; reason: string };

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?\s*(z|utc|[+-]\d{2}:?\d{2})?$/i;
const DAY_FIRST = /^(\d{2})[-/.](\d{2})[-/.](\d{2}|\d{4})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/;
const UNIX = /^\d{9,13}(?:\.\d+)?$/;

export function toTimestamp(input: string): TimestampResult {
  const text = input.trim();
  if (text === '' || /^(null|n\/a|none|-)$/i.test(text)) return { ok: true, value: null };
  const date = parseIso(text) ?? parseDayFirst(text) ?? parseUnix(text);
  if (!date || Number.isNaN(date.getTime())) {
    return { ok: false, reason: `not a date: ${JSON.stringify(text.slice(0, 40))}` };
  }
  return { ok: true, value: date };
}

function parseIso(text: string): Date | null {
  const m = ISO.exec(text);
  if (!m) return null;
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone = 'Z'] = m;
  const offset = /^(z|utc)$/i.test(zone) ? 'Z' : zone.replace(/^([+-]\d{2})(\d{2})$/, '$1:$2');
  if (!isCalendarDay(+y!, +mo!, +d!)) return null;
  return new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}${frac.slice(0, 4)}${offset}`);
}

function parseDayFirst(text: string): Date | null {
  const m = DAY_FIRST.exec(text);
  if (!m) return null;
  const [, d, mo, yRaw = '', h = '00', mi = '00', s = '00'] = m;
  // Two-digit years in market data are all 20xx (no crypto prices before 2009).
  const y = yRaw.length === 2 ? `20${yRaw}` : yRaw;
  if (!isCalendarDay(+y, +mo!, +d!)) return null;
  return new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}Z`);
}

function parseUnix(text: string): Date | null {
  if (!UNIX.test(text)) return null;
  const n = Number(text);
  // 13 digits are milliseconds (CryptoDataDownload), 9–10 are seconds (CoinMarketCap v1).
  return new Date(text.split('.')[0]!.length >= 12 ? n : n * 1000);
}

/** Rejects days that `Date` would silently roll over (31-02 → 03-03). */
function isCalendarDay(year: number, month: number, day: number): boolean {
  return (
    month >= 1 && month <= 12 && day >= 1 && day <= new Date(Date.UTC(year, month, 0)).getUTCDate()
  );
}
