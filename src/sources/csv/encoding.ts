import { basename } from 'node:path';
import { KxError } from '../../core/errors.js';

/**
 * The encodings of the spreadsheets and finance portals whose CSV files are not UTF-8: Excel
 * saves "CSV" in the system's code page (Shift_JIS in Japan, GBK in China, Windows-1251 in
 * Russia, Windows-1252 in Western Europe). As WHATWG's TextDecoder and iconv name them.
 */
const LEGACY = [
  { decoder: 'shift_jis', iconv: 'CP932', name: 'Shift_JIS (Japanese Windows)' },
  { decoder: 'gb18030', iconv: 'GB18030', name: 'GB18030 (Chinese Windows)' },
  { decoder: 'big5', iconv: 'BIG5', name: 'Big5 (Traditional Chinese)' },
  { decoder: 'euc-kr', iconv: 'CP949', name: 'EUC-KR (Korean Windows)' },
  { decoder: 'windows-1251', iconv: 'WINDOWS-1251', name: 'Windows-1251 (Cyrillic)' },
  { decoder: 'windows-1252', iconv: 'WINDOWS-1252', name: 'Windows-1252 (Western European)' },
] as const;

export interface EncodingGuess {
  name: string;
  /** The name `iconv -f` takes. */
  iconv: string;
  /** The header's columns read in that encoding. */
  header: string[];
}

/**
 * The legacy encoding a header that is not UTF-8 is written in: the one under which more of
 * its columns map to kx's fields (`score`) than `utf8Score`, the UTF-8 reading's. Every
 * single-byte code page decodes any bytes, so what tells them apart is whether `終値` or
 * `Último` comes out, which kx's synonyms know. Null when none reads better.
 */
export async function guessHeaderEncoding(
  bytes: Buffer,
  delimiter: string,
  score: (header: string[]) => number,
  utf8Score: number,
): Promise<EncodingGuess | null> {
  const { parse } = await import('csv-parse/sync');
  let best: (EncodingGuess & { score: number }) | null = null;
  for (const { decoder, iconv, name } of LEGACY) {
    let text: string;
    try {
      text = new TextDecoder(decoder, { fatal: true }).decode(bytes);
    } catch {
      continue; // not this encoding (or a Node built without its ICU data)
    }
    let header: string[];
    try {
      const rows: string[][] = parse(text, { delimiter, relax_quotes: true });
      header = rows[0] ?? [];
    } catch {
      continue;
    }
    const points = score(header);
    if (points > utf8Score && (!best || points > best.score))
      best = { name, iconv, header, score: points };
  }
  return best && { name: best.name, iconv: best.iconv, header: best.header };
}

/** The command that converts `path` from `guess`'s encoding into UTF-8 beside it. */
export function iconvLine(path: string, iconv: string): string {
  const quoted = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;
  const converted = `${basename(path).replace(/\.[^.]*$/, '')}.utf8.csv`;
  return `iconv -f ${iconv} -t UTF-8 ${quoted(path)} > ${quoted(converted)}`;
}

/** A header that reads right only in `guess`'s encoding: the file must be converted first. */
export function notUtf8Header(path: string, guess: EncodingGuess, columns: string): KxError {
  return new KxError(
    'input',
    `${path}: the header is not UTF-8 text: it reads as ${guess.name} (${columns}), and kx ` +
      `reads CSV files as UTF-8; convert the file first: ${iconvLine(path, guess.iconv)}`,
    { context: { file: path } },
  );
}
