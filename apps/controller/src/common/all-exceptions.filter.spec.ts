import { BadRequestException, HttpException, Logger } from '@nestjs/common';
import { toErrorBody } from './all-exceptions.filter';

describe('toErrorBody', () => {
  const logger = { error: jest.fn() } as unknown as Logger;

  it('names body-parser failures that Nest wrapped in an HttpException', () => {
    const parseFailure = Object.assign(new SyntaxError('Unexpected end of JSON input'), { status: 400, type: 'entity.parse.failed' });
    expect(toErrorBody(new BadRequestException(parseFailure.message, { cause: parseFailure }), logger, 'r1')).toEqual({
      statusCode: 400,
      error: 'MALFORMED_JSON',
      message: 'request body is not valid JSON: Unexpected end of JSON input',
      requestId: 'r1',
    });
    const tooLarge = Object.assign(new Error('request entity too large'), { status: 413, type: 'entity.too.large' });
    expect(toErrorBody(new HttpException(tooLarge.message, 413, { cause: tooLarge }), logger, 'r2')).toMatchObject({
      statusCode: 413,
      error: 'PAYLOAD_TOO_LARGE',
    });
    expect(logger.error).not.toHaveBeenCalled();
  });
});
