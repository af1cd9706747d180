import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { DomainError, type FieldError } from '@lattice/domain';

/** Deeper than any Lattice document; deeper input is refused before class-transformer recurses into it. */
export const MAX_INPUT_DEPTH = 32;

/**
 * Validates DTOs at the edge; a bad request lists every bad field, and unknown fields are refused.
 * Before that, every argument (body, query, path, GraphQL args) is checked for what no DTO rule
 * catches: NUL characters (PostgreSQL text cannot hold them) and absurd nesting.
 */
export function createValidationPipe(): ValidationPipe {
  return new InputValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => DomainError.validation(flatten(errors)),
  });
}

class InputValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    // Only what the client sent (GraphQL arguments arrive as 'body'); custom decorators hand over
    // server objects (the principal) that need no checking and may be large.
    if (metadata.type !== 'custom') {
      // Named arguments (a path parameter, a GraphQL argument) root the field path; a whole body does not.
      const problems = inputShapeProblems(value, typeof metadata.data === 'string' ? metadata.data : '');
      if (problems.length > 0) throw DomainError.validation(problems);
    }
    return super.transform(value, metadata);
  }
}

/**
 * Strings with NUL characters and objects nested deeper than MAX_INPUT_DEPTH, named by path
 * (`a.b[0].c`). Iterative, so a hostile document cannot overflow the stack here.
 */
export function inputShapeProblems(value: unknown, root = ''): FieldError[] {
  const problems: FieldError[] = [];
  const pending: { value: unknown; path: string; depth: number }[] = [{ value, path: root, depth: 0 }];
  while (pending.length > 0 && problems.length < 20) {
    const { value: node, path, depth } = pending.pop()!;
    const field = path || '(body)';
    if (typeof node === 'string') {
      if (node.includes('\u0000'))
        problems.push({ field, message: 'must not contain NUL characters (\\u0000)' });
      continue;
    }
    if (node === null || typeof node !== 'object') continue;
    if (depth >= MAX_INPUT_DEPTH) {
      problems.push({ field, message: `is nested deeper than ${MAX_INPUT_DEPTH} levels` });
      continue;
    }
    if (Array.isArray(node)) {
      node.forEach((item, index) =>
        pending.push({ value: item, path: `${path}[${index}]`, depth: depth + 1 }),
      );
    } else {
      for (const [key, item] of Object.entries(node)) {
        if (key.includes('\u0000'))
          problems.push({
            field: path ? `${path}.${key}` : key,
            message: 'must not contain NUL characters (\\u0000)',
          });
        pending.push({ value: item, path: path ? `${path}.${key}` : key, depth: depth + 1 });
      }
    }
  }
  return problems;
}

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({
      field,
      message: message.replace(`${error.property} `, ''),
    }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}
