/**
 * `--output-file PATH`: the report goes to a file, written atomically (write-file-atomic: a temporary
 * file in the same directory, flushed, then renamed over PATH), so a crash or a kill never leaves a
 * partial report where a CI step or a spreadsheet would read it. The directory is checked before the
 * audit runs, so a typo costs nothing.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { CisBotError } from '../../src/core/errors';

export class OutputFileError extends CisBotError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('OUTPUT_FILE', message, options);
  }
}

/** The absolute path, once its directory is known to exist. */
export function checkOutputFile(path: string): string {
  const file = resolve(path);
  const dir = dirname(file);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new OutputFileError(
      `--output-file ${path}: the directory ${dir} does not exist; create it first or choose another path.`,
    );
  }
  if (existsSync(file) && statSync(file).isDirectory()) {
    throw new OutputFileError(`--output-file ${path}: that is a directory; give a file name.`);
  }
  return file;
}

export async function writeOutputFile(file: string, text: string): Promise<void> {
  const writeFileAtomic = require('write-file-atomic') as typeof import('write-file-atomic');
  try {
    await writeFileAtomic(file, text, { encoding: 'utf8' });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException | undefined)?.code ?? 'an unknown error';
    throw new OutputFileError(`--output-file: cannot write ${file} (${code}); nothing was written.`, {
      cause: error,
    });
  }
}
