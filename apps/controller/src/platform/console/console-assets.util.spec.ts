import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { consoleBuildDir, notBuiltPage, resolveConsoleAsset } from './console-assets.util';

describe('resolveConsoleAsset', () => {
  let dir: string;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lattice-console-build-'));
    fs.mkdirSync(path.join(dir, 'assets'));
    fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html>');
    fs.writeFileSync(path.join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
    fs.writeFileSync(path.join(dir, 'favicon.svg'), '<svg/>');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('serves hashed assets as immutable and other files with revalidation', () => {
    expect(resolveConsoleAsset(dir, 'assets/index-abc123.js')).toEqual({
      kind: 'file',
      file: path.join(dir, 'assets', 'index-abc123.js'),
      contentType: 'text/javascript; charset=utf-8',
      cacheControl: 'public, max-age=31536000, immutable',
    });
    expect(resolveConsoleAsset(dir, 'favicon.svg')).toMatchObject({
      contentType: 'image/svg+xml',
      cacheControl: 'no-cache',
    });
  });

  it('answers client-side routes with index.html, never cached', () => {
    for (const route of ['', '/', 'gns/1234/topology', 'slos/new'])
      expect(resolveConsoleAsset(dir, route)).toEqual({
        kind: 'file',
        file: path.join(dir, 'index.html'),
        contentType: 'text/html; charset=utf-8',
        cacheControl: 'no-cache',
      });
  });

  it('is a 404 for a missing asset (an old bundle must not get HTML) and for paths leaving the build', () => {
    expect(resolveConsoleAsset(dir, 'assets/index-old.js').kind).toBe('not-found');
    expect(resolveConsoleAsset(dir, 'robots.txt').kind).toBe('not-found');
    expect(resolveConsoleAsset(dir, '../package.json').kind).toBe('not-found');
    expect(resolveConsoleAsset(dir, 'assets/../../etc/passwd').kind).toBe('not-found');
    expect(resolveConsoleAsset(dir, 'a\0b').kind).toBe('not-found');
  });

  it('says how to build the console when there is no build', () => {
    const missing = path.join(dir, 'nothing-here');
    const asset = resolveConsoleAsset(missing, 'gns');
    expect(asset.kind).toBe('not-built');
    if (asset.kind !== 'not-built') return;
    expect(asset.message).toContain('npm run build:console');
    expect(notBuiltPage('<b>&')).toContain('&#60;b&#62;&#38;');
  });

  it('uses LATTICE_CONSOLE_DIR when set, else dist/console', () => {
    expect(consoleBuildDir('/srv/lattice', undefined)).toBe('/srv/lattice/dist/console');
    expect(consoleBuildDir('/srv/lattice', ' ')).toBe('/srv/lattice/dist/console');
    expect(consoleBuildDir('/srv/lattice', '/opt/console')).toBe('/opt/console');
  });
});
