/**
 * Builds the Teams app package (a zip of manifest.json, color.png, outline.png) to upload in Teams
 * ("Apps" > "Manage your apps" > "Upload an app") or in the Teams admin center.
 *
 *   npx tsx adapters/teams/app-package/build-package.ts --app-id <MicrosoftAppId> --host bot.example.com \
 *     [--developer "Example Ltd"] [--out cis-bot-teams.zip]
 *
 * The icons are regenerated from icons.ts; color.png and outline.png beside this file are the same
 * images, kept for reviewers and for people who edit the manifest by hand.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { colorIcon, outlineIcon } from './icons';
import { zip } from './png';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HOST = /^[a-z0-9.-]+(:\d+)?$/i;

export function renderManifest(
  template: string,
  values: { appId: string; host: string; developer: string },
): string {
  if (!GUID.test(values.appId))
    throw new Error(`--app-id must be the bot's MicrosoftAppId (a GUID); got "${values.appId}".`);
  if (!HOST.test(values.host))
    throw new Error(`--host must be a host name such as bot.example.com; got "${values.host}".`);
  const text = template
    .replaceAll('{{MICROSOFT_APP_ID}}', values.appId)
    .replaceAll('{{PUBLIC_HOST}}', values.host)
    .replaceAll('{{DEVELOPER_NAME}}', JSON.stringify(values.developer).slice(1, -1));
  JSON.parse(text); // still valid JSON
  return text;
}

export function buildPackage(values: { appId: string; host: string; developer: string }): Buffer {
  const template = readFileSync(join(__dirname, 'manifest.json'), 'utf8');
  return zip([
    { name: 'manifest.json', data: Buffer.from(renderManifest(template, values), 'utf8') },
    { name: 'color.png', data: colorIcon() },
    { name: 'outline.png', data: outlineIcon() },
  ]);
}

if (require.main === module) {
  const { values } = parseArgs({
    options: {
      'app-id': { type: 'string' },
      host: { type: 'string' },
      developer: { type: 'string', default: 'cis-bot operators' },
      out: { type: 'string', default: 'cis-bot-teams.zip' },
      'write-icons': { type: 'boolean', default: false },
    },
  });
  if (values['write-icons']) {
    writeFileSync(join(__dirname, 'color.png'), colorIcon());
    writeFileSync(join(__dirname, 'outline.png'), outlineIcon());
    process.stdout.write('wrote color.png and outline.png\n');
  } else {
    const pkg = buildPackage({
      appId: values['app-id'] ?? '',
      host: values.host ?? '',
      developer: values.developer ?? '',
    });
    writeFileSync(values.out ?? 'cis-bot-teams.zip', pkg);
    process.stdout.write(`wrote ${values.out} (${pkg.length} bytes)\n`);
  }
}
