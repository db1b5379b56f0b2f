/** One error type for REST and GraphQL failures, carrying the API's error shape. */
export interface ErrorShape {
  status: number;
  code: string;
  message: string;
  field?: string | null;
  details?: Array<Record<string, unknown>> | null;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field: string | null;
  readonly details: Array<Record<string, unknown>>;

  constructor(shape: ErrorShape) {
    super(shape.message);
    this.name = 'ApiError';
    this.status = shape.status;
    this.code = shape.code;
    this.field = shape.field ?? null;
    this.details = shape.details ?? [];
  }
}

/** Builds an ApiError from a REST error body `{detail, error: {...}}` (or anything else). */
export function errorFromBody(status: number, body: unknown): ApiError {
  if (body && typeof body === 'object') {
    const b = body as { detail?: unknown; error?: Partial<ErrorShape> };
    if (b.error && typeof b.error === 'object') {
      return new ApiError({
        status: b.error.status ?? status,
        code: b.error.code ?? 'error',
        message: b.error.message ?? (typeof b.detail === 'string' ? b.detail : `request failed (${status})`),
        field: b.error.field ?? null,
        details: b.error.details ?? null,
      });
    }
    if (typeof b.detail === 'string') {
      return new ApiError({ status, code: 'error', message: b.detail });
    }
  }
  return new ApiError({ status, code: status >= 500 ? 'internal_error' : 'error', message: defaultMessage(status) });
}

function defaultMessage(status: number): string {
  if (status === 0) return 'The server could not be reached. Check your connection.';
  if (status === 401) return 'Your session has ended. Please sign in again.';
  if (status === 403) return 'Your role does not allow this.';
  if (status === 404) return 'Not found.';
  if (status === 429) return 'Too many requests. Please wait a moment.';
  if (status >= 500) return 'The server had a problem. Please try again.';
  return `Request failed (${status}).`;
}

/** A readable message for any thrown value. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}

export function isApiError(error: unknown, status?: number): error is ApiError {
  return error instanceof ApiError && (status === undefined || error.status === status);
}
