import { ValidationError, ValidationPipe } from '@nestjs/common';
import { DomainError, type FieldError } from '@lattice/domain';

/** Validates DTOs at the edge; a bad request lists every bad field, and unknown fields are refused. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => DomainError.validation(flatten(errors)),
  });
}

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message: message.replace(`${error.property} `, '') }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}
