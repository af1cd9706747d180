import fs from 'node:fs';
import { Controller, Get, Inject, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { projectRoot } from '@lattice/platform';
import { CurrentTenant } from '../auth/current-principal.decorator';
import { Public, RequireRole } from '../auth/permissions.decorator';
import type { TenantPrincipal } from '../auth/principal.util';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../config/runtime-config.types';
import {
  CONSOLE_CONTENT_SECURITY_POLICY,
  consoleBuildDir,
  notBuiltPage,
  resolveConsoleAsset,
} from './console-assets.util';

/** Who the console is signed in as: shown in its header, and what decides which controls it shows. */
export interface ConsoleSession {
  tenantId: string;
  tokenId: string;
  tokenName: string;
  role: TenantPrincipal['role'];
}

/**
 * The web console (apps/console, built by Vite into dist/console) on the API's own origin, so it
 * needs no CORS and loads nothing from elsewhere. Its pages are public (they hold no data); every
 * call they make carries the API token the user signs in with. docs/console.md.
 */
@ApiExcludeController()
@Controller('console')
export class ConsoleController {
  private readonly buildDir: string;

  constructor(@Inject(RUNTIME_CONFIG) config: RuntimeConfig) {
    this.buildDir = consoleBuildDir(projectRoot(), config.env.LATTICE_CONSOLE_DIR);
  }

  /** The calling token's tenant, name and role (the server still checks the role on every call). */
  @RequireRole('viewer')
  @Get('session')
  session(@CurrentTenant() principal: TenantPrincipal): ConsoleSession {
    return {
      tenantId: principal.tenantId,
      tokenId: principal.tokenId,
      tokenName: principal.tokenName,
      role: principal.role,
    };
  }

  @Public()
  @Get()
  index(@Res() response: Response): void {
    this.serve('', response);
  }

  @Public()
  @Get('*path')
  file(@Param('path') segments: string[] | string, @Res() response: Response): void {
    this.serve(Array.isArray(segments) ? segments.join('/') : segments, response);
  }

  private serve(requestPath: string, response: Response): void {
    const asset = resolveConsoleAsset(this.buildDir, requestPath);
    response.setHeader('Content-Security-Policy', CONSOLE_CONTENT_SECURITY_POLICY);
    response.setHeader('X-Content-Type-Options', 'nosniff');
    response.setHeader('Referrer-Policy', 'no-referrer');
    if (asset.kind === 'not-built') {
      response.status(503).type('text/html; charset=utf-8').setHeader('Cache-Control', 'no-store');
      response.send(notBuiltPage(asset.message));
      return;
    }
    if (asset.kind === 'not-found') {
      response.status(404).type('text/plain; charset=utf-8').setHeader('Cache-Control', 'no-store');
      response.send(asset.message);
      return;
    }
    response.setHeader('Content-Type', asset.contentType);
    response.setHeader('Cache-Control', asset.cacheControl);
    fs.createReadStream(asset.file)
      .on('error', () => response.destroy())
      .pipe(response);
  }
}
