/**
 * The CLI goes through its composition root, and the sandbox stays off the bot's production path: read
 * from the sources' static imports (what Node loads when a module is required; `import type` loads
 * nothing, and src/cli-runtime.ts requires infrastructure inside the functions that use it).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');

/** The modules a source file loads when it is required: relative paths resolved, packages by name. */
function staticImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [
    // `import x from 'm';`, `import 'm';`, `export { x } from 'm';`: never across a statement's end.
    ...text.matchAll(/^(?:import|export)\s+(?!type\s)(?:[^;'"]*?\s+from\s+)?'([^']+)';/gm),
  ].map((m) => m[1] as string);
  return specifiers.map((spec) => {
    if (!spec.startsWith('.')) return spec;
    const base = resolve(dirname(file), spec);
    // A data file (`../../package.json`) is named with its extension.
    const candidates = spec.endsWith('.json') ? [base] : [`${base}.ts`, join(base, 'index.ts')];
    const found = candidates.find((f) => existsSync(f));
    if (!found) throw new Error(`${relative(ROOT, file)}: cannot resolve ${spec}`);
    return found;
  });
}

/** Every module loaded, directly or not, when `entry` is required (packages are not followed). */
function closure(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (module: string) => {
    if (seen.has(module)) return;
    seen.add(module);
    if (module.startsWith('/')) for (const next of staticImports(module)) visit(next);
  };
  visit(resolve(ROOT, entry));
  return seen;
}

const inRepo = (modules: Iterable<string>) =>
  [...modules].filter((m) => m.startsWith('/')).map((m) => relative(ROOT, m));

describe('the CLI through the composition root', () => {
  it('adapters/cli imports only src/core and src/cli-runtime from src/', () => {
    const dir = join(ROOT, 'adapters', 'cli');
    const reached = readdirSync(dir)
      .filter((f) => f.endsWith('.ts'))
      .flatMap((f) => {
        const file = join(dir, f);
        const all = [...readFileSync(file, 'utf8').matchAll(/from '([^']+)'/g)].map((m) => m[1] as string);
        return all
          .filter((spec) => spec.startsWith('.'))
          .map((spec) => relative(ROOT, resolve(dir, spec)))
          .filter((path) => path.startsWith('src/'));
      });
    expect(reached.length).toBeGreaterThan(0);
    expect(reached.filter((p) => !p.startsWith('src/core/') && p !== 'src/cli-runtime')).toEqual([]);
  });

  it('`cis-bot --help` loads no configuration schema, AWS SDK, database driver, logger or sandbox', () => {
    const loaded = closure('adapters/cli/main.ts');
    const heavy = [...loaded].filter((m) =>
      /^(zod|yaml|pino|better-sqlite3|pg|@aws-sdk\/.*|@smithy\/.*)$/.test(m),
    );
    expect(heavy).toEqual([]);
    const infrastructure = inRepo(loaded).filter((p) =>
      /^src\/(aws|store|config|sandbox|scheduler)\//.test(p),
    );
    expect(infrastructure).toEqual([]);
  });

  it('the store loads the PostgreSQL driver only for a PostgreSQL URL (SQLite commands never do)', () => {
    expect(closure('src/store/index.ts')).not.toContain('pg');
    expect(closure('src/store/postgres/index.ts')).toContain('pg');
  });
});

describe('the sandbox on the production path', () => {
  it('the bot (src/main.ts) never loads src/sandbox or the sandbox wiring', () => {
    const loaded = inRepo(closure('src/main.ts'));
    expect(loaded).toContain('src/server.ts');
    expect(loaded.filter((p) => p.startsWith('src/sandbox') || p.startsWith('adapters/cli/'))).toEqual([]);
  });

  it('only the sandbox wiring (src/sandbox-run.ts) imports src/sandbox outside the sandbox itself', () => {
    const importers: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) {
          if (path !== join(ROOT, 'src', 'sandbox')) walk(path);
        } else if (entry.name.endsWith('.ts')) {
          const imports = staticImports(path).filter((m) => m.startsWith(`${join(ROOT, 'src', 'sandbox')}/`));
          if (imports.length > 0) importers.push(relative(ROOT, path));
        }
      }
    };
    walk(join(ROOT, 'src'));
    walk(join(ROOT, 'adapters'));
    expect(importers).toEqual(['src/sandbox-run.ts']);
  });
});
