import { z } from 'zod';

/**
 * Answers of Prometheus' HTTP API (https://prometheus.io/docs/prometheus/latest/querying/api/):
 * every answer is `{status: "success", data}` or `{status: "error", errorType, error}`.
 */

/** One sample of a series: the metric's labels (including `__name__`) and a value as text. */
export interface PrometheusSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const errorAnswer = z.object({
  status: z.literal('error'),
  errorType: z.string().optional(),
  error: z.string().optional(),
});

const buildInfoAnswer = z.object({
  status: z.literal('success'),
  data: z.object({ version: z.string() }).passthrough(),
});

/** `[<unix seconds>, "<value>"]`; values are strings so that NaN and ±Inf survive JSON. */
const instantValue = z.tuple([z.number(), z.string()]);

const vectorAnswer = z.object({
  status: z.literal('success'),
  data: z.object({
    resultType: z.literal('vector'),
    result: z.array(z.object({ metric: z.record(z.string(), z.string()), value: instantValue })),
  }),
});

/** An answer that is not what a Prometheus server sends; the message says what was wrong. */
export class PrometheusAnswerError extends Error {
  override readonly name = 'PrometheusAnswerError';
}

/** The server's version from `/api/v1/status/buildinfo`; throws PrometheusAnswerError otherwise. */
export function parseBuildInfo(body: unknown): string {
  const error = errorAnswer.safeParse(body);
  if (error.success) throw new PrometheusAnswerError(describeError(error.data));
  const parsed = buildInfoAnswer.safeParse(body);
  if (!parsed.success) throw new PrometheusAnswerError('the answer is not a Prometheus build information');
  return parsed.data.data.version;
}

/** The samples of an instant query's vector result; throws PrometheusAnswerError otherwise. */
export function parseInstantVector(body: unknown): PrometheusSample[] {
  const error = errorAnswer.safeParse(body);
  if (error.success) throw new PrometheusAnswerError(describeError(error.data));
  const parsed = vectorAnswer.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new PrometheusAnswerError(
      `the answer is not an instant vector (${issue?.path.join('.') || 'answer'}: ${issue?.message ?? 'invalid'})`,
    );
  }
  return parsed.data.data.result.map(({ metric, value }) => {
    const { __name__: name = '', ...labels } = metric;
    return { name, labels, value: parseSampleValue(value[1]) };
  });
}

function parseSampleValue(text: string): number {
  switch (text) {
    case '+Inf':
      return Number.POSITIVE_INFINITY;
    case '-Inf':
      return Number.NEGATIVE_INFINITY;
    case 'NaN':
      return Number.NaN;
    default: {
      const value = Number(text);
      if (text.trim() === '' || Number.isNaN(value))
        throw new PrometheusAnswerError(`invalid sample value ${JSON.stringify(text)}`);
      return value;
    }
  }
}

function describeError(answer: z.infer<typeof errorAnswer>): string {
  return `Prometheus answered ${answer.errorType ?? 'error'}: ${answer.error ?? 'no message'}`;
}
