// The HTTP API client: JSON in and out, errors as ApiError with the server's code (docs/api.md).

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly retryAfter?: number,
    /** The server's X-Request-ID for this request: what its log knows the failure by. */
    readonly requestId?: string,
    /** Machine-readable facts of some errors (quota_exceeded: which quota, how much is used). */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

interface ErrorBody {
  error?: { code?: string; message?: string; field?: string; details?: Record<string, unknown> };
}

async function toError(res: Response): Promise<ApiError> {
  let body: ErrorBody = {};
  try {
    body = (await res.json()) as ErrorBody;
  } catch {
    // Not JSON (a proxy's page): the status alone says what happened.
  }
  const retry = Number(res.headers.get('Retry-After'));
  return new ApiError(
    res.status,
    body.error?.code ?? `http_${res.status}`,
    body.error?.message ?? res.statusText,
    body.error?.field,
    Number.isFinite(retry) && retry > 0 ? retry : undefined,
    res.headers.get('X-Request-ID') ?? undefined,
    body.error?.details,
  );
}

async function send(path: string, init: RequestInit): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(path, { credentials: 'same-origin', ...init });
  } catch {
    throw new ApiError(0, 'network', 'network error');
  }
  if (!res.ok) throw await toError(res);
  return res;
}

/** A JSON request; resolves with the parsed body, or undefined for 204. */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method };
  if (body !== undefined) {
    init.headers = { 'Content-Type': 'application/json' };
    init.body = JSON.stringify(body);
  }
  const res = await send(path, init);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

/** Uploads one file as multipart/form-data in the field `file`. */
export async function upload<T>(path: string, file: File): Promise<T> {
  const form = new FormData();
  form.append('file', file);
  const res = await send(path, { method: 'POST', body: form });
  return (await res.json()) as T;
}
