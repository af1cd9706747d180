import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Lattice API')
    .setDescription(
      'Global controller for multi-cluster service meshes: tenants, clusters, Global Namespaces.',
    )
    .setVersion('v1')
    .addBearerAuth({
      type: 'http',
      scheme: 'bearer',
      description: 'API token (lat_...) or the platform operator token',
    })
    .build();
  return SwaggerModule.createDocument(app, config);
}

/** Serves the document at /openapi.json and the UI at /docs. */
export function setUpOpenApi(app: INestApplication): void {
  SwaggerModule.setup('docs', app, buildOpenApiDocument(app), {
    jsonDocumentUrl: 'openapi.json',
    raw: ['json'],
  });
}
