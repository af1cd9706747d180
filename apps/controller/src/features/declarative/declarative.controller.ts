import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import {
  DECLARATIVE_KINDS,
  declarativeJsonSchema,
  declarativeJsonSchemaOfAll,
  DomainError,
  KIND_INFO,
  parseDocument,
  resolveKind,
  schemaFileName,
  type DeclarativeKind,
  type ResourceRef,
} from '@lattice/domain';
import { CurrentTenant } from '../../platform/auth/current-principal.decorator';
import { Public, RequireRole } from '../../platform/auth/permissions.decorator';
import { roleSatisfies, type TenantPrincipal } from '../../platform/auth/principal.util';
import {
  DeclarativeApplyQueryDto,
  DeclarativeRefQueryDto,
  DeclarativeWriteQueryDto,
  PruneRequestDto,
} from './declarative.dto';
import { DeclarativeService } from './declarative.service';
import type { ApplyResult, DeclarativeDocument, DeleteResult } from './declarative.types';

/**
 * Declarative resources by name (docs/gitops.md): what `lattice get|apply|diff|delete|export`
 * call. Path segment kinds: clusters, globalnamespaces, trafficpolicies, securitypolicies, slos,
 * webhooks, autoscalingpolicies (singular and short names work too).
 */
@ApiTags('declarative')
@ApiBearerAuth()
@Controller('v1/declarative')
export class DeclarativeController {
  constructor(private readonly declarative: DeclarativeService) {}

  /** The tenant's whole configuration as documents that `apply` reproduces (no status, no server metadata). */
  @RequireRole('editor')
  @Get('export')
  async exportDeclarativeResources(
    @CurrentTenant() tenant: TenantPrincipal,
  ): Promise<{ items: DeclarativeDocument[] }> {
    return { items: await this.declarative.export(tenant.tenantId) };
  }

  /** Deletes what apply created in an apply set and `keep` no longer names (dependents first). */
  @RequireRole('editor')
  @Post('prune')
  @HttpCode(200)
  @ApiOperation({ summary: 'Prune resources an apply set created and the configuration no longer names' })
  pruneDeclarativeResources(@CurrentTenant() tenant: TenantPrincipal, @Body() body: PruneRequestDto) {
    return this.declarative.prune(tenant, body.applySet, body.keep, body.dryRun ?? false);
  }

  @RequireRole('viewer')
  @Get(':kind')
  async listDeclarativeResources(
    @CurrentTenant() tenant: TenantPrincipal,
    @Param('kind') kindText: string,
  ): Promise<{ items: DeclarativeDocument[] }> {
    const kind = kindOf(kindText, tenant);
    return { items: await this.declarative.list(tenant.tenantId, kind) };
  }

  @RequireRole('viewer')
  @Get(':kind/:name')
  getDeclarativeResource(
    @CurrentTenant() tenant: TenantPrincipal,
    @Param('kind') kindText: string,
    @Param('name') name: string,
    @Query() query: DeclarativeRefQueryDto,
  ): Promise<DeclarativeDocument> {
    return this.declarative.get(tenant.tenantId, refOf(kindOf(kindText, tenant), name, query));
  }

  /**
   * Server-side apply of one document: creates the resource or sets the fields the document names
   * (fields an earlier apply named and this one drops return to their defaults). 409 when the
   * resource was changed outside apply since the last apply (unless force=true) or is no longer at
   * metadata.version. With dryRun=true nothing changes; policies come with the Istio objects each
   * member cluster would receive.
   */
  @RequireRole('editor')
  @Put(':kind/:name')
  @ApiOperation({ summary: 'Create or update a declarative resource by name (server-side apply)' })
  @ApiBody({ schema: { type: 'object', description: 'a lattice.dev/v1alpha1 document (see /v1/schemas)' } })
  async applyDeclarativeResource(
    @CurrentTenant() tenant: TenantPrincipal,
    @Param('kind') kindText: string,
    @Param('name') name: string,
    @Query() query: DeclarativeApplyQueryDto,
    @Body() body: unknown,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ApplyResult> {
    const ref = refOf(kindOf(kindText, tenant), name, query);
    const parsed = parseDocument(body);
    if (!parsed.ok) throw DomainError.validation(parsed.errors);
    const named = parsed.resource;
    if (named.kind !== ref.kind || named.name !== ref.name || named.globalNamespace !== ref.globalNamespace)
      throw DomainError.validation([
        {
          field: 'metadata',
          message: `the document names ${describe(named)}, the path ${describe(ref)}: they must be the same`,
        },
      ]);
    const result = await this.declarative.apply(tenant, named, {
      dryRun: query.dryRun === 'true',
      force: query.force === 'true',
      applySet: query.applySet ?? 'default',
    });
    response.status(result.action === 'create' && !result.dryRun ? 201 : 200);
    return result;
  }

  @RequireRole('editor')
  @Delete(':kind/:name')
  @HttpCode(200)
  deleteDeclarativeResource(
    @CurrentTenant() tenant: TenantPrincipal,
    @Param('kind') kindText: string,
    @Param('name') name: string,
    @Query() query: DeclarativeWriteQueryDto,
  ): Promise<DeleteResult> {
    return this.declarative.delete(
      tenant,
      refOf(kindOf(kindText, tenant), name, query),
      query.dryRun === 'true',
    );
  }
}

/** JSON Schemas of the declarative kinds, for editors (public: they describe the format, nothing of a tenant). */
@ApiTags('declarative')
@Controller('v1/schemas')
export class SchemasController {
  @Public()
  @Get()
  listDeclarativeSchemas() {
    return {
      items: [
        ...DECLARATIVE_KINDS.map((kind) => ({ kind, path: `/v1/schemas/${schemaFileName(kind)}` })),
        { kind: 'all', path: `/v1/schemas/${schemaFileName('all')}` },
      ],
    };
  }

  @Public()
  @Get(':file')
  getDeclarativeSchema(@Param('file') file: string) {
    if (file === schemaFileName('all')) return declarativeJsonSchemaOfAll();
    const kind = DECLARATIVE_KINDS.find((candidate) => schemaFileName(candidate) === file);
    if (!kind) throw new DomainError('NOT_FOUND', `no schema ${file}; GET /v1/schemas lists them`);
    return declarativeJsonSchema(kind);
  }
}

function kindOf(text: string, tenant: TenantPrincipal): DeclarativeKind {
  const kind = resolveKind(text);
  if (!kind)
    throw DomainError.validation([
      {
        field: 'kind',
        message: `unknown kind ${JSON.stringify(text.slice(0, 64))}: one of ${DECLARATIVE_KINDS.map((k) => KIND_INFO[k].plural).join(', ')}`,
      },
    ]);
  // Receiver URLs often carry a token: webhooks are for editors, as on /v1/webhooks.
  if (kind === 'Webhook' && !roleSatisfies(tenant.role, 'editor'))
    throw new DomainError('FORBIDDEN', 'webhooks are visible to editors and admins only');
  return kind;
}

function refOf(kind: DeclarativeKind, name: string, query: DeclarativeRefQueryDto): ResourceRef {
  const scoped = KIND_INFO[kind].scopedByGlobalNamespace;
  if (scoped && query.globalNamespace === undefined)
    throw DomainError.validation([
      {
        field: 'globalNamespace',
        message: `${kind} names a service of a Global Namespace: add ?globalNamespace=<name>`,
      },
    ]);
  if (!scoped && query.globalNamespace !== undefined)
    throw DomainError.validation([
      { field: 'globalNamespace', message: `${kind} is not in a Global Namespace` },
    ]);
  return { kind, name, ...(scoped ? { globalNamespace: query.globalNamespace } : {}) };
}

function describe(ref: ResourceRef): string {
  return `${ref.kind} ${ref.globalNamespace !== undefined ? `${ref.globalNamespace}/` : ''}${ref.name}`;
}
