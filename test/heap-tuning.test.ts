import { spawnSync } from 'node:child_process';
import { HEAP_GROWING_PERCENT, heapGrowthFlag } from '../src/heap-tuning';

test('the entry points set a smaller heap growth unless node was given its own', () => {
  expect(heapGrowthFlag([])).toBe(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  expect(heapGrowthFlag(['--expose-gc'])).toBe(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  expect(heapGrowthFlag(['--heap-growing-percent=200'])).toBeUndefined();
  expect(heapGrowthFlag(['--heap_growing_percent=10'])).toBeUndefined();
  expect(heapGrowthFlag(['--heap-growing-percent-x=1'])).toBe(
    `--heap-growing-percent=${HEAP_GROWING_PERCENT}`,
  );
});

test('V8 accepts the flag at run time: a process that sets it keeps running and allocating', () => {
  // setFlagsFromString ignores a flag it does not know with a warning on stderr: this fails if V8 renamed it.
  const r = spawnSync(
    process.execPath,
    [
      '-e',
      `require('node:v8').setFlagsFromString('${heapGrowthFlag([])}');
       const keep = []; for (let i = 0; i < 2e5; i++) keep.push({ i }); console.log(keep.length);`,
    ],
    { encoding: 'utf8' },
  );
  expect(r.stderr).toBe('');
  expect(r.stdout.trim()).toBe('200000');
});
