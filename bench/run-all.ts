/**
 * `npm run bench`: runs every benchmark module in bench/ (each exports one or more async `bench*`
 * functions), one after the other so they do not compete for the CPU.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tuneHeapGrowth } from '../src/heap-tuning';

// As in adapters/cli/main.ts and src/main.ts: the AWS SDK's Node-version notice only, through its own switch.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ||= 'true';
// The benches run the product in this process: with the heap settings its entry points use.
tuneHeapGrowth();

async function main(): Promise<void> {
  const modules = readdirSync(__dirname)
    .filter((f) => f.endsWith('.ts') && f !== 'run-all.ts' && !f.endsWith('.d.ts'))
    .sort();
  for (const file of modules) {
    const mod = (await import(join(__dirname, file))) as Record<string, unknown>;
    for (const [name, fn] of Object.entries(mod)) {
      if (!name.startsWith('bench') || typeof fn !== 'function' || fn.length > 0) continue;
      console.log(`\n== ${file} ${name} ==`);
      await (fn as () => Promise<unknown>)();
    }
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
