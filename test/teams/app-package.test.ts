/** The Teams app package: manifest commands match the command grammar, icons have Teams' sizes. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { buildPackage, renderManifest } from '../../adapters/teams/app-package/build-package';
import { colorIcon, outlineIcon } from '../../adapters/teams/app-package/icons';
import { crc32 } from '../../adapters/teams/app-package/png';
import { parseCommand } from '../../src/core/commands';

const DIR = join(__dirname, '../../adapters/teams/app-package');
const VALUES = {
  appId: '6f1c8f0e-2d1b-4a57-9c0e-0b6c2a7d9e11',
  host: 'bot.example.com',
  developer: 'Example "Ops"',
};

/** Reads a zip's entries (local headers in order, as our writer lays them out). */
function unzip(buf: Buffer): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  let at = 0;
  while (buf.readUInt32LE(at) === 0x04034b50) {
    const size = buf.readUInt32LE(at + 18);
    const nameLength = buf.readUInt16LE(at + 26);
    const name = buf.subarray(at + 30, at + 30 + nameLength).toString('utf8');
    const data = inflateRawSync(buf.subarray(at + 30 + nameLength, at + 30 + nameLength + size));
    expect(crc32(data)).toBe(buf.readUInt32LE(at + 14));
    files.set(name, data);
    at += 30 + nameLength + size;
  }
  return files;
}

const pngSize = (png: Buffer) => [png.readUInt32BE(16), png.readUInt32BE(20)];

test('every command in the manifest is one the shared parser accepts', () => {
  const manifest = JSON.parse(renderManifest(readFileSync(join(DIR, 'manifest.json'), 'utf8'), VALUES));
  expect(manifest.manifestVersion).toBe('1.17');
  expect(manifest.id).toBe(VALUES.appId);
  expect(manifest.bots[0].botId).toBe(VALUES.appId);
  expect(manifest.developer.name).toBe('Example "Ops"');
  const titles: string[] = manifest.bots[0].commandLists[0].commands.map((c: { title: string }) => c.title);
  expect(titles).toEqual([
    '4.1 audit',
    '4.1 remediate',
    '4.1 status',
    'history',
    'digest now',
    'schedule list',
    'help',
  ]);
  for (const title of titles) expect(() => parseCommand(title)).not.toThrow();
  for (const c of manifest.bots[0].commandLists[0].commands) {
    expect(c.title.length).toBeLessThanOrEqual(32);
    expect(c.description.length).toBeLessThanOrEqual(128);
  }
  expect(manifest.name.short.length).toBeLessThanOrEqual(30);
  expect(manifest.description.short.length).toBeLessThanOrEqual(80);
});

test('the package holds the manifest and icons of the sizes Teams requires', () => {
  const files = unzip(buildPackage(VALUES));
  expect([...files.keys()]).toEqual(['manifest.json', 'color.png', 'outline.png']);
  expect(pngSize(files.get('color.png') as Buffer)).toEqual([192, 192]);
  expect(pngSize(files.get('outline.png') as Buffer)).toEqual([32, 32]);
  // The checked-in icons are the generated ones.
  expect(readFileSync(join(DIR, 'color.png')).equals(colorIcon())).toBe(true);
  expect(readFileSync(join(DIR, 'outline.png')).equals(outlineIcon())).toBe(true);
});

test('a package is not built with a wrong app id or host', () => {
  const template = readFileSync(join(DIR, 'manifest.json'), 'utf8');
  expect(() => renderManifest(template, { ...VALUES, appId: 'my-bot' })).toThrow(/GUID/);
  expect(() => renderManifest(template, { ...VALUES, host: 'https://bot.example.com/' })).toThrow(
    /host name/,
  );
});
