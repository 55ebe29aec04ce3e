/**
 * cis-bot's name and version from its package.json, as reports name the tool that wrote them (SARIF's
 * driver, OCSF's product): read once, from the source tree or from dist/.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ToolInfo } from './core/report/results';

let tool: ToolInfo | undefined;

export function toolInfo(): ToolInfo {
  if (tool) return tool;
  let dir = __dirname;
  for (let i = 0; i < 4 && !tool; i++) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'cis-bot') tool = { name: 'cis-bot', version: pkg.version ?? '0.0.0' };
    }
    dir = dirname(dir);
  }
  tool ??= { name: 'cis-bot', version: '0.0.0' };
  return tool;
}
