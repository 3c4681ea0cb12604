/**
 * lib/cli works with yargs' types, not around them: no cast to any, never or `unknown as` in any
 * of its files (a command module is typed by its builder and the handler frame, lib/cli/handler.ts).
 */
import * as fs from 'fs';
import * as path from 'path';

const CLI = path.join(__dirname, '../../../lib/cli');
const CAST = /\bas (any|never|unknown)\b|@typescript-eslint\/no-explicit-any/;

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

describe('lib/cli', () => {
  it('has TypeScript files to check', () => {
    expect(files(CLI).length).toBeGreaterThan(10);
  });

  it('casts nothing to any, never or unknown', () => {
    const found = files(CLI).flatMap((file) =>
      fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .flatMap((line, i) => (CAST.test(line) ? [`${path.relative(CLI, file)}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(found).toEqual([]);
  });
});
