import { usage } from './libpq-uri.js';

/**
 * The password file's first line that matches (`host:port:database:user:password`, `*` for
 * any, `\:` and `\\` escaped), as libpq looks one up when the URL gives no password. A
 * socket is its directory there, or `localhost`. A file named by passfile= or PGPASSFILE must exist.
 */
export function fromPassfile(
  file: string,
  named: boolean,
  read: (file: string) => string,
  want: { host: string; port: string; database: string; user: string },
): string | undefined {
  let text: string;
  try {
    text = read(file);
  } catch (error) {
    if (!named) return undefined;
    throw usage(
      `the password file ${file} (passfile or PGPASSFILE) cannot be read ` +
        `(${(error as NodeJS.ErrnoException).code ?? String(error)})`,
    );
  }
  for (const line of text.split(/\r?\n/)) {
    if (!line || line.startsWith('#')) continue;
    const fields: string[] = [];
    let field = '';
    for (let i = 0; i < line.length; i++) {
      const c = line[i]!;
      if (c === '\\' && i + 1 < line.length) field += line[++i];
      else if (c === ':' && fields.length < 4) {
        fields.push(field);
        field = '';
      } else field += c;
    }
    fields.push(field);
    if (fields.length < 5) continue;
    const [host, port, database, user, password] = fields as [
      string,
      string,
      string,
      string,
      string,
    ];
    const matches = (pattern: string, value: string) => pattern === '*' || pattern === value;
    if (
      (matches(host, want.host) || (want.host.startsWith('/') && host === 'localhost')) &&
      matches(port, want.port) &&
      matches(database, want.database) &&
      matches(user, want.user)
    )
      return password;
  }
  return undefined;
}
