// `node --import ./test/helpers/trace-imports.mjs …` appends every module URL the program
// loads to the file KX_TRACE_IMPORTS names: a test reads what a command pulled in.
import { register } from 'node:module';

register(
  `data:text/javascript,${encodeURIComponent(`
    import { appendFileSync } from 'node:fs';
    export async function resolve(specifier, context, next) {
      const resolved = await next(specifier, context);
      if (process.env.KX_TRACE_IMPORTS) appendFileSync(process.env.KX_TRACE_IMPORTS, resolved.url + '\\n');
      return resolved;
    }
  `)}`,
);
