import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { STATUS_CODES } from 'node:http';
import { QueryFailedError } from 'typeorm';
import { redactDigits } from '@/common/logging/redact';
import type { StaffRequest } from '@/common/auth/auth.decorators';

/** PostgreSQL or network errors that mean "the database is not there right now". */
export function isDatabaseUnavailable(error: unknown): boolean {
  const e = error as { code?: string; message?: string; driverError?: { code?: string } };
  const code = e?.driverError?.code ?? e?.code ?? '';
  return (
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03', '53300'].includes(code) ||
    code.startsWith('08') ||
    /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(e?.message ?? '')
  );
}

/**
 * The stable machine code of an error answer: the `code` an exception was built with
 * (`new ConflictException({ code: 'username.taken', message: '...' })`), else one per status.
 * The console maps codes to Japanese text; `message` stays English for API users.
 */
export function errorCode(body: unknown, status: number): string {
  const code = typeof body === 'object' && body !== null ? (body as { code?: unknown }).code : undefined;
  if (typeof code === 'string' && /^[a-z][a-z0-9-]*(\.[a-z0-9-]+)*$/.test(code)) return code;
  return `http.${status}`;
}

/** What a coded error may add for clients: `params` (dates, counts) and `fields` (validation), scrubbed like the message. */
function extras(body: unknown): { params?: Record<string, string | number>; fields?: { field: string; constraints: string[] }[] } {
  if (typeof body !== 'object' || body === null) return {};
  const out: ReturnType<typeof extras> = {};
  const { params, fields } = body as { params?: unknown; fields?: unknown };
  if (params && typeof params === 'object' && !Array.isArray(params)) {
    out.params = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, typeof v === 'number' ? v : redactDigits(String(v))]));
  }
  if (Array.isArray(fields)) {
    out.fields = fields.map((f: { field?: unknown; constraints?: unknown }) => ({
      field: redactDigits(String(f.field)),
      constraints: Array.isArray(f.constraints) ? f.constraints.map((c) => String(c)) : [],
    }));
  }
  return out;
}

/**
 * Known HTTP errors pass through as { statusCode, code, error, message }. Anything else becomes a
 * generic 500 (or 503 when the database is unreachable) with a correlation id; its details go
 * to the log only, redacted. Messages are scrubbed of number-like digit runs.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Exceptions');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<FastifyReply>();
    const req = ctx.getRequest<StaffRequest>();
    if (res.sent || res.raw.headersSent) {
      // A streamed answer already started: all we can do is cut it, so the client sees it incomplete.
      this.logger.error(`Stream aborted (request ${req.id}): ${redactDigits(String((exception as Error)?.message))}`);
      res.raw.destroy();
      return;
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      const message = typeof body === 'string' ? body : ((body as { message?: unknown }).message ?? exception.message);
      const headers = (exception as HttpException & { headers?: Record<string, string> }).headers;
      if (headers) for (const [k, v] of Object.entries(headers)) res.header(k, v);
      res.status(status).send({
        statusCode: status,
        code: errorCode(body, status),
        error: (body as { error?: string }).error ?? STATUS_CODES[status] ?? 'Error',
        message: Array.isArray(message) ? message.map((m) => redactDigits(String(m))) : redactDigits(String(message)),
        ...extras(body),
      });
      return;
    }
    const unavailable = isDatabaseUnavailable(exception) || (exception instanceof QueryFailedError && isDatabaseUnavailable(exception.driverError));
    const status = unavailable ? HttpStatus.SERVICE_UNAVAILABLE : HttpStatus.INTERNAL_SERVER_ERROR;
    this.logger.error(
      `${unavailable ? 'Database unavailable' : 'Unhandled error'} (request ${req.id}): ${redactDigits(String((exception as Error)?.stack ?? exception))}`,
    );
    if (unavailable) res.header('Retry-After', '5');
    res.status(status).send({
      statusCode: status,
      code: unavailable ? 'database.unavailable' : 'internal',
      error: unavailable ? 'Service Unavailable' : 'Internal Server Error',
      message: unavailable ? 'The database is unavailable; try again shortly' : 'Internal error',
      correlationId: String(req.id ?? ''),
    });
  }
}
