import fs from 'node:fs';
import path from 'node:path';

/**
 * Everything from this origin (no CDN: the console works offline); inline styles only because the
 * component library sets style attributes and CSS variables; never framed; no plugins.
 */
export const CONSOLE_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/** What the console route answers for a path under /console. */
export type ConsoleAsset =
  | { kind: 'file'; file: string; contentType: string; cacheControl: string }
  | { kind: 'not-built'; message: string }
  | { kind: 'not-found'; message: string };

/**
 * Resolves a request path (the part after /console/) to a file of the built console:
 * - a file that exists is served; Vite's content-hashed files under assets/ are immutable for a year,
 *   anything else must be revalidated;
 * - a missing file under assets/ (or with a file extension) is a 404: an old tab asking for a
 *   bundle of an earlier build must not get HTML back;
 * - any other path is a client-side route: index.html (the SPA fallback), never cached.
 * Paths that leave the build folder ("..", encoded or not, NUL) are refused as not found.
 */
export function resolveConsoleAsset(buildDir: string, requestPath: string): ConsoleAsset {
  const index = path.join(buildDir, 'index.html');
  if (!fs.existsSync(index))
    return {
      kind: 'not-built',
      message: `The Lattice console is not built on this controller (no ${index}). Run "npm run build:console" (or "npm run build"), or set LATTICE_CONSOLE_DIR to the folder of a built console.`,
    };
  const relative = requestPath.replace(/^\/+/, '');
  if (relative.includes('\0')) return { kind: 'not-found', message: 'no such console file' };
  const file = path.resolve(buildDir, relative);
  if (file !== buildDir && !file.startsWith(buildDir + path.sep))
    return { kind: 'not-found', message: 'no such console file' };
  if (relative !== '' && fs.existsSync(file) && fs.statSync(file).isFile()) {
    const extension = path.extname(file).toLowerCase();
    const immutable = relative.startsWith('assets/');
    return {
      kind: 'file',
      file,
      contentType: CONTENT_TYPES[extension] ?? 'application/octet-stream',
      cacheControl: immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    };
  }
  if (relative.startsWith('assets/') || /\.[a-z0-9]{1,8}$/i.test(relative))
    return { kind: 'not-found', message: `no console file named ${relative}` };
  return { kind: 'file', file: index, contentType: CONTENT_TYPES['.html']!, cacheControl: 'no-cache' };
}

/** The built console: LATTICE_CONSOLE_DIR, or dist/console of the project. */
export function consoleBuildDir(projectRoot: string, override: string | undefined): string {
  return path.resolve(
    override && override.trim() !== '' ? override : path.join(projectRoot, 'dist', 'console'),
  );
}

/** The page shown at /console when there is no build: a clear message, not an error page. */
export function notBuiltPage(message: string): string {
  const escaped = message.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Lattice console not built</title></head><body><h1>Lattice console not built</h1><p>${escaped}</p><p>The REST API (<a href="/docs">/docs</a>) and GraphQL (/graphql) work without it.</p></body></html>`;
}
